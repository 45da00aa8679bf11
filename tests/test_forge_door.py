"""The forge-neutral door and the registry, on a forge that lives in memory
(tests/memory_forge.py): what GitHub's tests show for GitHub holds for any forge that fills
in the contract, and a forge added to the registry is served, recognised and run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.errors import ConfigError, InputError
from bot.forges import jobs, registry
from bot.forges.door import ChangeRun, run_change_request
from bot.forges.markers import parse_summary_marker
from bot.queue.jobs_queue import JobQueue
from bot.server import build_app, receivers_from_environ
from tests.cli import base_env
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.github_samples import APP_ANSWER, APP_DIFF, BASE, HEAD, HEAD2, NEW_FILE_DIFF
from tests.memory_forge import ChangeRequestState, MemoryForge, change_request, registered

REPO = "acme/api"


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(APP_ANSWER)
        yield fake


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryForge:
    return registered(monkeypatch)


def environ(tmp_path: Path, model: FakeOpenAIServer) -> dict[str, str]:
    return {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }


def add_change(forge: MemoryForge, number: int = 7) -> ChangeRequestState:
    state = ChangeRequestState(change_request(REPO, number, base=BASE, head=HEAD), APP_DIFF)
    forge.states[(REPO, number)] = state
    return state


def review(forge: MemoryForge, e: dict[str, str], number: int = 7) -> list[ChangeRun]:
    opened = forge.open_ref(forge.parse_ref(f"memory://{REPO}!{number}", e), e)
    return run_change_request(
        opened.source,
        opened.publisher_for,
        tasks=("review",),
        config_path=None,
        environ=e,
        publish=True,
    )


def test_any_forge_gets_one_review_one_summary_and_one_status(
    memory: MemoryForge, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    state = add_change(memory)
    [run] = review(memory, environ(tmp_path, model))
    [(path, line, body)] = state.comments
    assert (path, line) == ("app.py", 2) and "```suggestion\nx = 1\n```" in body
    [summary] = state.summaries
    marker = parse_summary_marker(summary.body)
    assert marker is not None and marker.head_sha == HEAD
    assert "x changed meaning" in summary.body
    assert state.statuses == [(HEAD, "review", "success")]
    assert run.published is not None and run.published.comments_posted == 1


def test_settings_come_from_the_base_ref_and_a_push_reviews_only_what_changed(
    memory: MemoryForge, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    state = add_change(memory)
    state.files[("main", ".switchyard.yml")] = "fail_on: major\n"
    state.files[(HEAD, ".switchyard.yml")] = "fail_on: critical\n"
    e = environ(tmp_path, model)
    review(memory, e)
    assert state.statuses == [(HEAD, "review", "failed")]  # the base's gate applies

    state.diff = APP_DIFF + NEW_FILE_DIFF
    state.info = change_request(REPO, 7, base=BASE, head=HEAD2)
    state.since[(HEAD, HEAD2)] = frozenset({"new.py"})
    before = len(model.chat_requests())
    review(memory, e)
    [sent] = model.chat_requests()[before:]
    user = sent["messages"][-1]["content"]
    assert "new.py" in user and "app.py" not in user
    assert len(state.comments) == 1  # the app.py finding is not posted twice
    [summary] = state.summaries  # edited in place
    assert parse_summary_marker(summary.body).head_sha == HEAD2  # type: ignore[union-attr]


def test_the_registry_recognises_an_address_by_its_forge(memory: MemoryForge) -> None:
    forge, ref = registry.recognise(f"memory://{REPO}!12", {})
    assert forge is memory and (ref.repository, ref.number) == (REPO, 12)
    forge, ref = registry.recognise("https://github.com/acme/api/pull/42", {})
    assert forge.name == "github" and ref.api_url == "https://api.github.com"
    forge, ref = registry.recognise("acme/api#3", {"GITHUB_API_URL": "https://ghe.example/api/v3"})
    assert forge.name == "github" and ref.api_url == "https://ghe.example/api/v3"
    with pytest.raises(InputError, match="is an issue"):
        registry.recognise("https://github.com/acme/api/issues/3", {})
    with pytest.raises(InputError) as caught:
        registry.recognise("ftp://example.com/a/b/pull/1", {})
    assert "OWNER/REPO#123" in (caught.value.hint or "")
    assert "memory://OWNER/REPO!N" in (caught.value.hint or "")
    with pytest.raises(ConfigError, match="unknown forge"):
        registry.forge("gitea")


def test_the_server_routes_each_configured_forge_and_the_worker_dispatches_to_it(
    memory: MemoryForge, tmp_path: Path
) -> None:
    every_secret = r"GITHUB_WEBHOOK_SECRET, GITLAB_WEBHOOK_SECRET, MEMORY_WEBHOOK_TOKEN"
    with pytest.raises(ConfigError, match=every_secret):
        receivers_from_environ({})
    only_memory = {"MEMORY_WEBHOOK_TOKEN": "t0ken"}
    assert [r.path for r in receivers_from_environ(only_memory)] == ["/webhooks/memory"]
    app = build_app({**only_memory, "GITHUB_WEBHOOK_SECRET": "s"}, tmp_path)
    body = json.dumps({"repository": REPO, "number": 9, "head": HEAD}).encode()
    headers = {"x-memory-token": "t0ken", "x-memory-event": "change", "x-memory-delivery": "1"}
    with TestClient(app) as client:
        assert client.post("/webhooks/memory", content=body, headers=headers).status_code == 202
        bad = {**headers, "x-memory-token": "guess"}
        assert client.post("/webhooks/memory", content=body, headers=bad).status_code == 401
        assert client.post("/webhooks/github", content=body).status_code == 401

    handled: list[str] = []
    queue = JobQueue(tmp_path / "queue.sqlite3", handler=lambda job: handled.append(job.forge))
    queue.run_pending()
    queue.close()
    assert handled == ["memory"]


def test_the_worker_opens_a_job_through_its_forge(memory: MemoryForge) -> None:
    from bot.jobs import Job

    comment = Job("memory", REPO, 9, head_sha="", trigger="comment", tasks=("review",))
    jobs.handle(comment)  # the forge refuses it: nothing is read
    assert memory.jobs_opened == [comment]
    with pytest.raises(ConfigError, match="unknown forge"):
        jobs.handle(Job("gitea", REPO, 9, head_sha=HEAD))


def test_a_refused_base_config_is_said_on_the_change_request_not_only_in_the_log(
    memory: MemoryForge, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    """A repository file that sets what only the operator may set stops every task; the
    change request's author must see why, or they see nothing at all."""
    state = add_change(memory)
    state.files[("main", ".switchyard.yml")] = "providers:\n  evil: {base_url: http://x}\n"
    with pytest.raises(ConfigError):
        review(memory, environ(tmp_path, model))
    [summary] = state.summaries
    assert "Not done" in summary.body and "providers" in summary.body
    assert state.statuses == [(HEAD, "review", "failed")]
    assert model.chat_requests() == []


def test_a_ledger_that_cannot_open_is_said_without_its_text(
    memory: MemoryForge, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    state = add_change(memory)
    e = environ(tmp_path, model)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    e["SWITCHYARD_DB_URL"] = f"sqlite:///{blocker}/ledger.db"
    with pytest.raises(Exception):  # noqa: B017 - whatever the database library raises
        review(memory, e)
    [summary] = state.summaries
    assert "Not done" in summary.body
    assert str(blocker) not in summary.body  # the type of the error, never its text
