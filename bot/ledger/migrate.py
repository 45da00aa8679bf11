"""Versioned, forward-only schema migrations, applied when the ledger is opened.

Why a short list of functions rather than alembic: the ledger has four tables and one
owner, and a migration here is a few statements. Alembic would bring an env.py, a script
folder shipped inside the wheel, its own version table and a second way to spell every
change, for nothing this list cannot do. What matters is kept:

- each step is frozen once released (it never imports `schema.py`, which moves on) and
  new databases run the same steps as old ones, so both paths are the same path; a test
  checks the result equals `schema.metadata`;
- all pending steps and their `schema_version` rows run in one transaction (DDL is
  transactional on PostgreSQL and on SQLite), so a failed upgrade leaves the old schema
  and every row as they were;
- concurrent openers queue: PostgreSQL with an advisory lock, SQLite with BEGIN
  IMMEDIATE; each re-reads the version once it holds the lock;
- a SQLite file is copied beside itself (`VACUUM INTO`, a consistent snapshot) before an
  upgrade, in case the new code is wrong about something the transaction cannot catch;
- a database newer than the code is refused, untouched.

Adding a step: append `Migration(N, ...)`, raise `schema.SCHEMA_VERSION` to N, change
`schema.py` to match. SQLite can add a column but not alter or drop one: for that, build
the new table, copy the rows, drop the old and rename, inside the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
    text,
)

from bot.errors import ConfigError
from bot.ledger.engine import IMMEDIATE
from bot.ledger.failures import db_errors
from bot.ledger.schema import SCHEMA_VERSION, schema_version

_PG_LOCK_KEY = 0x53574C4544474552  # "SWLEDGER": one ledger migration at a time per database
_OURS = {"runs", "calls", "cache"}


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


@dataclass(frozen=True)
class MigrationResult:
    before: int
    after: int
    backup: Path | None = None


def _v1(conn: Connection) -> None:
    """Runs, calls, the response cache and the version table, as first released."""
    md = MetaData()
    Table(
        "runs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("started_at", DateTime, nullable=False),
        Column("finished_at", DateTime),
        Column("repository", String(200), nullable=False),
        Column("change_ref", String(200), nullable=False),
        Column("source", String(200), nullable=False),
        Column("task", String(200), nullable=False),
        Column("data_class", String(16), nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("findings", Integer, nullable=False),
        Column("notes", Integer, nullable=False),
        Index("ix_runs_started_at", "started_at"),
    )
    Table(
        "calls",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE")),
        Column("at", DateTime, nullable=False),
        Column("repository", String(200), nullable=False),
        Column("change_ref", String(200), nullable=False),
        Column("task", String(200), nullable=False),
        Column("item", String(200), nullable=False),
        Column("target", String(200), nullable=False),
        Column("model", String(200), nullable=False),
        Column("location", String(8), nullable=False),
        Column("data_class", String(16), nullable=False),
        Column("tokens_in", Integer, nullable=False),
        Column("tokens_out", Integer, nullable=False),
        Column("cost_usd", Float, nullable=False),
        Column("cloud_equivalent_usd", Float, nullable=False),
        Column("latency_s", Float, nullable=False),
        Column("cache_hit", Boolean, nullable=False),
        Column("route", String(300), nullable=False),
        Column("reason", String(300), nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("error", String(200)),
        Column("prompt_sha256", String(64)),
        Index("ix_calls_at", "at"),
        Index("ix_calls_location_at", "location", "at"),
        Index("ix_calls_target_at", "target", "at"),
        Index("ix_calls_run_id", "run_id"),
    )
    Table(
        "cache",
        md,
        Column("key", String(64), primary_key=True),
        Column("model", String(200), nullable=False),
        Column("task", String(200), nullable=False),
        Column("data_class", String(16), nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("expires_at", DateTime, nullable=False),
        Column("hits", Integer, nullable=False),
        Column("value", Text, nullable=False),
        Index("ix_cache_expires_at", "expires_at"),
    )
    Table(
        "schema_version",
        md,
        Column("version", Integer, primary_key=True),
        Column("applied_at", DateTime, nullable=False),
    )
    md.create_all(conn, checkfirst=False)


def _v2(conn: Connection) -> None:
    """calls.redactions: how many secrets were masked in the prompt before sending."""
    conn.execute(text("ALTER TABLE calls ADD COLUMN redactions INTEGER NOT NULL DEFAULT 0"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "runs, calls, cache", _v1),
    Migration(2, "calls.redactions", _v2),
)
assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def current_version(conn: Connection, where: str) -> int:
    names = set(inspect(conn).get_table_names())
    if "schema_version" not in names:
        if names & _OURS:
            raise ConfigError(
                f"the database {where} has tables named {', '.join(sorted(names & _OURS))} "
                "that switchyard did not make",
                hint="point SWITCHYARD_DB_URL at a database (or schema) of its own",
            )
        return 0
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def upgrade(
    engine: Engine, where: str, *, target: int = SCHEMA_VERSION, backup: bool = True
) -> MigrationResult:
    """Brings the database to `target` (tests stop early to build old ledgers)."""
    sqlite = engine.dialect.name == "sqlite"
    with db_errors(where, sqlite):
        with engine.connect() as conn:
            before = current_version(conn, where)
        _refuse_newer(before, where)
        if before >= target:
            return MigrationResult(before, before)
        copy = _backup(engine, before) if sqlite and backup and before > 0 else None
        with engine.connect().execution_options(**{IMMEDIATE: True}) as conn, conn.begin():
            if not sqlite:
                conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
            now = current_version(conn, where)  # another process may have got here first
            _refuse_newer(now, where)
            for step in MIGRATIONS:
                if now < step.version <= target:
                    step.apply(conn)
                    conn.execute(
                        schema_version.insert().values(
                            version=step.version,
                            applied_at=datetime.now(UTC).replace(tzinfo=None),
                        )
                    )
        return MigrationResult(before, max(now, target), copy)


def _refuse_newer(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"the ledger {where} has schema version {version}, newer than this switchyard "
            f"knows ({SCHEMA_VERSION}); it was left untouched",
            hint="upgrade switchyard here to the version that wrote the ledger",
        )


def _backup(engine: Engine, version: int) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    copy = Path(f"{database}.v{version}.bak")
    copy.unlink(missing_ok=True)
    # On the raw connection: VACUUM cannot run inside the transaction SQLAlchemy begins.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM INTO ?", (str(copy),))
        cursor.close()
    finally:
        raw.close()
    return copy
