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

With --forge the workers run the real handler (bot.forges.jobs:handle) against the fake
GitHub (tests/fakes, one repository and pull request per job) and a fake model that takes
the scaled 2–20 s to answer; "duplicated" then also counts pull requests given more than
one review, summary or check run, and "lost" those given none.
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
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
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


def handle_forge(job: Job) -> None:
    """The real handler (fake GitHub, fake model), its end recorded."""
    from bot.forges.jobs import handle as real

    real(job)
    line = {"id": job.delivery, "pid": os.getpid(), "t": time.time()}
    with open(os.environ[RECORD_ENV], "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


@contextmanager
def fake_forge(jobs: int, scale: float, seed: int) -> Iterator[dict[str, Any]]:
    """A fake GitHub with `jobs` repositories bench/r<n>, each with pull request 1, and a
    fake model answering in 2–20 s × scale. Yields the workers' environment and fakes."""
    from tests.fakes.github_server import FakeGitHub
    from tests.fakes.openai_server import FakeOpenAIServer, Reply
    from tests.github_samples import APP_ANSWER, APP_DIFF, BASE, HEAD

    rng = random.Random(seed)
    token = "ghs_bench_token_for_the_fake"
    with FakeGitHub() as github, FakeOpenAIServer(models=["qwen"]) as model:
        github.add_token(token, "switchyard-bot", type="Bot")
        for n in range(jobs):
            repo = f"bench/r{n}"
            github.add_repo(repo)
            github.set_permission(repo, "switchyard-bot", "write")
            github.add_pr(repo, 1, base_sha=BASE, head_sha=HEAD, diff=APP_DIFF)
        model.responder = lambda _req: Reply(APP_ANSWER, delay_s=rng.uniform(2, 20) * scale)
        yield {
            "github": github,
            "head": HEAD,
            "env": {
                "GITHUB_TOKEN": token,
                "GITHUB_API_URL": github.base_url,
                "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
                "SWITCHYARD_LOCAL_MODEL": "qwen",
                "SWITCHYARD_RUNNER": "off",
            },
        }


def _effects(github: Any, jobs: int) -> tuple[int, int]:
    """(pull requests with no review, pull requests with more than one review, summary
    or check run) on the fake GitHub."""
    missing = doubled = 0
    for n in range(jobs):
        repo = github.repo(f"bench/r{n}")
        counts = (len(github.pr(1, repo=f"bench/r{n}").reviews), len(repo.issue_comments))
        counts += (len(repo.check_runs),)
        missing += counts[0] == 0
        doubled += any(c > 1 for c in counts)
    return missing, doubled


def _start(
    url: str,
    record: Path,
    state: Path,
    threads: int,
    lease: float,
    extra_env: dict[str, str] | None = None,
) -> Any:
    """A worker process; its banner (and any error) goes to <state>/workers.log."""
    env = {
        **os.environ,
        "SWITCHYARD_STATE": str(state),
        RECORD_ENV: str(record),
        "SWITCHYARD_JOB_LEASE_S": str(lease),
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    handler = "bench.jobs_scale:handle_forge" if extra_env else "bench.jobs_scale:handle"
    command = [sys.executable, "-m", "bot.cli.worker", "--queue", url]
    command += ["--handler", handler, "--workers", str(threads)]
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
    forge = fake_forge(jobs, args.scale, workers) if args.forge else nullcontext(None)
    with forge as fakes:
        return _run(args, url, workers, kill_every, jobs, fakes)


def _run(
    args: argparse.Namespace,
    url: str,
    workers: int,
    kill_every: float | None,
    jobs: int,
    fakes: dict[str, Any] | None,
) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="switchyard-bench-"))
    record = state / "ends.jsonl"
    queue = JobQueue(url)
    rng = random.Random(workers)
    extra_env = fakes["env"] if fakes else None

    def start() -> Any:
        return _start(url, record, state, args.threads, args.lease, extra_env)

    procs = [start() for _ in range(workers)]
    _wait_ready(state, workers)  # latency is the queue's, not the workers' start-up
    submitted: dict[str, float] = {}
    for n in range(jobs):
        job_id = f"j{n}"
        sleep = rng.uniform(2, 20) * args.scale
        submitted[job_id] = time.time()
        if fakes:
            base_url = fakes["github"].base_url
            job = Job("github", f"bench/r{n}", 1, fakes["head"], delivery=job_id, api_url=base_url)
        else:
            job = Job("github", "bench/repo", n + 1, f"{n:040x}", delivery=job_id)
        queue.submit(replace(job, extra={"sleep": sleep}))
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
                procs[victim] = start()
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
    missing, doubled = _effects(fakes["github"], jobs) if fakes else (0, 0)
    return {
        "workers": workers,
        "threads": args.threads,
        "jobs": jobs,
        "jobs_per_min": round(len(first_end) / elapsed * 60, 1),
        "p50_s": round(q[49], 2),
        "p95_s": round(q[94], 2),
        "p99_s": round(q[98], 2),
        "kills": kills,
        "lost": max(jobs - len(first_end), missing),
        "duplicated": len(ends) - len(first_end) + doubled,
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
    parser.add_argument("--forge", action="store_true", help="the real handler, fake GitHub")
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
