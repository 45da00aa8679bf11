"""The webhook server: a Starlette app with /webhooks/<forge> for each forge configured,
/healthz and /metrics.

A delivery is checked, parsed and queued, and answered at once: no network I/O happens
before the answer, so a forge's time limit (GitHub's is 10 seconds) is never at risk. 202
when a job was queued; 200 "ignored: <why>" for what the bot does not act on, a duplicate
delivery included (and "pong" for a ping); 401 for a bad signature or token; then 400 for a
delivery without the forge's delivery id or a body that is not a JSON object (a nesting
bomb included), 415 for a content type the forge's receiver does not read; 408 for a body
not received within `body_timeout_s`; 413 past the forge's cap on payloads; 503 when the
delivery log or the queue cannot take the job. What is the forge's
(the check, the parsing) is its receiver's (bot/forges/webhook.py).

The storage calls are synchronous and made on the event loop: each is a local SQLite
statement of tens of microseconds, cheaper than a hop to a thread pool (on PostgreSQL or
Redis, a round trip on the local network, about a millisecond). Deduplication is
one atomic claim in the delivery log (bot/server/dedupe.py), so replicas sharing a store
queue a delivery once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.forges.payload import UnsupportedMediaType
from bot.forges.webhook import Answered, Ignored, MalformedPayload, WebhookReceiver
from bot.jobs import Job
from bot.queue.jobs_queue import JobQueue
from bot.server.dedupe import DeliveryLog
from bot.server.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)

_EVENT_NAME = re.compile(r"^[a-z_]{1,64}$")
# GitHub sends the body at once; 10 s is ample for 25 MB on any link that can deliver it,
# and bounds how long a client that never sends its body holds a connection.
BODY_TIMEOUT_S = 10.0
MAX_DELIVERY_ID = 200  # GitHub's is a UUID, GitLab's a UUID or a key of similar size


def create_app(
    receivers: WebhookReceiver | Sequence[WebhookReceiver],
    queue: JobQueue,
    deliveries: DeliveryLog,
    metrics: Metrics | None = None,
    *,
    body_timeout_s: float = BODY_TIMEOUT_S,
) -> Starlette:
    """The ASGI app, with a route for each receiver (one forge's, or several). It closes
    `queue` and `deliveries` when it shuts down. A body not received within
    `body_timeout_s` is answered 408."""
    metrics = metrics or queue.metrics or Metrics()
    if queue.metrics is None:
        queue.metrics = metrics  # so enqueues and supersedes show on this app's /metrics
    if not isinstance(receivers, Sequence):
        receivers = [receivers]
    hooks = [
        Route(
            r.path, _Webhook(r, queue, deliveries, metrics, body_timeout_s).handle, methods=["POST"]
        )
        for r in receivers
    ]

    async def healthz(request: Request) -> Response:
        try:
            depth = await run_in_threadpool(queue.pending_count)
        except Exception as exc:  # any storage failure means "not healthy"
            log.warning("health check: queue unavailable: %s", type(exc).__name__)
            return JSONResponse({"status": "queue unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "queued": depth})

    async def metrics_endpoint(request: Request) -> Response:
        try:
            metrics.queue_depth.set(await run_in_threadpool(queue.pending_count))
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
        body_timeout_s: float,
    ) -> None:
        self.receiver = receiver
        self.queue = queue
        self.deliveries = deliveries
        self.metrics = metrics
        self.body_timeout_s = body_timeout_s

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
        try:
            async with asyncio.timeout(self.body_timeout_s):
                raw = await _read_body(request, limit)
        except TimeoutError:
            # A client that declared a body and does not send it holds a connection slot:
            # answered and the connection closed, within a bounded time.
            answer = _text(408, f"request body not received within {self.body_timeout_s:g} s")
            answer.headers["connection"] = "close"
            return "", "timeout", answer
        except ClientDisconnect:
            # Nobody to answer; an ordinary event on the internet, not a traceback.
            log.debug("a client disconnected before sending its whole body")
            return "", "disconnected", _text(400, "client disconnected")
        if raw is None:
            return "", "too_large", _text(413, "payload too large")
        headers = request.headers
        if not receiver.authentic(headers, raw):
            self.metrics.signature_failures.inc()
            return "", "bad_signature", _text(401, "bad signature")
        # From the forge from here on, but still only a label-safe name goes to metrics.
        name = receiver.event(headers)
        event = name if _EVENT_NAME.match(name) else "other"
        try:
            # After the signature: an unsigned caller learns nothing of what we require.
            delivery = receiver.delivery_id(headers)
            if not delivery:
                raise MalformedPayload("no delivery id header")
            if len(delivery) > MAX_DELIVERY_ID:
                raise MalformedPayload(f"delivery id longer than {MAX_DELIVERY_ID} characters")
            verdict = receiver.parse(headers, raw)
        except UnsupportedMediaType as exc:
            return event, "unsupported_media_type", _text(415, str(exc))
        except MalformedPayload as exc:
            return event, "malformed", _text(400, f"malformed payload: {exc}")
        if isinstance(verdict, Answered):
            return event, verdict.outcome, _text(200, verdict.text)
        if isinstance(verdict, Ignored):
            return event, "ignored", _text(200, f"ignored: {verdict.reason}")
        # The delivery log and the queue are a database or Redis away: their round trips
        # run on a worker thread, so one slow store never stalls every other connection.
        return await run_in_threadpool(self._enqueue, event, delivery, verdict)

    def _enqueue(self, event: str, delivery: str, verdict: Job) -> tuple[str, str, Response]:
        try:
            # One atomic claim: of several replicas given the same delivery, one queues it.
            if not self.deliveries.claim(delivery):
                return event, "duplicate", _text(200, "ignored: duplicate delivery")
        except Exception:  # storage of any kind failing: tell the forge, keep serving
            log.exception("delivery %s: the delivery log is unavailable", delivery)
            return event, "error", _text(503, "delivery log unavailable")
        try:
            submitted = self.queue.submit(verdict)
        except Exception:
            log.exception("delivery %s: could not queue the job", delivery)
            self._release(delivery)
            return event, "error", _text(503, "queue unavailable")
        try:
            self.deliveries.confirm(delivery)
        except Exception:  # queued: the claim goes stale instead of being confirmed
            log.exception("delivery %s: queued, but not marked so", delivery)
        log.debug("delivery %s: queued %s as %s", delivery, verdict.key, submitted.task_id)
        return event, "enqueued", _text(202, f"queued {verdict.key} as {submitted.task_id}")

    def _release(self, delivery: str) -> None:
        try:
            self.deliveries.release(delivery)
        except Exception:  # the claim goes stale and a redelivery takes it over
            log.exception("delivery %s: could not release its claim", delivery)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None past `limit` bytes."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _text(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status)
