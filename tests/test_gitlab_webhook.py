"""GitLab's webhook at /webhooks/gitlab: the documented payloads (tests/fixtures/gitlab/
webhooks, trimmed from GitLab's "Webhook events" page) delivered through the server as
GitLab sends them, each queued as a Job or answered with the reason it is not."""

from __future__ import annotations

import copy
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from bot.errors import ConfigError
from bot.forges.gitlab import webhook as gitlab_webhook
from bot.forges.gitlab.events import ParseOptions, parse_event
from bot.forges.gitlab.webhook import GitLabWebhook
from bot.forges.webhook import Ignored, MalformedPayload
from bot.jobs import Job
from bot.queue import JobQueue
from bot.server import create_app
from bot.server.dedupe import SqlDeliveryLog

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gitlab" / "webhooks"
SECRET = "gitlab-token-for-tests"
API_URL = "https://gitlab.example.com"
OPTIONS = ParseOptions(api_url=API_URL, bot_usernames=frozenset({"switchyard"}))
MR_HOOK, NOTE_HOOK = "Merge Request Hook", "Note Hook"
HEAD = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
NEW_HEAD = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def merge_request(action: str = "open", **attrs: Any) -> dict[str, Any]:
    """The documented merge request event with `action` and `attrs` set on the request."""
    payload = fixture("merge_request")
    payload["object_attributes"].update(action=action, **attrs)
    return payload


def pushed(head: str = NEW_HEAD) -> dict[str, Any]:
    """An update that added commits: GitLab sends `oldrev` only then."""
    return merge_request("update", oldrev=HEAD, last_commit={"id": head})


def note(body: str, **attrs: Any) -> dict[str, Any]:
    """The documented comment on a merge request, saying `body`."""
    payload = fixture("note_merge_request")
    payload["object_attributes"].update(note=body, **attrs)
    return payload


class Server:
    """The server's app with only GitLab's receiver, a queue and a delivery log on disk."""

    def __init__(self, state: Path) -> None:
        self.handled: list[Job] = []
        self.queue = JobQueue(state / "queue.sqlite3", handler=self.handled.append)
        receiver = GitLabWebhook(webhook_secret=SECRET, options=OPTIONS)
        app = create_app(receiver, self.queue, SqlDeliveryLog.sqlite(state / "deliveries.sqlite3"))
        self.client = TestClient(app).__enter__()

    def deliver(
        self,
        event: str,
        payload: dict[str, Any] | bytes,
        uuid: str = "e-1",
        *,
        token: str | None = SECRET,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sent = {"X-Gitlab-Event": event, "X-Gitlab-Event-UUID": uuid, **(headers or {})}
        sent["Content-Type"] = "application/json"
        if token is not None:
            sent["X-Gitlab-Token"] = token
        return self.client.post("/webhooks/gitlab", content=body, headers=sent)

    def queued(self) -> list[Job]:
        return self.queue.pending_jobs()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path)
    yield s
    s.client.__exit__(None, None, None)


