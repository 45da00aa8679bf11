"""How fast bot/structure reads real code: every Python, JS/TS, Go and Java file at HEAD
of mirrored public repositories, through symbols_in, then imports_in and calls_in for every
symbol found (what the repository map asks of a whole tree), against tree-sitter's parse
alone. Prints files/s, MB/s and what was found; best of `--runs` passes.

    .venv/bin/python bench/structure_speed.py [--runs 3] [--mirror /work/.mirror] [REPO ...]

REPO is owner+name under the mirror folder (bare git repositories, read with git cat-file);
the default is PyCQA+bandit, juice-shop+juice-shop, OWASP-Benchmark+BenchmarkJava and
securego+gosec.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.structure import calls_in, imports_in, language_of, parser_for, symbols_in  # noqa: E402
from bot.structure.languages import parse  # noqa: E402

DEFAULT_REPOS = (
    "PyCQA+bandit",
    "juice-shop+juice-shop",
    "OWASP-Benchmark+BenchmarkJava",
    "securego+gosec",
)


def head_files(git_dir: Path) -> list[tuple[str, bytes]]:
    """(path, bytes) of every file at HEAD that bot/structure reads; blobs the mirror
    lacks (some keep large files out) are passed over."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "HEAD"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    wanted = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        _mode, kind, sha = meta.split()
        if kind == "blob" and language_of(path) is not None:
            wanted.append((path, sha))
    batch = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        input="".join(f"{sha}\n" for _, sha in wanted).encode(),
        capture_output=True,
        check=True,
    ).stdout
    files, offset = [], 0
    for path, _sha in wanted:
        header_end = batch.index(b"\n", offset)
        header = batch[offset:header_end].split()
        offset = header_end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        files.append((path, batch[offset : offset + size]))
        offset += size + 1
    return files


def timed_pass(files: list[tuple[str, bytes]]) -> tuple[float, float, float, Counter[str]]:
    """Seconds to parse every file, for symbols_in (parse included), and for imports_in and
    calls_in over each file right after its symbols_in (as a caller would: parsed once)."""
    counts: Counter[str] = Counter()
    parse.cache_clear()
    started = time.perf_counter()
    for path, source in files:
        parser_for(language_of(path) or "").parse(source)
    parse_s = time.perf_counter() - started
    parse.cache_clear()
    symbols_s = references_s = 0.0
    for path, source in files:
        started = time.perf_counter()
        symbols = symbols_in(path, source)
        middle = time.perf_counter()
        counts["imports"] += len(imports_in(path, source))
        for symbol in symbols:
            counts["calls"] += len(calls_in(symbol, source))
        symbols_s += middle - started
        references_s += time.perf_counter() - middle
        counts["symbols"] += len(symbols)
        counts["files without symbols"] += not symbols
        tree = parse(language_of(path) or "", source)  # cached by symbols_in
        counts["files with syntax errors"] += tree.root_node.has_error
        for symbol in symbols:
            counts[f"kind {symbol.kind}"] += 1
    return parse_s, symbols_s, references_s, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="*", default=list(DEFAULT_REPOS))
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for repo in args.repos:
        files = head_files(args.mirror / repo / "repo")
        if not files:
            print(f"{repo}: no files bot/structure reads")
            continue
        runs = [timed_pass(files) for _ in range(args.runs)]
        parse_s, symbols_s, references_s = (min(run[i] for run in runs) for i in range(3))
        counts = runs[0][3]
        megabytes = sum(len(source) for _, source in files) / 1e6
        languages = Counter(language_of(path) for path, _ in files)
        print(f"{repo}: {len(files)} files, {megabytes:.1f} MB ({dict(languages)})")
        print(f"  parse only: {parse_s:.2f} s, {len(files) / parse_s:,.0f} files/s")
        print(
            f"  symbols_in: {symbols_s:.2f} s, {len(files) / symbols_s:,.0f} files/s, "
            f"{megabytes / symbols_s:.1f} MB/s; {counts['symbols']:,} symbols"
        )
        print(
            f"  imports_in + calls_in for every symbol: {references_s:.2f} s; "
            f"{counts['imports']:,} imports, {counts['calls']:,} calls"
        )
        details = {name: count for name, count in sorted(counts.items()) if " " in name}
        print(f"  {details}")


if __name__ == "__main__":
    main()
