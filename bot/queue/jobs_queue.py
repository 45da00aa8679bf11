"""The job queue: huey on a SQLite file in the state dir, or on Redis for scale-out.

Doors `submit` Jobs; workers run them through `handler` (a callable(Job) the caller
injects: the pipeline and its publisher). A newer push supersedes an older job for the
same pull request and task set: per Job.key the queue keeps the latest head sha in huey's
own storage (durable, shared by every process on the queue); `submit` revokes the older
task if it has not started, and the worker drops any job that is no longer the latest.

Jobs for one pull request run one at a time, whatever the number of workers: two runs at
once would both read "nothing posted yet" and both post (two summaries, every comment
twice). A push followed by a `/review` comment is the everyday case.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import Huey, RedisHuey
from huey.api import Task
from huey.consumer import Consumer
from huey.storage import SqliteStorage

from bot.errors import ConfigError
from bot.jobs import Job

if TYPE_CHECKING:
    from bot.server.metrics import Metrics

log = logging.getLogger(__name__)

QUEUE_URL_ENV = "SWITCHYARD_QUEUE_URL"
SQLITE_NAME = "queue.sqlite3"
QUEUE_NAME = "switchyard"
_LATEST = "switchyard:latest:"
_RUNNING = "switchyard:running:"
# A run lock older than this was left by a worker that died mid-job: longer than any job.
RUN_LOCK_STALE_S = 30 * 60
_LOCK_POLL_S = 0.2
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

JobHandler = Callable[[Job], None]


class _SqliteStorage(SqliteStorage):  # type: ignore[misc]
    """huey's SQLite storage with synchronous=NORMAL: in WAL mode a commit then survives a
    killed process and skips the fsync, which is most of an enqueue's cost."""

    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


@dataclass(frozen=True, slots=True)
class Submission:
    task_id: str
    superseded: str | None = None  # the older task this one revoked, if it had not started


