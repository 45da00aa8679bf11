"""How long the secret scan takes on a large change, and what it flags in ordinary code.

Builds a 2,000-file, 50,000-line change from real third-party source installed in the
virtual environment (25 added lines from each file), then times:
- classify_change (one find_secrets per file, over its hunk lines): target <= 2 s; and
  the same lines as context where they stand in their files, contents loadable, with the
  number of files read whole (a shown value only the file can judge);
- redact and find_secrets over the first 100 KB of the change rendered as one prompt
  (redact cuts it at each file's header and scans each part with its path): target
  <= 10 ms, median of --repeat runs, wall clock and CPU time of this process (on a shared
  2-core machine the CPU time is the figure that does not depend on the neighbours); and
  find_secrets over the same 100 KB as one text, as it is and with a line naming every
  token pattern's keywords in its middle (one big file of a prompt that wakes them all);
- redact, mask and find_secrets over the whole rendered change;
- with --long-lines, one 100 KB line of hex, base64, base64url and dotted words after each
  of several openings (`token: `, `password=`, `Cookie: `, ...): what a minified bundle, a
  firmware dump or a data URI in a pull request costs. Python's regex engine backtracks
  where gitleaks' RE2 does not, so these are the worst cases to watch; and one 1 MB base64
  line with Azure key signatures in it, against the same line without them; and
  node_modules' minified bundles (real long lines, dense with `a=b`) and its largest
  JavaScript file;
- with --file PATH (repeatable), each file as a pull request would add it: its size, the
  CPU time of find_secrets over it and what it reports (a vendored Yarn release,
  `.yarn/releases/yarn-*.cjs`, which Yarn 2+ asks repositories to commit, is 2.7 MB);
- with --mask-answer, masking a structured answer's strings with the values its prompt
  held (470 values, 1,410 strings quoting them): the known values prepared once per answer,
  as the dispatcher does, against once per string, as it did before (the ratio).
Hits in this corpus are almost all false positives or test keys shipped in packages, so
the list printed at the end is the review list for the false-positive rules.

    .venv/bin/python bench/secrets_scan.py [--files 2000] [--lines 25] [--show 40] [--repeat 21]
    .venv/bin/python bench/secrets_scan.py --long-lines
    .venv/bin/python bench/secrets_scan.py --mask-answer
    .venv/bin/python bench/secrets_scan.py --file .yarn/releases/yarn-4.7.0.cjs
"""

from __future__ import annotations

import argparse
import collections
import random
import site
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.change.model import Change, DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.classify.data_class import Classification, classify_change
from bot.config.classes import DataClass, DataClassConfig
from bot.secrets.detect import MEMO, find_secrets
from bot.secrets.gitleaks.ruleset import pinned
from bot.secrets.microsoft import MICROSOFT_PATTERNS
from bot.secrets.redact import KnownValues, Redacted, mask, redact
from bot.secrets.token_pass import ALL_TOKEN_PATTERNS
from bot.tasks.diff_render import file_header, render_hunk

_SUFFIXES = {".py", ".pyi", ".js", ".ts", ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini",
             ".md", ".rst", ".txt", ".c", ".h", ".go", ".rs", ".java", ".sh"}  # fmt: skip


def corpus(n_files: int, n_lines: int) -> list[tuple[str, list[str]]]:
    roots = [Path(p) for p in site.getsitepackages()]
    out: list[tuple[str, list[str]]] = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix not in _SUFFIXES or not path.is_file():
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            if len(lines) < n_lines:
                continue
            start = len(lines) // 3  # past license headers, into the code
            chunk = lines[start : start + n_lines]
            if len(chunk) == n_lines:
                out.append((str(path.relative_to(root)), chunk))
            if len(out) >= n_files:
                return out
    return out


def build_change(files: list[tuple[str, list[str]]]) -> Change:
    changed: list[FileChange] = []
    for path, lines in files:
        hunk = Hunk(old_start=0, old_len=0, new_start=1, new_len=len(lines), section="")
        hunk.lines = [DiffLine(LineKind.ADDED, None, i + 1, t) for i, t in enumerate(lines)]
        changed.append(FileChange(path=path, old_path=None, status=FileStatus.ADDED, hunks=[hunk]))
    return Change(files=changed, source="bench")


