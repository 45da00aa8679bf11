"""`switchyard describe` on a branch, end to end: a real git repository, the CLI as a real
process, and fake OpenAI-compatible models (one self-hosted, one "cloud") answering from a
script. One work item per run, routed, metered and cached like a review."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.change.patch_source import change_from_patch
from bot.describe.answer import CommitMessage
from bot.describe.task import DescribeTask
from bot.tokens.counting import estimate_tokens
from tests.cli import Result, base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

ANSWER: dict[str, Any] = {
    "title": "Add clamp to the ops module",
    "summary": "Adds clamp(), which holds a value within bounds, for the price parser.",
    "walkthrough": [
        {"theme": "arithmetic", "files": ["calc/ops.py", "nowhere.py"], "notes": "New clamp()."}
    ],
    "risks": ["clamp() with lo > hi returns lo"],
    # "deploy" is not in describe.labels: a model (or a change steering it) cannot add it.
    "labels": ["enhancement", "deploy", "Enhancement"],
}
BASE_FILES = {
    "calc/__init__.py": "",
    "calc/ops.py": "def add(a, b):\n    return a + b\n",
    "docs/usage.md": "# Usage\n",
    ".switchyard.yml": "describe:\n  labels: [enhancement, bug, docs]\n",
}
HEAD_FILES = {
    "calc/ops.py": "def add(a, b):\n    return a + b\n\n\ndef clamp(x, lo, hi):\n"
    "    return max(lo, min(x, hi))\n",
    "docs/usage.md": "# Usage\n\nclamp(x, lo, hi) holds x within bounds.\n",
}


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(ANSWER)
        yield fake


def _env(home: Path, model: FakeOpenAIServer) -> dict[str, str]:
    return {
        **base_env(home),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }


def describe(repo: GitRepo, env: dict[str, str], *args: str) -> Result:
    return switchyard("describe", "--base", "main", *args, cwd=repo.path, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo.init(tmp_path / "repo").feature(HEAD_FILES, base=BASE_FILES)


def test_a_branch_gets_a_title_and_body_with_every_file_and_only_allowed_labels(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = describe(repo, _env(tmp_path, model), "--format", "json")
    assert r.code == 0, r.both
    out = json.loads(r.out)
    assert out["title"] == ANSWER["title"]
    assert out["labels"] == ["enhancement"]
    assert out["dropped_labels"] == ["deploy"]
    # A file the change does not touch leaves the walkthrough; a changed file the model
    # skipped is still listed.
    themes = {t["theme"]: t["files"] for t in out["walkthrough"]}
    assert themes == {"arithmetic": ["calc/ops.py"], "Other changes": ["docs/usage.md"]}
    assert "### Risks" in out["body"] and "`enhancement`" in out["body"]
    assert "deploy" not in out["body"]
    # One routed call to the self-hosted target, with the labels offered and the diff sent.
    [request] = model.chat_requests()
    system, user = (m["content"] for m in request["messages"])
    assert "enhancement, bug, docs" in system
    assert "+def clamp(x, lo, hi):" in user
    assert out["report"]["calls"][0]["route_reason"].startswith("describe")
    assert out["report"]["headline"] == (
        "Described the change as “Add clamp to the ops module”: 2 files in 2 themes, "
        "1 risk note; labels: enhancement."
    )


def test_markdown_prints_the_title_then_the_body(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = describe(repo, _env(tmp_path, model))
    assert r.code == 0, r.both
    assert r.out.splitlines()[0] == ANSWER["title"]
    assert "### Walkthrough" in r.out and "- **arithmetic** (`calc/ops.py`)" in r.out


def test_a_second_run_on_the_same_diff_comes_from_the_cache_and_the_ledger_has_both(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    env = _env(tmp_path, model)
    first = describe(repo, env, "--format", "json")
    second = describe(repo, env, "--format", "json")
    assert first.code == second.code == 0, first.both + second.both
    assert len(model.chat_requests()) == 1
    assert json.loads(second.out)["report"]["summary"]["cache_hits"] == 1
    assert json.loads(second.out)["title"] == ANSWER["title"]
    ledger = sqlite3.connect(tmp_path / "state" / "ledger.sqlite3")
    rows = ledger.execute("select task, item from calls order by id").fetchall()
    ledger.close()
    assert rows == [("describe", "describe-1"), ("describe", "cache:describe-1")]


def test_dry_run_shows_the_plan_and_sends_nothing(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = describe(repo, _env(tmp_path, model), "--dry-run")
    assert r.code == 0, r.both
    assert "Plan: 1 work item, describe-1: 2 files shown in full" in r.out
    assert "route: describe → local/qwen" in r.out
    assert model.chat_requests() == []


def test_restricted_code_never_reaches_the_cloud_and_goes_to_the_local_runner(
    repo: GitRepo, tmp_path: Path
) -> None:
    policy = tmp_path / "org.yml"
    policy.write_text("data_classes:\n  paths:\n    - {glob: 'calc/**', class: restricted}\n")
    with (
        FakeOpenAIServer(flavour="cloud", models=["gpt-4o-mini"]) as cloud,
        FakeOpenAIServer(models=["qwen"]) as local,
    ):
        cloud.responder = local.responder = lambda req: Reply(ANSWER)
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_CONFIG": str(policy),
            "OPENAI_API_KEY": "sk-cloud",
            "OPENAI_BASE_URL": cloud.base_url,
            "SWITCHYARD_OPENAI_MODEL": "gpt-4o-mini",
        }
        alone = describe(repo, env)
        assert alone.code == 3, alone.both
        assert "restricted" in alone.err
        both = describe(
            repo,
            {**env, "SWITCHYARD_LOCAL_BASE_URL": local.base_url, "SWITCHYARD_LOCAL_MODEL": "qwen"},
        )
        assert both.code == 0, both.both
        assert cloud.where("clamp") == []
        assert len(local.chat_requests()) == 1


def test_a_diff_too_big_for_the_budget_is_described_from_one_line_per_file() -> None:
    files = "".join(
        f"diff --git a/m{i}.py b/m{i}.py\nnew file mode 100644\n--- /dev/null\n+++ b/m{i}.py\n"
        f"@@ -0,0 +1,40 @@\n" + "".join(f"+value_{i}_{n} = {n} * {n}\n" for n in range(40))
        for i in range(30)
    )
    change = change_from_patch(files, "big.patch")
    plan = DescribeTask().plan(change, 3000, estimate_tokens, 1024)
    assert plan.item is not None and plan.item.prompt_tokens <= 3000
    assert plan.shown and plan.summarized and not plan.left_out
    assert len(plan.shown) + len(plan.summarized) == 30
    user = plan.item.messages[1].content
    assert f"- {plan.summarized[0]}: added, +40 -0" in user
    # Even the one-line summaries have a limit: past it, files are named as left out.
    tiny = DescribeTask().plan(change, 700, estimate_tokens, 1024)
    assert tiny.item is not None and tiny.left_out and not tiny.shown


def test_a_commit_subject_is_held_to_the_convention() -> None:
    ok = CommitMessage.model_validate(
        {"type": "fix", "scope": "ops", "subject": "clamp values below lo.", "body": "Why."}
    )
    assert ok.text() == "fix(ops): clamp values below lo\n\nWhy.\n"
    for bad in ({"type": "feature", "subject": "x"}, {"type": "fix", "subject": "y" * 73}):
        with pytest.raises(ValueError):
            CommitMessage.model_validate(bad)


def test_a_commit_message_past_the_convention_gets_one_repair_round(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "staged")
    repo.write("calc/ops.py", BASE_FILES["calc/ops.py"])
    repo.commit("base")
    repo.write("calc/ops.py", HEAD_FILES["calc/ops.py"])
    repo.git("add", "-A")
    long = {"type": "feat", "subject": "add " + "a very long subject " * 5}
    good = {"type": "feat", "scope": "ops", "subject": "add clamp"}
    with FakeOpenAIServer(models=["qwen"]) as model:
        model.enqueue(Reply(long), Reply(good))
        r = switchyard("describe", "--commit-message", cwd=repo.path, env=_env(tmp_path, model))
        assert r.code == 0, r.both
        assert r.out == "feat(ops): add clamp\n"
        first, repair = model.chat_requests()
        assert "longer than 72" in repair["messages"][-1]["content"]
        assert first["max_tokens"] <= 256
