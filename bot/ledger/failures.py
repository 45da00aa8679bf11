"""Database failures a user can hit, turned into messages that say what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from bot.errors import ConfigError, IncompleteError, SwitchyardError

_WHERE_HINT = "set SWITCHYARD_STATE to a writable folder, or SWITCHYARD_DB_URL to a database"


def translate(error: sa_exc.SQLAlchemyError, where: str, sqlite: bool) -> SwitchyardError:
    """`where` names the database for the user (a file path, or a URL without password).

    Only the driver's own first line is shown: SQLAlchemy's text carries the statement and
    its parameters, which are ledger contents.
    """
    orig = getattr(error, "orig", None)
    detail = str(orig if orig is not None else error).strip().splitlines()
    first = detail[0] if detail else type(error).__name__
    low = first.lower()
    if sqlite:
        if "not a database" in low or "malformed" in low or "file is encrypted" in low:
            return ConfigError(
                f"the ledger {where} is not a readable SQLite database ({first})",
                hint="move the file aside (a new ledger is made on the next run) or restore "
                "it from a backup",
            )
        if "unable to open" in low or "readonly" in low or "read-only" in low:
            return ConfigError(f"cannot write the ledger {where} ({first})", hint=_WHERE_HINT)
        if "locked" in low or "busy" in low:
            return IncompleteError(
                f"the ledger {where} stayed locked by another process ({first})",
                hint="retry; if it persists, look for a stuck switchyard process",
            )
        if "disk" in low and "full" in low:
            return IncompleteError(f"the disk holding the ledger {where} is full")
    elif isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return IncompleteError(
            f"cannot use the ledger database {where}: {first}",
            hint="check SWITCHYARD_DB_URL (or ledger.url) and that the server is up and "
            "accepts this user",
        )
    return IncompleteError(f"ledger {where}: {first}")


@contextmanager
def db_errors(where: str, sqlite: bool) -> Iterator[None]:
    try:
        yield
    except sa_exc.SQLAlchemyError as error:
        raise translate(error, where, sqlite) from None
