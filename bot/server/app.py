"""The webhook server: a Starlette app with /webhooks/github, /healthz and /metrics.

A delivery is checked, parsed and queued, and answered at once: no network I/O happens
before the answer, so GitHub's 10-second limit is never at risk. 202 when a job was
queued; 200 "ignored: <why>" for what the bot does not act on (and "pong" for ping);
401 for a bad signature; 400 for a body that is not JSON; 413 past GitHub's 25 MB cap;
503 when the queue cannot take the job.

The storage calls are synchronous and made on the event loop: each is a local SQLite
statement of tens of microseconds, cheaper than a hop to a thread pool.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.errors import ConfigError
from bot.forges.github.app_auth import DEFAULT_API_URL
from bot.queue.jobs_queue import JobQueue
from bot.server.dedupe import DeliveryLog
from bot.server.github_webhook import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    MAX_PAYLOAD_BYTES,
    SIGNATURE_HEADER,
    Ignored,
    MalformedPayload,
    ParseOptions,
    decode_payload,
    parse_event,
    signature_valid,
)
from bot.server.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

SECRET_ENV = "GITHUB_WEBHOOK_SECRET"
_EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")


@dataclass(frozen=True)
class ServerConfig:
    webhook_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    app_id: int | None = None
    bot_logins: frozenset[str] = frozenset()
    pr_tasks: tuple[str, ...] = ("review",)
    max_payload_bytes: int = MAX_PAYLOAD_BYTES

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ServerConfig:
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


def create_app(
    config: ServerConfig,
    queue: JobQueue,
    deliveries: DeliveryLog,
    metrics: Metrics | None = None,
) -> Starlette:
    """The ASGI app. It closes `queue` and `deliveries` when it shuts down."""
    metrics = metrics or queue.metrics or Metrics()
    if queue.metrics is None:
        queue.metrics = metrics  # so enqueues and supersedes show on this app's /metrics
    hooks = _Webhooks(config, queue, deliveries, metrics)

    async def healthz(request: Request) -> Response:
        try:
            depth = queue.pending_count()
        except Exception as exc:  # any storage failure means "not healthy"
            log.warning("health check: queue unavailable: %s", type(exc).__name__)
            return JSONResponse({"status": "queue unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "queued": depth})

    async def metrics_endpoint(request: Request) -> Response:
        try:
            metrics.queue_depth.set(queue.pending_count())
        except Exception as exc:  # a scrape still shows the counters
            log.warning("metrics: queue depth unavailable: %s", type(exc).__name__)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            queue.close()
            deliveries.close()

    app = Starlette(
        routes=[
            Route("/webhooks/github", hooks.github, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.queue = queue
    app.state.metrics = metrics
    return app


class _Webhooks:
    def __init__(
        self, config: ServerConfig, queue: JobQueue, deliveries: DeliveryLog, metrics: Metrics
    ) -> None:
        self.config = config
        self.options = config.parse_options
        self.queue = queue
        self.deliveries = deliveries
        self.metrics = metrics

    async def github(self, request: Request) -> Response:
        started = time.perf_counter()
        event, outcome, response = "", "error", _text(500, "internal error")
        try:
            event, outcome, response = await self._github(request)
        finally:
            self.metrics.deliveries.labels(event=event, outcome=outcome).inc()
            self.metrics.ack_seconds.observe(time.perf_counter() - started)
        return response

    async def _github(self, request: Request) -> tuple[str, str, Response]:
        """(event label, outcome label, answer)."""
        limit = self.config.max_payload_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return "", "too_large", _text(413, "payload too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return "", "too_large", _text(413, "payload too large")
        raw = bytes(body)
        if not signature_valid(
            self.config.webhook_secret, raw, request.headers.get(SIGNATURE_HEADER)
        ):
            self.metrics.signature_failures.inc()
            return "", "bad_signature", _text(401, "bad signature")
        # Signed by GitHub from here on, but still only a label-safe name goes to metrics.
        header = request.headers.get(EVENT_HEADER, "")
        event = header if _EVENT_NAME.match(header) else "other"
        delivery = request.headers.get(DELIVERY_HEADER, "")
        try:
            payload = decode_payload(raw, request.headers.get("content-type"))
        except MalformedPayload as exc:
            return event, "malformed", _text(400, f"malformed payload: {exc}")
        if header == "ping":
            return event, "pong", _text(200, "pong")
        verdict = parse_event(header, payload, delivery, self.options)
        if isinstance(verdict, Ignored):
            return event, "ignored", _text(200, f"ignored: {verdict.reason}")
        try:
            if self.deliveries.seen(delivery):
                return event, "duplicate", _text(200, "ignored: duplicate delivery")
            submitted = self.queue.submit(verdict)
            self.deliveries.record(delivery)
        except Exception:  # storage of any kind failing: tell GitHub, keep serving
            log.exception("delivery %s: could not queue the job", delivery or "(no id)")
            return event, "error", _text(503, "queue unavailable")
        log.debug("delivery %s: queued %s as %s", delivery, verdict.key, submitted.task_id)
        return event, "enqueued", _text(202, f"queued {verdict.key} as {submitted.task_id}")


def _text(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
