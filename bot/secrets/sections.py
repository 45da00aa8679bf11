"""Which file each part of a prompt shows, so that each part is scanned under its path.

The rules read a path (a config file's unquoted value is a literal, a test's weak value a
fixture), and a prompt shows many files. Each task names the file before showing it:

- a rendered or unified diff: `### <path> (<status>, …)` (bot/tasks/diff_render,
  bot/describe);
- a whole file: `head version of <path>:` (bot/ask);
- a definition or a changed function: `definition: <name> (<kind>, <path> lines a-b)`
  (bot/docs_task), `changed: <name> (<kind>, <path> lines a-b)` (bot/testgen);
- a test file: `source file: <path>`, `existing test file to follow for style: <path>`,
  `failing test file: <path> (<outcome>)` (bot/testgen).

A part runs from its header to the next. A header inside a fenced block is the file's own
text (a pull request's author could otherwise write `### yarn.lock (added)` into a file
to have the lines after it read as a lockfile's), so fences are followed: a fence closes
only on a fence of its own character at least as long (bot/testgen/prompt.fenced makes the
fence longer than any run in the code).
"""

from __future__ import annotations

import re

_HEADER_BODY = (
    r"(?:### (?P<diff>\S[^\n]*?) \((?:added|modified|deleted|renamed)\b[^\n]*"
    r"|head version of (?P<head>\S[^\n]*?):"
    r"|(?:definition|changed): [^\n]*\((?:[^\n,(]*, )?(?P<symbol>\S[^\n]*?) lines \d+-\d+\)"
    r"|source file: (?P<source>\S+)(?: \([^\n]*\))?"
    r"|existing test file to follow for style: (?P<example>\S+)"
    r"|failing test file: (?P<failing>\S+) \([^\n]*\))\r?$"
)
# Searched from a newline (a literal start: Python's engine then skips to each newline
# instead of trying `^` at every position of a 100 KB prompt); the first line on its own.
_HEADER = re.compile(r"\n" + _HEADER_BODY, re.MULTILINE)
_FIRST_HEADER = re.compile(_HEADER_BODY, re.MULTILINE)
_FENCE = re.compile(r"\n(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)")
_FIRST_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)")


def parts(text: str, path: str | None = None) -> list[tuple[int, int, str | None]]:
    """(start, end, path) for each part of `text`: one part under `path` when it is given,
    else a part before the first header (no path) and one per header."""
    if path is not None:
        return [(0, len(text), path)]
    headers = line_matches(_FIRST_HEADER, _HEADER, text)
    if not headers:
        return [(0, len(text), None)]
    fenced = _fenced_spans(text) if "```" in text or "~~~" in text else []
    cuts: list[tuple[int, str | None]] = [(0, None)]
    for start, m in headers:
        if not any(s < start < e for s, e in fenced):
            cuts.append((start, next(g for g in m.groups() if g is not None)))
    ends = [start for start, _ in cuts[1:]] + [len(text)]
    return [(s, e, p) for (s, p), e in zip(cuts, ends, strict=True) if e > s]


def is_header(line: str) -> bool:
    """Whether `line` is a part's header (`### <path> (added, …)`, `head version of …:`)."""
    return _FIRST_HEADER.fullmatch(line.rstrip("\r")) is not None


def line_matches(
    first: re.Pattern[str], rest: re.Pattern[str], text: str
) -> list[tuple[int, re.Match[str]]]:
    """(line start, match) of a pattern at a line's start: `first` matched on the first
    line, `rest` (the same pattern led by a newline, a literal start that lets Python's
    engine skip to each newline instead of trying `^` at every position) after each."""
    out = [(0, m)] if (m := first.match(text)) is not None else []
    out.extend((m.start() + 1, m) for m in rest.finditer(text))
    return out


def _fenced_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced block's inside: after its opening line, to its fence."""
    out: list[tuple[int, int]] = []
    opening: str | None = None
    start = 0
    for line_start, m in line_matches(_FIRST_FENCE, _FENCE, text):
        fence = m.group("fence")
        if opening is None:
            opening, start = fence, m.end() + 1
        elif fence[0] == opening[0] and len(fence) >= len(opening) and not m["info"].strip():
            out.append((start, line_start))
            opening = None
    if opening is not None:
        out.append((start, len(text)))
    return out
