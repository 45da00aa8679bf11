"""OWASP BenchmarkPython: a sampled subset in tests/fixtures/public/owasp-benchmark-python/.

``load()`` reads the stored subset: ``expectedresults-0.1.csv`` (the suite's own labels,
only the sampled rows) and ``testcode/BenchmarkTestNNNNN.py``. ``python -m
bench.public_suites.python_owasp --from-mirror`` rebuilds the subset from the bare mirror
of the upstream repository, the same way every time (ORIGIN.md says how).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

from bench.public_suites import PUBLIC, Case, mirror_file

SUITE = "owasp-benchmark-python"
FOLDER = PUBLIC / SUITE
LABELS = "expectedresults-0.1.csv"
MIRROR = Path("/work/.mirror/OWASP-Benchmark+BenchmarkPython/repo")

# Cases kept per category, half vulnerable and half safe where the suite has enough of
# each: categories weigh equally in the score, so a large one need not be stored whole.
PER_CATEGORY = 50
SEED = 13


def load(folder: Path = FOLDER) -> list[Case]:
    cases = []
    with (folder / LABELS).open(encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if not line.startswith("#")):
            name, category, real, cwe = (x.strip() for x in row[:4])
            cases.append(
                Case(
                    suite=SUITE,
                    case_id=name,
                    path=folder / "testcode" / f"{name}.py",
                    language="python",
                    cwe=int(cwe),
                    vulnerable=real == "true",
                    category=category,
                )
            )
    return cases


def sample(rows: list[list[str]], per_category: int = PER_CATEGORY) -> list[list[str]]:
    """Up to ``per_category`` rows of each category, half of each verdict where possible
    (the other verdict fills what one lacks), drawn with a fixed seed; sorted by name."""
    rng = random.Random(SEED)
    groups: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for row in sorted(rows):
        groups[(row[1], row[2])].append(row)
    chosen: list[list[str]] = []
    for category in sorted({c for c, _ in groups}):
        true, false = groups[(category, "true")], groups[(category, "false")]
        half = per_category // 2
        n_true = min(len(true), max(half, per_category - len(false)))
        n_false = min(len(false), per_category - n_true)
        chosen += rng.sample(true, n_true) + rng.sample(false, n_false)
    return sorted(chosen)


def rebuild(mirror: Path = MIRROR, folder: Path = FOLDER) -> int:
    """Write the sampled subset from the mirror's HEAD into ``folder``; returns its size."""
    text = mirror_file(mirror, LABELS)
    header = [line for line in text.splitlines() if line.startswith("#")]
    rows = [r for r in csv.reader(ln for ln in text.splitlines() if not ln.startswith("#"))]
    chosen = sample([r for r in rows if r])
    (folder / "testcode").mkdir(parents=True, exist_ok=True)
    lines = [*header, *(",".join(r) for r in chosen)]
    (folder / LABELS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for row in chosen:
        source = mirror_file(mirror, f"testcode/{row[0]}.py")
        (folder / "testcode" / f"{row[0]}.py").write_text(source, encoding="utf-8")
    (folder / "LICENSE").write_text(mirror_file(mirror, "LICENSE"), encoding="utf-8")
    return len(chosen)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="Rebuild the stored BenchmarkPython subset")
    ap.add_argument("--from-mirror", type=Path, default=MIRROR)
    args = ap.parse_args()
    print(f"{rebuild(args.from_mirror)} cases written to {FOLDER}")
