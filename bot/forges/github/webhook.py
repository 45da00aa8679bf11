"""GitHub's webhook receiver (bot/forges/webhook.py) and its settings from the environment.

A delivery is checked against X-Hub-Signature-256 and parsed by events.py; the server does
the rest. `ping` is answered "pong".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import ConfigError
from bot.forges.github.app_auth import DEFAULT_API_URL
from bot.forges.github.events import (
    EVENT_HEADER,
    MAX_PAYLOAD_BYTES,
    SIGNATURE_HEADER,
    ParseOptions,
    decode_payload,
    delivery_id,
    parse_event,
    signature_valid,
)
from bot.forges.webhook import Answered, Ignored, webhook_path
from bot.jobs import Job

SECRET_ENV = "GITHUB_WEBHOOK_SECRET"
PATH = webhook_path("github")


@dataclass(frozen=True)
class GitHubWebhook:
    webhook_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    app_id: int | None = None
    bot_logins: frozenset[str] = frozenset()
    pr_tasks: tuple[str, ...] = ("review",)
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    path: str = PATH

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHubWebhook:
        """GITHUB_WEBHOOK_SECRET (required), GITHUB_APP_ID, GITHUB_API_URL,
        SWITCHYARD_BOT_LOGIN (our account(s) in token mode, comma-separated) and
        SWITCHYARD_PR_TASKS (tasks for pushed pull requests, default review)."""
        secret = environ.get(SECRET_ENV, "")
        if not secret:
            raise ConfigError(
                f"{SECRET_ENV} is not set: the server cannot tell GitHub's deliveries from "
                "anyone else's",
                hint="set it to the webhook secret configured in the GitHub App or webhook",
            )
        app_id_text = environ.get("GITHUB_APP_ID", "").strip()
        if app_id_text and not app_id_text.isdigit():
            raise ConfigError(f"GITHUB_APP_ID must be a number, not {app_id_text!r}")
        return cls(
            webhook_secret=secret,
            api_url=(environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            app_id=int(app_id_text) if app_id_text else None,
            bot_logins=frozenset(_csv(environ.get("SWITCHYARD_BOT_LOGIN", ""))),
            pr_tasks=tuple(_csv(environ.get("SWITCHYARD_PR_TASKS", ""))) or ("review",),
        )

    @property
    def parse_options(self) -> ParseOptions:
        return ParseOptions(
            pr_tasks=self.pr_tasks,
            api_url=self.api_url,
            app_id=self.app_id,
            bot_logins=self.bot_logins,
        )

    def authentic(self, headers: Mapping[str, str], body: bytes) -> bool:
        return signature_valid(self.webhook_secret, body, headers.get(SIGNATURE_HEADER))

    def event(self, headers: Mapping[str, str]) -> str:
        return headers.get(EVENT_HEADER, "")

    def delivery_id(self, headers: Mapping[str, str]) -> str:
        return delivery_id(headers)

    def parse(self, headers: Mapping[str, str], body: bytes) -> Job | Ignored | Answered:
        payload = decode_payload(body, headers.get("content-type"))
        event = self.event(headers)
        if event == "ping":
            return Answered("pong", "pong")
        return parse_event(event, payload, self.delivery_id(headers), self.parse_options)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