def loadable_change(files: list[tuple[str, list[str]]]) -> tuple[Change, list[int]]:
    """The same lines as context of a hunk where they stand in their installed file
    (a third of the way in), each file's contents loadable as from a repository; and a
    counter of the loads, as classification reads a file whole when a hunk shows a value
    only the file can judge (bot/secrets/unjudged.py)."""
    roots = [Path(p) for p in site.getsitepackages()]
    texts: dict[str, str] = {}
    changed: list[FileChange] = []
    for path, lines in files:
        source = next(r / path for r in roots if (r / path).is_file())
        texts[path] = source.read_text(encoding="utf-8")
        start = len(texts[path].splitlines()) // 3 + 1  # as corpus() cut them
        hunk = Hunk(start, len(lines), start, len(lines), section="")
        hunk.lines = [
            DiffLine(LineKind.CONTEXT, start + i, start + i, t) for i, t in enumerate(lines)
        ]
        changed.append(
            FileChange(path=path, old_path=path, status=FileStatus.MODIFIED, hunks=[hunk])
        )
    loads = [0]

    def load(path: str, _side: object) -> str | None:
        loads[0] += 1
        return texts.get(path)

    return Change(files=changed, source="bench", load_content=load), loads


PROMPT_BYTES = 100_000


def median_ms(fn: Callable[[], object], repeat: int, fresh: bool = True) -> tuple[float, float]:
    """(wall, CPU) milliseconds, the median of `repeat` runs each; `fresh`: each a first
    scan (detect.MEMO, which answers a text scanned before, emptied before it)."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(repeat):
        if fresh:
            MEMO.clear()
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


_ALPHABETS = {
    "hex": "0123456789abcdef",
    "base64": string.ascii_letters + string.digits + "+/",
    "base64url": string.ascii_letters + string.digits + "-_",
    "dotted words": string.ascii_lowercase + "._-",
}
_OPENINGS = ("", "token: ", "password=", 'const key = "', "Cookie: ", "Authorization: Bearer ")


def long_lines(size: int = 100_000) -> None:
    rng = random.Random(3)
    find_secrets("warm up = 'imports and regex caches'")
    worst = 0.0
    for name, alphabet in _ALPHABETS.items():
        blob = "".join(rng.choice(alphabet) for _ in range(size))
        times = []
        half = size // 2
        for opening in _OPENINGS:
            # at the line's start, and in its middle (a name's search back from a value in
            # a minified line once read all 50 KB before it from each position: 40 s)
            for line in (opening + blob, f"{blob[:half]};{opening}{blob[half:]}"):
                t = time.process_time()
                find_secrets(line + "\n", "notes.txt")
                times.append(time.process_time() - t)
        worst = max(worst, *times)
        print(
            f"{name:14s} one {size // 1000} KB line, {len(_OPENINGS)} openings at its start "
            f"and middle: median {statistics.median(times):6.2f} s, worst {max(times):6.2f} s CPU"
        )
    print(f"worst of all: {worst:.2f} s CPU")
    signatures_line(rng)
    minified_bundles()


def minified_bundles(least: int = 80_000) -> None:
    """The minified JavaScript bundles of node_modules over 80 KB: real long lines, dense
    with `a=b` (CPU, best of five each, summed)."""
    root = Path(__file__).resolve().parent.parent / "node_modules"
    paths = sorted(p for p in root.rglob("*.min.js") if p.stat().st_size > least)
    total = 0.0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        best = float("inf")
        for _ in range(5):
            MEMO.clear()
            t = time.process_time()
            find_secrets(text, str(path.relative_to(root)))
            best = min(best, time.process_time() - t)
        total += best
    print(f"{len(paths)} minified bundles of node_modules over {least // 1000} KB: {total:.3f} s")
    # The largest JavaScript file there (js-tiktoken's 5.6 MB bundle: its token tables as
    # base64 words on megabyte lines), once: a vendored `dist/` file in a pull request.
    largest = max(root.rglob("*.js"), key=lambda p: p.stat().st_size, default=None)
    if largest is not None:
        text = largest.read_text(encoding="utf-8", errors="replace")
        t = time.process_time()
        find_secrets(text, str(largest.relative_to(root)))
        took = time.process_time() - t
        print(f"the largest, {largest.relative_to(root)} ({len(text) / 1e6:.1f} MB): {took:.2f} s")


def whole_files(paths: list[str]) -> None:
    """Each file once, as a pull request adds it: size, CPU time, reports."""
    find_secrets("warm up = 'imports and regex caches'")
    for name in paths:
        path = Path(name)
        if not path.is_file():
            sys.exit(f"--file {name}: no such file")
        text = path.read_text(encoding="utf-8", errors="replace")
        MEMO.clear()
        t = time.process_time()
        hits = find_secrets(text, name)
        took = time.process_time() - t
        kinds = collections.Counter(h.kind for h in hits)
        size = f"{len(text) / 1e6:.1f} MB"
        print(f"{name} ({size}): {took:.2f} s CPU, {len(hits)} reports {dict(kinds)}")


def signatures_line(rng: random.Random, size: int = 1_000_000) -> None:
    """A 1 MB base64 line with the signatures of Microsoft's Azure key formats in it every
    20 KB (`JQQJ99`, `+ASt`, `APIM`, ...), against the same line without them: the ~50
    rules those wake run near each signature, not over the line."""
    b64 = string.ascii_letters + string.digits + "+/"
    plain = [rng.choice(b64) for _ in range(size)]
    # A random base64 megabyte holds a few signatures by chance (`oy2`, `apim` in any
    # case): the line "without" them has those broken.
    low = "".join(plain).lower()
    for word in {k for p in MICROSOFT_PATTERNS for k in p.keywords}:
        at = low.find(word)
        while at != -1:
            plain[at] = "0"
            at = low.find(word, at + 1)
    marked = list(plain)
    for at in range(1_000, size - 100, 20_000):
        for k, sig in enumerate(("JQQJ99", "+ASt", "APIM", "AzFu", "AIoT", "+ACR", "oy2")):
            marked[at + 40 * k : at + 40 * k + len(sig)] = sig
    times = {}
    for name, chars in (("without", plain), ("with", marked)):
        text = "blob = '" + "".join(chars) + "'\n"
        t = time.process_time()
        find_secrets(text, "notes.txt")
        times[name] = time.process_time() - t
    print(
        f"base64, one {size // 1_000_000} MB line, Azure key signatures every 20 KB: "
        f"{times['with']:.2f} s CPU, {times['without']:.2f} s without them "
        f"(ratio {times['with'] / times['without']:.2f})"
    )


def mask_answer(n_values: int = 470) -> None:
    rnd = random.Random(14)
    alphabet = string.ascii_letters + string.digits
    known = ["".join(rnd.choices(alphabet, k=rnd.randint(20, 80))) for _ in range(n_values)]
    strings = [f"Hard-coded value: {v}" for v in known] * 3
    cpu = time.process_time()
    each = [KnownValues(known).mask(x) for x in strings]
    per_string = time.process_time() - cpu
    cpu = time.process_time()
    masker = KnownValues(known)
    once = [masker.mask(x) for x in strings]
    per_answer = time.process_time() - cpu
    assert each == once and not any(v in "".join(once) for v in known)
    ratio = per_answer / per_string
    print(f"{len(strings)} strings, {n_values} known values: prepared per string "
          f"{per_string:.2f} s CPU, once {per_answer:.2f} s (ratio {ratio:.3f})")  # fmt: skip
    # The gate given those values with a 136 KB prompt that quotes 250 of them (a fixture
    # full of keys, its values found in the file: Classification.withheld).
    rows = [f"{i:7d} {i:5d}   | x = compute({i}) + other_value_{i}" for i in range(2500)]
    for i in range(0, len(rows), 10):
        rows[i] = f"{i:7d} {i:5d}   | {known[i // 10 % n_values]}"
    prompt = "### tests/fixtures/keys.py (modified)\n" + "\n".join(rows)
    slugs = dict.fromkeys(known, "private-key")
    plain, _ = median_ms(lambda: redact(prompt), 5)
    given, _ = median_ms(lambda: redact(prompt, known=slugs), 5)
    red = redact(prompt, known=slugs)
    assert red.count == 250 and not any(v in red.text for v in known)
    print(f"redact, {len(prompt) // 1000} KB prompt: {plain:.1f} ms; with the {n_values} "
          f"values known: {given:.1f} ms ({red.count} uses taken out)")  # fmt: skip


def every_keyword(text: str) -> str:
    """`text` with a line that names every token pattern's keywords in its middle, cut
    back to its length: one file of a prompt that wakes every pattern, the worst case of
    those that read the whole text (a keyword in a file wakes its patterns over all of it)."""
    words = sorted({k for p in ALL_TOKEN_PATTERNS for k in p.keywords})
    line = "\n# " + " ".join(words) + "\n"
    half = len(text) // 2
    return (text[:half] + line + text[half:])[: len(text)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--lines", type=int, default=25)
    ap.add_argument("--show", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--long-lines", action="store_true", help="time long single lines only")
    ap.add_argument("--mask-answer", action="store_true", help="time masking an answer only")
    ap.add_argument(
        "--file", action="append", default=[], metavar="PATH", help="time these files only"
    )
    args = ap.parse_args()
    if args.file:
        whole_files(args.file)
        return
    if args.long_lines:
        long_lines()
        return
    if args.mask_answer:
        mask_answer()
        return

    files = corpus(args.files, args.lines)
    change = build_change(files)
    total_lines = sum(len(lines) for _, lines in files)
    rendered = "\n\n".join(
        file_header(f) + "\n" + "\n".join(render_hunk(h) for h in f.hunks) for f in change.files
    )
    mb = len(rendered) / 1e6
    print(f"corpus: {len(files)} files, {total_lines:,} lines, {mb:.1f} MB rendered")

    t = time.perf_counter()
    find_secrets("warm up = 'imports and regex caches'")
    took = (time.perf_counter() - t) * 1000
    rules = len(pinned().rules)
    print(f"first call (imports, {rules} gitleaks rules, compiled when woken): {took:.0f} ms")
    prompt = rendered[:PROMPT_BYTES]
    redact(prompt)  # paths seen once, as a running server has seen them
    woken = every_keyword(prompt)
    for name, fn in (
        ("redact (100 KB prompt, per file)", lambda: redact(prompt)),
        ("find_secrets (100 KB, one text)", lambda: find_secrets(prompt)),
        ("find_secrets (the same, every keyword)", lambda: find_secrets(woken)),
    ):
        wall, cpu = median_ms(fn, args.repeat)
        print(f"{name:38s} {wall:8.1f} ms wall {cpu:8.1f} ms CPU (median of {args.repeat})")
    # A prompt scanned again in the same run (routing, each cloud target's count, the gate
    # that sends it): its parts are answered from the memo.
    wall, cpu = median_ms(lambda: redact(prompt), args.repeat, fresh=False)
    name = "redact again (the same prompt)"
    print(f"{name:38s} {wall:8.1f} ms wall {cpu:8.1f} ms CPU (median of {args.repeat})")
    dc = DataClassConfig()
    results: dict[str, object] = {}

    def timed(name: str, fn: Callable[[], object]) -> None:
        MEMO.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        results[name] = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{name:38s} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU")

    timed("classify_change (per-file scan)", lambda: classify_change(change, dc, None, "acme/app"))
    mid, loads = loadable_change(files)
    timed(
        "classify_change (mid-file, loadable)", lambda: classify_change(mid, dc, None, "acme/app")
    )
    print(f"  files read whole to judge a shown value: {loads[0]} of {len(files)}")
    timed("redact (rendered prompt)", lambda: redact(rendered))
    timed("mask (rendered prompt)", lambda: mask(rendered))
    timed("find_secrets (one text, no paths)", lambda: find_secrets(rendered))
    cls = results["classify_change (per-file scan)"]
    red = results["redact (rendered prompt)"]
    hits = results["find_secrets (one text, no paths)"]
    assert isinstance(cls, Classification) and isinstance(red, Redacted)
    assert isinstance(hits, list)

    restricted = [p for p, (c, _) in cls.items() if c is DataClass.RESTRICTED]
    print(f"files restricted by a detected secret: {len(restricted)} of {len(cls)}")
    print(f"redacted values in the prompt: {red.count}; hits without paths: {len(hits)}")
    kinds = collections.Counter(s.kind for found in cls.secrets.values() for s in found)
    print("by kind:", dict(kinds.most_common()))
    shown = 0
    for path, found in cls.secrets.items():
        lines = dict(files)[path]
        for s in found:
            if shown >= args.show:
                return
            print(f"  {path}:{s.line} {s.kind}: {lines[s.line - 1].strip()[:110]}")
            shown += 1


if __name__ == "__main__":
    main()
