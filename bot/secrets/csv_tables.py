"""A secret in a CSV or TSV file's column: an exported list of accounts, a test fixture of
users, a seed file (`username,password` then `admin,…`). The header names the secret and
each row holds it in the same column, as a Markdown table's do (md_tables.py), whose
judgement the cells meet: a password column's cell as a password, another secret's only
when machine-made."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.md_tables import TABLE_CELL, secret_columns
from bot.secrets.sql_rows import column_value_ok

# The delimiters each kind of file may use; the header's most frequent one is the file's.
_DELIMITERS = {"csv": ",;|\t", "tsv": "\t", "psv": "|"}
# A cell: quoted (a quote inside doubled) or bare, up to the delimiter or the line's end.
_CELL = {d: re.compile(rf"\"(?:[^\"\n]|\"\")*\"|[^{re.escape(d)}\r\n]*") for d in ",;|\t"}
_ROWS = 5000  # a data dump's rows past these are not read


def csv_secrets(text: str, path: str | None, test: bool) -> list[Candidate]:
    """Secrets in the columns of a CSV or TSV file whose header names a secret."""
    delimiters = _DELIMITERS.get(path.rsplit(".", 1)[-1].lower()) if path and "." in path else None
    if delimiters is None:
        return []
    lines = _lines(text)
    header_line = next(lines, None)
    if header_line is None:
        return []
    start, end = header_line
    head = text[start:end]
    delimiter = max(delimiters, key=head.count)
    if delimiter not in head:
        return []
    header = [text[s:e].strip("\"' ") for s, e in _cells(text, start, end, delimiter)]
    secret = secret_columns(header)
    if not secret:
        return []
    out: list[Candidate] = []
    for s, e in itertools.islice(lines, _ROWS):
        cells = _cells(text, s, e, delimiter)
        if len(cells) != len(header):
            continue
        for i in secret:
            cs, ce = cells[i]
            if ce - cs >= 2 and text[cs] == text[ce - 1] == '"':
                cs, ce = cs + 1, ce - 1
            value = text[cs:ce].strip()
            if value and column_value_ok(header[i], value, test):
                lead = len(text[cs:ce]) - len(text[cs:ce].lstrip())
                out.append(
                    Candidate(cs + lead, cs + lead + len(value), TABLE_CELL, RANK_TOKEN, SWITCHYARD)
                )
    return out


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line that is not blank, found as they are read: a dump's rows
    past _ROWS are never looked at."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if text[pos:end].strip():
            yield pos, end
        pos = end + 1


def _cells(text: str, start: int, end: int, delimiter: str) -> list[tuple[int, int]]:
    rx = _CELL[delimiter]
    spans: list[tuple[int, int]] = []
    pos = start
    while True:
        m = rx.match(text, pos, end)
        if m is None:
            break
        spans.append(m.span())
        pos = m.end()
        if pos < end and text[pos] == delimiter:
            pos += 1
            continue
        break
    return spans
