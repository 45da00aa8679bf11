"""`switchyard usage`: calls, tokens, cost, latency and savings from the ledger."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from bot.cli.setup import load
from bot.cli.since import Since

if TYPE_CHECKING:
    from rich.console import Console

GROUPINGS = ["provider", "task", "repo", "day"]
FORMATS = ["table", "json", "csv"]


@click.command()
@click.option(
    "--since",
    type=Since(),
    default="30d",
    show_default=True,
    help="Span back from now (90m, 12h, 30d, 2w) or a date (2025-01-31, UTC).",
)
@click.option(
    "--by", type=click.Choice(GROUPINGS), default="provider", show_default=True, help="Group by."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--config", "config_path", metavar="FILE", help="Server/org configuration file.")
def usage(since: datetime, by: str, fmt: str, config_path: str | None) -> None:
    """Show model usage from the ledger: calls, tokens, cost, p50/p95/p99 latency, cache
    hit ratio, share served locally, what the same calls would have cost all-cloud, and
    month-to-date budget burn when caps are configured.

    \b
    Examples:
      switchyard usage
      switchyard usage --since 7d --by day
      switchyard usage --since 2025-01-01 --by repo --format csv > usage.csv
      SWITCHYARD_DB_URL=postgresql://bot@db/switchyard switchyard usage --format json
    """
    from bot.ledger.store import Ledger
    from bot.ledger.usage import usage_report
    from bot.ledger.usage_render import print_table, render_csv, render_json

    settings = load(None, config_path).settings
    with Ledger.from_settings(settings, os.environ) as ledger:
        report = usage_report(ledger, since, by, budgets=settings.budgets, now=datetime.now(UTC))
    if fmt == "json":
        sys.stdout.write(render_json(report))
    elif fmt == "csv":
        sys.stdout.write(render_csv(report))
    else:
        print_table(report, _console())


def _console() -> Console:
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR"))
    console = Console(color_system=None if no_color else "auto", highlight=False)
    if not console.is_terminal:
        # A CI log has no width; rich would squeeze twelve columns into 80.
        console = Console(color_system=None, highlight=False, width=160)
    return console
