"""Which (path, line, side) positions can carry a review comment.

A forge accepts a line comment only on a line shown in the diff: on the head side an
added or context line, on the base side a removed or context line. A multi-line comment
must stay within one hunk. Everything that anchors findings asks this map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.change.model import FileChange, LineKind, Side


@dataclass(slots=True)
class _FileLines:
    # line number -> index of the hunk that shows it, per side
    right: dict[int, int] = field(default_factory=dict)
    left: dict[int, int] = field(default_factory=dict)
    added: set[int] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)


class LineMap:
    def __init__(self, files: list[FileChange]) -> None:
        self._files: dict[str, _FileLines] = {}
        for f in files:
            fl = _FileLines()
            for index, hunk in enumerate(f.hunks):
                for ln in hunk.lines:
                    if ln.kind is LineKind.ADDED and ln.new_no is not None:
                        fl.right[ln.new_no] = index
                        fl.added.add(ln.new_no)
                    elif ln.kind is LineKind.REMOVED and ln.old_no is not None:
                        fl.left[ln.old_no] = index
                        fl.removed.add(ln.old_no)
                    else:
                        if ln.new_no is not None:
                            fl.right[ln.new_no] = index
                        if ln.old_no is not None:
                            fl.left[ln.old_no] = index
            self._files[f.path] = fl

    def has_file(self, path: str) -> bool:
        return path in self._files

    def hunk_index(self, path: str, line: int, side: Side) -> int | None:
        fl = self._files.get(path)
        if fl is None:
            return None
        return (fl.right if side is Side.RIGHT else fl.left).get(line)

    def can_comment(self, path: str, line: int, side: Side = Side.RIGHT) -> bool:
        return self.hunk_index(path, line, side) is not None

    def can_comment_range(self, path: str, start: int, end: int, side: Side = Side.RIGHT) -> bool:
        """True when every line of start..end is shown, all in one hunk."""
        if end < start:
            return False
        first = self.hunk_index(path, start, side)
        if first is None:
            return False
        return all(self.hunk_index(path, n, side) == first for n in range(start, end + 1))

    def is_changed(self, path: str, line: int, side: Side = Side.RIGHT) -> bool:
        """True for an added line (RIGHT) or a removed line (LEFT), not for context."""
        fl = self._files.get(path)
        if fl is None:
            return False
        return line in (fl.added if side is Side.RIGHT else fl.removed)
