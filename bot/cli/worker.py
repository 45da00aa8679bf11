"""`switchyard worker`: run queued jobs on leases, in this process (bot/queue/consumer.py)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bot.errors import ConfigError

HANDLER_ENV = "SWITCHYARD_JOB_HANDLER"
# Reviews the change request and posts to the job's forge (bot/forges/registry.py);
# --handler replaces it (tests).
DEFAULT_HANDLER: str | None = "bot.forges.jobs:handle"


@click.command()
@click.option(
    "-w",
    "--workers",
    default=2,
    type=click.IntRange(1, 64),
    show_default=True,
    help="Jobs run at once (threads).",
)
@click.option(
    "--queue",
    "queue_url",
    metavar="URL",
    envvar="SWITCHYARD_QUEUE_URL",
    help="redis://host/0, postgresql://…, or a SQLite file (default: queue.sqlite3 in the "
    "state folder).",
)
@click.option(
    "--handler",
    "handler_ref",
    metavar="MODULE:CALLABLE",
    envvar=HANDLER_ENV,
    help="What runs a job: a callable taking the Job.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    envvar="SWITCHYARD_WORKER_METRICS_PORT",
    help="Serve Prometheus metrics on this port (loopback).",
)
@click.option(
    "--shutdown-timeout",
    default=600.0,
    show_default=True,
    metavar="SECONDS",
    help="On SIGTERM, how long running jobs may take to finish before they are handed "
    "back to the queue for another worker.",
)
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    envvar="SWITCHYARD_CONFIG",
    help="Server/org configuration file: providers, data classes, budgets for every job.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def worker(
    workers: int,
    queue_url: str | None,
    handler_ref: str | None,
    metrics_port: int | None,
    shutdown_timeout: float,
    config_path: str | None,
    log_level: str,
) -> None:
    """Run the jobs `switchyard serve` queues, until SIGTERM or Ctrl-C.

    On SIGTERM running jobs finish (up to --shutdown-timeout); those still running then
    are handed back to the queue and the worker exits; a second SIGTERM hands them back
    at once. A worker killed outright loses nothing: its jobs' leases (30 s,
    SWITCHYARD_JOB_LEASE_S) run out and another worker runs them. A job that failed on a
    transient cause (a forge's 5xx or rate limit) runs again with backoff, 5 times in all
    (SWITCHYARD_JOB_MAX_ATTEMPTS). A job whose pull request has been pushed to since it
    was queued is dropped: the newer job reviews the newer commit.

    \b
    Examples:
      switchyard worker --workers 4
      SWITCHYARD_QUEUE_URL=redis://queue:6379/0 switchyard worker --metrics-port 9102
    """
    from bot.cli.setup import load
    from bot.config.env import CONFIG
    from bot.ledger.location import resolve_state_dir
    from bot.queue.jobs_queue import QUEUE_URL_ENV, JobQueue, queue_options
    from bot.server.metrics import Metrics

    handler = resolve_handler(handler_ref or DEFAULT_HANDLER)
    loaded = load(None, config_path)  # a bad org file stops the worker here, exit 2
    if config_path:
        # Jobs load their settings anew (with each repository's file) the way `review`
        # does, from SWITCHYARD_CONFIG: --config must reach them, or they would run
        # without the organisation's data classes, budgets and providers.
        os.environ[CONFIG] = str(Path(config_path).expanduser().resolve())
    state_dir = resolve_state_dir(loaded.settings, os.environ)
    metrics = Metrics()
    environ = {QUEUE_URL_ENV: queue_url} if queue_url else {}
    queue = JobQueue.from_environ(
        environ, state_dir, handler=handler, metrics=metrics, **queue_options(os.environ)
    )
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1", registry=metrics.registry)
    org = f"; org config {loaded.sources[0]}" if loaded.sources else "; no org config"
    click.echo(f"switchyard: worker with {workers} threads on {queue.where}{org}", err=True)
    try:
        queue.consumer(workers, shutdown_timeout=shutdown_timeout).run()
    finally:
        queue.close()


def resolve_handler(ref: str | None) -> Callable[[Any], None]:
    """MODULE:CALLABLE to the callable."""
    if not ref:
        raise ConfigError(
            "no job handler: the worker has nothing to run jobs with",
            hint=f"give --handler MODULE:CALLABLE or set {HANDLER_ENV}",
        )
    module_name, sep, attr = ref.partition(":")
    if not sep or not module_name or not attr:
        raise ConfigError(f"--handler {ref!r}: expected MODULE:CALLABLE")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"--handler {ref!r}: cannot import {module_name}: {exc}") from None
    for part in attr.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise ConfigError(f"--handler {ref!r}: {module_name} has no {attr}")
    if not callable(target):
        raise ConfigError(f"--handler {ref!r} is not callable")
    return target  # type: ignore[no-any-return]


if __name__ == "__main__":  # `python -m bot.cli.worker ...` until the command is registered
    from bot.cli import cli, main

    cli.add_command(worker)
    main(["worker", *sys.argv[1:]])