def _ignored(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.text.removeprefix("ignored: ")


# --- merge request events ---------------------------------------------------------------------


def test_an_opened_merge_request_is_queued_for_review(server: Server) -> None:
    response = server.deliver(MR_HOOK, merge_request("open"))
    assert response.status_code == 202, response.text
    assert response.text.startswith("queued gitlab:gitlabhq/gitlab-test#1:review as ")
    [job] = server.queued()
    assert (job.forge, job.repository, job.number, job.head_sha) == (
        "gitlab",
        "gitlabhq/gitlab-test",
        1,
        HEAD,
    )
    assert (job.tasks, job.trigger, job.requester) == (("review",), "merge_request", "root")
    assert job.extra == {"project_id": 1, "action": "open"}
    assert job.delivery == "gitlab:e-1"
    assert job.api_url == API_URL  # the configured instance, not the payload's web_url


def test_a_reopened_merge_request_is_queued(server: Server) -> None:
    assert server.deliver(MR_HOOK, merge_request("reopen")).status_code == 202


def test_a_push_to_the_merge_request_is_queued_at_its_new_head(server: Server) -> None:
    assert server.deliver(MR_HOOK, pushed()).status_code == 202
    [job] = server.queued()
    assert job.head_sha == NEW_HEAD and job.extra["action"] == "update"


def test_a_draft_is_skipped_unless_the_operator_asks_for_drafts(server: Server) -> None:
    draft = merge_request("open", draft=True, work_in_progress=True)
    assert _ignored(server.deliver(MR_HOOK, draft)).startswith("draft merge request")
    assert server.queued() == []
    drafts_too = GitLabWebhook.from_environ(
        {"GITLAB_WEBHOOK_SECRET": "s", "SWITCHYARD_GITLAB_DRAFTS": "review"}
    )
    assert isinstance(parse_event(MR_HOOK, draft, "d", drafts_too.options), Job)


def test_a_draft_marked_ready_is_reviewed_without_new_commits(server: Server) -> None:
    ready = merge_request("update", draft=False)
    ready["changes"]["draft"] = {"previous": True, "current": False}
    assert server.deliver(MR_HOOK, ready).status_code == 202
    back_to_draft = merge_request("update", draft=True)
    back_to_draft["changes"]["draft"] = {"previous": False, "current": True}
    assert _ignored(server.deliver(MR_HOOK, back_to_draft, "e-2")).startswith(
        "merge request update without new commits"
    )


def test_a_job_for_a_superseded_head_is_dropped(server: Server) -> None:
    assert server.deliver(MR_HOOK, merge_request("open"), "e-1").status_code == 202
    assert server.deliver(MR_HOOK, pushed(NEW_HEAD), "e-2").status_code == 202
    server.queue.run_pending()
    assert [job.head_sha for job in server.handled] == [NEW_HEAD]


# --- note events ------------------------------------------------------------------------------


def test_a_slash_command_in_a_note_is_queued_with_its_author(server: Server) -> None:
    response = server.deliver(NOTE_HOOK, note("/ask is this thread-safe?", discussion_id="d0c"))
    assert response.status_code == 202, response.text
    [job] = server.queued()
    assert (job.repository, job.number, job.trigger) == ("gitlab-org/gitlab-test", 1, "comment")
    assert (job.tasks, job.argument, job.requester) == (("ask",), "is this thread-safe?", "root")
    # Who may command is the worker's question to GitLab: the note carries the author's id.
    assert job.extra == {
        "project_id": 5,
        "user_id": 1,
        "note_id": 1244,
        "discussion_id": "d0c",
        "command": "ask",
    }
    assert job.head_sha == "562e173be03b8ff2efb05345d12df18815438a4b"


def test_a_reporters_command_is_queued_for_the_worker_to_refuse(server: Server) -> None:
    """A note's payload carries no role: the webhook cannot tell a Reporter from a
    Maintainer without calling GitLab, which it never does before answering. The job carries
    the author's id for permissions.py, which refuses it in the worker (tested there)."""
    reporter = note("/review")
    reporter["user"].update(id=77, username="rita-reporter")
    reporter["object_attributes"]["author_id"] = 77
    assert server.deliver(NOTE_HOOK, reporter).status_code == 202
    [job] = server.queued()
    assert (job.requester, job.extra["user_id"]) == ("rita-reporter", 77)


def test_a_command_on_a_merged_merge_request_is_ignored(server: Server) -> None:
    merged = note("/review")
    merged["merge_request"]["state"] = "merged"
    assert _ignored(server.deliver(NOTE_HOOK, merged)) == "merge request is merged"


@pytest.mark.parametrize(
    ("username", "body", "reason"),
    [
        ("switchyard", "/review", "note by this bot"),
        ("root", "<!-- switchyard:summary task=review -->\n/review", "note written by switchyard"),
        (
            "project_5_bot_3f2a9c",
            "/review",
            "note by an access token's bot (project_5_bot_3f2a9c)",
        ),
        ("group_9_bot1", "/review", "note by an access token's bot (group_9_bot1)"),
    ],
)
def test_the_bots_own_notes_never_trigger_it(
    server: Server, username: str, body: str, reason: str
) -> None:
    own = note(body)
    own["user"]["username"] = username
    assert _ignored(server.deliver(NOTE_HOOK, own)) == reason
    assert server.queued() == []


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        (
            MR_HOOK,
            merge_request("update", title="Better title"),
            "merge request update without new commits",
        ),
        (MR_HOOK, merge_request("approved"), "merge request action approved is not handled"),
        (
            MR_HOOK,
            merge_request("close", state="closed"),
            "merge request action close is not handled",
        ),
        (
            MR_HOOK,
            merge_request("merge", state="merged"),
            "merge request action merge is not handled",
        ),
        (MR_HOOK, merge_request("reopen", state="closed"), "merge request is closed"),
        (NOTE_HOOK, note("This MR needs work."), "not a slash command"),
        (NOTE_HOOK, note("> /review\nquoted, not given"), "not a slash command"),
        (NOTE_HOOK, note("/frobnicate"), "unknown command /frobnicate"),
        (NOTE_HOOK, note("/review", action="update"), "note action update is not handled"),
        (NOTE_HOOK, note("/review", system=True), "system note"),
        (
            NOTE_HOOK,
            note("/review", noteable_type="Issue"),
            "comment on a Issue, not a merge request",
        ),
    ],
    ids=[
        "mr-title-edit",
        "mr-approved",
        "mr-closed",
        "mr-merged",
        "mr-closed-state",
        "note-plain",
        "note-quoted",
        "note-unknown-command",
        "note-edited",
        "note-system",
        "note-on-issue",
    ],
)
def test_events_that_ask_for_nothing_are_ignored_with_the_reason(
    server: Server, event: str, payload: dict[str, Any], reason: str
) -> None:
    assert _ignored(server.deliver(event, payload)) == reason
    assert server.queued() == []


# --- other events, the token, redeliveries ----------------------------------------------------


