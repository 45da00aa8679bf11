"""The job queue: at-least-once jobs on leases, in SQLite (default), PostgreSQL or Redis.

Doors `submit` Jobs; workers run them through `handler` (a callable(Job) the caller
injects: the pipeline and its publisher). A job taken is leased for `lease_s` and the
worker renews the lease while it runs (`bot/queue/consumer.py`); a job whose worker died
is taken again once its lease runs out. Publishing is idempotent (fingerprints, the sticky
marker, one check run per head), so running a job twice never posts twice.

A newer push supersedes an older job for the same Job.key: `submit` drops the older job if
it is still queued, and a worker drops any job it takes that is no longer the latest.

Jobs for one pull request run one at a time, whatever the number of workers: two runs at
once would both read "nothing posted yet" and both post. The store never leases two jobs
of one pull request at once, so the run lock is the lease and ends with it.

A job that raises TransientError runs again later with exponential backoff (honouring its
`retry_after`), `max_attempts` times in all; any other exception fails it, logged.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import TransientError
from bot.jobs import Job
from bot.queue.store import SQLITE_NAME, JobStore, Taken, open_store, redact_url

if TYPE_CHECKING:
    from bot.queue.consumer import Consumer
    from bot.server.metrics import Metrics

log = logging.getLogger(__name__)

QUEUE_URL_ENV = "SWITCHYARD_QUEUE_URL"
QUEUE_NAME = "switchyard"
LEASE_S = 30.0  # a dead worker's job runs again within this (plus a poll)
MAX_ATTEMPTS = 5  # takes in all: transient retries, and crashes of a job that kills workers
RETRY_BASE_S = 30.0  # first retry after this, doubling, at most RETRY_MAX_S
RETRY_MAX_S = 15 * 60.0

JobHandler = Callable[[Job], None]

__all__ = [
    "QUEUE_URL_ENV",
    "SQLITE_NAME",
    "JobHandler",
    "JobQueue",
    "Submission",
    "redact_url",
]


@dataclass(frozen=True, slots=True)
class Submission:
    task_id: str
    superseded: str | None = None  # the older job this one dropped, if it had not started


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a job a worker took."""

    status: str  # "done" | "superseded" | "retry" | "failed" | "given_up" | "lost"
    delay_s: float = 0.0


