"""The repository-scope tasks through a forge's door: `--tasks impact` (review --deep on a
pull request) and `/analyze`, run in the CI job's checkout. A caller outside the diff is a
note in the summary, never a line comment; the analysis is one new comment, and a
restricted path never reaches the cloud."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.forges.jobs import handle
from bot.jobs import Job
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.memory_forge import ChangeRequestState, MemoryForge, change_request, registered
from tests.test_analyze_route import _env, repo, servers  # noqa: F401 (fixtures)
from tests.test_impact import ANSWER

REPO = "acme/shop"


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryForge:
    return registered(monkeypatch)


@pytest.fixture
def state(
    memory: MemoryForge,
    repo: GitRepo,  # noqa: F811
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ChangeRequestState:
    local, cloud = servers
    base, head = repo.sha("main"), repo.sha("feature")
    diff = repo.git("diff", "main...feature") + "\n"
    state = ChangeRequestState(change_request(REPO, 4, base=base, head=head), diff)
    for path in ("shop/cart.py",):
        state.files[(base, path)] = repo.git("show", f"{base}:{path}")
        state.files[(head, path)] = repo.git("show", f"{head}:{path}")
    memory.states[(REPO, 4)] = state
    env = {**_env(tmp_path, local, cloud), "GITHUB_WORKSPACE": str(repo.path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return state


def _answer(request: dict[str, Any]) -> Reply:
    text = json.dumps(request["messages"])
    if "Code elsewhere that uses" in text:
        return Reply(ANSWER)
    return Reply({"summary": "A shop with a cart and a checkout.", "risks": [], "modules": []})


def test_impact_on_a_pull_request_keeps_the_outside_caller_off_the_lines(
    state: ChangeRequestState,
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],  # noqa: F811
) -> None:
    local, cloud = servers
    local.responder = cloud.responder = _answer
    handle(Job("memory", REPO, 4, state.info.head_sha, tasks=("impact",), trigger="action"))
    paths = {path for path, _, _ in state.comments}
    assert paths <= {"shop/cart.py"}  # line comments only on the diff's own file
    [summary] = state.summaries
    assert "shop/checkout.py:6" in summary.body  # the caller, named in the summary
    sent = json.dumps([r["messages"] for r in cloud.chat_requests()])
    assert "checkout.py" in sent  # the caller reached the prompt
    assert "billing/ledger.py" not in sent  # restricted: never to the cloud


def test_analyze_posts_one_report_comment(
    state: ChangeRequestState,
    servers: tuple[FakeOpenAIServer, FakeOpenAIServer],  # noqa: F811
) -> None:
    local, cloud = servers
    local.responder = cloud.responder = _answer
    job = Job("memory", REPO, 4, state.info.head_sha, tasks=("analyze",), trigger="action")
    handle(job)
    [comment] = state.summaries
    assert comment.body.startswith("# Repository analysis")
    assert "shop/cart.py" in comment.body
    assert state.statuses == []  # no check for a repository report
    for request in cloud.chat_requests():
        assert "billing/ledger.py" not in json.dumps(request["messages"])
