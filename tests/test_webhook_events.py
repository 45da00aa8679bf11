"""GitHub deliveries into Jobs: real payloads (@octokit/webhooks-examples), each either a
Job or ignored with a reason, never an exception; and the slash-command rules."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.forges.commands import NotACommand, SlashCommand, parse_command
from bot.forges.github.events import ParseOptions, decode_payload, delivery_id, parse_event
from bot.forges.github.permissions import may_command
from bot.forges.payload import UnsupportedMediaType
from bot.forges.webhook import Ignored, MalformedPayload
from bot.jobs import Job
from tests.tools import node_package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "github-webhooks"
OPTIONS = ParseOptions(app_id=4242, bot_logins=frozenset({"switchyard-bot"}))


def examples(event: str) -> list[dict[str, Any]]:
    with gzip.open(FIXTURES / f"{event}.json.gz") as f:
        data: list[dict[str, Any]] = json.load(f)
    return data


def example(event: str, action: str | None = None, *, installation: bool = True) -> dict[str, Any]:
    """A deep copy of the first example of `event` with `action` (and an installation)."""
    for payload in examples(event):
        if action is not None and payload.get("action") != action:
            continue
        if installation and "installation" not in payload:
            continue
        return copy.deepcopy(payload)
    raise LookupError(f"no {event}/{action} example")


def pr_comment(body: str, **comment: Any) -> dict[str, Any]:
    """A real issue_comment payload, turned into a comment on an open pull request."""
    payload = example("issue_comment", "created")
    issue = payload["issue"]
    issue["state"] = "open"
    issue["pull_request"] = {
        "url": f"https://api.github.com/repos/Codertocat/Hello-World/pulls/{issue['number']}"
    }
    payload["comment"]["body"] = body
    payload["comment"].update(comment)
    return payload


VENDORED = sorted(p.name.removesuffix(".json.gz") for p in FIXTURES.glob("*.json.gz"))


@pytest.mark.parametrize("event", VENDORED)
def test_every_vendored_example_is_a_job_or_ignored_with_a_reason(event: str) -> None:
    for payload in examples(event):
        verdict = parse_event(event, payload, "delivery-1", OPTIONS)
        assert isinstance(verdict, Job | Ignored)
        if isinstance(verdict, Ignored):
            assert verdict.reason
        else:
            Job.from_dict(json.loads(json.dumps(verdict.to_dict())))  # survives the queue


def test_the_vendored_subset_covers_what_the_server_handles() -> None:
    assert {"pull_request", "issue_comment", "ping"} <= set(VENDORED)
    assert len(examples("pull_request")) == 29
    assert len(examples("issue_comment")) == 9


def test_every_example_in_the_npm_package_is_a_job_or_ignored() -> None:
    index = node_package("@octokit/webhooks-examples", "api.github.com", "index.json")
    seen = 0
    for entry in json.loads(index.read_text()):
        for payload in entry["examples"]:
            verdict = parse_event(entry["name"], payload, "d", OPTIONS)
            assert isinstance(verdict, Job | Ignored), entry["name"]
            seen += 1
    assert seen > 300


def test_pull_request_opened_is_a_review_job() -> None:
    payload = example("pull_request", "opened")
    job = parse_event("pull_request", payload, "72d3162e-cc78-11e3-81ab-4c9367dc0958", OPTIONS)
    assert isinstance(job, Job)
    assert job.forge == "github"
    assert job.repository == "Codertocat/Hello-World"
    assert job.number == payload["pull_request"]["number"] == 2
    assert job.head_sha == payload["pull_request"]["head"]["sha"]
    assert job.tasks == ("review",)
    assert job.trigger == "pull_request"
    assert job.requester == "Codertocat"
    assert job.delivery == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert job.installation_id == 1
    assert job.key == "github:Codertocat/Hello-World#2:review"


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_the_four_pull_request_actions_make_jobs(action: str) -> None:
    job = parse_event("pull_request", example("pull_request", action), "d", OPTIONS)
    assert isinstance(job, Job)
    assert job.extra["action"] == action


def test_configured_tasks_and_api_url_go_into_the_job() -> None:
    options = ParseOptions(pr_tasks=("review", "describe"), api_url="https://ghe.example/api/v3")
    job = parse_event("pull_request", example("pull_request", "synchronize"), "d", options)
    assert isinstance(job, Job)
    assert job.tasks == ("review", "describe")
    assert job.api_url == "https://ghe.example/api/v3"


@pytest.mark.parametrize(
    "action", ["closed", "labeled", "assigned", "converted_to_draft", "review_requested"]
)
def test_other_pull_request_actions_are_ignored(action: str) -> None:
    verdict = parse_event("pull_request", example("pull_request", action), "d", OPTIONS)
    assert verdict == Ignored(f"pull_request action {action} is not handled")


def test_drafts_wait_until_ready_for_review() -> None:
    opened = example("pull_request", "opened")
    opened["pull_request"]["draft"] = True
    assert parse_event("pull_request", opened, "d", OPTIONS) == Ignored("draft pull request")
    ready = example("pull_request", "ready_for_review")
    ready["pull_request"]["draft"] = True  # GitHub may still say draft in a racing payload
    assert isinstance(parse_event("pull_request", ready, "d", OPTIONS), Job)


def test_slash_command_on_a_pull_request_is_a_job_for_that_task() -> None:
    job = parse_event("issue_comment", pr_comment("/security"), "d", OPTIONS)
    assert isinstance(job, Job)
    assert job.tasks == ("security",)
    assert job.trigger == "comment"
    assert job.requester == "Codertocat"
    assert job.head_sha == ""  # the worker finds the head; comments are never superseded
    assert job.installation_id == 1
    assert job.extra["command"] == "security"


def test_ask_carries_its_whole_question() -> None:
    body = "/ask why does `parse` retry twice?\nAnd is the timeout right?\n"
    job = parse_event("issue_comment", pr_comment(body), "d", OPTIONS)
    assert isinstance(job, Job)
    assert job.tasks == ("ask",)
    assert job.argument == "why does `parse` retry twice?\nAnd is the timeout right?"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("/deploy now", "unknown command /deploy"),
        ("/ask", "/ask needs a question after it"),
        ("please /review this", "not a slash command"),
        ("> /review\nquoted", "not a slash command"),
        ("   \n", "empty comment"),
    ],
)
def test_comments_that_are_not_commands_are_ignored(body: str, reason: str) -> None:
    assert parse_event("issue_comment", pr_comment(body), "d", OPTIONS) == Ignored(reason)


def test_comments_from_bots_and_from_ourselves_are_ignored() -> None:
    bot = pr_comment("/review", user={"login": "dependabot[bot]", "type": "Bot"})
    assert parse_event("issue_comment", bot, "d", OPTIONS) == Ignored(
        "comment by a bot (dependabot[bot])"
    )
    app = pr_comment("/review", performed_via_github_app={"id": 4242, "slug": "switchyard"})
    assert parse_event("issue_comment", app, "d", OPTIONS) == Ignored("comment by this app")
    login = pr_comment("/review", user={"login": "switchyard-bot", "type": "User"})
    assert parse_event("issue_comment", login, "d", OPTIONS) == Ignored("comment by this bot")
    marked = pr_comment("/review\n<!-- switchyard:summary -->")
    assert parse_event("issue_comment", marked, "d", OPTIONS) == Ignored(
        "comment written by switchyard"
    )


def test_commands_from_users_without_write_association_are_queued_to_be_answered() -> None:
    """The worker refuses them without asking GitHub, and answers once (issue 12)."""
    for association in ("NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "READ_ONLY", "OWNER"):
        payload = pr_comment("/review", author_association=association)
        job = parse_event("issue_comment", payload, "d", OPTIONS)
        assert isinstance(job, Job) and job.extra["association"] == association


def test_comments_on_issues_edited_comments_and_closed_prs_are_ignored() -> None:
    issue = example("issue_comment", "created")
    issue["comment"]["body"] = "/review"
    assert parse_event("issue_comment", issue, "d", OPTIONS) == Ignored(
        "comment on an issue, not a pull request"
    )
    edited = pr_comment("/review")
    edited["action"] = "edited"
    assert parse_event("issue_comment", edited, "d", OPTIONS) == Ignored(
        "issue_comment action edited is not handled"
    )
    closed = pr_comment("/review")
    closed["issue"]["state"] = "closed"
    assert parse_event("issue_comment", closed, "d", OPTIONS) == Ignored("pull request is closed")


def test_payload_fields_of_the_wrong_type_do_not_raise() -> None:
    odd: list[Any] = [None, [], "x", 3, True, {"a": 1}]
    for event, action in [("pull_request", "opened"), ("issue_comment", "created")]:
        base = example(event, action) if event == "pull_request" else pr_comment("/review")
        for key in list(base):
            for value in odd:
                payload = {**base, key: value}
                assert isinstance(parse_event(event, payload, "d", OPTIONS), Job | Ignored)
    assert isinstance(parse_event("pull_request", {}, "d", OPTIONS), Ignored)


@pytest.mark.parametrize(
    "body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000]
)
def test_a_nesting_bomb_is_malformed_not_a_recursion_error(body: bytes) -> None:
    with pytest.raises(MalformedPayload, match="not JSON"):
        decode_payload(body, "application/json")
    form = urlencode({"payload": body.decode()}).encode()
    with pytest.raises(MalformedPayload, match="not JSON"):
        decode_payload(form, "application/x-www-form-urlencoded")


def test_json_and_githubs_form_are_read_and_other_types_refused() -> None:
    payload = {"action": "opened"}
    assert decode_payload(json.dumps(payload).encode(), "application/json") == payload
    assert decode_payload(json.dumps(payload).encode(), "application/json; charset=UTF-8") == (
        payload
    )
    form = urlencode({"payload": json.dumps(payload)}).encode()
    assert decode_payload(form, "application/x-www-form-urlencoded") == payload
    with pytest.raises(MalformedPayload, match="not a form"):
        decode_payload(b"\xff", "application/x-www-form-urlencoded")
    for other in ("text/plain", "multipart/form-data; boundary=x", None):
        with pytest.raises(UnsupportedMediaType, match="send application/json"):
            decode_payload(json.dumps(payload).encode(), other)


def test_the_delivery_id_is_required() -> None:
    assert delivery_id({"x-github-delivery": " 72d3162e "}) == "72d3162e"
    for headers in ({}, {"x-github-delivery": "  "}):
        with pytest.raises(MalformedPayload, match="X-GitHub-Delivery"):
            delivery_id(headers)


def test_parse_command_rules() -> None:
    assert parse_command("/REVIEW") == SlashCommand("review", "review", "")
    assert parse_command("\n\n/docs  src/api.py\n") == SlashCommand("docs", "docs", "src/api.py")
    assert parse_command("/tests\r\nfor the parser") == SlashCommand(
        "tests", "tests", "for the parser"
    )
    assert parse_command(None) == NotACommand("empty comment")
    assert parse_command("/ask " + "x" * 100_000) == SlashCommand("ask", "ask", "x" * 65_536)


def test_write_permission_levels() -> None:
    assert may_command("admin") and may_command("write") and may_command("read", "maintain")
    assert not may_command("read") and not may_command("none") and not may_command(None)
    assert not may_command("read", "triage")
