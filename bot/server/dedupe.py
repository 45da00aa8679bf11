"""Deliveries already handled, so a redelivered webhook does not run its job twice.

GitHub retries nothing by itself, but people redeliver from the App's settings (up to
three days back) and proxies may repeat requests. The log is durable, so a redelivery
after a restart is still recognised, and bounded: entries live `ttl_s` (four days by
default, past GitHub's redelivery window) and at most `max_entries` are kept.

The handler asks `seen` before enqueueing and calls `record` after: a crash in between
costs at worst one duplicate job (at-least-once), never a lost one.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bot.queue.jobs_queue import redis_client

DEFAULT_TTL_S = 4 * 24 * 3600
DEFAULT_MAX_ENTRIES = 1_000_000
SQLITE_NAME = "webhook-deliveries.sqlite3"
# Pruning runs every this many records: often enough to stay bounded, rarely enough to
# cost nothing per request.
PRUNE_EVERY = 1000


class DeliveryLog(Protocol):
    def seen(self, delivery: str) -> bool: ...

    def record(self, delivery: str) -> None: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


class SqliteDeliveryLog:
    """One small table in its own SQLite file: WAL with synchronous=NORMAL survives a killed
    process (only a power cut can lose the last commits) at a fraction of a full sync."""

    def __init__(
        self,
        path: Path | str,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = str(path)
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._since_prune = 0
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            self.path, timeout=10, check_same_thread=False, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # rowid grows with each record, so "the newest max_entries" is a rowid range.
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS deliveries (id TEXT NOT NULL UNIQUE, seen_at REAL NOT NULL)"
        )
        self._conn.execute("CREATE INDEX IF NOT EXISTS deliveries_seen_at ON deliveries (seen_at)")

    def seen(self, delivery: str) -> bool:
        if not delivery:
            return False
        with self._lock:
            row = self._conn.execute(
                "SELECT seen_at FROM deliveries WHERE id = ?", (delivery,)
            ).fetchone()
        return row is not None and row[0] >= self._clock() - self.ttl_s

    def record(self, delivery: str) -> None:
        if not delivery:
            return
        with self._lock:
            self._conn.execute(
                "INSERT INTO deliveries (id, seen_at) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
                (delivery, self._clock()),
            )
            self._since_prune += 1
            if self._since_prune >= PRUNE_EVERY:
                self._prune_locked()

    def prune(self) -> int:
        """Drop expired entries and those past the cap; returns how many went."""
        with self._lock:
            return self._prune_locked()

    def _prune_locked(self) -> int:
        self._since_prune = 0
        cursor = self._conn.execute(
            "DELETE FROM deliveries WHERE seen_at < ? "
            "OR rowid <= (SELECT max(rowid) FROM deliveries) - ?",
            (self._clock() - self.ttl_s, self.max_entries),
        )
        return cursor.rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM deliveries").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class RedisDeliveryLog:
    """For scale-out: every webhook replica shares one log; Redis expires the keys."""

    PREFIX = "switchyard:delivery:"

    def __init__(self, url: str, *, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = int(ttl_s)
        self._redis = redis_client(url)

    def seen(self, delivery: str) -> bool:
        return bool(delivery) and bool(self._redis.exists(self.PREFIX + delivery))

    def record(self, delivery: str) -> None:
        if delivery:
            self._redis.set(self.PREFIX + delivery, b"1", ex=self.ttl_s)

    def __len__(self) -> int:
        return sum(1 for _ in self._redis.scan_iter(match=self.PREFIX + "*", count=1000))

    def close(self) -> None:
        self._redis.close()


def open_delivery_log(queue_url: str | None, state_dir: Path) -> DeliveryLog:
    """Beside the queue: in Redis when the queue is there, else a file in the state dir."""
    if queue_url and queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisDeliveryLog(queue_url)
    return SqliteDeliveryLog(state_dir / SQLITE_NAME)
