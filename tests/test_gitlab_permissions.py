"""Who may command the bot on GitLab: a note's job, as the webhook queues it, checked by the
worker against the fake GitLab's members (GET /projects/:id/members/all/:user_id). A
Reporter's command is refused with a note that says why; a Developer's runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import gitlab
import pytest

from bot.errors import IncompleteError
from bot.forges.gitlab.events import ParseOptions, parse_event
from bot.forges.gitlab.permissions import REFUSED_MARKER, command_allowed
from bot.forges.webhook import Ignored
from bot.jobs import Job
from tests.fakes.gitlab_server import DEVELOPER, MAINTAINER, REPORTER, FakeGitLab
from tests.github_samples import APP_DIFF, BASE, HEAD
from tests.test_gitlab_webhook import NOTE_HOOK, merge_request, note

PROJECT = "gitlab-org/gitlab-test"  # the documented note payload's project
BOT_TOKEN = "glpat-bot"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with FakeGitLab() as server:
        server.add_project(PROJECT)
        server.add_mr(PROJECT, 1, base_sha=BASE, head_sha=HEAD, diff=APP_DIFF)
        server.add_token(BOT_TOKEN, "project_5_bot_1a2b", scopes=("api",))
        server.set_member(PROJECT, "project_5_bot_1a2b", DEVELOPER)
        server.set_member(PROJECT, "rita", REPORTER)
        server.set_member(PROJECT, "dev", DEVELOPER)
        server.set_member(PROJECT, "maud", MAINTAINER)
        server.user("stranger")
        yield server


def client(fake: FakeGitLab, token: str = BOT_TOKEN) -> gitlab.Gitlab:
    return gitlab.Gitlab(fake.url, private_token=token, retry_transient_errors=False)


def command_job(fake: FakeGitLab, username: str, body: str = "/review") -> Job:
    """The job the webhook queues for `username`'s note on !1."""
    user = fake.user(username)
    payload = note(body, author_id=user.id)
    payload["user"].update(id=user.id, username=username)
    payload["project"]["id"] = fake.project(PROJECT).id  # the id GitLab gave the project
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
    assert answer.startswith(REFUSED_MARKER + "\n@rita: `/security` was not run.")
    assert "Developer role or above on this project (Reporter here)" in answer
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
    fake.add_token("glpat-read", "project_5_bot_1a2b", scopes=("read_api",))
    with caplog.at_level(logging.INFO, logger="bot.forges.gitlab.permissions"):
        assert not command_allowed(client(fake, "glpat-read"), command_job(fake, "rita"))
    assert notes(fake) == []
    assert "refused /review on gitlab-org/gitlab-test!1: rita is Reporter" in caplog.text
    assert "could not answer the refused command" in caplog.text
    assert "glpat-read" not in caplog.text  # no secret in the log
