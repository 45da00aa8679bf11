"""A secret inserted as a row: `INSERT INTO users (email, password) VALUES ('ada@x',
'…');`. The column list names the secret and the row holds it at the same place, on the
same line or lines below (a seed file, a dump with column names, a migration). A dump's
`INSERT INTO t VALUES (…)` names no column and is not read.

Each value is judged as a literal under its column's name (rules.literal_ok): a password
column's value as a password, another secret's only when machine-made; a placeholder, a
function's result (`crypt('pw', gen_salt('bf'))` is a call, not a literal) and a number
are not secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.secrets import names
from bot.secrets.contexts import password_ok
from bot.secrets.line_contexts import machine_made_value
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.patterns import MAX_VALUE
from bot.secrets.sql_passwords import SQL_CHAR

SQL_ROW = "secret in an inserted row"

_IDENT = r"[`\"\[]?[\w$]+[`\"\]]?"
_INSERT = re.compile(
    r"(?i)\binsert\s+(?:ignore\s+)?into\s+" + _IDENT + r"(?:\." + _IDENT + r")*\s*"
    r"\((?P<cols>[^()]{1,2000})\)\s*values\s*"
)
_COLUMN = re.compile(r"\s*[`\"\[]?([\w$]+)[`\"\]]?\s*")
# One row's item: a string literal on one line (a doubled quote is one quote), or anything
# up to the next comma or the row's end that is not a string (a number, NULL, a call
# without commas). Bounded, so that a statement left open costs a line, not the file.
_ITEM = re.compile(
    rf"\s*(?:'(?P<v>{SQL_CHAR}{{0,{MAX_VALUE}}})'"
    r"|(?P<other>[^,()'\n]*(?:\([^()'\n]*\))?[^,()'\n]*))\s*"
)
_BETWEEN_ROWS = re.compile(r"\s*,\s*")
# A statement built in code: `"…VALUES ('" + email + "', '" + pw + "')"` puts the host
# language's quotes and operators between SQL's quotes.
_CONCATENATION = re.compile(r"^[\"`]\s*(?:\+|\.|&|\|\|)|(?:\+|\.|&|\|\|)\s*[\"`]$")


def inserted_secrets(text: str, lowered: str, test: bool) -> list[Candidate]:
    """Secrets in the rows of `text`'s INSERT statements whose columns name a secret
    (`lowered`: the text in lower case, the same length)."""
    out: list[Candidate] = []
    for m in _statements(text, lowered):
        columns = [_COLUMN.fullmatch(c) for c in m.group("cols").split(",")]
        if any(c is None for c in columns):
            continue  # an expression in the column list: not a plain INSERT
        named = [c.group(1) for c in columns if c is not None]
        # (`password_hash`, `token_expires_at`, `api_key_id` name something about a secret)
        secret = [
            i
            for i, name in enumerate(named)
            if names.key_is_secretish(name) and not names.key_is_excluded(name)
        ]
        if not secret:
            continue
        # Every row: a dump's statement may hold thousands, each read once.
        pos = m.end()
        while (row := _row(text, pos)) is not None:
            items, pos = row
            if len(items) == len(named):
                out.extend(_secrets(items, named, secret, test))
            comma = _BETWEEN_ROWS.match(text, pos)
            if comma is None:
                break
            pos = comma.end()
    return out


def _statements(text: str, lowered: str) -> Iterator[re.Match[str]]:
    """Each INSERT statement with a column list. Found by the word first: a case-blind
    pattern has no literal for the engine to skip to (over a 2.8 MB prompt, 20 ms)."""
    pos = lowered.find("insert")
    while pos != -1:
        m = _INSERT.match(text, pos)
        if m is not None:
            yield m
        pos = lowered.find("insert", pos + 6)


def _row(text: str, pos: int) -> tuple[list[re.Match[str]], int] | None:
    """The items of the row opening at `pos` (`(…)`) and the offset after it."""
    if not text.startswith("(", pos):
        return None
    items: list[re.Match[str]] = []
    pos += 1
    while (item := _ITEM.match(text, pos)) is not None:
        items.append(item)
        pos = item.end()
        if text.startswith(",", pos):
            pos += 1
            continue
        return (items, pos + 1) if text.startswith(")", pos) else None
    return None


def _secrets(
    items: list[re.Match[str]], named: list[str], secret: list[int], test: bool
) -> list[Candidate]:
    out: list[Candidate] = []
    for i in secret:
        item = items[i]
        if item.group("v") is None:
            continue  # a number, NULL, a call: no literal
        value = item.group("v").replace("''", "'")
        if _CONCATENATION.search(value):
            continue
        if column_value_ok(named[i], value, test):
            s, e = item.span("v")
            out.append(Candidate(s, e, SQL_ROW, RANK_TOKEN, SWITCHYARD))
    return out


def column_value_ok(name: str, value: str, test: bool) -> bool:
    """A value under a column that names a secret (a row's, a table's): a password
    column's as a password, another secret's only when machine-made."""
    if names.key_is_password(name):
        return password_ok(value, test, quoted=True)
    return machine_made_value(name, value, test)
