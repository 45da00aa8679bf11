"""A prompt's code as its file has it: the diff's row prefixes taken off before detection.

A prompt shows a file's lines behind a rendered diff's columns (`   12    14 + | `,
bot/tasks/diff_render) or a unified diff's `+`/`-`/` ` (bot/describe). Detection that
reads more than one line (an XML element whose value sits on the next line, names
assigned at once, a key block) or anchors on a line's start works on the file and not on
its rows: the file scan reported the value, and the prompt sent it. So the prompt is
scanned as a view without those prefixes, and each hit is mapped back to the prompt.

Only intra-line prefixes are taken off: the view has the prompt's lines, so line numbers
hold, and a hit's parts are cut at line ends so that a mapped part never covers the
columns of the next row.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import TYPE_CHECKING

from bot.secrets.sections import line_matches

if TYPE_CHECKING:  # detect.py reads a view too (manifests.py): no import at run time
    from bot.secrets.detect import SecretHit

# A rendered row (diff_render._row): old and new line numbers, each right-aligned in five
# columns or more (either may be blank), a marker, a bar.
# (Searched from a newline: a literal start lets Python's engine skip to each one.)
# Five columns each come first: the general form backtracks through a blank column's
# spaces on every row (0.78 against 0.48 ms over a 100 KB prompt's rows); both end at
# the same bar.
_COLUMNS = r"(?:[ \d]{5} [ \d]{5}|[ \d]{5,9} [ \d]{5,9}) [-+~ ] \| ?"
_ROW = re.compile(r"\n" + _COLUMNS)
_FIRST_ROW = re.compile(_COLUMNS)
# A unified hunk's header; the hunk runs on while its lines start with a diff's marker.
_HUNK = re.compile(r"\n@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@[^\n]*$", re.MULTILINE)
_DIFF_LINE = re.compile(r"[-+ \\]")


class View:
    """`text` without its row prefixes, and the way back to `text`'s offsets.

    The view is cut with one `re.sub` (a 100 KB prompt has ~2,000 rows: a Python loop over
    them cost a quarter of the scan); the way back is worked out only when a hit is
    mapped, which most prompts never need."""

    def __init__(self, text: str) -> None:
        self._source = text
        self._cuts: list[tuple[int, int]] | None = None
        unified = _unified_cuts(text) if "@@ -" in text else []
        if unified:
            self._cuts = sorted([*_row_cuts(text), *unified])
            self.text = _without(text, self._cuts)
        elif " | " in text:
            first = _FIRST_ROW.match(text)
            head = text[first.end() :] if first is not None else text
            self.text = _ROW.sub("\n", head)
        else:
            self.text = text
        self.changed = len(self.text) != len(text)
        self._view_starts: list[int] = []
        self._shifts: list[int] = []

    def _map(self) -> None:
        """Where each kept run starts in the view, and how far it is shifted."""
        if self._cuts is None:
            self._cuts = _row_cuts(self._source)
        self._view_starts, self._shifts = [0], [0]
        shift = 0
        for s, e in self._cuts:
            shift += e - s
            self._view_starts.append(e - shift)
            self._shifts.append(shift)

    def lines(self) -> list[tuple[int, str]]:
        """Each of the view's lines, and where its text starts in the prompt."""
        out: list[tuple[int, str]] = []
        pos = 0
        for line in self.text.split("\n"):
            out.append((self.to_text(pos), line))
            pos += len(line) + 1
        return out

    def to_text(self, offset: int, *, end: bool = False) -> int:
        """The prompt's offset for a view offset (for an end, the run it closes)."""
        if not self.changed:
            return offset
        if not self._view_starts:
            self._map()
        i = bisect.bisect_right(self._view_starts, offset - 1 if end else offset) - 1
        return offset + self._shifts[max(i, 0)]

    def hit(self, hit: SecretHit) -> SecretHit:
        """`hit`, found in the view, with the prompt's offsets, cut at line ends."""
        parts: list[tuple[int, int]] = []
        for s, e in hit.parts:
            pos = s
            while pos < e:
                nl = self.text.find("\n", pos, e)
                stop = e if nl == -1 else nl
                if stop > pos:
                    parts.append((self.to_text(pos), self.to_text(stop, end=True)))
                pos = stop + 1
        if not parts:
            parts = [(self.to_text(hit.start), self.to_text(hit.start))]
        return dataclasses.replace(
            hit,
            start=self.to_text(hit.start),
            end=self.to_text(hit.end, end=True),
            parts=tuple(parts),
        )


def _without(text: str, cuts: list[tuple[int, int]]) -> str:
    kept: list[str] = []
    pos = 0
    for s, e in cuts:
        kept.append(text[pos:s])
        pos = e
    kept.append(text[pos:])
    return "".join(kept)


def _row_cuts(text: str) -> list[tuple[int, int]]:
    """The rendered rows' prefixes."""
    if " | " not in text:
        return []
    return [(ls, m.end()) for ls, m in line_matches(_FIRST_ROW, _ROW, text)]


def _unified_cuts(text: str) -> list[tuple[int, int]]:
    """A unified diff's marker column within each hunk (from its `@@` header to the first
    line that is not a diff line); a rendered hunk's rows are _row_cuts'."""
    cuts: list[tuple[int, int]] = []
    for m in _HUNK.finditer("\n" + text):  # (a hunk's header may open the text)
        pos = m.end()  # the next line's start in `text` (one past the header's end)
        while pos < len(text):
            nl = text.find("\n", pos)
            end = len(text) if nl == -1 else nl
            if _FIRST_ROW.match(text, pos):
                break  # a rendered hunk
            if end > pos:  # an empty line is a context line whose space was trimmed
                if not _DIFF_LINE.match(text, pos):
                    break  # the hunk's end
                cuts.append((pos, pos + 1))
            pos = end + 1
    return cuts
