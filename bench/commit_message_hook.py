"""Measures the prepare-commit-msg hook as a committer feels it: the wall time of a plain
`git commit` in a temporary repository with `switchyard hooks install`'s hook, against the
same commit without it.

Model targets: an instant fake OpenAI-compatible server (the hook's own overhead: Python,
settings, the ledger, one call), and, with `--real`, the embedded runner with the bundled
Gemma 3 270M (the `local` extra; CPU). Each commit stages a different one-function change
(~10 lines), so no answer comes from the cache.

    .venv/bin/python bench/commit_message_hook.py [--runs 5] [--real]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer, Reply  # noqa: E402

GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_EDITOR": "true"}
ANSWER = {"type": "feat", "scope": "calc", "subject": "add a helper", "body": None}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def make_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    git(repo, "config", "user.email", "bench@example.com")
    git(repo, "config", "user.name", "bench")
    (repo / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def stage(repo: Path, n: int) -> None:
    with (repo / "calc.py").open("a") as f:
        f.write(
            f"\n\ndef scale_{n}(values, factor={n}):\n"
            f'    """Each value times {n}, rounded to two places."""\n'
            "    out = []\n    for v in values:\n        out.append(round(v * factor, 2))\n"
            "    return out\n"
        )
    git(repo, "add", "-A")


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def timed_commits(
    repo: Path, env: dict[str, str], runs: int, *args: str
) -> tuple[list[float], list[float]]:
    """Wall seconds of each `git commit`, and the CPU seconds it and its hook used."""
    times, cpu = [], []
    for _ in range(runs):
        stage(repo, len(git(repo, "log", "--oneline").splitlines()))
        started, cpu_before = time.perf_counter(), _cpu()
        out = git(repo, "commit", "-q", *args, env=env)
        times.append(time.perf_counter() - started)
        cpu.append(_cpu() - cpu_before)
        if "switchyard:" in out:
            print("   ", out.strip().splitlines()[-1])
    return times, cpu


def subjects(repo: Path, runs: int) -> list[str]:
    return git(repo, "log", f"-{runs}", "--format=%s").splitlines()


@contextmanager
def real_runner() -> Iterator[tuple[str, str]]:
    from bot.runner import EmbeddedRunner, resolve_model
    from tests.real_runner import CONTEXT_TOKENS, MODEL, cache_dir

    runner = EmbeddedRunner(resolve_model(None, cache_dir(), environ={}), context=CONTEXT_TOKENS)
    runner.start(timeout_s=180)
    try:
        yield runner.base_url, MODEL
    finally:
        runner.stop()


def row(name: str, measured: tuple[list[float], list[float]]) -> None:
    times, cpu = measured
    q = sorted(times)
    print(
        f"| {name} | {len(q)} | {statistics.median(q):.2f} s | {q[-1]:.2f} s | "
        f"{statistics.median(cpu):.2f} s |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real", action="store_true", help="also the bundled Gemma 3 270M")
    parser.add_argument("--timeout", default="60", help="SWITCHYARD_HOOK_TIMEOUT_S for --real")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sy-hook-bench-") as tmp:
        root = Path(tmp)
        repo = make_repo(root)
        base = {"HOME": str(root), "SWITCHYARD_STATE": str(root / "state"), "CI": "true"}
        print("| case | commits | median | slowest | CPU (median) |\n|---|---|---|---|---|")
        row("git commit -m, no hook", timed_commits(repo, base, args.runs, "-m", "x"))
        subprocess.run(
            [sys.executable, "-m", "bot", "hooks", "install", "--repo", str(repo)],
            check=True,
            capture_output=True,
        )
        row("hook installed, `-m` given (skipped)", timed_commits(repo, base, args.runs, "-m", "x"))
        with FakeOpenAIServer(models=["qwen"]) as fake:
            fake.responder = lambda req: Reply(ANSWER)
            env = {**base, "SWITCHYARD_LOCAL_BASE_URL": fake.base_url}
            env["SWITCHYARD_LOCAL_MODEL"] = "qwen"
            row("hook, instant fake model", timed_commits(repo, env, args.runs))
        # The committer types their own message (the editor writes it): the hook gave up.
        typed = {**base, "GIT_EDITOR": "sh -c 'echo typed > \"$1\"' -"}
        row("hook, no model configured", timed_commits(repo, typed, args.runs))
        if args.real:
            with real_runner() as (url, model):
                env = {**base, "SWITCHYARD_LOCAL_BASE_URL": url, "SWITCHYARD_LOCAL_MODEL": model}
                env["SWITCHYARD_HOOK_TIMEOUT_S"] = args.timeout
                row("hook, Gemma 3 270M (CPU)", timed_commits(repo, env, args.runs))
                for s in subjects(repo, args.runs):
                    print("    subject:", s)


if __name__ == "__main__":
    main()
