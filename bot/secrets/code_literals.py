"""Unquoted values in source code: an expression (`password = new_password`), unless no
program reads the value as code. A commented-out setting (`# API_TOKEN = 3c88e4…`), a
docstring's `export TOKEN=…` or a `.env` line pasted into a script is written so, and is a
literal (line_finders.assignments judges it as a quoted one); so is a drawn value in a
comment, whatever it looks like (`in_comment`)."""

from __future__ import annotations

import re

from bot.secrets import wording
from bot.secrets.rules import generated, is_identifier_chain


def no_expression(value: str, *, commented: bool = False) -> bool:
    """An unquoted value in source code that no program reads as code, so a literal after
    all (a commented-out setting, a docstring's example, a pasted `.env` line): machine-made
    (`generated`), not a number literal (`0x9E37…`) nor a name in camel case, and either
    no name at all (`3c88e493…`, `a1B+c3/…`) or a long one drawn rather than named: mixed
    case with digits, and no word spelled in lower case (`Nh7vRf3mKp9wXc5t…`;
    `X509Certificate2Collection` spells one). `commented`: the value stands in a comment
    (`/* api_key: Xk9Qv7mZ2pW4rT8y */`), where a shorter drawn one is no name either."""
    v = value.strip()
    if not _TOKEN_CHARS.fullmatch(v) or not generated(v) or _NUMBER_LITERAL.match(v):
        return False  # a call, a member, a literal of some type: code (`b64decode(secret)`)
    if wording.camel_name(v):
        return False
    if not is_identifier_chain(v):
        return True
    if _HEX_NAME.fullmatch(v):
        return True  # 20+ hex digits: no one names a variable so
    return (
        (commented or len(v) >= _DRAWN_NAME_MIN)
        and wording.looks_random(v)
        and not any(wording.spelled_word(run) for run in _LOWER_RUN.findall(v))
    )


# A token's characters, no member access (`.`), call, index, sigil or separator of code.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_~-]+")
_NUMBER_LITERAL = re.compile(r"0[xXbBoO]|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[lLuUfFdDnN]*$")
_HEX_NAME = re.compile(r"(?=.*\d)[a-f][0-9a-f]{19,}|(?=.*\d)[A-F][0-9A-F]{19,}")
_LOWER_RUN = re.compile(r"[a-z]+")
_DRAWN_NAME_MIN = 24
# Where a comment opens before a value on its line: `//`, `/*` and its `*` lines, `#`,
# SQL's and Lua's `--`, `;`, batch's `REM`, HTML's `<!--` (at the line's start, or after a
# space for a trailing one).
_COMMENT_OPENS = re.compile(r"^[ \t]*(?://|/?\*|#|--|;|REM\b|<!--)|[ \t](?://|/\*|#|--)[ \t]")


def in_comment(line: str, at: int) -> bool:
    """Whether `at` stands after a comment's opening on `line`."""
    return _COMMENT_OPENS.search(line, 0, at) is not None


# A C or C++ string declared as an array (`static const char wifi_password[] = "…"`, `[32]`):
# the element type stands before the name.
_CHAR_ARRAY_TYPE = re.compile(
    r"\b(?:(?:unsigned\s+|signed\s+)?char|wchar_t|char(?:8|16|32)_t|TCHAR|WCHAR|uint8_t)"
    r"(?:\s+const)?\s*$"
)
# How far before the spaces ahead of a name the type may start (`unsigned char const`).
_CHAR_ARRAY_TYPE_MAX = 64


def declares_char_array(line: str, key_start: int) -> bool:
    """Whether the name at `key_start`, followed by `[…]`, declares a string of characters
    (`char password[] = "…"`): `tokens[0] = "…"` sets a list's element instead."""
    # (the type ends where the spaces before the name start, and is a few words long: a
    # search from the line's start cost 11 ms a name on a bundle's megabyte line)
    at = key_start
    while at > 0 and line[at - 1] in " \t":
        at -= 1
    return _CHAR_ARRAY_TYPE.search(line, max(0, at - _CHAR_ARRAY_TYPE_MAX), key_start) is not None
