"""GitLab's webhook receiver (bot/forges/webhook.py) and its settings from the environment.

GitLab does not sign deliveries: it sends the webhook's secret token as it is, in
X-Gitlab-Token, so the check is a constant-time comparison with GITLAB_WEBHOOK_SECRET.
Events are parsed by events.py; the server does the rest.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError
from bot.forges.gitlab.events import ParseOptions, parse_event
from bot.forges.gitlab.mr_url import instance_url
from bot.forges.payload import decode_json_body
from bot.forges.webhook import Answered, Ignored, MalformedPayload, webhook_path
from bot.jobs import Job

SECRET_ENV = "GITLAB_WEBHOOK_SECRET"
DRAFTS_ENV = "SWITCHYARD_GITLAB_DRAFTS"
BOT_ENV = "SWITCHYARD_GITLAB_BOT_USERNAME"
TASKS_ENV = "SWITCHYARD_PR_TASKS"
PATH = webhook_path("gitlab")
# GitLab does not send a payload over 25 MB (it drops the delivery instead).
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024

TOKEN_HEADER = "x-gitlab-token"
EVENT_HEADER = "x-gitlab-event"
# The same when a delivery is sent again ("Resend request"; GitLab 17.4+); older instances
# send only the event's UUID, which a resend also keeps.
IDEMPOTENCY_HEADER = "idempotency-key"
EVENT_UUID_HEADER = "x-gitlab-event-uuid"
DRAFT_CHOICES = {"skip": False, "review": True}


@dataclass(frozen=True)
class GitLabWebhook:
    webhook_secret: str = field(repr=False)
    options: ParseOptions = field(default_factory=ParseOptions)
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    path: str = PATH

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitLabWebhook:
        """GITLAB_WEBHOOK_SECRET (required), GITLAB_URL (the instance, default gitlab.com),
        SWITCHYARD_GITLAB_DRAFTS (skip|review, default skip), SWITCHYARD_GITLAB_BOT_USERNAME
        (our account(s), comma-separated) and SWITCHYARD_PR_TASKS (tasks for pushed merge
        requests, default review)."""
        secret = environ.get(SECRET_ENV, "")
        if not secret:
            raise ConfigError(
                f"{SECRET_ENV} is not set: the server cannot tell GitLab's deliveries from "
                "anyone else's",
                hint="set it to the secret token configured in the GitLab webhook",
            )
        drafts = (environ.get(DRAFTS_ENV) or "skip").strip().lower()
        if drafts not in DRAFT_CHOICES:
            raise ConfigError(f"{DRAFTS_ENV} must be skip or review, not {drafts!r}")
        return cls(
            webhook_secret=secret,
            options=ParseOptions(
                api_url=instance_url(environ),
                mr_tasks=tuple(_csv(environ.get(TASKS_ENV, ""))) or ("review",),
                review_drafts=DRAFT_CHOICES[drafts],
                bot_usernames=frozenset(_csv(environ.get(BOT_ENV, ""))),
            ),
        )

    # The name forge.py calls (issue 11's coordination); GitHub's receiver says from_environ.
    from_env = from_environ

    def authentic(self, headers: Mapping[str, str], body: bytes) -> bool:
        return token_valid(self.webhook_secret, headers.get(TOKEN_HEADER))

    def event(self, headers: Mapping[str, str]) -> str:
        # "Merge Request Hook" -> "merge_request_hook": a name the metrics keep.
        return "_".join(headers.get(EVENT_HEADER, "").lower().split())

    def delivery_id(self, headers: Mapping[str, str]) -> str:
        key = (headers.get(IDEMPOTENCY_HEADER) or headers.get(EVENT_UUID_HEADER) or "").strip()
        if not key:
            raise MalformedPayload(
                "no Idempotency-Key or X-Gitlab-Event-UUID header: GitLab sends one with "
                "every delivery"
            )
        # Prefixed: the delivery log is shared with GitHub's ids.
        return f"gitlab:{key}"

    def parse(self, headers: Mapping[str, str], body: bytes) -> Job | Ignored | Answered:
        payload = decode_json_body(body, headers.get("content-type"))
        event = headers.get(EVENT_HEADER, "").strip()
        return parse_event(event, payload, self.delivery_id(headers), self.options)


def token_valid(secret: str, given: str | None) -> bool:
    """Whether X-Gitlab-Token is the secret, in constant time wherever they differ."""
    if not secret or not given:
        return False
    try:
        # Header values arrive decoded as Latin-1 (HTTP's rule, and Starlette's): back to the
        # bytes GitLab sent, which are the secret's UTF-8.
        sent = given.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(secret.encode("utf-8"), sent)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
