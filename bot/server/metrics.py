"""Prometheus metrics of the webhook server and the queue's workers.

Each Metrics holds its own registry, so tests (and a server and worker in one process)
never collide over names in the global one.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Acks should take milliseconds; the top buckets show trouble well before GitHub's 10 s.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.deliveries = Counter(
            "switchyard_webhook_deliveries",
            "Webhook deliveries received, by event and outcome "
            "(enqueued, duplicate, ignored, pong, bad_signature, malformed, "
            "unsupported_media_type, too_large, timeout, disconnected, error).",
            ["event", "outcome"],
            registry=r,
        )
        self.signature_failures = Counter(
            "switchyard_webhook_signature_failures",
            "Deliveries rejected for a missing or wrong X-Hub-Signature-256.",
            registry=r,
        )
        self.ack_seconds = Histogram(
            "switchyard_webhook_ack_seconds",
            "Time from a delivery's arrival to its answer.",
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.jobs_enqueued = Counter(
            "switchyard_jobs_enqueued", "Jobs put on the queue.", registry=r
        )
        self.jobs_superseded = Counter(
            "switchyard_jobs_superseded",
            "Jobs dropped because a newer push to the same pull request came after them "
            "(stage: queue when revoked at enqueue, worker when dropped at run time).",
            ["stage"],
            registry=r,
        )
        self.jobs_run = Counter(
            "switchyard_jobs_run", "Jobs the handler finished without error.", registry=r
        )
        self.jobs_failed = Counter(
            "switchyard_jobs_failed", "Jobs whose handler raised.", registry=r
        )
        self.jobs_seconds = Histogram(
            "switchyard_job_seconds",
            "How long the job handler ran.",
            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
            registry=r,
        )
        self.queue_depth = Gauge(
            "switchyard_queue_depth", "Jobs waiting in the queue at the last scrape.", registry=r
        )

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
