"""`switchyard review --deep` as a process: the review and the impact task in one report;
the note on a caller outside the diff is file-level, with a link to the head on the forge
the CI names, and fails --fail-on as a finding on the diff would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli import switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.test_analyze_route import _env, repo, servers  # noqa: F401 (fixtures)
from tests.test_impact import ANSWER


def _answer(request: dict[str, Any]) -> Reply:
    if "Code elsewhere that uses" in json.dumps(request["messages"]):
        return Reply(ANSWER)
    return Reply({"summary": "Adds a parameter.", "findings": []})


def test_review_deep_reports_outside_notes_at_file_level_with_links(
    repo: GitRepo,  # noqa: F811
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],  # noqa: F811
    tmp_path: Path,
) -> None:
    local, cloud = servers
    local.responder = cloud.responder = _answer
    env = {
        **_env(tmp_path, local, cloud),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/shop",
    }
    args = ("review", "--base", "main", "--deep", "--format", "json", "--fail-on", "major")
    r = switchyard(*args, cwd=repo.path, env=env)
    data = json.loads(r.out)
    assert data["task"] == "review,impact", r.both
    assert r.code == 1  # the broken caller is a major finding: the gate fails on it
    [note] = [f for f in data["findings"] if f["path"] == "shop/checkout.py"]
    assert note["start_line"] is None and note["task"] == "impact"
    head = repo.sha()
    url = f"https://github.com/acme/shop/blob/{head}/shop/checkout.py#L6"
    assert note["anchor_note"] == f"outside the diff, at [shop/checkout.py:6]({url})"
    # The impact item went to the cloud (repository scope); the review stayed local.
    assert {c["task"]: c["target"] for c in data["calls"]} == {
        "review": "local",
        "impact": "openai",
    }
