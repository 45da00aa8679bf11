"""The ledger: runs and calls recorded, the response cache, retention.

Safe to share between threads (each method takes its own pooled connection) and between
processes (SQLite in WAL mode with a busy timeout, or PostgreSQL). Times given without a
zone are taken as UTC; times returned are UTC-aware.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Row, and_, exists, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from bot.config.classes import RetentionConfig
from bot.ledger.engine import IMMEDIATE, display, make_engine, normalise_url, sqlite_url_for
from bot.ledger.failures import db_errors
from bot.ledger.location import resolve_db_url, resolve_state_dir
from bot.ledger.migrate import MigrationResult, upgrade
from bot.ledger.rows import CacheEntry, CallRow, PruneResult
from bot.ledger.schema import ERROR_CHARS, REASON_CHARS, SHORT, cache, calls, runs
from bot.ledger.scrub import error_summary, one_line

if TYPE_CHECKING:
    from bot.config.model import Settings

_LOCATIONS = ("local", "cloud")
_CLASS_CHARS = 16


class Ledger:
    def __init__(self, engine: Engine, where: str, migration: MigrationResult) -> None:
        self._engine = engine
        self.where = where  # for messages: a file path, or the URL without its password
        self.migration = migration
        self._sqlite = engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str | None, state_dir: Path) -> Ledger:
        """`url` if given (postgresql://... or sqlite:///...), else <state_dir>/ledger.sqlite3.

        Creates the database's tables, or upgrades them, before returning.
        """
        parsed = normalise_url(url or sqlite_url_for(state_dir))
        where = display(parsed)
        engine = make_engine(parsed)
        try:
            migration = upgrade(engine, where)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, where, migration)

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str]) -> Ledger:
        """Where the settings and environment say: SWITCHYARD_DB_URL > ledger.url > SQLite
        in the state folder (SWITCHYARD_STATE > state_dir > ~/.local/state/switchyard)."""
        return cls.open(resolve_db_url(settings, environ), resolve_state_dir(settings, environ))

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- runs and calls ---------------------------------------------------------------

    def start_run(
        self,
        *,
        repository: str = "",
        change_ref: str = "",
        source: str = "",
        task: str = "",
        data_class: str = "internal",
        started_at: datetime | None = None,
    ) -> int:
        values = {
            "started_at": _to_db(started_at or _now()),
            "repository": one_line(repository, SHORT),
            "change_ref": one_line(change_ref, SHORT),
            "source": one_line(source, SHORT),
            "task": one_line(task, SHORT),
            "data_class": one_line(data_class, _CLASS_CHARS),
            "outcome": "running",
            "findings": 0,
            "notes": 0,
        }
        with self._write() as conn:
            return int(conn.execute(runs.insert().values(**values)).inserted_primary_key[0])

    def finish_run(
        self,
        run_id: int,
        outcome: str,
        *,
        findings: int = 0,
        notes: int = 0,
        finished_at: datetime | None = None,
    ) -> None:
        values = {
            "finished_at": _to_db(finished_at or _now()),
            "outcome": one_line(outcome, 32),
            "findings": findings,
            "notes": notes,
        }
        with self._write() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(**values))

    def record_call(self, run_id: int | None, call: CallRow) -> int:
        """Stores the call's metadata; free text is cut to one short, masked line."""
        if call.location not in _LOCATIONS:
            raise ValueError(f"location must be local or cloud, not {call.location!r}")
        if call.tokens_in < 0 or call.tokens_out < 0:
            raise ValueError("token counts cannot be negative")
        if call.location == "cloud" and not call.cloud_equivalent_usd:
            call = replace(call, cloud_equivalent_usd=call.cost_usd)
        values = _call_values(run_id, call)
        with self._write() as conn:
            if run_id is not None and not (values["repository"] and values["change_ref"]):
                run = conn.execute(
                    select(runs.c.repository, runs.c.change_ref).where(runs.c.id == run_id)
                ).first()
                if run is not None:
                    values["repository"] = values["repository"] or run.repository
                    values["change_ref"] = values["change_ref"] or run.change_ref
            return int(conn.execute(calls.insert().values(**values)).inserted_primary_key[0])

    def month_to_date_cloud_spend(self, now: datetime) -> dict[str, float]:
        """Cloud spend per provider (target name) in the calendar month (UTC) of `now`."""
        start = _to_db(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        query = (
            select(calls.c.target, func.sum(calls.c.cost_usd))
            .where(calls.c.location == "cloud", calls.c.at >= start, calls.c.at < end)
            .group_by(calls.c.target)
        )
        with self._read() as conn:
            return {target: float(total or 0.0) for target, total in conn.execute(query)}

    def select_calls(
        self,
        since: datetime,
        until: datetime | None = None,
        columns: Sequence[str] | None = None,
    ) -> Sequence[Row[Any]]:
        """Calls recorded in [since, until), oldest first, for reports; `columns` narrows
        the rows (reading fewer columns is most of a report's time)."""
        chosen = [calls.c[name] for name in columns] if columns else [calls]
        query = select(*chosen).where(calls.c.at >= _to_db(since)).order_by(calls.c.at)
        if until is not None:
            query = query.where(calls.c.at < _to_db(until))
        with self._read() as conn:
            return conn.execute(query).all()

    # -- response cache ---------------------------------------------------------------

    def cache_get(self, key: str, now: datetime | None = None) -> CacheEntry | None:
        """The live entry under `key`, counting the hit; None when absent or expired."""
        at = _to_db(now or _now())
        live = and_(cache.c.key == key, cache.c.expires_at > at)
        with self._write() as conn:
            done = conn.execute(cache.update().where(live).values(hits=cache.c.hits + 1))
            if not done.rowcount:
                return None
            row = conn.execute(select(cache).where(cache.c.key == key)).one()
        return CacheEntry(
            key=row.key,
            model=row.model,
            task=row.task,
            data_class=row.data_class,
            created_at=_from_db(row.created_at),
            expires_at=_from_db(row.expires_at),
            hits=row.hits,
            value=row.value,
        )

    def cache_put(
        self,
        key: str,
        model: str,
        task: str,
        data_class: str,
        value: str,
        ttl_days: float,
        now: datetime | None = None,
    ) -> None:
        """Stores (or replaces) a model answer under `key` for `ttl_days`."""
        if len(key) != 64:
            raise ValueError("cache keys are sha256 hex digests (bot.cache.keys)")
        created = _to_db(now or _now())
        fields = {
            "model": one_line(model, SHORT),
            "task": one_line(task, SHORT),
            "data_class": one_line(data_class, _CLASS_CHARS),
            "created_at": created,
            "expires_at": created + timedelta(days=ttl_days),
            "hits": 0,
            "value": value,
        }
        with self._write() as conn:
            insert = _dialect_insert(conn)(cache).values(key=key, **fields)
            conn.execute(insert.on_conflict_do_update(index_elements=[cache.c.key], set_=fields))

    # -- retention --------------------------------------------------------------------

    def prune(
        self, now: datetime, retention: RetentionConfig, *, dry_run: bool = False
    ) -> PruneResult:
        """Deletes calls and runs older than their class keeps them, and stale cache entries.

        A run goes only once none of its calls is left: its calls may be of a class kept
        longer than the run's own.
        """
        at = _to_db(now)
        days = retention.model_dump()
        call_gone = _expired(calls.c.data_class, calls.c.at, at, days)
        kept_call = exists().where(calls.c.run_id == runs.c.id, not_(call_gone))
        run_gone = and_(_expired(runs.c.data_class, runs.c.started_at, at, days), ~kept_call)
        cache_gone = or_(
            cache.c.expires_at <= at,
            cache.c.created_at < at - timedelta(days=retention.temporary),
        )
        result = PruneResult(dry_run=dry_run)
        with self._write() as conn:
            result.calls = _count_by_class(conn, calls.c.data_class, call_gone)
            result.runs = _count_by_class(conn, runs.c.data_class, run_gone)
            result.cache = int(conn.execute(select(func.count()).where(cache_gone)).scalar() or 0)
            if not dry_run:
                conn.execute(calls.delete().where(call_gone))
                conn.execute(runs.delete().where(run_gone))
                conn.execute(cache.delete().where(cache_gone))
        return result

    # -- connections ------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with db_errors(self.where, self._sqlite), self._engine.connect() as conn:
            conn = conn.execution_options(**{IMMEDIATE: True})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with db_errors(self.where, self._sqlite), self._engine.connect() as conn:
            yield conn


def _call_values(run_id: int | None, call: CallRow) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "at": _to_db(call.at or _now()),
        "repository": one_line(call.repository, SHORT),
        "change_ref": one_line(call.change_ref, SHORT),
        "task": one_line(call.task, SHORT),
        "item": one_line(call.item, SHORT),
        "target": one_line(call.target, SHORT),
        "model": one_line(call.model, SHORT),
        "location": call.location,
        "data_class": one_line(call.data_class, _CLASS_CHARS),
        "tokens_in": call.tokens_in,
        "tokens_out": call.tokens_out,
        "cost_usd": float(call.cost_usd),
        "cloud_equivalent_usd": float(call.cloud_equivalent_usd),
        "latency_s": float(call.latency_s),
        "cache_hit": bool(call.cache_hit),
        "route": one_line(">".join(call.route), REASON_CHARS),
        "reason": one_line(call.reason, REASON_CHARS),
        "outcome": one_line(call.outcome, 32) or "ok",
        "error": error_summary(call.error, ERROR_CHARS) or None,
        "prompt_sha256": _sha256_or_none(call.prompt_sha256),
        "redactions": max(0, call.redactions),
    }


def _sha256_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    # A hash column must never become a place where text is stored.
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value.lower()):
        raise ValueError("prompt_sha256 must be a sha256 hex digest")
    return value.lower()


def _expired(data_class: Any, at: Any, now: datetime, days: dict[str, int]) -> ColumnElement[bool]:
    """Rows past their class's retention; an unknown class is kept as long as the longest."""
    terms = [and_(data_class == name, at < now - timedelta(days=n)) for name, n in days.items()]
    longest = max(days.values())
    terms.append(and_(data_class.not_in(list(days)), at < now - timedelta(days=longest)))
    return or_(*terms)


def _count_by_class(conn: Connection, data_class: Any, where: Any) -> dict[str, int]:
    query = select(data_class, func.count()).where(where).group_by(data_class)
    return {name: int(n) for name, n in conn.execute(query)}


def _dialect_insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _now() -> datetime:
    return datetime.now(UTC)


def _to_db(value: datetime) -> datetime:
    """Naive UTC, the one convention both engines store alike."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _from_db(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)
