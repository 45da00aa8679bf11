"""Which definitions a change touches, from the head-side lines it adds or deletes around."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.change.model import FileChange, FileStatus, LineKind
from bot.structure.references import calls_in, imports_in
from bot.structure.symbols import Symbol, symbols_in

__all__ = ["added_lines", "calls_in", "changed_symbols", "imports_in", "symbols_changed_in"]


def changed_symbols(path: str, head_source: bytes, changed_lines: Iterable[int]) -> list[Symbol]:
    """The innermost definitions holding any of `changed_lines` (1-based, head side), in
    file order, each once: the method when a line inside it changed, its class when the line
    is in the class but outside every method. A definition's lines include its decorators
    and the doc comment above it. A line outside every definition selects nothing."""
    spans = [(line, line) for line in set(changed_lines)]
    return _innermost(symbols_in(path, head_source), spans)


def symbols_changed_in(change: FileChange, head_source: bytes) -> list[Symbol]:
    """changed_symbols for one file of a Change (`head_source` is its text at head):
    the definitions holding its added lines, and those a pure deletion happened inside
    (both head lines around the gap in one definition). Deleting a definition's last line
    leaves the line after the gap outside it, so that deletion selects nothing."""
    if change.status is FileStatus.DELETED:
        return []
    spans = [(line, line) for line in added_lines(change)] + _deletion_gaps(change)
    return _innermost(symbols_in(change.path, head_source), spans)


def added_lines(change: FileChange) -> list[int]:
    """Head-side line numbers a file change adds (a modified line is removed, then added)."""
    return [
        line.new_no
        for hunk in change.hunks
        for line in hunk.lines
        if line.kind is LineKind.ADDED and line.new_no is not None
    ]


def _deletion_gaps(change: FileChange) -> list[tuple[int, int]]:
    """(head line before, head line after) each run of removed lines with no added line."""
    gaps: list[tuple[int, int]] = []
    for hunk in change.hunks:
        before: int | None = None
        removed = False
        for line in hunk.lines:
            if line.kind is LineKind.REMOVED:
                removed = True
                continue
            if removed and line.kind is LineKind.CONTEXT and before is not None and line.new_no:
                gaps.append((before, line.new_no))
            removed = False
            before = line.new_no
    return gaps


def _innermost(symbols: Sequence[Symbol], spans: Iterable[tuple[int, int]]) -> list[Symbol]:
    chosen: set[int] = set()
    for first, last in spans:
        best: int | None = None
        for index, symbol in enumerate(symbols):
            start, end = symbol.extent
            if (
                start <= first
                and last <= end
                and (best is None or _narrower(symbol, symbols[best]))
            ):
                best = index
        if best is not None:
            chosen.add(best)
    return [symbols[index] for index in sorted(chosen)]


def _narrower(symbol: Symbol, than: Symbol) -> bool:
    start, end = symbol.extent
    other_start, other_end = than.extent
    # On a tie the later one is nested in the earlier (they are sorted outer first).
    return end - start <= other_end - other_start
