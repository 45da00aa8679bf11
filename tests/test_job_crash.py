"""Workers killed for real, on SQLite, Redis and PostgreSQL: real `switchyard worker`
processes running tests/job_handlers.py:record (no forge, no model), with a 2 s lease.

A job whose worker is SIGKILLed mid-job finishes on another worker, once; SIGTERM past
--shutdown-timeout hands the job back and the worker exits at once; a transient failure is
retried with backoff, then given up; a newer head supersedes the queued older job; two jobs
of one pull request never run at once.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import Job
from bot.queue import JobQueue
from tests.job_handlers import RECORD_ENV, events
from tests.postgres import fresh_pg_url
from tests.redis_server import redis_url

ROOT = Path(__file__).resolve().parent.parent
LEASE_S = 2.0
PR = Job(forge="github", repository="acme/api", number=7, head_sha="a" * 40, delivery="d1")


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "queue.sqlite3")
    elif request.param == "redis":
        yield redis_url()
    else:
        with fresh_pg_url() as url:
            yield url


class Workers:
    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp_path = tmp_path
        self.url = url
        self.record = tmp_path / "ran.jsonl"
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, *extra: str, threads: int = 1) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "SWITCHYARD_STATE": str(self.tmp_path),
            RECORD_ENV: str(self.record),
            "SWITCHYARD_JOB_LEASE_S": str(LEASE_S),
            "SWITCHYARD_JOB_RETRY_BASE_S": "0.3",
            "SWITCHYARD_JOB_MAX_ATTEMPTS": "3",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("SWITCHYARD_JOB_HANDLER", None)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli.worker",
                "--queue",
                self.url,
                "--handler",
                "tests.job_handlers:record",
                "--workers",
                str(threads),
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.procs.append(proc)
        return proc

    def wait_for(
        self, check: Callable[[list[dict[str, Any]]], bool], timeout: float = 30
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = events(self.record)
            if check(got):
                return got
            time.sleep(0.05)
        raise AssertionError(f"not seen in {timeout} s; events: {events(self.record)}")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=30)


@pytest.fixture
def workers(tmp_path: Path, queue_url: str) -> Iterator[Workers]:
    w = Workers(tmp_path, queue_url)
    try:
        yield w
    finally:
        w.stop_all()


def _named(kind: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda got: any(e["event"] == kind for e in got)


def test_sigkill_mid_job_runs_the_job_again_on_another_worker_once(workers: Workers) -> None:
    JobQueue(workers.url).submit(replace(PR, extra={"sleep": 1.0}))
    by_pid = {p.pid: p for p in (workers.start(), workers.start())}
    started = workers.wait_for(_named("start"))[0]
    by_pid[started["pid"]].send_signal(signal.SIGKILL)
    killed_at = time.time()
    got = workers.wait_for(_named("end"), timeout=LEASE_S + 30)
    ends = [e for e in got if e["event"] == "end"]
    assert len(ends) == 1 and ends[0]["pid"] != started["pid"]
    again = [e for e in got if e["event"] == "start" and e["pid"] != started["pid"]]
    assert again and again[0]["t"] - killed_at < LEASE_S + 5  # after the lease, not 30 min
    assert JobQueue(workers.url).pending_count() == 0


def test_a_job_longer_than_its_lease_keeps_it_while_it_runs(workers: Workers) -> None:
    """The heartbeat renews the lease: a job two leases long is not taken again by the
    idle worker beside it (without a renewal its lease ends halfway through)."""
    JobQueue(workers.url).submit(replace(PR, extra={"sleep": 2 * LEASE_S}))
    workers.start()
    workers.start()
    got = workers.wait_for(_named("end"), timeout=30)
    time.sleep(1)  # a second start, if any, would have been recorded by now
    assert [e["event"] for e in events(workers.record)] == ["start", "end"], got
    assert JobQueue(workers.url).pending_count() == 0


def test_sigterm_past_the_timeout_hands_the_job_back_and_exits(workers: Workers) -> None:
    JobQueue(workers.url).submit(replace(PR, extra={"sleep": 4.0, "first_run_only": True}))
    first = workers.start("--shutdown-timeout", "0.5")
    started = workers.wait_for(_named("start"))[0]
    first.send_signal(signal.SIGTERM)
    output, _ = first.communicate(timeout=15)
    assert first.returncode == 0, output
    assert "handed back" in output
    assert not [e for e in events(workers.record) if e["event"] == "end"]  # cut short
    assert JobQueue(workers.url).pending_count() == 1  # runnable at once, not lost
    second = workers.start()
    got = workers.wait_for(_named("end"), timeout=20)
    assert [e["pid"] for e in got if e["event"] == "end"] == [second.pid]
    assert started["pid"] == first.pid


def test_sigterm_lets_a_job_finish_within_the_timeout(workers: Workers) -> None:
    JobQueue(workers.url).submit(replace(PR, extra={"sleep": 1.0}))
    proc = workers.start("--shutdown-timeout", "20")
    workers.wait_for(_named("start"))
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=25)
    assert proc.returncode == 0, output
    assert [e["event"] for e in events(workers.record)] == ["start", "end"]
    assert JobQueue(workers.url).pending_count() == 0


def test_a_transient_failure_is_retried_with_backoff_then_given_up(workers: Workers) -> None:
    queue = JobQueue(workers.url)
    queue.submit(replace(PR, extra={"transient": True}))
    workers.start()
    got = workers.wait_for(lambda g: sum(e["event"] == "transient" for e in g) == 3)
    times = [e["t"] for e in got if e["event"] == "transient"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6  # 0.3 s, then doubled
    deadline = time.monotonic() + 10
    while queue.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.pending_count() == 0  # given up after 3 attempts, not queued forever
    assert sum(e["event"] == "transient" for e in events(workers.record)) == 3


def test_a_newer_head_supersedes_the_queued_older_job(workers: Workers) -> None:
    queue = JobQueue(workers.url)
    older = queue.submit(replace(PR, head_sha="1" * 40))
    assert queue.submit(replace(PR, head_sha="2" * 40)).superseded == older.task_id
    assert queue.pending_count() == 1
    workers.start()
    got = workers.wait_for(_named("end"))
    assert [e["head"] for e in got if e["event"] == "start"] == ["2" * 40]


def test_jobs_of_one_pull_request_never_overlap(workers: Workers) -> None:
    queue = JobQueue(workers.url)
    comment = replace(PR, head_sha="", trigger="comment", extra={"sleep": 0.4})
    for n in range(3):
        queue.submit(replace(comment, delivery=f"c{n}"))
    queue.submit(replace(PR, number=8, extra={"sleep": 0.4}))
    workers.start(threads=2)
    workers.start(threads=2)
    got = workers.wait_for(lambda g: sum(e["event"] == "end" for e in g) == 4)
    spans: dict[str, list[float]] = {}
    for e in got:
        if e["number"] == 7:
            spans.setdefault(e["delivery"], []).append(e["t"])
    ordered = sorted(spans.values())
    assert len(ordered) == 3
    for before, after in itertools.pairwise(ordered):
        assert after[0] >= before[1]  # each started after the one before it ended


def test_sigkill_during_the_model_call_posts_one_review_after_the_rerun(
    queue_url: str, tmp_path: Path
) -> None:
    """The real handler on the fake GitHub and a fake model: the first worker is killed
    while the model is answering; the job runs again on the next worker, and the pull
    request gets one review, one summary and one check run."""
    from tests.cli import base_env
    from tests.fakes.openai_server import FakeOpenAIServer, Reply
    from tests.github_samples import APP_ANSWER, HEAD, github_with_pr

    token = "ghs_test_token_for_the_fake"
    with (
        github_with_pr("acme/api", token) as github,
        FakeOpenAIServer(models=["qwen"]) as model,
    ):
        calls: list[int] = []

        def answer(_request: dict[str, Any]) -> Reply:
            calls.append(1)
            # The first call hangs past the kill; the rerun's is answered at once.
            return Reply(APP_ANSWER, delay_s=60 if len(calls) == 1 else 0)

        model.responder = answer
        env = {
            **base_env(tmp_path),
            "GITHUB_TOKEN": token,
            "GITHUB_API_URL": github.base_url,
            "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
            "SWITCHYARD_JOB_LEASE_S": str(LEASE_S),
            "PYTHONPATH": str(ROOT),
        }
        JobQueue(queue_url).submit(
            Job("github", "acme/api", 7, head_sha=HEAD, api_url=github.base_url)
        )
        command = [sys.executable, "-m", "bot", "worker", "--workers", "1", "--queue", queue_url]
        procs = [subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE)]
        try:
            deadline = time.monotonic() + 60
            while not calls and time.monotonic() < deadline:
                time.sleep(0.05)
            assert calls, "the model was never called"
            procs[0].kill()
            procs[0].wait()
            procs.append(subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE))
            deadline = time.monotonic() + 60
            queue = JobQueue(queue_url)
            while queue.pending_count() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert queue.pending_count() == 0, "the job did not run again"
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.communicate(timeout=30)
        pr = github.pr(7, repo="acme/api")
        repo = github.repo("acme/api")
        assert len(pr.reviews) == 1, pr.reviews
        assert len(repo.issue_comments) == 1, repo.issue_comments
        assert len(repo.check_runs) == 1, repo.check_runs
        assert len(calls) == 2