def test_other_events_are_ignored_with_the_event_named(server: Server) -> None:
    push = server.deliver("Push Hook", fixture("push"))
    assert _ignored(push) == "event Push Hook is not handled"
    # The header names the event; a payload of another kind under it is not trusted.
    assert _ignored(server.deliver(MR_HOOK, fixture("push"), "e-2")) == (
        "Merge Request Hook without a merge request payload"
    )


def test_a_wrong_or_missing_token_is_401_and_nothing_is_queued(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(gitlab_webhook.hmac, "compare_digest", spy)
    payload = merge_request("open")
    for token in ("not-the-secret", SECRET[:-1], "", None):
        response = server.deliver(MR_HOOK, payload, token=token)
        assert (response.status_code, response.text) == (401, "bad signature")
    assert server.queued() == []
    # Each token that was given went through the constant-time comparison.
    assert [given for _, given in compared] == [b"not-the-secret", SECRET[:-1].encode()]
    assert server.deliver(MR_HOOK, payload).status_code == 202


def test_a_token_outside_latin_1_is_refused_not_an_error() -> None:
    receiver = GitLabWebhook(webhook_secret="s\u00e9cret")
    assert not receiver.authentic({"x-gitlab-token": "s\u20acret"}, b"{}")
    # A non-ASCII secret arrives as its UTF-8 bytes, which the server decodes as Latin-1.
    sent = "s\u00e9cret".encode().decode("latin-1")
    assert receiver.authentic({"x-gitlab-token": sent}, b"{}")


def test_a_redelivery_is_queued_once(server: Server) -> None:
    payload = merge_request("open")
    key = {"Idempotency-Key": "k-1"}
    assert server.deliver(MR_HOOK, payload, "e-1", headers=key).status_code == 202
    # GitLab's retry keeps the Idempotency-Key; the event UUID is not what is compared then.
    again = server.deliver(MR_HOOK, payload, "e-other", headers=key)
    assert (again.status_code, again.text) == (200, "ignored: duplicate delivery")
    # An older GitLab without Idempotency-Key: the event UUID is the delivery's id.
    assert server.deliver(MR_HOOK, payload, "e-2").status_code == 202
    assert _ignored(server.deliver(MR_HOOK, payload, "e-2")) == "duplicate delivery"
    assert len(server.queued()) == 2


def test_a_body_that_is_not_a_json_object_is_400(server: Server) -> None:
    assert server.deliver(MR_HOOK, b"{not json").status_code == 400
    assert server.deliver(MR_HOOK, b"[1, 2]").status_code == 400
    with pytest.raises(MalformedPayload):
        GitLabWebhook(webhook_secret="s").parse({}, b"[" * 100_000 + b"]" * 100_000)


def test_odd_fields_are_ignored_never_raised() -> None:
    odd = merge_request("open", iid=True, last_commit="nope")
    odd["project"] = ["not", "a", "dict"]
    verdict = parse_event(MR_HOOK, odd, "d", OPTIONS)
    assert verdict == Ignored("merge request payload lacks project, iid or head commit")
    assert isinstance(parse_event(NOTE_HOOK, {"object_attributes": 3}, "d", OPTIONS), Ignored)


def test_metrics_name_the_event_in_label_safe_words(server: Server) -> None:
    server.deliver(MR_HOOK, merge_request("open"))
    assert 'event="merge_request_hook",outcome="enqueued"' in server.client.get("/metrics").text


# --- settings ---------------------------------------------------------------------------------


def test_settings_come_from_the_environment() -> None:
    with pytest.raises(ConfigError, match="GITLAB_WEBHOOK_SECRET"):
        GitLabWebhook.from_environ({})
    receiver = GitLabWebhook.from_env(
        {
            "GITLAB_WEBHOOK_SECRET": "s3",
            "GITLAB_URL": "https://gitlab.example.com/",
            "SWITCHYARD_GITLAB_BOT_USERNAME": "sy-bot, project_5_bot_x",
            "SWITCHYARD_PR_TASKS": "review,security",
        }
    )
    assert receiver.path == "/webhooks/gitlab"
    assert receiver.options == ParseOptions(
        api_url="https://gitlab.example.com",
        mr_tasks=("review", "security"),
        review_drafts=False,
        bot_usernames=frozenset({"sy-bot", "project_5_bot_x"}),
    )
    assert "s3" not in repr(receiver)  # the secret is never shown
    assert GitLabWebhook.from_environ({"GITLAB_WEBHOOK_SECRET": "s"}).options.api_url == (
        "https://gitlab.com"
    )
    with pytest.raises(ConfigError, match="SWITCHYARD_GITLAB_DRAFTS must be skip or review"):
        GitLabWebhook.from_environ({"GITLAB_WEBHOOK_SECRET": "s", "SWITCHYARD_GITLAB_DRAFTS": "y"})
    with pytest.raises(ConfigError, match="GITLAB_URL must be the instance's address"):
        GitLabWebhook.from_environ({"GITLAB_WEBHOOK_SECRET": "s", "GITLAB_URL": "gitlab.local"})
