"""The assignment pattern over a long line, run near the line's operators only.

A name is a run of word characters; over a line that is one long run (a minified bundle's
base64url, a hex dump, a data URI) Python's engine tries a name at every position where one
may start and reads up to 128 characters before it finds no `=` or `:` after them: 0.3 s
for one 100 KB line, where a 100 KB prompt of ordinary lines takes 7 ms. A name is always
followed, within its own length and the spaces or quotes after it, by an operator's first
character (`=` or `:`, `<-`, `=>`, `||=`, `:=`), and its value is at most MAX_VALUE long; so
the pattern runs in a window around each operator and finds what it finds over the whole
line.

A minified bundle's line is the opposite of one long run: one `a=b` every ten characters
(a 2 MB line of js-tiktoken's bundle holds 196,000 operators, and the search stopped
500,000 times). Only a name that holds a secret-ish part (names.may_be_secretish) is
judged, so on a long line only the operators with such a part within a name's reach before
them are windowed. Over statements (`;`, `,` between them) that gives the whole line's
secret-ish assignments; where a name is glued to a run with operators of its own the whole
line's search may read it from another start.

detect-secrets' assignment patterns are alike (a vendor's prefix, then a secret-ish word):
they are tried only where such a word can stand within their lead (word_led.py).
"""

from __future__ import annotations

import bisect
import re

from bot.secrets.caseless import same_length_lower
from bot.secrets.names import SECRETISH_PARTS
from bot.secrets.patterns import MAX_VALUE
from bot.secrets.word_led import merged_windows, occurrences

# Lines shorter than this are searched whole: the windows cost more than they save.
LONG_LINE = 4096
_OPERATOR = re.compile(r"[:=]|<-")
# From a name's start to its operator: the name (128), a `$env:` scope (9), quotes and
# brackets (4), `||` (2); spaces before the operator are added per operator.
_BEFORE = 160
# From the operator to the value's end: the operator, a converting call (`Buffer.from(`,
# ~60), prefixes and quotes, the value; spaces after the operator are added.
_AFTER = MAX_VALUE + 96


def named_operators(line: str) -> list[int] | None:
    """The operators on a long line with a secret-ish name part within a name's reach
    before them (spaces before an operator do not count against it); None for a short
    line, searched whole."""
    if len(line) < LONG_LINE:
        return None
    out: set[int] = set()
    for w in _parts(line):
        reach = w + _BEFORE
        out.update(m.start() for m in _OPERATOR.finditer(line, w, reach + 2))
        # `token        =`: past the reach, spaces up to an operator
        tail = line[reach + 1 : reach + 1 + LONG_LINE]
        gap = len(tail) - len(tail.lstrip())
        if gap and _OPERATOR.match(line, reach + 1 + gap):
            out.add(reach + 1 + gap)
    return sorted(out)


def secretish_parts(line: str) -> list[int] | None:
    """Where a secret-ish name part stands on a long line; None for a short one."""
    return _parts(line) if len(line) >= LONG_LINE else None


def word_windows(
    line: str, words: tuple[str, ...], near: re.Pattern[str], reach: int
) -> list[tuple[int, int]]:
    """Where a finder need look on `line` whose every match holds one of `words`
    (lower-case) with `near` matching within a name's reach of it, and reaches at most
    `reach` characters either side of that word: the whole of a short line; on a long one
    those windows around each such word, overlapping ones merged."""
    positions = _found(line, words) if len(line) >= LONG_LINE else None
    if positions is None:
        return [(0, len(line))]
    named = [w for w in positions if near.search(line, max(0, w - _BEFORE), w + _BEFORE)]
    return merged_windows(named, reach, 0, len(line))


def _parts(line: str) -> list[int]:
    """Where SECRETISH_PARTS stand in a line (SECRETISH_PART's: "pat" only where no letter
    follows it, not in the `path` and `pattern` a minified bundle is full of)."""
    found = _found(line, SECRETISH_PARTS)
    return [
        p for p in found if not (line[p : p + 3].lower() == "pat" and line[p + 3 : p + 4].isalpha())
    ]


def _found(line: str, words: tuple[str, ...]) -> list[int]:
    """Where `words` stand in a line, found in its lower-cased copy."""
    return occurrences(same_length_lower(line), words)


def operators(line: str) -> list[int]:
    """Where an operator's first character stands: `=`, `:`, `<-`."""
    return [m.start() for m in _OPERATOR.finditer(line)]


def search_near(
    pattern: re.Pattern[str], line: str, pos: int, ops: list[int] | None
) -> re.Match[str] | None:
    """pattern.search(line, pos); with `ops`, the first match from the starts within a
    name's reach before each operator at or after `pos`, in order."""
    if ops is None:
        return pattern.search(line, pos)
    tried = pos - 1
    for q in ops[bisect.bisect_left(ops, pos) :]:
        start = max(tried + 1, q - _BEFORE - _spaces_before(line, q))
        end = min(len(line), q + _AFTER + _spaces_after(line, q))
        # A match opens with its name, before its operator: tried from each start up to
        # the operator, each start once. (Searched over the whole window, a window where
        # nothing matched was read whole, 4 KB past its operator, and the windows of
        # operators a few characters apart overlap: `_TOKEN :::= "…` repeated, 17 s for
        # 100 KB; found by bench/secrets_fuzz.py.)
        for x in range(start, q + 1):
            if (m := pattern.match(line, x, end)) is not None:
                # its value may run on past this window's end
                return pattern.match(line, x) or m if m.end() == end else m
        tried = max(tried, q)
    return None


def _spaces_before(line: str, at: int) -> int:
    head = line[max(0, at - LONG_LINE) : at]
    return len(head) - len(head.rstrip())


def _spaces_after(line: str, at: int) -> int:
    tail = line[at + 1 : at + 1 + LONG_LINE]
    return len(tail) - len(tail.lstrip(" \t=>-:"))
