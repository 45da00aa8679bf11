"""Which scanner findings belong to the change: reviewdog's filter modes.

- `added` (default): a finding touching an added line.
- `diff_context`: a finding touching any line the diff shows on the head side (added or
  context lines of a hunk).
- `file`: anywhere in a changed file.
- `nofilter`: everything the scanners reported.

A finding spanning several lines counts when any of them qualifies: a multi-line call whose
changed argument is on its second line is still about the change. Findings without a line
only pass `file` and `nofilter`, as in reviewdog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from bot.change.model import Change, FileStatus, LineKind


class FilterMode(StrEnum):
    ADDED = "added"
    DIFF_CONTEXT = "diff_context"
    FILE = "file"
    NOFILTER = "nofilter"


class Located(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def start_line(self) -> int | None: ...
    @property
    def end_line(self) -> int | None: ...


T = TypeVar("T", bound=Located)


@dataclass(slots=True)
class Filtered(Generic[T]):
    kept: list[T] = field(default_factory=list)
    dropped: list[T] = field(default_factory=list)


@dataclass(slots=True)
class _Lines:
    added: set[int] = field(default_factory=set)
    shown: set[int] = field(default_factory=set)  # added and context, head numbering


def parse_mode(mode: str | FilterMode) -> FilterMode:
    try:
        return FilterMode(str(mode).strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(m.value for m in FilterMode)
        raise ValueError(f"unknown filter mode {mode!r}: choose one of {choices}") from None


def _head_lines(change: Change) -> dict[str, _Lines]:
    out: dict[str, _Lines] = {}
    for f in change.files:
        if f.status is FileStatus.DELETED:
            continue
        lines = out.setdefault(f.path, _Lines())
        for hunk in f.hunks:
            for ln in hunk.lines:
                if ln.new_no is None:
                    continue
                lines.shown.add(ln.new_no)
                if ln.kind is LineKind.ADDED:
                    lines.added.add(ln.new_no)
    return out


def filter_findings(
    change: Change, findings: Sequence[T], mode: str | FilterMode = FilterMode.ADDED
) -> Filtered[T]:
    """Splits `findings` into those the mode keeps and those it drops; pure."""
    mode = parse_mode(mode)
    out: Filtered[T] = Filtered()
    if mode is FilterMode.NOFILTER:
        out.kept = list(findings)
        return out
    files = _head_lines(change)
    for finding in findings:
        (out.kept if _keeps(files, finding, mode) else out.dropped).append(finding)
    return out


def _keeps(files: dict[str, _Lines], finding: Located, mode: FilterMode) -> bool:
    lines = files.get(finding.path)
    if lines is None:
        return False
    if mode is FilterMode.FILE:
        return True
    start = finding.start_line
    if start is None:
        return False
    end = finding.end_line if finding.end_line is not None and finding.end_line >= start else start
    wanted = lines.added if mode is FilterMode.ADDED else lines.shown
    return any(n in wanted for n in range(start, end + 1))
