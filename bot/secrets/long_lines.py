"""The assignment pattern over a long line, run near the line's operators only.

A name is a run of word characters; over a line that is one long run (a minified bundle's
base64url, a hex dump, a data URI) Python's engine tries a name at every position where one
may start and reads up to 128 characters before it finds no `=` or `:` after them: 0.3 s
for one 100 KB line, where a 100 KB prompt of ordinary lines takes 7 ms. A name is always
followed, within its own length and the spaces or quotes after it, by an operator's first
character (`=` or `:`, `<-`, `=>`, `||=`, `:=`), and its value is at most MAX_VALUE long; so
on a long line with few operators the pattern runs in a window around each of them and
finds what it finds over the whole line.
"""

from __future__ import annotations

import bisect
import re

from bot.secrets.patterns import MAX_VALUE

# Lines shorter than this are searched whole: the windows cost more than they save.
_LONG = 4096
# Above one operator per this many characters the windows would overlap: search whole.
_SPARSE = 8192
_OPERATOR = re.compile(r"[:=]|<-")
# From a name's start to its operator: the name (128), a `$env:` scope (9), quotes and
# brackets (4), `||` (2); spaces before the operator are added per operator.
_BEFORE = 160
# From the operator to the value's end: the operator, a converting call (`Buffer.from(`,
# ~60), prefixes and quotes, the value; spaces after the operator are added.
_AFTER = MAX_VALUE + 96


def sparse_operators(line: str) -> list[int] | None:
    """The operators' positions on a long line that has few of them; None to search the
    line whole."""
    if len(line) < _LONG:
        return None
    ops = operators(line)
    return ops if len(ops) * _SPARSE <= len(line) else None


def operators(line: str) -> list[int]:
    """Where an operator's first character stands: `=`, `:`, `<-`."""
    return [m.start() for m in _OPERATOR.finditer(line)]


def search_near(
    pattern: re.Pattern[str], line: str, pos: int, ops: list[int] | None
) -> re.Match[str] | None:
    """pattern.search(line, pos), searching only around `ops` when there are some."""
    if ops is None:
        return pattern.search(line, pos)
    for q in ops[bisect.bisect_left(ops, pos) :]:
        start = max(pos, q - _BEFORE - _spaces_before(line, q))
        end = min(len(line), q + _AFTER + _spaces_after(line, q))
        if (m := pattern.search(line, start, end)) is not None:
            return m
    return None


def _spaces_before(line: str, at: int) -> int:
    head = line[max(0, at - _LONG) : at]
    return len(head) - len(head.rstrip())


def _spaces_after(line: str, at: int) -> int:
    tail = line[at + 1 : at + 1 + _LONG]
    return len(tail) - len(tail.lstrip(" \t=>-:"))