class JobQueue:
    """`JobQueue("/state/queue.sqlite3")`, `JobQueue(state_dir)` or `JobQueue("redis://…")`."""

    def __init__(
        self,
        url_or_path: str | Path,
        *,
        handler: JobHandler | None = None,
        metrics: Metrics | None = None,
        name: str = QUEUE_NAME,
    ) -> None:
        self.handler: JobHandler | None = handler
        self.metrics = metrics
        self.where, self.huey = _open_huey(url_or_path, name)
        self._task = self.huey.task(name="run_job", context=True)(self._run)
        self.run_lock_stale_s = RUN_LOCK_STALE_S
        # One submitter at a time per process keeps read-then-write of `latest` whole.
        self._lock = threading.Lock()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], state_dir: Path, **kwargs: Any) -> JobQueue:
        """SWITCHYARD_QUEUE_URL when set, else <state_dir>/queue.sqlite3."""
        return cls(environ.get(QUEUE_URL_ENV) or state_dir / SQLITE_NAME, **kwargs)

    # -- doors -------------------------------------------------------------------------------

    def submit(self, job: Job) -> Submission:
        """Enqueue `job`; a job with a head sha becomes the latest for its key."""
        task = self._task.s(job.to_dict())
        superseded = None
        if job.head_sha:
            key = _LATEST + job.key
            with self._lock:
                previous = self.huey.get(key, peek=True)
                # Recorded before the enqueue: a crash between the two loses this job
                # (its delivery was never acknowledged, so it can be redelivered) but never
                # lets an older job run in its place.
                self.huey.put(key, (job.head_sha, task.id))
                if previous and previous[0] != job.head_sha and previous[1]:
                    superseded = str(previous[1])
                    self.huey.revoke_by_id(superseded, revoke_once=True)
        self.huey.enqueue(task)
        if self.metrics is not None:
            self.metrics.jobs_enqueued.inc()
            if superseded:
                self.metrics.jobs_superseded.labels(stage="queue").inc()
        return Submission(task_id=task.id, superseded=superseded)

    def is_latest(self, job: Job) -> bool:
        """False when a newer push to the same pull request has been submitted since."""
        if not job.head_sha:
            return True
        latest = self.huey.get(_LATEST + job.key, peek=True)
        return latest is None or latest[0] == job.head_sha

    # -- inspection --------------------------------------------------------------------------

    def pending_count(self) -> int:
        """Tasks waiting, revoked ones included (huey drops those only when it reaches them)."""
        return int(self.huey.pending_count())

    def pending_jobs(self, limit: int | None = None) -> list[Job]:
        return [Job.from_dict(t.args[0]) for t in self.huey.pending(limit) if t.args]

    # -- workers -----------------------------------------------------------------------------

    def run_pending(self, limit: int | None = None) -> int:
        """Run queued tasks in this thread until none are left (or `limit` ran); returns how
        many were taken off the queue. For tests and one-shot use; `consumer` for service."""
        taken = 0
        while limit is None or taken < limit:
            task = self.huey.dequeue()
            if task is None:
                break
            taken += 1
            self.huey.execute(task)
        return taken

    def consumer(self, workers: int = 1, *, shutdown_timeout: float | None = None) -> Consumer:
        """huey's consumer on threads. SIGTERM (and SIGINT) stop it gracefully: running jobs
        finish, queued ones stay queued; a second signal interrupts."""
        return self.huey.create_consumer(
            workers=workers,
            worker_type="thread",
            periodic=False,
            # Idle workers poll with backoff; 1 s caps how long a new job can sit unseen.
            max_delay=1.0,
            graceful_signal="TERM",
            shutdown_timeout=shutdown_timeout,
        )

    def close(self) -> None:
        close = getattr(self.huey.storage, "close", None)
        if callable(close):
            close()

    def _run(self, data: dict[str, Any], task: Task) -> None:
        job = Job.from_dict(data)
        if job.head_sha:
            key = _LATEST + job.key
            latest = self.huey.get(key, peek=True)
            if latest is not None and latest[0] != job.head_sha:
                log.info("job %s for %s dropped: superseded by %s", task.id, job.key, latest[0])
                if self.metrics is not None:
                    self.metrics.jobs_superseded.labels(stage="worker").inc()
                return
            if latest is not None and latest[1] == task.id:
                # Started: a newer push no longer revokes it (the revoke would never be
                # consumed and would linger in storage).
                self.huey.put(key, (job.head_sha, None))
        handler = self.handler
        if handler is None:
            raise RuntimeError("JobQueue.handler is not set: nothing can run jobs")
        with self._one_per_pull_request(job):
            if not self.is_latest(job):
                # A newer push arrived while this job waited for the one before it.
                log.info("job %s for %s dropped: superseded while waiting", task.id, job.key)
                if self.metrics is not None:
                    self.metrics.jobs_superseded.labels(stage="worker").inc()
                return
            started = time.monotonic()
            try:
                handler(job)
            except Exception:
                if self.metrics is not None:
                    self.metrics.jobs_failed.inc()
                raise
            finally:
                if self.metrics is not None:
                    self.metrics.jobs_seconds.observe(time.monotonic() - started)
        if self.metrics is not None:
            self.metrics.jobs_run.inc()

    @contextmanager
    def _one_per_pull_request(self, job: Job) -> Iterator[None]:
        """Holds the pull request's run lock, in huey's storage so that every worker process
        on the queue sees it; waits for the job before to finish. A lock left by a worker
        that died is taken over once it is RUN_LOCK_STALE_S old."""
        key = f"{_RUNNING}{job.forge}:{job.repository}#{job.number}"
        mine = (time.time(), uuid.uuid4().hex)
        while not self.huey.put_if_empty(key, mine):
            held = self.huey.get(key, peek=True)
            if held is not None and time.time() - float(held[0]) > self.run_lock_stale_s:
                log.warning("run lock of %s#%d was stale: taken over", job.repository, job.number)
                if self.huey.get(key, peek=True) == held:
                    self.huey.delete(key)
                continue
            time.sleep(_LOCK_POLL_S)
            mine = (time.time(), mine[1])
        try:
            yield
        finally:
            if self.huey.get(key, peek=True) == mine:
                self.huey.delete(key)


def _open_huey(url_or_path: str | Path, name: str) -> tuple[str, Huey]:
    text = os.fspath(url_or_path)
    if text.startswith(_REDIS_SCHEMES):
        redis_client(text)  # a clear error when the redis package is missing
        return redact_url(text), RedisHuey(name, url=text, results=False)
    if text.startswith("sqlite:///"):
        text = text.removeprefix("sqlite:///")
    path = Path(text).expanduser()
    if path.is_dir():
        path = path / SQLITE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    huey = Huey(name, results=False, storage_class=_SqliteStorage, filename=str(path))
    return str(path), huey


def redis_client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigError(
            f"the queue URL {redact_url(url)} needs the redis package",
            hint="pip install redis, or leave SWITCHYARD_QUEUE_URL unset for the SQLite queue",
        ) from None
    return redis.Redis.from_url(url)


def redact_url(url: str) -> str:
    """A URL fit for messages: any password replaced."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
