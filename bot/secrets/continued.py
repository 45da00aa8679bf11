"""A secret written in pieces: the pieces after the one a finder reported, on its line
and the lines below, so that redaction masks each.

A long key is split into literals joined by an operator (`"MIIB…" +` then `"…"` on the
next line, PHP's `.`, Visual Basic's `&`, SQL's `||`, a backslash's line continuation), and
a YAML block scalar holds its value on every line of the block. The finders read a line
and report the first piece; masked alone, the rest of the key was sent. Python and C join
adjacent literals with no operator (`("…"` then `"…")` below it). The pieces join
the candidate as its parts (as a key block's lines do), and its span runs to the last.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.secrets.contexts import BLOCK_SCALAR
from bot.secrets.line_finders import Candidate

# An operator that joins two literals: `+`, PHP's `.`, Visual Basic's `&`, SQL's `||`.
JOIN = r"(?:\+|\.|&|\|\|)"
# After a piece's closing quote, to its line's end: an operator that joins the next line's
# piece, or a line continuation (Python's and the shell's `\`, Visual Basic's `& _`).
_TAIL = re.compile(rf"[ \t]*(?P<op>{JOIN}|\\|&[ \t]+_)?[ \t]*\r?")
# The next line's piece: a literal, the operator before it if the line before had none.
_PIECE = re.compile(
    rf"[ \t]*(?P<op>{JOIN})?[ \t]*" r"(?P<q>[\"'])(?P<v>(?:\\.|(?!(?P=q))[^\\\n])+)(?P=q)"
)
_QUOTES = ("'", '"')


# Languages that join adjacent literals with no operator (`"…" "…"`): Python, C and its
# kin. Elsewhere a literal after a literal is another value (or no code at all).
_ADJACENT_JOINED = (".py", ".pyi", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".m", ".mm")


def with_all_pieces(found: list[Candidate], text: str, path: str | None) -> list[Candidate]:
    """Each candidate with its pieces (with_pieces), and none that is a piece of an earlier
    one: that piece is masked as the earlier value's part already, and a chain of N
    literals each reported (`"ghp_…" + "ghp_…" + …`, untrusted text) was walked from each of
    them, N² steps (20 s for 100 KB)."""
    claimed: set[tuple[int, int]] = set()
    kept: dict[int, Candidate] = {}
    for i in sorted(range(len(found)), key=lambda i: found[i].start):
        c = found[i]
        if (c.start, c.end) in claimed:
            continue
        c = with_pieces(c, text, path)
        if c.parts is not None and found[i].parts is None:
            claimed.update(c.parts[1:])
        kept[i] = c
    return [kept[i] for i in range(len(found)) if i in kept]


def with_pieces(c: Candidate, text: str, path: str | None = None) -> Candidate:
    """`c` with the pieces that continue its value after it, on its line (`"…" + "…"`)
    and on the next lines, if it has any."""
    if c.parts is not None:
        return c  # a key block's lines are its parts already
    if c.kind == BLOCK_SCALAR:
        return _block_lines(c, text)
    quote = text[c.end : c.end + 1]
    if quote not in _QUOTES or text[c.start - 1 : c.start] != quote:
        return c
    adjacent = path is not None and path.lower().endswith(_ADJACENT_JOINED)
    parts = [(c.start, c.end)]
    at = c.end + 1
    while True:
        le = text.find("\n", at)
        line_end = len(text) if le == -1 else le
        piece = _PIECE.match(text, at, line_end)  # on the same line
        if piece is not None and (piece.group("op") or adjacent):
            parts.append(piece.span("v"))
            at = piece.end()
            continue
        if le == -1 or (tail := _TAIL.fullmatch(text, at, le)) is None:
            break
        next_end = text.find("\n", le + 1)
        piece = _PIECE.match(text, le + 1, len(text) if next_end == -1 else next_end)
        if piece is None or not (tail.group("op") or piece.group("op") or adjacent):
            break
        parts.append(piece.span("v"))
        at = piece.end()
    if len(parts) == 1:
        return c
    return replace(c, end=parts[-1][1], parts=tuple(parts))


def _block_lines(c: Candidate, text: str) -> Candidate:
    """A block scalar's value on each of its lines: every line after the first indented at
    least as far (blank lines inside it too), to the first line indented less."""
    ls = text.rfind("\n", 0, c.start) + 1
    indent = text[ls : c.start]
    if indent.strip():
        return c  # behind a diff's row prefix: one line is what the pattern can place
    parts = [(c.start, c.end)]
    at = text.find("\n", c.end)
    while at != -1:
        le = text.find("\n", at + 1)
        line = text[at + 1 : len(text) if le == -1 else le].rstrip()
        if line and not line.startswith(indent):
            break
        if line.strip():
            parts.append((at + 1 + len(indent), at + 1 + len(line)))
        at = le
    if len(parts) == 1:
        return c
    return replace(c, end=parts[-1][1], parts=tuple(parts))
