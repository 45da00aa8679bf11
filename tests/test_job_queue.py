"""The job queue on its default store (SQLite): submit, supersede, run through the injected
handler, leases, retries, survive restarts; and `switchyard worker` as a process that stops
cleanly on SIGTERM. tests/test_job_crash.py kills workers on SQLite, Redis and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.errors import ConfigError, TransientError
from bot.jobs import Job
from bot.queue import JobQueue
from bot.server.metrics import Metrics
from tests.job_handlers import events

ROOT = Path(__file__).resolve().parent.parent
RECORD_ENV = "SWITCHYARD_TEST_RECORD"

PR = Job(forge="github", repository="acme/api", number=7, head_sha="a" * 40, delivery="d1")


def record_to_file(job: Job) -> None:
    """A job handler for worker processes: appends the job to $SWITCHYARD_TEST_RECORD,
    after SWITCHYARD_TEST_SLEEP seconds (a long job)."""
    time.sleep(float(os.environ.get("SWITCHYARD_TEST_SLEEP", "0")))
    with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as f:
        f.write(json.dumps(job.to_dict()) + "\n")


@pytest.fixture
def queue(tmp_path: Path) -> JobQueue:
    return JobQueue(tmp_path / "queue.sqlite3", metrics=Metrics())


def ran(queue: JobQueue) -> list[Job]:
    got: list[Job] = []
    queue.handler = got.append
    queue.run_pending()
    return got


def counter(queue: JobQueue, name: str, **labels: str) -> float:
    assert queue.metrics is not None
    value = queue.metrics.registry.get_sample_value(name, labels or None)
    return value or 0.0


def test_submitted_jobs_reach_the_handler_intact(queue: JobQueue) -> None:
    job = replace(PR, tasks=("review", "security"), extra={"action": "opened"})
    submission = queue.submit(job)
    assert submission.superseded is None
    assert queue.pending_count() == 1
    assert ran(queue) == [job]
    assert queue.pending_count() == 0
    assert counter(queue, "switchyard_jobs_run_total") == 1


def test_synchronize_twice_runs_only_the_newer_job(queue: JobQueue) -> None:
    older = queue.submit(replace(PR, head_sha="1" * 40, delivery="d1"))
    newer = queue.submit(replace(PR, head_sha="2" * 40, delivery="d2"))
    assert newer.superseded == older.task_id
    assert [j.head_sha for j in ran(queue)] == ["2" * 40]
    assert counter(queue, "switchyard_jobs_superseded_total", stage="queue") == 1


def test_a_job_taken_before_a_newer_push_is_dropped_when_taken_again(tmp_path: Path) -> None:
    """The older job was running (so the push could not drop it) when its worker died; its
    lease runs out and the worker that takes it again drops it for the newer head."""
    queue = JobQueue(tmp_path / "queue.sqlite3", metrics=Metrics(), lease_s=0.2)
    queue.submit(replace(PR, head_sha="1" * 40))
    assert queue.take("a worker that dies") is not None
    assert queue.submit(replace(PR, head_sha="2" * 40)).superseded is None  # it was running
    time.sleep(0.3)  # the dead worker's lease runs out
    assert [j.head_sha for j in ran(queue)] == ["2" * 40]
    assert counter(queue, "switchyard_jobs_superseded_total", stage="worker") == 1
    assert queue.pending_count() == 0


def test_supersede_holds_across_processes_sharing_the_queue(tmp_path: Path) -> None:
    server_side = JobQueue(tmp_path / "q.sqlite3")
    server_side.submit(replace(PR, head_sha="1" * 40))
    JobQueue(tmp_path / "q.sqlite3").submit(replace(PR, head_sha="2" * 40))
    worker_side = JobQueue(tmp_path / "q.sqlite3")
    assert [j.head_sha for j in ran(worker_side)] == ["2" * 40]


def test_a_push_after_the_job_started_does_not_leave_a_revocation_behind(queue: JobQueue) -> None:
    queue.submit(replace(PR, head_sha="1" * 40))
    assert len(ran(queue)) == 1
    assert queue.submit(replace(PR, head_sha="2" * 40)).superseded is None
    assert [j.head_sha for j in ran(queue)] == ["2" * 40]


def test_other_prs_task_sets_and_comment_jobs_are_not_superseded(queue: JobQueue) -> None:
    queue.submit(PR)
    queue.submit(replace(PR, number=8, head_sha="b" * 40))
    queue.submit(replace(PR, tasks=("describe",), head_sha="c" * 40))
    ask = replace(PR, head_sha="", tasks=("ask",), trigger="comment", argument="why?")
    queue.submit(ask)
    queue.submit(replace(ask, argument="and how?"))
    queue.submit(replace(PR, head_sha="d" * 40))  # supersedes only the first
    done = ran(queue)
    assert len(done) == 5
    assert PR not in done
    assert [j.argument for j in done if j.trigger == "comment"] == ["why?", "and how?"]


def test_the_same_commit_twice_runs_twice(queue: JobQueue) -> None:
    queue.submit(PR)
    assert queue.submit(replace(PR, delivery="d2")).superseded is None
    assert len(ran(queue)) == 2


def test_a_failing_job_is_counted_and_the_next_one_runs(queue: JobQueue) -> None:
    queue.submit(replace(PR, number=1, head_sha="e" * 40))
    queue.submit(replace(PR, number=2, head_sha="f" * 40))
    done: list[int] = []

    def handler(job: Job) -> None:
        if job.number == 1:
            raise RuntimeError("model unreachable")
        done.append(job.number)

    queue.handler = handler
    assert queue.run_pending() == 2
    assert done == [2]
    assert counter(queue, "switchyard_jobs_failed_total") == 1
    assert counter(queue, "switchyard_jobs_run_total") == 1


def test_jobs_for_one_pull_request_never_run_at_once(queue: JobQueue) -> None:
    """A push, then a `/review` comment, taken by two workers: while the first runs, the
    other worker is not given the second (both at once would both post) but is given
    another pull request's job, which is not held up."""
    running: dict[int, int] = {}
    most: dict[int, int] = {}
    lock = threading.Lock()
    other_pr_ran = threading.Event()
    order: list[tuple[int, str]] = []

    def handler(job: Job) -> None:
        with lock:
            running[job.number] = running.get(job.number, 0) + 1
            most[job.number] = max(most.get(job.number, 0), running[job.number])
            order.append((job.number, job.trigger))
        if job.number == 8:
            other_pr_ran.set()
        elif job.trigger == "pull_request":
            # Held until the other worker has taken and run pull request 8: it was free
            # to take the comment job meanwhile, and must not have.
            assert other_pr_ran.wait(10)
        with lock:
            running[job.number] -= 1

    queue.handler = handler
    queue.submit(PR)
    queue.submit(replace(PR, head_sha="", trigger="comment", requester="maintainer"))
    queue.submit(replace(PR, number=8))
    workers = [threading.Thread(target=queue.run_pending) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(20)
    assert most == {7: 1, 8: 1}
    assert [t for n, t in order if n == 7] == ["pull_request", "comment"]
    assert queue.pending_count() == 0


def test_a_lease_left_by_a_dead_worker_runs_out_and_the_job_runs(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path / "queue.sqlite3", lease_s=0.2)
    queue.submit(PR)
    assert queue.take("a worker that died") is not None
    assert ran(queue) == []  # leased: neither the job nor its pull request is free
    assert queue.pending_count() == 1  # a leased job is still runnable work
    time.sleep(0.3)
    assert ran(queue) == [PR]
    assert queue.pending_count() == 0


def test_a_transient_failure_is_retried_with_backoff_then_given_up(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path / "queue.sqlite3", metrics=Metrics(), max_attempts=3)
    queue.submit(PR)
    outcomes = []
    queue.handler = _raise_transient
    for _ in range(3):
        taken = queue.take("w")
        assert taken is not None
        outcomes.append(queue.execute(taken, "w"))
        assert queue.take("w") is None  # waiting for its backoff, or dropped
        _make_due(queue)
    assert [o.status for o in outcomes] == ["retry", "retry", "given_up"]
    assert [o.delay_s for o in outcomes[:2]] == [30.0, 60.0]  # doubling from 30 s
    assert queue.pending_count() == 0
    assert counter(queue, "switchyard_jobs_failed_total") == 1


def test_a_job_whose_workers_keep_dying_is_given_up(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path / "queue.sqlite3", lease_s=0.05, max_attempts=2)
    queue.submit(PR)
    for _ in range(2):  # two workers die with it
        assert queue.take("a worker that dies") is not None
        time.sleep(0.1)
    assert ran(queue) == []  # the third take drops it
    assert queue.pending_count() == 0


def test_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    from bot.queue.jobs_queue import retry_delay

    assert retry_delay(1, 30, None) == 30
    assert retry_delay(3, 30, None) == 120
    assert retry_delay(1, 30, 90) == 90
    assert retry_delay(20, 30, None) == 15 * 60  # capped


def _raise_transient(job: Job) -> None:
    raise TransientError("GitHub answered 502")


def _make_due(queue: JobQueue) -> None:
    """Moves every waiting retry's time to now (instead of waiting for its backoff)."""
    from sqlalchemy import update

    store = queue.store
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(update(store.jobs).values(run_at=0))  # type: ignore[attr-defined]


def test_queued_jobs_survive_a_restart(tmp_path: Path) -> None:
    JobQueue(tmp_path).submit(PR)  # a folder means queue.sqlite3 inside it
    assert (tmp_path / "queue.sqlite3").exists()
    reopened = JobQueue(str(tmp_path / "queue.sqlite3"))
    assert reopened.pending_jobs() == [PR]


def test_redis_url_without_the_redis_package_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now raises ImportError
    with pytest.raises(ConfigError, match=r"redis://:\*\*\*@queue:6379/0 needs the redis"):
        JobQueue("redis://:hunter2@queue:6379/0")


def _worker(
    tmp_path: Path,
    record: Path,
    *extra: str,
    sleep: float = 0,
    handler: str = "tests.test_job_queue:record_to_file",
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SWITCHYARD_STATE": str(tmp_path),
        RECORD_ENV: str(record),
        "SWITCHYARD_TEST_SLEEP": str(sleep),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SWITCHYARD_QUEUE_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli.worker",
            "--handler",
            handler,
            "--workers",
            "2",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_lines(path: Path, count: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"{path} has fewer than {count} lines")


def test_worker_process_runs_jobs_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    record = tmp_path / "ran.jsonl"
    queue = JobQueue(tmp_path / "queue.sqlite3")
    for n in range(3):
        queue.submit(replace(PR, number=n + 1, head_sha=f"{n}" * 40))
    worker = _worker(tmp_path, record)
    try:
        lines = _wait_for_lines(record, 3)
        assert sorted(json.loads(line)["number"] for line in lines) == [1, 2, 3]
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output


def test_sigterm_lets_the_running_job_finish(tmp_path: Path) -> None:
    record = tmp_path / "ran.jsonl"
    worker = _worker(tmp_path, record, "--workers", "1", handler="tests.job_handlers:record")
    try:
        JobQueue(tmp_path / "queue.sqlite3").submit(replace(PR, extra={"sleep": 1.5}))
        _wait_for_lines(record, 1)  # started: the job is running
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert [e["event"] for e in events(record)] == ["start", "end"]
    assert JobQueue(tmp_path / "queue.sqlite3").pending_count() == 0


def test_worker_with_a_bad_handler_says_what_is_wrong(tmp_path: Path) -> None:
    env = {**os.environ, "SWITCHYARD_STATE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("SWITCHYARD_JOB_HANDLER", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.worker", "--handler", "no_such_module:run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "cannot import no_such_module" in done.stderr and "Traceback" not in done.stderr
