"""Secrets reported in real code that ships without any: whole files of the installed
Python packages, node_modules and Debian's documentation on this machine.

Published packages are scanned by their registries and maintainers before release, so
almost every hit here is a false alarm (a test vector, a documented example, a template)
and the rate per thousand files is the figure to watch; the listing says which. Files fall
into `tune` and `holdout` by a hash of their path (bench.public_suites.split_of): list only
the tune half while changing rules (`--show`), and print the holdout's rate beside it.

    .venv/bin/python bench/secrets_real_code.py [--show 40] [--max-files 20000]
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_suites import split_of  # noqa: E402
from bot.secrets import find_secrets  # noqa: E402

ROOTS = (
    ROOT / ".venv" / "lib",
    ROOT / "node_modules",
    Path("/usr/share/doc"),
    Path("/usr/lib/python3"),
)
SUFFIXES = {".py", ".js", ".ts", ".md", ".rst", ".txt", ".sh", ".xml", ".yml", ".yaml", ".php",
            ".java", ".go", ".rb", ".cs", ".conf", ".cfg", ".ini", ".json", ".toml"}  # fmt: skip
MAX_BYTES = 400_000


def files(max_files: int) -> list[Path]:
    out: list[Path] = []
    for root in ROOTS:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and path.stat().st_size <= MAX_BYTES:
                out.append(path)
                if len(out) >= max_files:
                    return out
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=0, help="list this many tune-half hits")
    ap.add_argument("--max-files", type=int, default=20_000)
    args = ap.parse_args()
    scanned = collections.Counter[str]()
    flagged = collections.Counter[str]()
    kinds: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    shown: list[str] = []
    started = time.perf_counter()
    for path in files(args.max_files):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        split = split_of("real-code", str(path))
        scanned[split] += 1
        hits = find_secrets(text, str(path))
        if hits:
            flagged[split] += 1
        for hit in hits:
            kinds[split][hit.kind] += 1
            if split == "tune" and len(shown) < args.show:
                ls = text.rfind("\n", 0, hit.start) + 1
                le = text.find("\n", hit.end)
                line = text[ls : le if le != -1 else len(text)].strip()
                shown.append(f"  {hit.kind}: {path}:{hit.line}: {line[:140]!r}")
    print_rates(time.perf_counter() - started, scanned, flagged, kinds, "a hit")
    print("\n".join(shown))


def print_rates(
    took: float,
    scanned: collections.Counter[str],
    flagged: collections.Counter[str],
    kinds: dict[str, collections.Counter[str]],
    what: str,
) -> None:
    """Each split's files with `what` in them, per thousand, and the kinds reported most."""
    print(f"{sum(scanned.values())} files in {took:.1f} s")
    for split in ("tune", "holdout"):
        n, f = scanned[split], flagged[split]
        print(
            f"  {split:8s} files with {what}: {f} of {n} ({1000 * f / max(n, 1):.1f} per 1,000);"
            f" reports: {sum(kinds[split].values())}  {dict(kinds[split].most_common(8))}"
        )


if __name__ == "__main__":
    main()
