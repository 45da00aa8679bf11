"""A secret in a Markdown table's column: a README's or a wiki's list of test accounts,
environments or devices (`| Username | Password |`, `|---|---|`, `| admin | … |`). The
header names the secret; the rows hold it in the same column, with nothing on their own
line to say so.

Each cell is judged as a literal under its column's name, as an inserted row's are
(sql_rows.py): a password column's cell as a password, another secret's only when
machine-made; `********`, `<your password>`, `-` and `n/a` are not secrets."""

from __future__ import annotations

import re

from bot.secrets import names
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.sql_rows import column_value_ok

TABLE_CELL = "secret in a table's column"

# The delimiter row under a table's header: `|---|:--:|`, `--- | ---`. Each run of spaces
# read once (a line of 16,000 spaces before a `-----` was split every way between the two
# runs around its optional `|`: 1.9 s; found by bench/secrets_fuzz.py).
_DELIMITER = re.compile(
    r"^[ \t]*+\|?[ \t]*+:?-{3,}+:?[ \t]*+(?:\|[ \t]*+:?-{3,}+:?[ \t]*+)+\|?[ \t]*+\r?$",
    re.MULTILINE,
)
# A cell's Markdown around its text: emphasis, a code span.
_MARKUP = "*_` \t"


def table_secrets(text: str, test: bool) -> list[Candidate]:
    """Secrets in the columns of `text`'s Markdown tables whose header names a secret."""
    if "|" not in text:  # (detect.py asks only of a text with a `---`)
        return []
    out: list[Candidate] = []
    for m in _DELIMITER.finditer(text):
        header_end = m.start() - 1
        if header_end <= 0:
            continue
        header_start = text.rfind("\n", 0, header_end) + 1
        header = [_cell_text(text, s, e) for s, e in _cells(text, header_start, header_end)]
        secret = secret_columns(header)
        if not secret:
            continue
        pos = m.end() + 1
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            if "|" not in text[pos:end]:
                break
            cells = _cells(text, pos, end)
            if len(cells) == len(header):
                out.extend(_secrets(text, cells, header, secret, test))
            pos = end + 1
    return out


def secret_columns(header: list[str]) -> list[int]:
    """The columns whose name in `header` names a secret (a table's, a CSV file's)."""
    return [
        i
        for i, name in enumerate(header)
        if name and names.key_is_secretish(name) and not names.key_is_excluded(name)
    ]


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of a table row's cells between `start` and `end` (its outer pipes not
    cells of their own)."""
    line = text[start:end].rstrip("\r")
    inner_start = len(line) - len(line.lstrip())
    body = line.strip()
    if body.startswith("|"):
        body, inner_start = body[1:], inner_start + 1
    if body.endswith("|"):
        body = body[:-1]
    spans: list[tuple[int, int]] = []
    pos = start + inner_start
    for cell in body.split("|"):
        spans.append((pos, pos + len(cell)))
        pos += len(cell) + 1
    return spans


def _cell_text(text: str, s: int, e: int) -> str:
    return text[s:e].strip(_MARKUP)


def _secrets(
    text: str, cells: list[tuple[int, int]], header: list[str], secret: list[int], test: bool
) -> list[Candidate]:
    out: list[Candidate] = []
    for i in secret:
        s, e = cells[i]
        raw = text[s:e]
        lead = len(raw) - len(raw.lstrip(_MARKUP))
        value = raw.strip(_MARKUP)
        if not value:
            continue
        if column_value_ok(header[i], value, test):
            out.append(
                Candidate(s + lead, s + lead + len(value), TABLE_CELL, RANK_TOKEN, SWITCHYARD)
            )
    return out
