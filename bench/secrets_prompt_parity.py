"""What the file scan finds, the prompt must hide: secrets found in a file, looked for in
the forms that file leaves in.

A file is scanned whole under its path (classification, the security scan); what goes to a
model is that file inside a prompt: under a `### path (added)` header, its lines prefixed
with a rendered diff's columns (`    12 + | `) or a unified diff's `+` (a description's
prompt), or shown as unchanged context. The
egress gate redacts the prompt (bot.secrets.redact, paths read from the headers). A
value that the file scan reports and the redacted prompt still holds is a leak, whatever a
suite labels: a finder that anchors on the line's start, or reads a neighbour line, works
on one form and not on the other.

Texts: every file and one-line case of the public suites (bench/secrets_eval.py) and,
where the mirrors are here, every file CredData labels (bench/secrets_creddata.py); data
this project did not write. Values are listed (--show) only from the tune split (by the
suite's case id, or CredData's repository); the holdout's are counted.

    .venv/bin/python bench/secrets_prompt_parity.py [--no-creddata] [--show 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.public_suites import Split, split_of
from bench.secrets_eval import SUITES, load
from bot.change.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.describe.task import render_file
from bot.secrets import find_secrets
from bot.secrets.redact import redact
from bot.tasks.diff_render import file_header, render_hunk


def _file(path: str, lines: list[str], kind: LineKind) -> tuple[FileChange, Hunk]:
    n = len(lines)
    added = kind is LineKind.ADDED
    hunk = Hunk(
        old_start=0 if added else 1, old_len=0 if added else n, new_start=1, new_len=n, section=""
    )
    hunk.lines = [
        DiffLine(kind, None if added else i + 1, i + 1, text) for i, text in enumerate(lines)
    ]
    status = FileStatus.ADDED if added else FileStatus.MODIFIED
    return FileChange(path=path, old_path=None, status=status, hunks=[hunk]), hunk


def rendered(path: str, lines: list[str]) -> str:
    """As a review prompt shows an added file: numbered columns, `+`, `|`."""
    f, hunk = _file(path, lines, LineKind.ADDED)
    return file_header(f) + "\n" + render_hunk(hunk)


def context(path: str, lines: list[str]) -> str:
    """As a prompt shows unchanged lines around a change: both numbers, no marker."""
    f, hunk = _file(path, lines, LineKind.CONTEXT)
    return file_header(f) + "\n" + render_hunk(hunk)


def unified(path: str, lines: list[str]) -> str:
    """As a description's prompt shows an added file: a unified diff (bot/describe)."""
    f, _ = _file(path, lines, LineKind.ADDED)
    return render_file(f)


FORMS: dict[str, Callable[[str, list[str]], str]] = {
    "rendered": rendered,
    "context": context,
    "unified": unified,
}


def suite_texts() -> Iterator[tuple[str, Split, str, str]]:
    """(source, split, path, text): each suite file once, and each one-line case."""
    seen: set[tuple[str, str]] = set()
    for suite in SUITES:
        for case in load(suite):
            path = case.path or f"{suite}/{case.case_id}.txt"
            text = case.file_text if case.file_text is not None else case.text
            if (path, text) in seen:
                continue
            seen.add((path, text))
            yield suite, case.split, path, text


def creddata_texts() -> Iterator[tuple[str, Split, str, str]]:
    from bench.creddata_source import CREDDATA_MIRROR, MIRRORS, Source
    from bench.creddata_source import load as load_cred

    loaded = load_cred(Source(CREDDATA_MIRROR), MIRRORS, False)
    for (repo, _file_id), (path, text) in loaded.files.items():
        yield "creddata", split_of("creddata", repo), path, text


def leaks(path: str, text: str) -> dict[str, list[str]]:
    """Per form, the values the file scan reports that their own row of the redacted
    prompt still holds (a short value may also be a word elsewhere in the prompt: only its
    place counts)."""
    hits = find_secrets(text, path)
    if not hits:
        return {}
    lines = text.split("\n")  # as the offsets count lines (splitlines also cuts at \x0c)
    wanted: Counter[tuple[int, str]] = Counter()  # (line index, value) -> times reported
    for hit in hits:
        for s, e in hit.parts:
            line = text.count("\n", 0, s)
            if line < len(lines) and text[s:e].strip():
                wanted[(line, text[s:e])] += 1
    out: dict[str, list[str]] = {}
    for name, form in FORMS.items():
        rows = redact(form(path, lines)).text.split("\n")
        # Each form puts a header and a hunk line before the file's first line.
        left = sorted(
            value
            for (line, value), n in wanted.items()
            if rows[line + 2].count(value) > lines[line].count(value) - n
        )
        if left:
            out[name] = left
    return out


def texts_parser(doc: str, example: str) -> argparse.ArgumentParser:
    """The options of a bench over these texts: --no-creddata, --show."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog=f"example: {example}")
    ap.add_argument("--no-creddata", action="store_true", help="the public suites only")
    ap.add_argument("--show", type=int, default=0, help="list this many tune cases left")
    return ap


def main() -> None:
    ap = texts_parser(
        __doc__, ".venv/bin/python bench/secrets_prompt_parity.py --no-creddata --show 20"
    )
    args = ap.parse_args()

    sources: list[Iterator[tuple[str, Split, str, str]]] = [suite_texts()]
    if not args.no_creddata:
        sources.append(creddata_texts())
    t0 = time.perf_counter()
    texts = Counter[tuple[str, Split]]()
    with_values = Counter[tuple[str, Split]]()
    leaked = Counter[tuple[str, Split, str]]()
    shown: list[str] = []
    for source in sources:
        for name, split, path, text in source:
            texts[(name, split)] += 1
            if not find_secrets(text, path):
                continue
            with_values[(name, split)] += 1
            for form, values in leaks(path, text).items():
                leaked[(name, split, form)] += len(values)
                if split == "tune" and len(shown) < args.show:
                    shown.append(f"  {name} {form} {path}: {values[0][:60]!r}")
    took = time.perf_counter() - t0
    print(f"== values the file scan reports, still in the redacted prompt ({took:.0f} s)")
    for (name, split), n in sorted(texts.items()):
        per_form = ", ".join(f"{form} {leaked[(name, split, form)]}" for form in FORMS)
        print(f"  {name:22} {split:8} texts {n:5}, with a secret {with_values[(name, split)]:4};"
              f" left in the prompt: {per_form}")  # fmt: skip
    total = {form: sum(v for k, v in leaked.items() if k[2] == form) for form in FORMS}
    print("  all: " + ", ".join(f"{form} {n}" for form, n in total.items()))
    if shown:
        print("tune leaks:")
        print("\n".join(shown))


if __name__ == "__main__":
    main()
