"""What the docs task finds, and how long deciding it takes, replayed on real history: for
each of the last N commits of public repositories that touch source code, the docs task's
plan (no model): changed public definitions checked, docs missing or stale, README/docs
lines naming a renamed or removed flag, variable, route or setting, and the milliseconds
the plan took (parse, check, style detection, doc search).

    .venv/bin/python bench/docs_check.py [--mirror /work/.mirror] [--commits 40] [REPO ...]

REPO is owner+name under the mirror folder (bare git repositories). Each is cloned with
`git clone --shared` into a temporary folder and every commit checked out in turn, as a CI
job sees it. `--show N` prints N stale findings with their reasons, for reading by eye.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.change.git_source import change_from_git  # noqa: E402
from bot.config.model import Settings  # noqa: E402
from bot.docs_task.run import plan_docs  # noqa: E402
from bot.errors import InputError  # noqa: E402
from bot.execution import Services  # noqa: E402
from bot.structure import language_of  # noqa: E402

DEFAULT_REPOS = (
    "PyCQA+bandit",
    "more-itertools+more-itertools",
    "python-humanize+humanize",
    "gitleaks+gitleaks",
    "fastify+fastify-plugin",
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout


def source_commits(repo: Path, n: int) -> list[str]:
    """The last `n` non-merge commits with a parent that change a source file."""
    out: list[str] = []
    log = git(repo, "log", "--no-merges", "--format=%H", "--name-only", "-n", str(n * 6))
    sha = ""
    for line in log.splitlines():
        if len(line) == 40 and all(c in "0123456789abcdef" for c in line):
            sha = line
        elif line and sha and language_of(line) and sha not in out:
            out.append(sha)
        if len(out) >= n:
            break
    return out


def measure(mirror: Path, name: str, commits: int, show: int) -> dict[str, Any]:
    settings = Settings()
    rows: list[dict[str, Any]] = []
    shown: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        subprocess.run(
            ["git", "clone", "-q", "--shared", str(mirror / name / "repo"), str(root)], check=True
        )
        for sha in source_commits(root, commits):
            git(root, "checkout", "-q", "--detach", sha)
            try:
                change = change_from_git(root, f"{sha}^", sha)
            except InputError:
                continue
            started = time.perf_counter()
            plan = plan_docs(
                change, settings, Services(providers={}), checkout=root, discover=False
            )
            ms = (time.perf_counter() - started) * 1000
            rows.append(
                {
                    "checked": plan.checked,
                    "missing": sum(g.problem == "missing" for g in plan.gaps),
                    "stale": sum(g.problem == "stale" for g in plan.gaps),
                    "renamed_in_docs": len(plan.edits.edits),
                    "removed_in_docs": len(plan.edits.windows),
                    "items": len(plan.items),
                    "ms": ms,
                }
            )
            for g in plan.gaps:
                if g.problem == "stale" and len(shown) < show:
                    shown.append(f"{name}@{sha[:10]} {g.path}:{g.qualname}: {g.reasons}")
    ms = sorted(r["ms"] for r in rows)
    total = {k: sum(r[k] for r in rows) for k in ("checked", "missing", "stale", "items")}
    return {
        "repo": name,
        "commits": len(rows),
        **total,
        "commits_with_a_doc_edit": sum(
            1 for r in rows if r["renamed_in_docs"] or r["removed_in_docs"]
        ),
        "commits_needing_no_call": sum(1 for r in rows if not r["items"]),
        "plan_ms_median": round(statistics.median(ms), 1) if ms else None,
        "plan_ms_max": round(ms[-1], 1) if ms else None,
        "stale_examples": shown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="*", default=list(DEFAULT_REPOS))
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    for name in args.repos:
        print(json.dumps(measure(args.mirror, name, args.commits, args.show), indent=1))


if __name__ == "__main__":
    main()
