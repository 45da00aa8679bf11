"""Job queue scale-out and crash bench: real `switchyard worker` processes on one queue.

    .venv/bin/python bench/jobs_scale.py [--queue URL] [--jobs 60] [--scale 0.05]

A job is a pull request's review with a handler that sleeps as a model call does, 2–20 s
uniformly, times --scale (0.05: 0.1–1 s) so that a run takes a minute, not an hour; there
is no forge and no model (the queue is what is measured). Every job is for its own pull
request. Printed per configuration: jobs/minute, and the p50/p95/p99 latency from submit
to the end of the job, for 1, 2 and 4 worker processes of --threads threads each; then the
same jobs with 4 workers while one of them is SIGKILLed and restarted every --kill-every
seconds: jobs lost (submitted, never finished) and duplicated (finished twice) — both
must be 0. The lease is --lease seconds (30 in service; shorter here, as the sleeps are).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.jobs import Job  # noqa: E402
from bot.queue import JobQueue  # noqa: E402

RECORD_ENV = "SWITCHYARD_BENCH_RECORD"


def handle(job: Job) -> None:
    """The workers' handler: a model call's worth of sleep, its end recorded."""
    time.sleep(float(job.extra["sleep"]))
    line = {"id": job.delivery, "pid": os.getpid(), "t": time.time()}
    with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def _start(url: str, record: Path, state: Path, threads: int, lease: float) -> Any:
    """A worker process; its banner (and any error) goes to <state>/workers.log."""
    env = {
        **os.environ,
        "SWITCHYARD_STATE": str(state),
        RECORD_ENV: str(record),
        "SWITCHYARD_JOB_LEASE_S": str(lease),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "bot.cli.worker", "--queue", url]
    command += ["--handler", "bench.jobs_scale:handle", "--workers", str(threads)]
    command += ["--log-level", "error"]
    with open(state / "workers.log", "a", encoding="utf-8") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def _wait_ready(state: Path, count: int) -> None:
    """Until `count` workers have started (their imports take a second or two)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = state / "workers.log"
        if log.exists() and log.read_text().count("switchyard: worker with") >= count:
            return
        time.sleep(0.05)
    raise SystemExit(f"workers did not start: see {state / 'workers.log'}")


def _ends(record: Path) -> list[dict[str, Any]]:
    if not record.exists():
        return []
    return [json.loads(x) for x in record.read_text().splitlines() if x.strip()]


def run(
    args: argparse.Namespace, url: str, workers: int, kill_every: float | None, jobs: int
) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
    record = state / "ends.jsonl"
    queue = JobQueue(url)
    rng = random.Random(workers)
    procs = [_start(url, record, state, args.threads, args.lease) for _ in range(workers)]
    _wait_ready(state, workers)  # latency is the queue's, not the workers' start-up
    submitted: dict[str, float] = {}
    for n in range(jobs):
        job_id = f"j{n}"
        sleep = rng.uniform(2, 20) * args.scale
        submitted[job_id] = time.time()
        queue.submit(
            Job("github", "bench/repo", n + 1, f"{n:040x}", delivery=job_id, extra={"sleep": sleep})
        )
    started = time.monotonic()
    kills = 0
    next_kill = started + kill_every if kill_every else None
    deadline = started + args.timeout
    try:
        while time.monotonic() < deadline:
            if len({e["id"] for e in _ends(record)}) >= jobs and queue.pending_count() == 0:
                break
            if next_kill is not None and time.monotonic() >= next_kill:
                victim = rng.randrange(len(procs))
                procs[victim].send_signal(signal.SIGKILL)
                procs[victim].wait()
                procs[victim] = _start(url, record, state, args.threads, args.lease)
                kills += 1
                next_kill += kill_every or 0
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
            p.wait()
    ends = _ends(record)
    first_end: dict[str, float] = {}
    for e in ends:
        first_end.setdefault(e["id"], e["t"])
    latencies = sorted(first_end[j] - submitted[j] for j in first_end)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    queue.close()
    return {
        "workers": workers,
        "threads": args.threads,
        "jobs": jobs,
        "jobs_per_min": round(len(first_end) / elapsed * 60, 1),
        "p50_s": round(q[49], 2),
        "p95_s": round(q[94], 2),
        "p99_s": round(q[98], 2),
        "kills": kills,
        "lost": jobs - len(first_end),
        "duplicated": len(ends) - len(first_end),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queue", help="queue URL (default: a fresh SQLite file)")
    parser.add_argument("--jobs", type=int, default=120)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--scale", type=float, default=0.05, help="times 2–20 s per job")
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--kill-jobs", type=int, default=360, help="jobs in the kill run")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    rows = []
    for workers, kill in ((1, None), (2, None), (4, None), (4, args.kill_every)):
        url = args.queue or str(Path(tempfile.mkdtemp(prefix="switchyard-q-")) / "q.sqlite3")
        if args.queue and url.startswith("redis"):
            import redis

            redis.Redis.from_url(url).flushdb()
        row = run(args, url, workers, kill, args.kill_jobs if kill else args.jobs)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if any(r["lost"] or r["duplicated"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
