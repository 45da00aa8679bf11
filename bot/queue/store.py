"""What the queue needs from its storage: leased jobs, in one small contract.

A job taken is *leased* to one worker until a time; the worker renews the lease while the
job runs and deletes the job when done. A lease that runs out (the worker was killed, ran
out of memory, lost its machine) makes the job runnable again for any worker. Jobs for one
pull request (`Row.pr`) are never leased twice at once: the run lock is the lease itself.

Two implementations: `sql_store.SqlJobStore` (SQLite, the embedded default; PostgreSQL) and
`redis_store.RedisJobStore`. `open_store` picks one from a URL or a path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import ConfigError

SQLITE_NAME = "queue.sqlite3"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
PG_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True, slots=True)
class Taken:
    """A job leased to a worker."""

    id: str
    data: str  # the Job as JSON
    attempts: int  # how many times it has been taken, this time included
    superseded: bool  # a newer head for the same Job.key was submitted since


class JobStore(Protocol):
    where: str

    def add(self, job_id: str, key: str, pr: str, head_sha: str, data: str) -> str | None:
        """Queue a job; with a head sha, drop a queued job of the same key for another head
        and return its id."""

    def take(self, owner: str, lease_s: float) -> Taken | None:
        """Lease the oldest runnable job whose pull request holds no live lease."""

    def renew(self, job_id: str, owner: str, lease_s: float) -> bool:
        """Extend `owner`'s lease; False when it was lost (expired and taken by another)."""

    def finish(self, job_id: str, owner: str) -> bool:
        """Delete a job `owner` holds: done, dropped or given up."""

    def retry(self, job_id: str, owner: str, delay_s: float) -> bool:
        """Give the lease back; the job runs again after `delay_s`."""

    def release(self, job_id: str, owner: str) -> bool:
        """Give the lease back at once, not counting this take (a worker shutting down)."""

    def count(self) -> int:
        """Runnable jobs: queued, waiting to retry, or leased."""

    def queued(self, limit: int | None = None) -> list[str]:
        """The queued jobs' data, oldest first."""

    def close(self) -> None: ...


def open_store(url_or_path: str | Path, name: str) -> JobStore:
    text = os.fspath(url_or_path)
    if text.startswith(REDIS_SCHEMES):
        from bot.queue.redis_store import RedisJobStore

        return RedisJobStore(text, name)
    from bot.queue.sql_store import SqlJobStore

    if text.startswith(PG_SCHEMES):
        return SqlJobStore(text, name)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    elif "://" in text:
        raise ConfigError(
            f"the queue URL {redact_url(text)} is neither redis://, postgresql:// nor a file",
            hint="set SWITCHYARD_QUEUE_URL to redis://host/0 or postgresql://…, or unset it",
        )
    path = Path(text).expanduser()
    if path.is_dir():
        path = path / SQLITE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqlJobStore(f"sqlite:///{path}", name, where=str(path))


def redact_url(url: str) -> str:
    """A URL fit for messages: any password replaced."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
