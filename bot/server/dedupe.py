"""Deliveries already handled, so a redelivered webhook does not queue its job twice.

GitHub retries nothing by itself, but people redeliver from the App's settings (up to three
days back), GitLab resends, and proxies may repeat requests; with several `serve` replicas
on one store, the repeats can arrive at two processes at once. So a delivery is *claimed*
in one atomic statement, never checked and then set (that queued 26 of 500 deliveries
twice with two processes): `INSERT … ON CONFLICT DO NOTHING` on SQLite and PostgreSQL
(through SQLAlchemy, like the ledger), `SET key NX EX` on Redis. Whoever inserted the row
queues the job; everyone else answers "duplicate".

A claim is `claimed` until the job is on the queue, then `queued`. If queueing fails the
claim is released, so the forge's next redelivery is taken. If the process dies between
claim and queue, the claim goes stale after `CLAIM_STALE_S` and a redelivery may take it
over (one conditional UPDATE, or the Redis key's own expiry): a crash costs at most that
long, never the delivery.

Entries live `ttl_s`: four days by default, past GitHub's three-day redelivery window (a
redelivery older than the entry would be queued again, so the window decides it), and
pruned every `PRUNE_EVERY` claims on SQL (Redis expires its keys itself). At a few hundred
bytes a row, a busy organisation's 100,000 deliveries a day keep the table near 100 MB.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bot.errors import ConfigError
from bot.ledger.engine import IMMEDIATE, make_engine, normalise_url

DEFAULT_TTL_S = 4 * 24 * 3600
# A claim whose job never reached the queue (the process died) may be taken over after
# this long: well past the time a submit takes, well within a person's redelivery.
CLAIM_STALE_S = 60.0
SQLITE_NAME = "webhook-deliveries.sqlite3"
TABLE = "switchyard_webhook_deliveries"
_NAME = re.compile(r":(\w+)")
# Pruning runs every this many claims: often enough to stay bounded, rarely enough to cost
# nothing per request.
PRUNE_EVERY = 1000
CLAIMED, QUEUED = "claimed", "queued"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+")


class DeliveryLog(Protocol):
    def claim(self, delivery: str) -> bool:
        """True for the one caller that may queue this delivery's job; atomic."""
        ...

    def confirm(self, delivery: str) -> None:
        """The claimed delivery's job is on the queue."""
        ...

    def release(self, delivery: str) -> None:
        """Queueing failed: let the next redelivery claim it."""
        ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


