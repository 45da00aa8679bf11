"""Which changed files the scan covered: a run is complete when every file was read by at
least one engine for its language, so one engine's gap that another filled is a note, not
a file left unscanned.

Python has two engines, bandit and semgrep; every other file has semgrep. Bandit parses with
its own interpreter's grammar (3.11's cannot read 3.12's nested same-quote f-strings), while
semgrep brings its own parser: the Python rules do not hang on bandit alone. The secret scan
is no engine for a language, and nothing else looks for secrets: a file it missed stays a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.security.scanners.base import ScannerRun
from bot.security.scanners.head_tree import HeadTree

# The scanners that read a language's code; each covers for the other.
CODE_ENGINES = ("bandit", "semgrep")


@dataclass(slots=True)
class Coverage:
    unscanned: list[tuple[str, str]] = field(default_factory=list)  # path, every reason
    notes: list[str] = field(default_factory=list)  # gaps another engine filled


def coverage(tree: HeadTree, runs: Sequence[ScannerRun]) -> Coverage:
    """Files no engine for their language read (and files the secret scan missed), each with
    why; for the files one engine missed and another read, a note naming both."""
    given = {"bandit": set(tree.python_paths()), "semgrep": set(tree.paths)}
    missed: dict[str, set[str]] = {r.name: {p for p, _ in r.unreadable} for r in runs}
    out = Coverage(unscanned=list(tree.unreadable))
    for run in runs:
        filled: list[tuple[str, str, list[str]]] = []
        for path, why in run.unreadable:
            readers = [
                r.name
                for r in runs
                if r.name in CODE_ENGINES
                and r.name != run.name
                and path in given.get(r.name, set())
                and path not in missed[r.name]
            ]
            if run.name in CODE_ENGINES and readers:
                filled.append((path, why, readers))
            else:
                out.unscanned.append((path, why))
        out.notes += _filled_notes(run, filled)
    return out


def _filled_notes(run: ScannerRun, filled: list[tuple[str, str, list[str]]]) -> list[str]:
    """One note per file a working engine could not read (its reason matters: a newer
    Python's syntax, and how to let bandit read it); one for all of them when the engine did
    not run at all, whose own note already says why."""
    if not filled:
        return []
    if run.status in ("unavailable", "failed", "timeout", "skipped"):
        readers = sorted({r for _, _, rs in filled for r in rs})
        return [
            f"{len(filled)} file(s) {run.name} did not scan were scanned by "
            f"{' and '.join(readers)}: they count as scanned, without {run.name}'s rules"
        ]
    return [
        f"{path} was scanned by {' and '.join(readers)}, not by {run.name} ({why}): it "
        f"counts as scanned, without {run.name}'s rules"
        for path, why, readers in filled
    ]
