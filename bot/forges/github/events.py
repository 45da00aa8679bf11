"""GitHub webhook deliveries: the signature check, and events turned into Jobs.

Everything here is pure: bytes and dicts in, a verdict out. No network, no storage, so the
web handler can call it inline and answer GitHub well within its 10-second limit.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from bot.forges.commands import NotACommand, parse_command
from bot.forges.markers import OWN_MARKER
from bot.forges.payload import decode_json_body, decode_object, media_type
from bot.forges.payload import integer as _int
from bot.forges.payload import mapping as _dict
from bot.forges.payload import text as _str
from bot.forges.webhook import Ignored, MalformedPayload
from bot.jobs import Job

SIGNATURE_HEADER = "x-hub-signature-256"
EVENT_HEADER = "x-github-event"
DELIVERY_HEADER = "x-github-delivery"
# GitHub caps payloads at 25 MB and does not deliver larger ones; anything bigger is not
# from GitHub.
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"

PR_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})


def sign(secret: str | bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value GitHub sends for `body`."""
    key = secret.encode() if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_valid(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """Check the header over the exact bytes received, in constant time."""
    if not header or not secret:
        return False
    expected = sign(secret, body).encode("ascii")
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    # compare_digest takes the same time wherever the first difference is.
    return hmac.compare_digest(expected, given)


def decode_payload(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The event as a dict. GitHub sends JSON (content type application/json), or a form
    whose `payload` field is the JSON (application/x-www-form-urlencoded, the webhook's other
    setting): both are read, through the shared reader (a nesting bomb is a 400, not a
    RecursionError). Any other type is UnsupportedMediaType."""
    if media_type(content_type) != FORM:
        return decode_json_body(body, content_type)
    try:
        fields = parse_qs(body.decode("utf-8"), strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload(f"not a form: {type(exc).__name__}") from None
    return decode_object((fields.get("payload") or [""])[0])


def delivery_id(headers: Mapping[str, str]) -> str:
    """X-GitHub-Delivery, which GitHub sends with every delivery and keeps on a redelivery;
    MalformedPayload without one, since the delivery log could not recognise a repeat."""
    delivery = headers.get(DELIVERY_HEADER, "").strip()
    if not delivery:
        raise MalformedPayload("no X-GitHub-Delivery header: GitHub sends one with every delivery")
    return delivery


@dataclass(frozen=True)
class ParseOptions:
    """What a delivery cannot tell by itself."""

    pr_tasks: tuple[str, ...] = ("review",)  # tasks a pushed pull request gets
    api_url: str = "https://api.github.com"
    app_id: int | None = None  # our GitHub App: its comments are ours
    bot_logins: frozenset[str] = field(default_factory=frozenset)  # our accounts


def parse_event(
    event: str, payload: Mapping[str, Any], delivery: str, options: ParseOptions
) -> Job | Ignored:
    """The Job a delivery asks for, or why it asks for none. Never raises on odd payloads:
    a field of the wrong type is treated as missing."""
    if event == "pull_request":
        return _pull_request(payload, delivery, options)
    if event == "issue_comment":
        return _issue_comment(payload, delivery, options)
    return Ignored(f"event {event or 'unnamed'} is not handled")


def _pull_request(
    payload: Mapping[str, Any], delivery: str, options: ParseOptions
) -> Job | Ignored:
    action = _str(payload.get("action"))
    if action not in PR_ACTIONS:
        return Ignored(f"pull_request action {action or 'none'} is not handled")
    pr = _dict(payload.get("pull_request"))
    repo = _str(_dict(payload.get("repository")).get("full_name"))
    number = _int(pr.get("number")) or _int(payload.get("number"))
    head_sha = _str(_dict(pr.get("head")).get("sha"))
    if not repo or not number or not head_sha:
        return Ignored("pull_request payload lacks repository, number or head sha")
    if _str(pr.get("state")) == "closed":
        return Ignored("pull request is closed")
    # ready_for_review is the moment a draft wants its review, so it is never skipped.
    if pr.get("draft") is True and action != "ready_for_review":
        return Ignored("draft pull request")
    sender = _dict(payload.get("sender"))
    return Job(
        forge="github",
        repository=repo,
        number=number,
        head_sha=head_sha,
        tasks=options.pr_tasks,
        trigger="pull_request",
        requester=_str(sender.get("login")),
        delivery=delivery,
        installation_id=_installation(payload),
        api_url=options.api_url,
        extra={"action": action},
    )


def _issue_comment(
    payload: Mapping[str, Any], delivery: str, options: ParseOptions
) -> Job | Ignored:
    action = _str(payload.get("action"))
    if action != "created":
        return Ignored(f"issue_comment action {action or 'none'} is not handled")
    issue = _dict(payload.get("issue"))
    if not issue.get("pull_request"):
        return Ignored("comment on an issue, not a pull request")
    if _str(issue.get("state")) == "closed":
        return Ignored("pull request is closed")
    comment = _dict(payload.get("comment"))
    author = _dict(comment.get("user"))
    login = _str(author.get("login"))
    own = why_own(comment, _dict(payload.get("sender")), options)
    if own:
        return Ignored(own)
    command = parse_command(_str(comment.get("body")))
    if isinstance(command, NotACommand):
        return Ignored(command.reason)
    # A commenter whose association rules write access out is queued all the same: the
    # worker refuses the command without asking GitHub and answers it once (a refusal
    # nobody sees reads as a broken bot).
    association = _str(comment.get("author_association")).upper()
    repo = _str(_dict(payload.get("repository")).get("full_name"))
    number = _int(issue.get("number"))
    if not repo or not number or not login:
        return Ignored("issue_comment payload lacks repository, number or author")
    return Job(
        forge="github",
        repository=repo,
        number=number,
        # A comment does not say which commit the PR is at; the worker takes the head it
        # finds, and such jobs are never superseded by pushes.
        head_sha="",
        tasks=(command.task,),
        trigger="comment",
        requester=login,
        delivery=delivery,
        installation_id=_installation(payload),
        api_url=options.api_url,
        argument=command.argument,
        extra={
            "comment_id": _int(comment.get("id")),
            "command": command.name,
            "association": association,
        },
    )


def why_own(comment: Mapping[str, Any], sender: Mapping[str, Any], options: ParseOptions) -> str:
    """Why a comment comes from a bot or from us ("" when it does not)."""
    author = _dict(comment.get("user"))
    login = _str(author.get("login"))
    app = _dict(comment.get("performed_via_github_app"))
    if options.app_id is not None and _int(app.get("id")) == options.app_id:
        return "comment by this app"
    if login and login in options.bot_logins:
        return "comment by this bot"
    if OWN_MARKER in _str(comment.get("body")):
        return "comment written by switchyard"
    if _str(author.get("type")) == "Bot" or _str(sender.get("type")) == "Bot":
        return f"comment by a bot ({login or 'unknown'})"
    return ""


def _installation(payload: Mapping[str, Any]) -> int | None:
    return _int(_dict(payload.get("installation")).get("id"))
