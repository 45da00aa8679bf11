"""The webhook server: forges' deliveries in, Jobs on the queue out.

`build_app(environ, state_dir)` is what `switchyard serve` runs; `create_app` takes its
parts, for tests and other wiring.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

from bot.errors import ConfigError
from bot.forges import registry
from bot.forges.webhook import WebhookReceiver
from bot.queue.jobs_queue import QUEUE_URL_ENV, JobQueue
from bot.server.app import create_app
from bot.server.dedupe import open_delivery_log
from bot.server.metrics import Metrics

__all__ = ["Metrics", "build_app", "create_app", "receivers_from_environ"]


def receivers_from_environ(environ: Mapping[str, str]) -> list[WebhookReceiver]:
    """A receiver for each forge whose webhook secret is set; ConfigError when none is."""
    receivers = [r for f in registry.all_forges() if (r := f.webhook(environ)) is not None]
    if not receivers:
        names = ", ".join(f.webhook_secret_env for f in registry.all_forges())
        raise ConfigError(
            f"no webhook secret is set ({names}): the server cannot tell a forge's "
            "deliveries from anyone else's",
            hint="set it to the secret configured in the forge's webhook settings",
        )
    return receivers


def build_app(
    environ: Mapping[str, str], state_dir: Path, queue_url: str | None = None
) -> Starlette:
    """The app as configured by the environment, with its queue and delivery log opened:
    the queue at `queue_url`, else SWITCHYARD_QUEUE_URL, else <state_dir>/queue.sqlite3."""
    receivers = receivers_from_environ(environ)
    metrics = Metrics()
    url = queue_url or environ.get(QUEUE_URL_ENV) or None
    queue = JobQueue.from_environ({QUEUE_URL_ENV: url} if url else {}, state_dir, metrics=metrics)
    deliveries = open_delivery_log(url, state_dir)
    return create_app(receivers, queue, deliveries, metrics)