class SqlDeliveryLog:
    """One table in SQLite (its own file in the state dir by default) or PostgreSQL."""

    def __init__(
        self,
        url: str,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        stale_s: float = CLAIM_STALE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self._clock = clock
        self._since_prune = 0
        self._count_lock = threading.Lock()
        self.engine: Engine = make_engine(normalise_url(url))
        self._statements: dict[str, str] = {}
        self._create_table()

    @classmethod
    def sqlite(cls, path: Path | str, **options: Any) -> SqlDeliveryLog:
        return cls(f"sqlite:///{path}", **options)

    def _create_table(self) -> None:
        ddl = [
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "id TEXT PRIMARY KEY, state VARCHAR(8) NOT NULL, at DOUBLE PRECISION NOT NULL)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_at ON {TABLE} (at)",
        ]
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    for statement in ddl:
                        conn.exec_driver_sql(statement)
                    self._adopt_old_table(conn)
                return
            except DBAPIError:
                # Two processes creating the table at once on PostgreSQL: one of them meets
                # the other's catalogue row (a unique violation); the second try sees it.
                if attempt == 2:
                    raise
                time.sleep(0.05)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        # SQLite: take the write lock up front (BEGIN IMMEDIATE), so concurrent writers
        # queue on the busy timeout; PostgreSQL ignores the option.
        conn = self.engine.connect().execution_options(**{IMMEDIATE: True})
        with conn, conn.begin():
            yield conn

    def _run(self, conn: Connection, sql: str, params: dict[str, Any]) -> int:
        """One statement with :name parameters, straight to the driver (SQLAlchemy's text()
        cost as much CPU as SQLite's own commit); its row count."""
        statement = self._statements.get(sql)
        if statement is None:
            # sqlite3 reads :name itself; psycopg wants %(name)s.
            sqlite = self.engine.dialect.name == "sqlite"
            statement = sql if sqlite else _NAME.sub(r"%(\1)s", sql)
            self._statements[sql] = statement
        return int(conn.exec_driver_sql(statement, params).rowcount)

    def _adopt_old_table(self, conn: Connection) -> None:
        """The SQLite log before claims (table `deliveries`: id, seen_at) becomes queued
        entries, so an upgrade still recognises the last days' redeliveries."""
        if self.engine.dialect.name != "sqlite":
            return
        old = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
        ).first()
        if old is None:
            return
        self._run(
            conn,
            f"INSERT INTO {TABLE} (id, state, at) SELECT id, :queued, seen_at "
            "FROM deliveries WHERE true ON CONFLICT (id) DO NOTHING",
            {"queued": QUEUED},
        )
        conn.exec_driver_sql("DROP TABLE deliveries")

    def claim(self, delivery: str) -> bool:
        now = self._clock()
        with self._write() as conn:
            inserted = self._run(
                conn,
                f"INSERT INTO {TABLE} (id, state, at) VALUES (:id, :claimed, :now) "
                "ON CONFLICT (id) DO NOTHING",
                {"id": delivery, "claimed": CLAIMED, "now": now},
            )
            if not inserted:
                # Taken over only when expired, or claimed by a process that never queued;
                # the WHERE is re-checked under the row lock, so one taker wins.
                inserted = self._run(
                    conn,
                    f"UPDATE {TABLE} SET state = :claimed, at = :now WHERE id = :id AND "
                    "(at < :expired OR (state = :claimed AND at < :stale))",
                    {
                        "id": delivery,
                        "claimed": CLAIMED,
                        "now": now,
                        "expired": now - self.ttl_s,
                        "stale": now - self.stale_s,
                    },
                )
        if inserted:
            self._count_claim()
        return bool(inserted)

    def confirm(self, delivery: str) -> None:
        with self._write() as conn:
            self._run(
                conn,
                f"UPDATE {TABLE} SET state = :queued, at = :now WHERE id = :id",
                {"id": delivery, "queued": QUEUED, "now": self._clock()},
            )

    def release(self, delivery: str) -> None:
        with self._write() as conn:
            self._run(
                conn,
                f"DELETE FROM {TABLE} WHERE id = :id AND state = :claimed",
                {"id": delivery, "claimed": CLAIMED},
            )

    def _count_claim(self) -> None:
        with self._count_lock:
            self._since_prune += 1
            due = self._since_prune >= PRUNE_EVERY
            if due:
                self._since_prune = 0
        if due:
            self.prune()

    def prune(self) -> int:
        """Drop expired entries; returns how many went."""
        with self._write() as conn:
            return self._run(
                conn,
                f"DELETE FROM {TABLE} WHERE at < :expired",
                {"expired": self._clock() - self.ttl_s},
            )

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar_one())

    def close(self) -> None:
        self.engine.dispose()


class RedisDeliveryLog:
    """For scale-out: every webhook replica shares one log; Redis expires the keys."""

    PREFIX = "switchyard:delivery:"

    def __init__(
        self, url: str, *, ttl_s: float = DEFAULT_TTL_S, stale_s: float = CLAIM_STALE_S
    ) -> None:
        self.ttl_s = max(1, int(ttl_s))
        self.stale_s = max(1, int(stale_s))
        self._redis = _redis_client(url)

    def claim(self, delivery: str) -> bool:
        # A claim expires on its own after stale_s unless confirmed: a dead process's claim
        # frees itself.
        return bool(self._redis.set(self.PREFIX + delivery, CLAIMED, nx=True, ex=self.stale_s))

    def confirm(self, delivery: str) -> None:
        self._redis.set(self.PREFIX + delivery, QUEUED, ex=self.ttl_s)

    def release(self, delivery: str) -> None:
        key = self.PREFIX + delivery
        if self._redis.get(key) == CLAIMED.encode():
            self._redis.delete(key)

    def __len__(self) -> int:
        return sum(1 for _ in self._redis.scan_iter(match=self.PREFIX + "*", count=1000))

    def close(self) -> None:
        self._redis.close()


def _redis_client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigError(
            "the delivery log on Redis needs the redis package",
            hint="pip install redis, or leave SWITCHYARD_QUEUE_URL unset for SQLite",
        ) from None
    return redis.Redis.from_url(url)


def open_delivery_log(queue_url: str | None, state_dir: Path) -> DeliveryLog:
    """Beside the queue, chosen by the same URL: Redis (redis://, rediss://, unix://),
    PostgreSQL (postgresql://) or, for anything else and by default, a SQLite file in the
    state dir."""
    if queue_url and queue_url.startswith(REDIS_SCHEMES):
        return RedisDeliveryLog(queue_url)
    if queue_url and queue_url.startswith(PG_SCHEMES):
        return SqlDeliveryLog(queue_url)
    return SqlDeliveryLog.sqlite(state_dir / SQLITE_NAME)
