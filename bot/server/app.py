"""The webhook server: a Starlette app with /webhooks/<forge> for each forge configured,
/healthz and /metrics.

A delivery is checked, parsed and queued, and answered at once: no network I/O happens
before the answer, so a forge's time limit (GitHub's is 10 seconds) is never at risk. 202
when a job was queued; 200 "ignored: <why>" for what the bot does not act on (and "pong"
for a ping); 401 for a bad signature or token; 400 for a body that is not JSON; 413 past
the forge's cap on payloads; 503 when the queue cannot take the job. What is the forge's
(the check, the parsing) is its receiver's (bot/forges/webhook.py).

The storage calls are synchronous and made on the event loop: each is a local SQLite
statement of tens of microseconds, cheaper than a hop to a thread pool.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.forges.webhook import Answered, Ignored, MalformedPayload, WebhookReceiver
from bot.queue.jobs_queue import JobQueue
from bot.server.dedupe import DeliveryLog
from bot.server.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

_EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")


def create_app(
    receivers: WebhookReceiver | Sequence[WebhookReceiver],
    queue: JobQueue,
    deliveries: DeliveryLog,
    metrics: Metrics | None = None,
) -> Starlette:
    """The ASGI app, with a route for each receiver (one forge's, or several). It closes
    `queue` and `deliveries` when it shuts down."""
    metrics = metrics or queue.metrics or Metrics()
    if queue.metrics is None:
        queue.metrics = metrics  # so enqueues and supersedes show on this app's /metrics
    if not isinstance(receivers, Sequence):
        receivers = [receivers]
    hooks = [
        Route(r.path, _Webhook(r, queue, deliveries, metrics).handle, methods=["POST"])
        for r in receivers
    ]

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
            *hooks,
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.queue = queue
    app.state.metrics = metrics
    return app


class _Webhook:
    """One forge's route: the same checks, log and queue for every forge."""

    def __init__(
        self,
        receiver: WebhookReceiver,
        queue: JobQueue,
        deliveries: DeliveryLog,
        metrics: Metrics,
    ) -> None:
        self.receiver = receiver
        self.queue = queue
        self.deliveries = deliveries
        self.metrics = metrics

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        event, outcome, response = "", "error", _text(500, "internal error")
        try:
            event, outcome, response = await self._handle(request)
        finally:
            self.metrics.deliveries.labels(event=event, outcome=outcome).inc()
            self.metrics.ack_seconds.observe(time.perf_counter() - started)
        return response

    async def _handle(self, request: Request) -> tuple[str, str, Response]:
        """(event label, outcome label, answer)."""
        receiver = self.receiver
        limit = receiver.max_payload_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return "", "too_large", _text(413, "payload too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return "", "too_large", _text(413, "payload too large")
        raw = bytes(body)
        headers = request.headers
        if not receiver.authentic(headers, raw):
            self.metrics.signature_failures.inc()
            return "", "bad_signature", _text(401, "bad signature")
        # From the forge from here on, but still only a label-safe name goes to metrics.
        name = receiver.event(headers)
        event = name if _EVENT_NAME.match(name) else "other"
        delivery = receiver.delivery_id(headers)
        try:
            verdict = receiver.parse(headers, raw)
        except MalformedPayload as exc:
            return event, "malformed", _text(400, f"malformed payload: {exc}")
        if isinstance(verdict, Answered):
            return event, verdict.outcome, _text(200, verdict.text)
        if isinstance(verdict, Ignored):
            return event, "ignored", _text(200, f"ignored: {verdict.reason}")
        try:
            if self.deliveries.seen(delivery):
                return event, "duplicate", _text(200, "ignored: duplicate delivery")
            submitted = self.queue.submit(verdict)
            self.deliveries.record(delivery)
        except Exception:  # storage of any kind failing: tell the forge, keep serving
            log.exception("delivery %s: could not queue the job", delivery or "(no id)")
            return event, "error", _text(503, "queue unavailable")
        log.debug("delivery %s: queued %s as %s", delivery, verdict.key, submitted.task_id)
        return event, "enqueued", _text(202, f"queued {verdict.key} as {submitted.task_id}")


def _text(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status)
