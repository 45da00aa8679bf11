"""A database account's password in SQL: `CREATE USER app IDENTIFIED BY '…'` (MySQL,
Oracle; Oracle's may be bare), MySQL's `GRANT … TO 'app'@'%' IDENTIFIED BY '…'` and `SET
PASSWORD [FOR 'app'@'%'] = ['…' | PASSWORD('…')]`, PostgreSQL's `CREATE|ALTER ROLE|USER …
[WITH] [ENCRYPTED] PASSWORD '…'`, SQL Server's `sp_addlogin 'app', '…'` and a linked
server's `sp_addlinkedsrvlogin …, @rmtpassword = '…'`. token_pass.py
runs the patterns; `sql_password` reads each match's value and judges it as a password."""

from __future__ import annotations

import re

from bot.secrets.contexts import password_ok
from bot.secrets.patterns import VALUE_LENGTH, TokenPattern

SQL_PASSWORD = "password in SQL"

# A character of SQL's string literal, on one line: a quote doubled inside it is one quote.
SQL_CHAR = r"(?:''|[^'\n])"
_SQL_LITERAL = r"'(?P<v>" + SQL_CHAR + VALUE_LENGTH + ")'"

SQL_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        SQL_PASSWORD,
        re.compile(
            r"(?i:identified\s+by)\s+(?:" + _SQL_LITERAL + r"|(?P<bare>\w" + VALUE_LENGTH + "))"
        ),
        keywords=("identified",),
        on_keyword_lines=True,
    ),
    # (a USER or ROLE must come before `PASSWORD '…'` on its line: sql_password)
    TokenPattern(SQL_PASSWORD, re.compile(r"PASSWORD\s+" + _SQL_LITERAL), keywords=("password '",)),
    TokenPattern(SQL_PASSWORD, re.compile(r"password\s+" + _SQL_LITERAL), keywords=("password '",)),
    TokenPattern(
        SQL_PASSWORD,
        re.compile(
            r"(?i:set\s+password)(?:\s+(?i:for)\s+\S+)?\s*=\s*(?:(?i:password)\(\s*)?"
            + _SQL_LITERAL
        ),
        keywords=("set password",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        SQL_PASSWORD,
        re.compile(
            r"sp_addlogin\s+(?:@loginame\s*=\s*)?'[^'\n]*'\s*,\s*(?:@passwd\s*=\s*)?" + _SQL_LITERAL
        ),
        keywords=("sp_addlogin",),
    ),
    # A linked server's login: the remote password is the fifth argument, or named.
    TokenPattern(
        SQL_PASSWORD,
        re.compile(
            r"sp_addlinkedsrvlogin\s+(?:(?:@\w+\s*=\s*)?(?:N?'[^'\n]*'|\w+)\s*,\s*){4}"
            r"(?:@rmtpassword\s*=\s*)?N?" + _SQL_LITERAL
        ),
        keywords=("sp_addlinkedsrvlogin",),
    ),
    TokenPattern(
        SQL_PASSWORD,
        re.compile(r"@rmtpassword\s*=\s*N?" + _SQL_LITERAL),
        keywords=("@rmtpassword",),
    ),
)
SQL_KINDS = frozenset({SQL_PASSWORD})

_SQL_ACCOUNT = re.compile(r"\b(?:user|role)\b", re.IGNORECASE)
# `USER app IDENTIFIED BY`, and MySQL's `GRANT … TO 'app'@'%' IDENTIFIED BY`.
_SQL_ACCOUNT_NAMED = re.compile(r"\b(?:(?:user|role)\s+\S+|to\s+\S*@\S*)\s+$", re.IGNORECASE)


# How far before PASSWORD its statement's account is looked for (`CREATE ROLE app WITH LOGIN
# … PASSWORD`): the whole line before it, searched for each match, made a long line of
# `password '…'` repeated cost its length squared.
_STATEMENT_REACH = 1024


def sql_password(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The password's span in a match of an SQL pattern, or None when it is none."""
    group = "v" if m.group("v") is not None else "bare"
    s, e = m.span(group)
    text = m.string
    ls = text.rfind("\n", 0, m.start()) + 1
    before = text[max(ls, m.start() - _STATEMENT_REACH) : m.start()]
    opening = m.group(0)[:3].lower()
    if opening == "ide":
        if _SQL_ACCOUNT_NAMED.search(before) is None:
            return None  # "the type identified by full_name": prose, not `USER x IDENTIFIED BY`
    elif opening not in ("set", "sp_") and _SQL_ACCOUNT.search(before) is None:
        return None  # `PASSWORD '…'` outside CREATE/ALTER USER|ROLE
    return (s, e) if password_ok(text[s:e].replace("''", "'"), test, quoted=True) else None
