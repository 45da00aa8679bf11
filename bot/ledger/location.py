"""Where the ledger lives: a database URL, or the state folder's SQLite file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.model import Settings

DB_URL_ENV = "SWITCHYARD_DB_URL"
STATE_ENV = "SWITCHYARD_STATE"
SQLITE_NAME = "ledger.sqlite3"


def resolve_db_url(settings: Settings, environ: Mapping[str, str]) -> str | None:
    """SWITCHYARD_DB_URL, else the configured ledger.url; None means the SQLite default."""
    return environ.get(DB_URL_ENV) or settings.ledger.url or None


def resolve_state_dir(settings: Settings, environ: Mapping[str, str]) -> Path:
    """SWITCHYARD_STATE, else the configured state_dir, else ~/.local/state/switchyard."""
    chosen = environ.get(STATE_ENV) or settings.state_dir
    if chosen:
        return Path(chosen).expanduser()
    return Path(environ.get("HOME") or Path.home()) / ".local" / "state" / "switchyard"
