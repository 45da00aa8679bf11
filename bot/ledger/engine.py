"""Engines for the two supported databases, set up for several writers at once.

SQLite: WAL so readers never block the writer, a busy timeout so writers queue instead
of failing, and `BEGIN IMMEDIATE` for writes: a deferred transaction that reads and then
writes fails at once under WAL when another writer got in first; taking the lock up front
makes it wait its turn instead.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.errors import ConfigError
from bot.ledger.location import SQLITE_NAME

BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10
IMMEDIATE = "switchyard_immediate"  # execution option: start the transaction with the lock


def sqlite_url_for(state_dir: Path) -> str:
    return f"sqlite:///{state_dir / SQLITE_NAME}"


def normalise_url(url: str) -> URL:
    """Plain postgresql:// (or postgres://) means psycopg 3; only SQLite and PostgreSQL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "the ledger URL is not a database URL",
            hint="use postgresql://user:password@host/dbname or sqlite:////path/ledger.sqlite3",
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "postgresql":
        return parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    if backend == "sqlite":
        return parsed
    raise ConfigError(
        f"the ledger supports SQLite and PostgreSQL, not {backend}",
        hint="set SWITCHYARD_DB_URL to postgresql://..., or unset it for a SQLite file",
    )


def display(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url)
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"no database driver for {url.drivername} ({exc})",
            hint="use postgresql:// (psycopg 3, installed with switchyard)",
        ) from None


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        _make_parent(Path(url.database))
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Transactions are begun by us (below): pysqlite's own handling skips DDL.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable across crashes under WAL
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(
            "PRAGMA secure_delete = ON"
        )  # pruned rows are zeroed, not left in free pages
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _enter_wal(cursor: Any) -> None:
    """WAL mode, waiting out a concurrent opener: switching a new file to WAL needs an
    exclusive lock, and SQLite answers "database is locked" at once, without the busy
    handler, when another connection is doing the same (several workers starting on one
    new ledger)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the state folder {path.parent} ({exc.strerror})",
            hint="set SWITCHYARD_STATE to a writable folder, or SWITCHYARD_DB_URL to a database",
        ) from None
