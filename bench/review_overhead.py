"""Measures `switchyard review` as a whole process against an instant fake model.

Two cases: a real small pull request (bench/fixtures/small_pr.diff, a change from this
project's own history) applied in a temporary repository, and a generated large change
(2,000 files, 50,000 changed lines). Prints wall time, peak memory, model calls, prompt
tokens and the share of changed lines covered (reviewed, or listed as not reviewed).

    .venv/bin/python bench/review_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402

GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
# Runs the command as a child and reports the child's peak resident memory (KiB on Linux).
MEASURE = (
    "import resource, subprocess, sys; "
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV}
    )


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "-c", "init.defaultBranch=main", "init", "-q")
    git(path, "config", "user.email", "bench@example.com")
    git(path, "config", "user.name", "bench")
    return path


def small_pr_repo(root: Path) -> Path:
    """The real change, applied onto the files it touches as they were before it."""
    repo = init_repo(root / "small")
    patch = ROOT / "bench" / "fixtures" / "small_pr.diff"
    base = ROOT / "bench" / "fixtures" / "small_pr_base"
    for src in base.rglob("*"):
        if src.is_file():
            dst = repo / src.relative_to(base)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "switch", "-q", "-c", "pr")
    git(repo, "apply", str(patch))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr")
    return repo


def large_repo(root: Path, files: int = 2000, changed_per_file: int = 25) -> Path:
    repo = init_repo(root / "large")
    for i in range(files):
        d = repo / f"pkg{i % 40}"
        d.mkdir(exist_ok=True)
        body = "".join(f"def f{n}(x):\n    return x * {n} + {i}\n" for n in range(20))
        (d / f"mod{i}.py").write_text(body)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "switch", "-q", "-c", "big")
    replaced = changed_per_file // 2  # each replaced line is one removal and one addition
    for i in range(files):
        path = repo / f"pkg{i % 40}" / f"mod{i}.py"
        lines = path.read_text().splitlines(keepends=True)
        for k in range(replaced):
            lines[k * 2 + 1] = f"    return x * {k} - {i}  # changed\n"
        if changed_per_file % 2:
            lines.append(f"# new line in {i}\n")
        path.write_text("".join(lines))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big change")
    return repo


def run_case(
    repo: Path, fake: FakeOpenAIServer, out: Path, cache: bool = False
) -> dict[str, float]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(out.parent),
        "CI": "true",
        **GIT_ENV,
        "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }
    cmd = [
        sys.executable,
        "-c",
        MEASURE,
        str(ROOT / ".venv" / "bin" / "switchyard"),
        "review",
        "--base",
        "main",
        "--quiet",
        "--output",
        str(out),
        *([] if cache else ["--no-cache"]),
    ]
    before = len(fake.chat_requests())
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    rc, peak_kib = (int(x) for x in done.stdout.split())
    report = json.loads(out.read_text())
    s = report["summary"]
    listed = sum(_lines(r["reason"]) for r in report["skipped"] if "not reviewed (" in r["reason"])
    return {
        "exit": rc,
        "wall_s": wall,
        "peak_mb": peak_kib / 1024,
        "model_calls": len(fake.chat_requests()) - before,
        "prompt_tokens": s["tokens_in"],
        "changed_lines": s["changed_lines"],
        "covered": (s["lines_covered"] + listed) / max(1, s["changed_lines"]),
        "reviewed": s["lines_covered"] / max(1, s["changed_lines"]),
        "files": s["files_changed"],
    }


def _lines(reason: str) -> int:
    return int(reason.split("(")[1].split()[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of the small case (median shown)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAIServer(models=["qwen"]) as fake:
        root = Path(tmp)
        small = small_pr_repo(root)
        runs = [run_case(small, fake, root / "small.json") for _ in range(args.runs)]
        med = statistics.median(r["wall_s"] for r in runs)
        r = runs[0]
        calls = sorted({x["model_calls"] for x in runs})
        print(f"  model calls per run: {calls}")
        print(f"small PR: {r['files']} files, {r['changed_lines']} changed lines")
        print(
            f"  wall {med:.2f} s median of {args.runs} (min {min(x['wall_s'] for x in runs):.2f}"
            f", max {max(x['wall_s'] for x in runs):.2f}), peak {r['peak_mb']:.0f} MB, "
            f"{r['model_calls']} model calls, {r['prompt_tokens']} prompt tokens, "
            f"covered {r['covered']:.0%} (reviewed {r['reviewed']:.0%}), exit {r['exit']}"
        )
        run_case(small, fake, root / "small.json", cache=True)  # fills the cache
        r = run_case(small, fake, root / "small.json", cache=True)
        print(
            f"  re-run on the unchanged PR, answered from the cache: wall {r['wall_s']:.2f} s, "
            f"{r['model_calls']} model calls"
        )
        t0 = time.perf_counter()
        large = large_repo(root)
        print(f"large change: generated in {time.perf_counter() - t0:.1f} s")
        r = run_case(large, fake, root / "large.json")
        print(f"large change: {r['files']} files, {r['changed_lines']} changed lines")
        print(
            f"  wall {r['wall_s']:.2f} s, peak {r['peak_mb']:.0f} MB, "
            f"{r['model_calls']} model calls, {r['prompt_tokens']} prompt tokens, "
            f"covered {r['covered']:.0%} (reviewed {r['reviewed']:.0%}), exit {r['exit']}"
        )


if __name__ == "__main__":
    main()
