"""The webhook server: GitHub deliveries in, Jobs on the queue out.

`build_app(environ, state_dir)` is what `switchyard serve` runs; `create_app` takes its
parts, for tests and other wiring.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

from bot.queue.jobs_queue import QUEUE_URL_ENV, JobQueue
from bot.server.app import ServerConfig, create_app
from bot.server.dedupe import open_delivery_log
from bot.server.metrics import Metrics

__all__ = ["Metrics", "ServerConfig", "build_app", "create_app"]


def build_app(
    environ: Mapping[str, str], state_dir: Path, queue_url: str | None = None
) -> Starlette:
    """The app as configured by the environment, with its queue and delivery log opened:
    the queue at `queue_url`, else SWITCHYARD_QUEUE_URL, else <state_dir>/queue.sqlite3."""
    config = ServerConfig.from_environ(environ)
    metrics = Metrics()
    url = queue_url or environ.get(QUEUE_URL_ENV) or None
    queue = JobQueue.from_environ({QUEUE_URL_ENV: url} if url else {}, state_dir, metrics=metrics)
    deliveries = open_delivery_log(url, state_dir)
    return create_app(config, queue, deliveries, metrics)
