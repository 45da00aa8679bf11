"""What the worker does when the forge fails while publishing: the model's work is kept (the
report is logged), and a cause that may pass (a secondary rate limit that never clears, a
5xx that lasts, the network) ends the job with TransientError so the worker runs it again
later; a refusal no retry changes (a read-only token) does not. Against the fake GitHub and
the fake GitLab, with waits of a second."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import IncompleteError, TransientError
from bot.jobs import Job
from tests.cli import base_env
from tests.fakes.github_server import FakeGitHub
from tests.fakes.gitlab_server import FakeGitLab
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.github_samples import APP_ANSWER, APP_DIFF, HEAD, github_with_pr, unpaced
from tests.gitlab_samples import PROJECT, gitlab_with_mr
from tests.gitlab_samples import TOKEN as GITLAB_TOKEN
from tests.test_github_door import REPO, TOKEN, comment_job, env


@pytest.fixture
def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """The fake GitHub with the pull request, and the worker's environment pointing at it
    and at a fake model that answers with one finding."""
    with (
        github_with_pr(REPO, TOKEN, diff=APP_DIFF) as fake,
        FakeOpenAIServer(models=["qwen"]) as ai,
    ):
        ai.responder = lambda req: Reply(APP_ANSWER)
        for key, value in env(tmp_path, fake, ai).items():
            monkeypatch.setenv(key, value)
        unpaced(monkeypatch)
        yield fake


def job(github: FakeGitHub) -> Job:
    return Job("github", REPO, 7, head_sha=HEAD, api_url=github.base_url)


def test_a_secondary_rate_limit_that_never_clears_is_retried_later(
    github: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.forges.jobs import handle

    github.fail_secondary_rate_limit("POST", r"/pulls/7/reviews$", retry_after=1, times=1000)
    github.fail_secondary_rate_limit("POST", r"/issues/7/comments$", retry_after=1, times=1000)
    github.fail_secondary_rate_limit("PATCH", r"/check-runs/\d+$", retry_after=1, times=1000)
    caplog.set_level(logging.INFO)
    with pytest.raises(TransientError) as raised:
        handle(job(github))
    assert raised.value.retry_after is not None and raised.value.retry_after >= 1
    assert "rate limit" in raised.value.message
    assert "x changed meaning" in caplog.text  # the model's work is in the log
    # One retry loop owns a write's rate limit: sent at most 1 + 3 times, never the product
    # of the client library's retries and the paced client's.
    posted = [r for r in github.gh_requests() if r.method == "POST" and "/reviews" in r.path]
    assert 1 <= len(posted) <= 4, len(posted)


def test_a_5xx_that_lasts_is_retried_later(
    github: FakeGitHub, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.forges.jobs import handle

    for method, path in (
        ("POST", r"/pulls/7/reviews$"),
        ("POST", r"/issues/7/comments$"),
        ("PATCH", r"/check-runs/\d+$"),
    ):
        github.fail_next(method, path, 502, times=1000)  # fmt: skip
    caplog.set_level(logging.INFO)
    with pytest.raises(TransientError) as raised:
        handle(job(github))
    assert "502" in raised.value.message
    assert "x changed meaning" in caplog.text


def test_a_network_failure_is_retried_later(github: FakeGitHub) -> None:
    from bot.forges.jobs import handle

    github.fail_next("POST", r"/issues/7/comments$", 0, times=1000)
    github.fail_next("POST", r"/pulls/7/reviews$", 0, times=1000)
    github.fail_next("POST", r"/check-runs$", 0, times=1000)
    with pytest.raises(TransientError):
        handle(job(github))


def test_a_refusal_no_retry_changes_is_not_transient(github: FakeGitHub) -> None:
    from bot.forges.jobs import handle

    github.fail_next("POST", r"/pulls/7/reviews$", 403, "Resource not accessible by integration",
                     times=1000)  # fmt: skip
    github.fail_next("POST", r"/issues/7/comments$", 403, "Resource not accessible by integration",
                     times=1000)  # fmt: skip
    handle(job(github))  # logged, not raised: running it again would meet the same refusal


@pytest.fixture
def gitlab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    """The fake GitLab with the merge request, and the worker's environment for it."""
    with gitlab_with_mr() as fake, FakeOpenAIServer(models=["qwen"]) as ai:
        ai.responder = lambda req: Reply(APP_ANSWER)
        environ = {
            **base_env(tmp_path),
            "GITLAB_TOKEN": GITLAB_TOKEN,
            "GITLAB_URL": fake.url,
            "SWITCHYARD_LOCAL_BASE_URL": ai.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        for key, value in environ.items():
            monkeypatch.setenv(key, value)
        yield fake


def gitlab_job(gitlab: FakeGitLab) -> Job:
    return Job("gitlab", PROJECT, 7, head_sha=HEAD, api_url=gitlab.url)


def test_gitlab_a_rate_limit_that_holds_is_retried_later_when_it_said(
    gitlab: FakeGitLab, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.forges.jobs import handle

    gitlab.rate_limit("POST", r".", retry_after=1, times=50)
    gitlab.rate_limit("PUT", r".", retry_after=1, times=50)
    caplog.set_level(logging.INFO)
    with pytest.raises(TransientError) as raised:
        handle(gitlab_job(gitlab))
    assert raised.value.retry_after == 1 and "rate limit held" in raised.value.message
    assert "x changed meaning" in caplog.text


def test_gitlab_a_5xx_that_lasts_is_retried_later(gitlab: FakeGitLab) -> None:
    from bot.forges.jobs import handle

    gitlab.fail_next("POST", r".", 502, times=50)
    gitlab.fail_next("PUT", r".", 502, times=50)
    with pytest.raises(TransientError, match="502"):
        handle(gitlab_job(gitlab))


def test_gitlab_a_read_only_token_is_not_transient(gitlab: FakeGitLab) -> None:
    from bot.forges.jobs import handle

    gitlab.fail_next("POST", r".", 403, times=50)
    handle(gitlab_job(gitlab))  # logged, not raised: running it again would meet it too


def crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom near ghs_secret_in_the_message")


def test_a_crash_is_logged_once_and_the_pull_request_gets_the_short_reason(
    github: FakeGitHub, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.forges.jobs import handle

    monkeypatch.setattr("bot.pipeline.run_review", crash)
    with pytest.raises(IncompleteError, match=r"internal error \(RuntimeError\)"):
        handle(job(github))
    assert sum(1 for r in caplog.records if r.exc_info) == 1  # the traceback, once
    [check] = github.repo(REPO).check_runs.values()
    assert check["conclusion"] == "failure"
    assert check["output"]["title"] == "Not done: an internal error (RuntimeError)"
    [summary] = [c["body"] for c in github.repo(REPO).issue_comments]
    assert "could not run: an internal error (RuntimeError)" in summary
    assert "comment `/review` to run it again" in summary
    posted = str(check) + summary
    assert "ghs_secret" not in posted and "Traceback" not in posted


def test_gitlab_a_crash_fails_the_status_and_says_why_in_the_note(
    gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.forges.jobs import handle

    monkeypatch.setattr("bot.pipeline.run_review", crash)
    with pytest.raises(IncompleteError):
        handle(gitlab_job(gitlab))
    [status] = gitlab.project(PROJECT).statuses
    assert status.status == "failed"
    assert status.description == "Not done: an internal error (RuntimeError)"
    [note] = [d.notes[0].body for d in gitlab.mr(PROJECT, 7).discussions]
    assert "could not run: an internal error (RuntimeError)" in note and "/review" in note
    assert "ghs_secret" not in note


def test_a_permission_check_github_cannot_answer_is_retried_later(github: FakeGitHub) -> None:
    from bot.forges.jobs import handle

    github.set_permission(REPO, "maintainer", "write")
    github.fail_next("GET", r"/collaborators/maintainer/permission$", 502)
    with pytest.raises(TransientError, match="HTTP 502"):
        handle(comment_job(github, 7, "maintainer"))
    assert github.repo(REPO).issue_comments == []  # neither run nor refused
    handle(comment_job(github, 7, "maintainer"))  # the retry runs it
    assert len(github.pr(7, repo=REPO).reviews) == 1


def test_an_outage_longer_than_the_clients_retries_ends_in_one_of_everything(
    github: FakeGitHub, tmp_path: Path
) -> None:
    """GitHub answers 502 to every write for longer than the client's own retries wait:
    the job ends transient, the queue runs it again with backoff, and once GitHub is back
    the pull request has one review, one summary and one finished check run (the run
    that failed to publish is not visible twice). The outage here is seconds where
    GitHub's last minutes; the retry base is shortened in proportion."""
    from bot.forges.jobs import handle
    from bot.queue.jobs_queue import JobQueue

    queue = JobQueue(tmp_path / "queue.sqlite3", handler=handle, retry_base_s=2.0)
    queue.submit(job(github))
    github.outage("POST", r".", 502, seconds=6)
    github.outage("PATCH", r".", 502, seconds=6)
    runs = 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        runs += queue.run_pending()
        if queue.pending_count() == 0:
            break
        time.sleep(0.5)
    queue.close()
    assert runs >= 2  # the outage outlasted the first run's own retries
    pr = github.pr(7, repo=REPO)
    assert len(pr.reviews) == 1
    summaries = [c for c in github.repo(REPO).issue_comments if "switchyard:summary" in c["body"]]
    assert len(summaries) == 1
    [check] = github.repo(REPO).check_runs.values()
    assert check["status"] == "completed" and check["conclusion"] == "success"
