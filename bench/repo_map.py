"""How fast the repository map (bot/repomap) is built and how big it renders, on real
repositories from public history: cold (empty cache), warm (nothing changed), after a
commit that changes one file, peak memory, and the rendered map's tokens at a few budgets.

    .venv/bin/python bench/repo_map.py [--mirror /work/.mirror] [--budgets 1000,4000,16000]
        [REPO ...]

REPO is owner+name under the mirror folder (bare git repositories); the default is
PyCQA+bandit, OWASP-Benchmark+BenchmarkJava and ansible+ansible. Each repository is
measured in a fresh process (so its peak RSS is its own and cold includes loading the
grammars and the secret rules) against a bare `git clone --shared` of the mirror in a
temporary folder, where the one-file change is committed with git plumbing: the map reads
each commit as a CI job would (`from_checkout(root, ref)`), the cache a new SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.repomap import FactsCache, RepoMap, build_map, from_checkout  # noqa: E402
from bot.structure import language_of  # noqa: E402

DEFAULT_REPOS = ("PyCQA+bandit", "OWASP-Benchmark+BenchmarkJava", "ansible+ansible")


def git(
    repo: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    return done.stdout.decode().strip()


def commit_one_change(repo: Path) -> tuple[str, str]:
    """A commit on top of HEAD in which one mapped file gains a function; (commit, path)."""
    listing = git(repo, "ls-tree", "-r", "HEAD").splitlines()
    entries = [line.split("\t", 1) for line in listing]
    path = next(
        p for meta, p in entries if language_of(p) is not None and meta.split()[0] == "100644"
    )
    old = subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True
    ).stdout
    line = (
        "\ndef bench_added_function(x):\n    return x\n"
        if path.endswith(".py")
        else "\n// bench edit\n"
    )
    blob = git(repo, "hash-object", "-w", "--stdin", stdin=old + line.encode())
    index = {"GIT_INDEX_FILE": str(repo / "bench-index")}
    git(repo, "read-tree", "HEAD", env=index)
    git(repo, "update-index", "--cacheinfo", f"100644,{blob},{path}", env=index)
    tree = git(repo, "write-tree", env=index)
    who = {
        f"GIT_{role}_{field}": value
        for role in ("AUTHOR", "COMMITTER")
        for field, value in (("NAME", "bench"), ("EMAIL", "bench@example.invalid"))
    }
    return git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "bench: one file", env=who), path


def measure(git_dir: Path, budgets: list[int]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="repomap-bench-") as tmp:
        clone = Path(tmp) / "repo.git"
        subprocess.run(
            ["git", "clone", "-q", "--bare", "--shared", str(git_dir), str(clone)], check=True
        )
        head = git(clone, "rev-parse", "HEAD")
        changed, changed_path = commit_one_change(clone)
        cache_file = Path(tmp) / "state" / "repomap.sqlite3"

        cpu: dict[str, float] = {}

        def timed(ref: str, phase: str) -> tuple[float, RepoMap]:
            cache = FactsCache(cache_file)  # a new connection: as the next run would open it
            started, cpu_started = time.perf_counter(), _cpu()
            built = build_map(from_checkout(clone, ref), cache=cache)
            seconds = time.perf_counter() - started
            cpu[phase] = round(_cpu() - cpu_started, 2)
            cache.close()
            return seconds, built

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cold_s, cold = timed(head, "cold")
        rss_cold = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stats, left_out, top = cold.stats, cold.left_out, list(cold.files)[:5]
        del cold  # each build stands alone, as in a job: the peak is one map's
        warm_s, warm = timed(head, "warm")
        warm_parsed = warm.stats.parsed
        del warm
        one_s, one = timed(changed, "one")
        renders = {}
        for budget in budgets:
            started = time.perf_counter()
            shown = one.render(budget)
            renders[budget] = {
                "tokens": shown.tokens, "files": shown.files_shown,
                "definitions": shown.definitions_shown, "docs": shown.docs_shown,
                "seconds": round(time.perf_counter() - started, 3),
            }  # fmt: skip
        focus_s = time.perf_counter()
        focused = one.focused([changed_path])
        focus_s = time.perf_counter() - focus_s
        return {
            "repository": git_dir.parent.name if git_dir.name == "repo" else git_dir.name,
            "commit": head,
            "listed": stats.listed,
            "mapped": stats.mapped,
            "no_grammar": stats.no_grammar,
            "left_out": left_out,
            "cold_s": round(cold_s, 2),
            "cpu_s": cpu,
            "cold_parsed": stats.parsed,
            "warm_s": round(warm_s, 2),
            "warm_parsed": warm_parsed,
            "one_change_s": round(one_s, 2),
            "one_change_parsed": one.stats.parsed,
            "focus_rerank_s": round(focus_s, 2),
            "cold_peak_rss_mb": round(rss_cold / 1024),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_before_mb": round(rss_before / 1024),
            "cache_mb": round(cache_file.stat().st_size / 2**20, 1),
            "renders": renders,
            "top_files": top,
            "focused_top": list(focused.files)[:3],
        }


def _cpu() -> float:
    # Wall time on a shared machine counts other people's work; CPU time does not.
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="*", default=list(DEFAULT_REPOS))
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--budgets", default="1000,4000,16000")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    if args.one:
        git_dir = args.mirror / args.repos[0]
        git_dir = git_dir / "repo" if (git_dir / "repo").is_dir() else git_dir
        print(json.dumps(measure(git_dir, budgets)))
        return
    for repo in args.repos:
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--mirror", str(args.mirror),
             "--budgets", args.budgets, repo],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        report(json.loads(out))


def report(r: dict[str, Any]) -> None:
    print(f"{r['repository']} @ {r['commit'][:12]}: {r['listed']} files listed, "
          f"{r['mapped']} mapped, {r['no_grammar']} without a grammar")  # fmt: skip
    if r["left_out"]:
        reasons = "; ".join(f"{n} {reason}" for reason, n in r["left_out"].items())
        print(f"  left out: {reasons}")
    print(f"  cold {r['cold_s']} s ({r['cold_parsed']} parsed), warm {r['warm_s']} s "
          f"({r['warm_parsed']} parsed), one file changed {r['one_change_s']} s "
          f"({r['one_change_parsed']} parsed), "
          f"re-rank around it {r['focus_rerank_s']} s")  # fmt: skip
    cpu = r["cpu_s"]
    print(f"  CPU time (this process and its git children): cold {cpu['cold']} s, "
          f"warm {cpu['warm']} s, one file changed {cpu['one']} s")  # fmt: skip
    print(f"  peak RSS {r['cold_peak_rss_mb']} MB after the cold build, {r['peak_rss_mb']} MB "
          f"at the end ({r['rss_before_mb']} MB before the first build), "
          f"cache {r['cache_mb']} MB")  # fmt: skip
    for budget, shown in r["renders"].items():
        print(f"  budget {int(budget):>6}: {shown['tokens']:>6} tokens, {shown['files']} files, "
              f"{shown['definitions']} definitions, {shown['docs']} doc lines, "
              f"rendered in {shown['seconds']} s")  # fmt: skip
    print(f"  top files: {', '.join(r['top_files'])}")
    print(f"  around the changed file: {', '.join(r['focused_top'])}")


if __name__ == "__main__":
    main()
