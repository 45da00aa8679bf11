"""A finding's place on a merge request's diff, as GitLab's diff note `position` names it.

GitLab finds the line by the exact (old_line, new_line) pair, so the pair must be the
line's own: `new_line` alone for an added line, `old_line` alone for a removed one, both
for an unchanged (context) line, whose numbers differ when lines above were added or
removed. The SHAs are the merge request's diff refs (base = merge base, start = target
tip, head). A finding over several lines sits on its last line and carries `line_range`,
whose ends are line codes, `sha1(path)_<old>_<new>`, counted as GitLab counts them: an
added line's old number is the old line it comes before, a removed line's new number the
new line it comes before. A committable suggestion then reaches up from the note's line:
```` ```suggestion:-N+0 ```` replaces the N lines above and the line itself, as GitLab's own
editor writes it for a multi-line note.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from bot.change.model import FileChange, Hunk, LineKind, Side
from bot.findings.model import Finding
from bot.forges.gitlab.source import DiffRefs


@dataclass(frozen=True, slots=True)
class _Line:
    kind: LineKind
    old_pos: int  # GitLab's counters, never None
    new_pos: int

    @property
    def old_line(self) -> int | None:
        return None if self.kind is LineKind.ADDED else self.old_pos

    @property
    def new_line(self) -> int | None:
        return None if self.kind is LineKind.REMOVED else self.new_pos


def suggestion_fence(finding: Finding) -> str:
    """The info string of a committable suggestion on `finding`'s note."""
    start = finding.start_line or 0
    end = max(finding.end_line or start, start)
    return f"suggestion:-{end - start}+0"


def position_for(finding: Finding, file: FileChange | None, refs: DiffRefs) -> dict[str, Any]:
    """The `position` of a diff note on `finding`'s lines. When the line is not in the
    file's hunks the numbers are sent as the finding has them, and GitLab's answer decides
    (the publisher then posts the finding as a note that names the line)."""
    if finding.start_line is None:
        raise ValueError("a file-level finding has no line to comment on")
    start = finding.start_line
    end = max(finding.end_line or start, start)
    path = file.path if file is not None else finding.path
    old_path = (file.old_path if file is not None else None) or path
    position: dict[str, Any] = {
        "position_type": "text",
        "base_sha": refs.base_sha,
        "start_sha": refs.start_sha,
        "head_sha": refs.head_sha,
        "old_path": old_path,
        "new_path": path,
    }
    lines = _lines(file.hunks) if file is not None else []
    last = _find(lines, end, finding.side)
    if last is None:
        key = "old_line" if finding.side is Side.LEFT else "new_line"
        position[key] = end
        return position
    if last.old_line is not None:
        position["old_line"] = last.old_line
    if last.new_line is not None:
        position["new_line"] = last.new_line
    first = _find(lines, start, finding.side) if end > start else None
    if first is not None:
        position["line_range"] = {
            "start": _range_end(path, first),
            "end": _range_end(path, last),
        }
    return position


def line_code(path: str, old_pos: int, new_pos: int) -> str:
    return f"{hashlib.sha1(path.encode('utf-8')).hexdigest()}_{old_pos}_{new_pos}"


def _range_end(path: str, line: _Line) -> dict[str, Any]:
    return {
        "line_code": line_code(path, line.old_pos, line.new_pos),
        "type": "new" if line.kind is LineKind.ADDED else "old",
        "old_line": line.old_line,
        "new_line": line.new_line,
    }


def _lines(hunks: list[Hunk]) -> list[_Line]:
    out: list[_Line] = []
    for hunk in hunks:
        old, new = hunk.old_start, hunk.new_start
        for ln in hunk.lines:
            out.append(_Line(ln.kind, old, new))
            if ln.kind is not LineKind.ADDED:
                old += 1
            if ln.kind is not LineKind.REMOVED:
                new += 1
    return out


def _find(lines: list[_Line], number: int, side: Side) -> _Line | None:
    for line in lines:
        if side is Side.RIGHT and line.new_line == number:
            return line
        if side is Side.LEFT and line.old_line == number:
            return line
    return None
