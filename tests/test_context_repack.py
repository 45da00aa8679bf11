"""A server that refuses work as longer than its context gets that work again, this run, in
pieces of the size it reported (issue 10): llama-cpp-python's server tells no one its
context until it refuses a prompt ("maximum context length is N tokens")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import local_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

SERVED_CONTEXT = 6000


@pytest.fixture
def small_runner() -> Iterator[FakeOpenAIServer]:
    # llama-cpp-python's server: no context size anywhere until a prompt is refused.
    with FakeOpenAIServer("llamacpp-python", max_model_len=SERVED_CONTEXT) as fake:
        fake.models = ["qwen2.5-coder-14b"]
        fake.responder = lambda _req: Reply({"summary": "ok", "findings": []})
        yield fake


def big_change(repo: GitRepo) -> None:
    body = "".join(
        f"def handler_{i}(request):\n    return respond(request, {i})\n\n" for i in range(400)
    )
    repo.feature({"app/handlers.py": body})


def test_work_refused_as_too_long_is_packed_again_at_the_reported_size(
    git_repo: GitRepo, small_runner: FakeOpenAIServer, tmp_path: Path
) -> None:
    big_change(git_repo)
    r = switchyard(
        "review",
        "--base",
        "main",
        "--format",
        "json",
        "--no-cache",
        cwd=git_repo.path,
        env=local_env(tmp_path, small_runner),
    )
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["summary"]["complete"] is True
    assert data["summary"]["lines_covered"] == data["summary"]["changed_lines"]
    requests = small_runner.chat_requests()
    # One refused, then the same file in several pieces that each fit.
    assert len(requests) >= 3
    refused = [c for c in data["calls"] if c["outcome"] == "failed"]
    assert len(refused) == 1 and "maximum context length is 6000" in refused[0]["error"]
    [note] = [n for n in data["notes"] if "packed again" in n]
    assert note.startswith(
        f"context smaller than planned (local: {SERVED_CONTEXT} tokens): review-1"
    )
    # Each piece leaves room for its answer inside what the server serves.
    # llama-cpp-python's streams carry no usage: the ledger has planning's count, not 0.
    answered = [c for c in data["calls"] if c["outcome"] != "failed"]
    assert answered and all(c["tokens_in"] > 0 and c["tokens_out"] > 0 for c in answered)
    # Only the refused item's requests (json_schema refused, then json_object) asked more.
    assert len([q for q in requests if q["max_tokens"] > SERVED_CONTEXT // 4]) <= 2


def test_the_next_run_plans_at_the_reported_size_from_the_start(
    git_repo: GitRepo, small_runner: FakeOpenAIServer, tmp_path: Path
) -> None:
    big_change(git_repo)
    env = local_env(tmp_path, small_runner)
    args = ("review", "--base", "main", "--format", "json", "--no-cache")
    assert switchyard(*args, cwd=git_repo.path, env=env).code == 0
    before = len(small_runner.chat_requests())
    r = switchyard(*args, cwd=git_repo.path, env=env)
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert all(c["outcome"] != "failed" for c in data["calls"])  # nothing refused this time
    assert len(small_runner.chat_requests()) - before == len(data["calls"])
