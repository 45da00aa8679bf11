"""Who may command the bot on GitLab: a note's job, as the webhook queues it, checked by the
worker against the fake GitLab's members (GET /projects/:id/members/all/:user_id). A
Reporter's command is refused with a note that says why; a Developer's runs. Last, the whole
way: a delivery to the server `switchyard serve` builds, then the worker's handler."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import gitlab
import pytest
from starlette.testclient import TestClient

from bot.errors import IncompleteError
from bot.forges import jobs
from bot.forges.gitlab.events import ParseOptions, parse_event
from bot.forges.gitlab.permissions import command_allowed
from bot.forges.markers import refused_marker
from bot.forges.webhook import Ignored
from bot.jobs import Job
from bot.queue import JobQueue
from bot.server import build_app
from tests.fakes.gitlab_server import DEVELOPER, MAINTAINER, REPORTER, FakeGitLab
from tests.gitlab_samples import PROJECT, READ_ONLY, TOKEN, api_on, gitlab_with_mr
from tests.test_gitlab_webhook import NOTE_HOOK, merge_request, note


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with gitlab_with_mr(iid=1) as server:
        for username, level in (("rita", REPORTER), ("dev", DEVELOPER), ("maud", MAINTAINER)):
            server.set_member(PROJECT, username, level)
        server.user("stranger")
        yield server


def client(fake: FakeGitLab, token: str = TOKEN) -> gitlab.Gitlab:
    return api_on(fake, token)[0].gl


def command_job(fake: FakeGitLab, username: str, body: str = "/review") -> Job:
    """The job the webhook queues for `username`'s note on !1."""
    user = fake.user(username)
    payload = note(body, author_id=user.id)
    payload["user"].update(id=user.id, username=username)
    payload["project"].update(id=fake.project(PROJECT).id, path_with_namespace=PROJECT)
    job = parse_event(NOTE_HOOK, payload, "d-1", ParseOptions(api_url=fake.url))
    assert isinstance(job, Job), job
    return job


def notes(fake: FakeGitLab) -> list[str]:
    return [n.body for n in fake.mr(PROJECT, 1).notes()]


@pytest.mark.parametrize("username", ["dev", "maud"])
def test_a_developer_or_above_may_command(fake: FakeGitLab, username: str) -> None:
    assert command_allowed(client(fake), command_job(fake, username))
    assert notes(fake) == []


def test_a_reporters_command_is_refused_with_a_note_saying_why(fake: FakeGitLab) -> None:
    assert not command_allowed(client(fake), command_job(fake, "rita", "/security"))
    [answer] = notes(fake)
    assert answer.startswith(refused_marker("rita") + "\n@rita: `/security` was not run.")
    assert "Developer role or above on this project (Reporter here)" in answer
    # The job run again (its worker died after answering) does not answer twice.
    assert not command_allowed(client(fake), command_job(fake, "rita", "/security"))
    assert len(notes(fake)) == 1
    # The bot's answer never commands the bot.
    echoed = parse_event(NOTE_HOOK, note(answer), "d-2", ParseOptions())
    assert echoed == Ignored("note written by switchyard")


def test_a_non_member_is_refused_as_not_a_member(fake: FakeGitLab) -> None:
    assert not command_allowed(client(fake), command_job(fake, "stranger"))
    [answer] = notes(fake)
    assert "(not a member here)" in answer


def test_a_merge_request_event_needs_no_check(fake: FakeGitLab) -> None:
    job = parse_event("Merge Request Hook", merge_request("open"), "d", ParseOptions())
    assert isinstance(job, Job)
    assert command_allowed(client(fake), job)
    assert fake.count() == 0  # not one request


def test_when_gitlab_cannot_say_the_job_fails_to_be_retried(fake: FakeGitLab) -> None:
    fake.fail_next("GET", r"/members/all/", 500)
    with pytest.raises(IncompleteError, match=r"cannot check dev's role on .*: HTTP 500"):
        command_allowed(client(fake), command_job(fake, "dev"))


def test_a_refusal_stands_when_its_note_cannot_be_posted(
    fake: FakeGitLab, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.forges.gitlab.permissions"):
        assert not command_allowed(client(fake, READ_ONLY), command_job(fake, "rita"))
    assert notes(fake) == []
    assert f"refused /review on {PROJECT}!1: rita is Reporter" in caplog.text
    assert "could not answer the refused command" in caplog.text
    assert READ_ONLY not in caplog.text  # no secret in the log


def test_from_webhook_to_worker_a_reporters_review_is_answered_not_run(
    fake: FakeGitLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server as `switchyard serve` builds it (the registry's GitLab receiver), then the
    worker's handler: the job opens through the forge, which refuses it."""
    environ = {"GITLAB_WEBHOOK_SECRET": "s3cret", "GITLAB_URL": fake.url, "GITLAB_TOKEN": TOKEN}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    payload = note("/review", author_id=fake.user("rita").id)
    payload["user"].update(id=fake.user("rita").id, username="rita")
    payload["project"].update(id=fake.project(PROJECT).id, path_with_namespace=PROJECT)
    headers = {
        "X-Gitlab-Token": "s3cret",
        "X-Gitlab-Event": NOTE_HOOK,
        "Idempotency-Key": "k",
        "Content-Type": "application/json",  # as GitLab sends every hook
    }
    with TestClient(build_app(environ, tmp_path)) as http:
        response = http.post("/webhooks/gitlab", content=json.dumps(payload), headers=headers)
    assert response.status_code == 202, response.text
    queue = JobQueue(tmp_path / "queue.sqlite3", handler=jobs.handle)
    assert queue.run_pending() == 1
    queue.close()
    [answer] = notes(fake)
    assert answer.startswith(refused_marker("rita") + "\n@rita: `/review` was not run.")
    assert fake.count("GET", r"/diffs|/changes") == 0  # nothing of the change was read