class JobQueue:
    """`JobQueue("/state/queue.sqlite3")`, `JobQueue(state_dir)`, `JobQueue("redis://…")`
    or `JobQueue("postgresql://…")`."""

    def __init__(
        self,
        url_or_path: str | Path,
        *,
        handler: JobHandler | None = None,
        metrics: Metrics | None = None,
        name: str = QUEUE_NAME,
        lease_s: float = LEASE_S,
        max_attempts: int = MAX_ATTEMPTS,
        retry_base_s: float = RETRY_BASE_S,
    ) -> None:
        self.handler: JobHandler | None = handler
        self.metrics = metrics
        self.store: JobStore = open_store(url_or_path, name)
        self.where = self.store.where
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.retry_base_s = retry_base_s

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], state_dir: Path, **kwargs: Any) -> JobQueue:
        """SWITCHYARD_QUEUE_URL when set, else <state_dir>/queue.sqlite3."""
        return cls(environ.get(QUEUE_URL_ENV) or state_dir / SQLITE_NAME, **kwargs)

    # -- doors -------------------------------------------------------------------------------

    def submit(self, job: Job) -> Submission:
        """Enqueue `job`; a job with a head sha becomes the latest for its key."""
        job_id = uuid.uuid4().hex
        data = json.dumps(job.to_dict(), separators=(",", ":"))
        superseded = self.store.add(job_id, job.key, _pr(job), job.head_sha, data)
        if self.metrics is not None:
            self.metrics.jobs_enqueued.inc()
            if superseded:
                self.metrics.jobs_superseded.labels(stage="queue").inc()
        return Submission(task_id=job_id, superseded=superseded)

    # -- inspection --------------------------------------------------------------------------

    def pending_count(self) -> int:
        """Runnable jobs: queued, waiting to retry, or running (leased). Superseded jobs
        are deleted when superseded and are not counted."""
        return self.store.count()

    def pending_jobs(self, limit: int | None = None) -> list[Job]:
        return [Job.from_dict(json.loads(d)) for d in self.store.queued(limit)]

    # -- workers -----------------------------------------------------------------------------

    def take(self, owner: str) -> Taken | None:
        return self.store.take(owner, self.lease_s)

    def run_pending(self, limit: int | None = None) -> int:
        """Run runnable jobs in this thread until none is left (or `limit` ran); returns how
        many were taken. For tests and one-shot use; `consumer` for service."""
        owner = f"inline-{uuid.uuid4().hex[:8]}"
        taken = 0
        while limit is None or taken < limit:
            got = self.take(owner)
            if got is None:
                break
            taken += 1
            self.execute(got, owner)
        return taken

    def consumer(self, workers: int = 1, *, shutdown_timeout: float | None = None) -> Consumer:
        """Worker threads with a lease heartbeat; SIGTERM stops them gracefully."""
        from bot.queue.consumer import Consumer

        return Consumer(self, workers, shutdown_timeout=shutdown_timeout)

    def close(self) -> None:
        self.store.close()

    def execute(
        self,
        taken: Taken,
        owner: str,
        settle: Callable[[Callable[[], Any]], Any] | None = None,
    ) -> Outcome:
        """Run one leased job through the handler and settle it in the store. `settle`
        wraps the store call that ends the lease (the consumer uses it to settle nothing
        once it has handed the job back at shutdown)."""
        done = settle or (lambda f: f())
        job = Job.from_dict(json.loads(taken.data))
        if taken.superseded:
            log.info("job %s for %s dropped: superseded by a newer head", taken.id, job.key)
            if self.metrics is not None:
                self.metrics.jobs_superseded.labels(stage="worker").inc()
            done(lambda: self.store.finish(taken.id, owner))
            return Outcome("superseded")
        if taken.attempts > self.max_attempts:
            # Taken again after its worker died each time (a job that runs it out of
            # memory, say): not run once more.
            log.error(
                "job %s for %s given up: taken %d times, its workers died",
                taken.id,
                job.key,
                taken.attempts,
            )
            if self.metrics is not None:
                self.metrics.jobs_failed.inc()
            done(lambda: self.store.finish(taken.id, owner))
            return Outcome("given_up")
        handler = self.handler
        if handler is None:
            raise RuntimeError("JobQueue.handler is not set: nothing can run jobs")
        started = time.monotonic()
        try:
            handler(job)
        except TransientError as exc:
            return self._transient(taken, owner, job, exc, done)
        except Exception:
            log.exception("job %s for %s failed", taken.id, job.key)
            if self.metrics is not None:
                self.metrics.jobs_failed.inc()
            done(lambda: self.store.finish(taken.id, owner))
            return Outcome("failed")
        finally:
            if self.metrics is not None:
                self.metrics.jobs_seconds.observe(time.monotonic() - started)
        if not done(lambda: self.store.finish(taken.id, owner)):
            log.warning("job %s for %s: its lease was lost before it finished", taken.id, job.key)
            return Outcome("lost")
        if self.metrics is not None:
            self.metrics.jobs_run.inc()
        return Outcome("done")

    def _transient(
        self,
        taken: Taken,
        owner: str,
        job: Job,
        exc: TransientError,
        done: Callable[[Callable[[], Any]], Any],
    ) -> Outcome:
        if taken.attempts >= self.max_attempts:
            log.error(
                "job %s for %s given up after %d attempts: %s",
                taken.id,
                job.key,
                taken.attempts,
                exc.message,
            )
            if self.metrics is not None:
                self.metrics.jobs_failed.inc()
            done(lambda: self.store.finish(taken.id, owner))
            return Outcome("given_up")
        delay = retry_delay(taken.attempts, self.retry_base_s, exc.retry_after)
        log.warning(
            "job %s for %s: %s; attempt %d of %d, next in %.0f s",
            taken.id,
            job.key,
            exc.message,
            taken.attempts,
            self.max_attempts,
            delay,
        )
        done(lambda: self.store.retry(taken.id, owner, delay))
        return Outcome("retry", delay)


def retry_delay(attempt: int, base_s: float, retry_after: float | None) -> float:
    """base, 2×base, 4×base … capped at RETRY_MAX_S, and never sooner than retry_after."""
    backoff = min(base_s * 2 ** max(attempt - 1, 0), RETRY_MAX_S)
    return max(backoff, retry_after or 0.0)


def _pr(job: Job) -> str:
    return f"{job.forge}:{job.repository}#{job.number}"


def env_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    return float(raw) if raw else default


def queue_options(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Lease and retry settings from the environment (tests shorten them)."""
    return {
        "lease_s": env_float(environ, "SWITCHYARD_JOB_LEASE_S", LEASE_S),
        "max_attempts": int(env_float(environ, "SWITCHYARD_JOB_MAX_ATTEMPTS", MAX_ATTEMPTS)),
        "retry_base_s": env_float(environ, "SWITCHYARD_JOB_RETRY_BASE_S", RETRY_BASE_S),
    }
