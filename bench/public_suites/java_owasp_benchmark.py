"""OWASP Benchmark for Java v1.2: a sampled subset kept in tests/fixtures/public/.

Each case is one servlet, ``BenchmarkTestNNNNN.java``, labelled by the suite's own
``expectedresults-1.2.csv`` (category, real vulnerability, CWE). The stored subset and its
labels come from :func:`sample`; run this module with the path of a BenchmarkJava checkout
or bare mirror to rebuild it (ORIGIN.md records the commit and the seed).

    .venv/bin/python -m bench.public_suites.java_owasp_benchmark /path/to/BenchmarkJava
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
from collections import defaultdict
from pathlib import Path

from bench.public_suites import PUBLIC, Case

SUITE = "owasp-benchmark-java"
FOLDER = PUBLIC / SUITE
LABELS = FOLDER / "expectedresults.csv"
CODE = FOLDER / "testcode"
SOURCE_DIR = "src/main/java/org/owasp/benchmark/testcode"
# Up to this many vulnerable and this many safe cases per category: small categories
# (xpathi, ldapi) keep all they have, large ones (sqli, weakrand) do not drown the rest.
PER_LABEL = 32
SEED = 13

Row = tuple[str, str, bool, int]  # test name, category, vulnerable, CWE


def load() -> list[Case]:
    with LABELS.open(newline="") as fh:
        rows = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    return [
        Case(
            suite=SUITE,
            case_id=name,
            path=CODE / f"{name}.java",
            language="java",
            cwe=int(cwe),
            vulnerable=real == "true",
            category=category,
        )
        for name, category, real, cwe in rows
    ]


def _git(repo: Path, *args: str) -> str:
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True
    )
    return out.stdout


def sample(rows: list[Row], per_label: int = PER_LABEL, seed: int = SEED) -> list[Row]:
    """The same subset for the same rows: per (category, verdict) a seeded draw."""
    groups: dict[tuple[str, bool], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row[1], row[2])].append(row)
    rng = random.Random(seed)
    picked: list[Row] = []
    for key in sorted(groups):
        group = sorted(groups[key])
        picked.extend(rng.sample(group, min(per_label, len(group))))
    return sorted(picked)


def rebuild(repo: Path, commit: str = "HEAD") -> list[Row]:
    """Write the sampled cases and their labels from a BenchmarkJava repository."""
    text = _git(repo, "show", f"{commit}:expectedresults-1.2.csv")
    rows = [
        (r[0], r[1], r[2] == "true", int(r[3]))
        for r in csv.reader(text.splitlines())
        if r and not r[0].startswith("#")
    ]
    picked = sample(rows)
    CODE.mkdir(parents=True, exist_ok=True)
    for name, *_ in picked:
        source = _git(repo, "show", f"{commit}:{SOURCE_DIR}/{name}.java")
        (CODE / f"{name}.java").write_text(source, encoding="utf-8")
    with LABELS.open("w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["# test name", "category", "real vulnerability", "cwe"])
        for name, category, vulnerable, cwe in picked:
            out.writerow([name, category, "true" if vulnerable else "false", cwe])
    return picked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path, help="a BenchmarkJava checkout or bare mirror")
    ap.add_argument("--commit", default="HEAD")
    args = ap.parse_args()
    picked = rebuild(args.repo, args.commit)
    print(f"{len(picked)} cases written to {FOLDER}")


if __name__ == "__main__":
    main()
