"""Where a name is used in a file's text: the few lines around each use, numbered as the
file numbers them, so the model can cite `path:line`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config.classes import DataClass

# Lines shown on each side of a use: enough for the call's arguments and what is done
# with its result, little enough that many callers fit.
RADIUS = 3
# Past this many uses in one file the rest repeat the pattern; the model is told how many.
MAX_SITES_PER_FILE = 4


@dataclass(frozen=True, slots=True)
class Snippet:
    """Lines `first`..`last` (1-based, inclusive) of `path` at the change's head."""

    path: str
    first: int
    last: int
    text: str  # each line as "  NNN | code"
    uses: str  # what it holds: "calls save", "overrides Repo.save"
    data_class: DataClass
    more: int = 0  # further uses in the file not shown


def uses_of(name: str) -> re.Pattern[str]:
    """The name as a whole identifier (JavaScript's `$` counts as part of one)."""
    return re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])")


def use_lines(lines: list[str], name: str, skip: tuple[int, int] | None = None) -> list[int]:
    """1-based numbers of the lines that name `name`, outside the `skip` range."""
    pattern = uses_of(name)
    return [
        n
        for n, line in enumerate(lines, start=1)
        if pattern.search(line) and not (skip and skip[0] <= n <= skip[1])
    ]


def spans(numbers: list[int], total: int, radius: int = RADIUS) -> list[tuple[int, int]]:
    """Windows of `radius` lines around each number, overlapping ones merged."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        first, last = max(1, n - radius), min(total, n + radius)
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def numbered(lines: list[str], first: int, last: int) -> str:
    return "\n".join(f"{n:>5} | {lines[n - 1]}" for n in range(first, last + 1))


def call_sites(
    path: str,
    text: str,
    name: str,
    data_class: DataClass,
    uses: str,
    *,
    skip: tuple[int, int] | None = None,
    radius: int = RADIUS,
    limit: int = MAX_SITES_PER_FILE,
) -> list[Snippet]:
    """The uses of `name` in `text` (the file at `path`) as snippets, at most `limit`;
    the last one says how many more there are."""
    lines = text.splitlines()
    windows = spans(use_lines(lines, name, skip), len(lines), radius)
    shown, rest = windows[:limit], windows[limit:]
    out = [Snippet(path, a, b, numbered(lines, a, b), uses, data_class) for a, b in shown]
    if out and rest:
        last = out[-1]
        out[-1] = Snippet(last.path, last.first, last.last, last.text, uses, data_class, len(rest))
    return out
