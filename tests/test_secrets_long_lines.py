"""A long line is searched near its operators only (bot/secrets/long_lines.py), and finds
what the whole line's search finds. Lines are drawn at random: base64url blobs (one long
word run, the costly case) with assignments, spaces and operators put in at random places.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from bot.secrets import find_secrets, names
from bot.secrets.long_lines import operators, search_near, sparse_operators
from bot.secrets.patterns import ASSIGNMENT, PLAIN_ASSIGNMENT

_RNG = random.Random("long-lines")
_URL64 = string.ascii_letters + string.digits + "_-"
_PIECES = (
    'api_key = "{v}"',
    "password:{v}",
    "token        =      {v}",
    "$env:DB_PASSWORD = '{v}'",
    "x.secret ||= `{v}`",
    "client_secret => Buffer.from('{v}')",
    "key: str = '{v}'",
    "a=b",
    ": :",
    "pw <- '{v}'",
)


def _line(n: int) -> str:
    parts = []
    for _ in range(_RNG.randint(1, 6)):
        parts.append("".join(_RNG.choice(_URL64) for _ in range(_RNG.randint(0, n))))
        value = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(24))
        parts.append(_RNG.choice(_PIECES).format(v=value))
    parts.append("".join(_RNG.choice(_URL64) for _ in range(n)))
    return _RNG.choice(("", " ", "\t")).join(parts)


def _all(pattern: re.Pattern[str], line: str, ops: list[int] | None) -> list[tuple[int, int]]:
    out, pos = [], 0
    while (m := search_near(pattern, line, pos, ops)) is not None:
        out.append(m.span())
        pos = m.end()
    return out


@pytest.mark.parametrize("seed", range(24))
def test_the_windows_find_what_the_whole_line_finds(seed: int) -> None:
    """Searched around every operator (however dense: the product windows sparse ones
    only), a line gives the same matches, in the same order, as searched whole."""
    _RNG.seed(seed)
    line = _line(_RNG.choice((300, 3000, 9000)))
    ops = operators(line)
    for pattern in (ASSIGNMENT, PLAIN_ASSIGNMENT):
        assert _all(pattern, line, ops) == _all(pattern, line, None)


def test_only_a_long_line_with_few_operators_is_windowed() -> None:
    assert sparse_operators("api_key = 'x'" * 10) is None  # short
    assert sparse_operators("a=1;" * 5_000) is None  # an operator every 4 characters
    blob = "".join(_RNG.choice(_URL64) for _ in range(40_000))
    assert sparse_operators(f"{blob}token={blob}") == [40_005]


def test_a_secret_in_a_minified_line_is_found() -> None:
    blob = "".join(_RNG.choice(_URL64) for _ in range(100_000))
    value = "Kq8" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(29))
    line = f'{blob[:50_000]};const apiToken="{value}";{blob[50_000:]}'
    hits = find_secrets(line + "\n", "dist/app.min.js")
    assert any(line[h.start : h.end] == value for h in hits), hits


def test_the_cheap_name_test_turns_down_no_secret_name() -> None:
    """may_be_secretish is False only where key_is_secretish is: names built from secret
    words, their owners and qualifiers and plain words, in every case and joining."""
    words = [
        "db",
        "Pass",
        "word",
        "api",
        "KEY",
        "token",
        "user",
        "Secret",
        "auth",
        "id",
        "PW",
        "cred",
        "ential",
        "psk",
        "tokens",
        "keys",
    ]
    words += ["access", "dbPass", "rootpw", "x"]
    rng = random.Random("names")
    for _ in range(20_000):
        joiner = rng.choice(["_", ".", "", "-", "::"])
        key = joiner.join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        assert names.may_be_secretish(key) or not names.key_is_secretish(key), key
        assert names.may_be_secretish(key) or not names.key_is_bare_key(key), key
