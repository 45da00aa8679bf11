"""`switchyard ledger prune|path`: retention and whereabouts of the ledger."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click

from bot.cli.setup import load

_config_option = click.option(
    "--config", "config_path", metavar="FILE", help="Server/org configuration file."
)


@click.group()
def ledger() -> None:
    """Look after the ledger of runs, calls and cached answers.

    \b
    Examples:
      switchyard ledger path
      switchyard ledger prune --dry-run
      SWITCHYARD_DB_URL=postgresql://bot@db/switchyard switchyard ledger prune
    """


@ledger.command()
@_config_option
@click.option("--dry-run", is_flag=True, help="Count what would go; delete nothing.")
def prune(config_path: str | None, dry_run: bool) -> None:
    """Delete calls and runs past their data class's retention (ledger.retention_days:
    restricted 7 years, internal 5, public 3 by default) and cached answers that expired
    or are older than the temporary retention (30 days).

    \b
    Examples:
      switchyard ledger prune --dry-run
      switchyard ledger prune --config /etc/switchyard/org.yml
    """
    from bot.ledger.store import Ledger

    settings = load(None, config_path).settings
    with Ledger.from_settings(settings, os.environ) as store:
        result = store.prune(datetime.now(UTC), settings.ledger.retention_days, dry_run=dry_run)
        where = store.where
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {_counted(result.calls)} calls, {_counted(result.runs)} runs, "
        f"{result.cache} cache entries from {where}"
    )


@ledger.command()
@_config_option
def path(config_path: str | None) -> None:
    """Print where the ledger is: the SQLite file, or the database URL without password.

    \b
    Example:
      sqlite3 "$(switchyard ledger path)" .tables
    """
    from bot.ledger.engine import display, normalise_url, sqlite_url_for
    from bot.ledger.location import resolve_db_url, resolve_state_dir

    settings = load(None, config_path).settings
    url = resolve_db_url(settings, os.environ)
    click.echo(
        display(normalise_url(url or sqlite_url_for(resolve_state_dir(settings, os.environ))))
    )


def _counted(by_class: dict[str, int]) -> str:
    total = sum(by_class.values())
    if not total:
        return "0"
    return f"{total} ({', '.join(f'{k} {v}' for k, v in sorted(by_class.items()))})"
