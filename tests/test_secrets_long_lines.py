"""A long line is searched near its operators only (bot/secrets/long_lines.py), and finds
what the whole line's search finds. Lines are drawn at random: base64url blobs (one long
word run, the costly case) with assignments, spaces and operators put in at random places.
On a long line, the assignments to secret-ish names, detect-secrets' assignment, Artifactory
and Mailchimp patterns, comparisons with a literal and sentences that tell a secret are
looked for only near the words or literals their matches hold, and give what the whole
line's search gives.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from bot.secrets import find_secrets, line_contexts, names, prose, word_led
from bot.secrets.long_lines import named_operators, operators, search_near, secretish_parts
from bot.secrets.patterns import ASSIGNMENT, PLAIN_ASSIGNMENT
from bot.secrets.plugins import _plugins, _values

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


def _line(n: int, joiners: tuple[str, ...] = ("", " ", "\t")) -> str:
    parts = []
    for _ in range(_RNG.randint(1, 6)):
        parts.append("".join(_RNG.choice(_URL64) for _ in range(_RNG.randint(0, n))))
        value = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(24))
        parts.append(_RNG.choice(_PIECES).format(v=value))
    parts.append("".join(_RNG.choice(_URL64) for _ in range(n)))
    return _RNG.choice(joiners).join(parts)


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


def _secretish(pattern: re.Pattern[str], line: str, ops: list[int] | None) -> list[tuple[int, int]]:
    out, pos = [], 0
    while (m := search_near(pattern, line, pos, ops)) is not None:
        if names.may_be_secretish(m.group("key")):
            out.append(m.span())
        pos = m.end()
    return out


@pytest.mark.parametrize("seed", range(24))
def test_the_named_operators_find_every_secret_ish_assignment(seed: int) -> None:
    """Windowed around the operators a secret-ish name stands before, a long line of
    statements gives the assignments to secret-ish names that the whole line's search
    gives. (Glued to a run with operators of its own, `…Xk: :b_api_key = "…"`, a name can
    be read from another start than the whole line's search reads it from.)"""
    _RNG.seed(seed)
    line = _line(_RNG.choice((3000, 9000)), joiners=(";", ",", "; ", ", "))
    line += " " * max(0, 4096 - len(line))  # long enough to be windowed
    for pattern in (ASSIGNMENT, PLAIN_ASSIGNMENT):
        assert _secretish(pattern, line, named_operators(line)) == _secretish(pattern, line, None)


def test_a_match_found_in_an_earlier_operators_window_keeps_its_whole_value() -> None:
    """`token:` opens no assignment, so its window's search finds the next one, 1,000
    characters on, whose value runs past that window's end."""
    value = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(4000))
    line = f"{'a' * 5000}; token:; {'b' * 1000}; api_key={value}; {'c' * 100}"
    ops = named_operators(line)
    assert ops is not None and len(ops) == 2
    for pattern in (ASSIGNMENT, PLAIN_ASSIGNMENT):
        assert _secretish(pattern, line, ops) == _secretish(pattern, line, None)
        assert _secretish(pattern, line, ops)[0][1] == line.index(value) + len(value)


def test_only_a_long_line_is_windowed_and_only_near_secret_ish_names() -> None:
    assert named_operators("api_key = 'x'" * 10) is None  # short
    assert named_operators("a=1;" * 5_000) == []  # a minified line of plain names
    blob = "".join(_RNG.choice(_URL64) for _ in range(40_000))
    assert named_operators(f"{blob}token={blob}") == [40_005]
    # spaces between a name and its operator do not count against the name's reach
    assert named_operators(f"{blob} token{' ' * 300}={blob}") == [40_306]


_VENDOR_NAMES = (
    "ibm_cloud_iam_api_key", "cloudant_password", "softlayer_api_key",
    "ibm_cos_hmac_secret_access_key", "SL_TOKEN", '["cl_pwd"]', "iam-api-key",
)  # fmt: skip
_ASSIGNING = ("=", ": ", " = ", "  ", ":=")


def test_detect_secrets_assignment_patterns_give_what_the_plugins_give_on_a_long_line() -> None:
    """Each vendor plugin's values on a drawn long line (minified code around vendor-named
    assignments of the plugins' formats, glued or spaced), tried before secret-ish words
    only, are the plugin's own, in its order."""
    rng = random.Random("plugins")
    hexdigits = "0123456789abcdef"
    for _ in range(30):
        pieces = []
        for _ in range(rng.randint(3, 12)):
            pieces.append(
                "".join(rng.choice(_URL64 + ";=(){},.") for _ in range(rng.randint(0, 900)))
            )
            name = rng.choice(_VENDOR_NAMES)
            value = "".join(
                rng.choice(rng.choice((hexdigits, _URL64))) for _ in range(rng.choice((44, 48, 64)))
            )
            pieces.append(f"{name}{rng.choice(_ASSIGNING)}{rng.choice(('', chr(34)))}{value}")
            # formats led by a literal: Artifactory's, Mailchimp's
            pieces.append(rng.choice(("AKC", "AP6", "xAKC", "")) + value[: rng.randint(6, 20)])
            pieces.append(value[:32].lower() + rng.choice(("-us1", "-us12", "-usa", "-u")))
            # npm's registry token, whose pattern runs only where its literal stands
            pieces.append(rng.choice(("", f"//npm.corp/:_authToken=npm_{value[:36]}", "//")))
        line = rng.choice(("", " ", ";")).join(pieces)
        line += "x" * max(0, 4096 - len(line))
        parts = secretish_parts(line)
        assert parts is not None
        for plugin in _plugins().tokens:
            assert list(_values(plugin, line, parts)) == list(plugin.analyze_string(line))


def test_detect_secrets_assignment_patterns_read_once_find_what_the_library_finds() -> None:
    """The plugins' assignment separator, rewritten so that a run of spaces is read once
    (plugins._linear), finds on drawn lines what detect-secrets' own pattern finds: every
    operator, spaces alone, quotes, brackets, no value at all."""
    rng = random.Random("separators")
    seps = ("=", ":", ":=", "=>", "::", " ", "  ", " = ", ":  ", "  =>  ", " :: ", "", "\t")
    rewritten = [p for p in _plugins().tokens if p.denylist != type(p).denylist]
    assert {type(p).__name__ for p in rewritten} >= {"IbmCloudIamDetector", "CloudantDetector"}
    for _ in range(400):
        name = rng.choice(_VENDOR_NAMES)
        name = rng.choice(("{}", '"{}"', "[{}]", "['{}']", "x.{}")).format(name)
        value = "".join(rng.choice(_URL64) for _ in range(rng.choice((24, 40, 44, 48, 64))))
        quote = rng.choice(("", '"', "'"))
        tail = rng.choice(("", quote, " ", ";", "-x"))
        line = f"{name}{rng.choice(seps)}{quote}{value}{tail}"
        for plugin in rewritten:
            assert list(plugin.analyze_string(line)) == list(type(plugin)().analyze_string(line))


def _minified(piece: str, size: int = 100_000, head: str = "") -> str:
    """A bundle's long line of base64url with `piece` in its middle."""
    blob = "".join(_RNG.choice(_URL64) for _ in range(size))
    return f"{head}{blob[: size // 2]};{piece};{blob[size // 2 :]}"


def _drawn(n: int) -> str:
    return "Kq8" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n))


def test_a_secret_in_a_minified_line_is_found() -> None:
    value = _drawn(29)
    line = _minified(f'const apiToken="{value}"')
    hits = find_secrets(line + "\n", "dist/app.min.js")
    assert any(line[h.start : h.end] == value for h in hits), hits


def test_a_secret_in_a_minified_line_with_a_dotted_capital_i_is_found_in_place() -> None:
    # `İ` lower-cases to two characters; the line's words are still found where they stand
    value = _drawn(29)
    line = _minified(f'const apiToken="{value}"', head='var s="İSTANBUL";')
    hits = find_secrets(line + "\n", "dist/app.min.js")
    assert any(line[h.start : h.end] == value for h in hits), hits


def test_formats_led_by_their_keyword_are_found_on_a_long_line_as_on_a_short_one() -> None:
    # patterns run on their keywords' lines, tried on a long one only where the keyword
    # stands: a bearer token, a connection string's password, a mail store's login
    token, pw = _drawn(37), _drawn(13)
    pieces = [
        f'h.set("Authorization","Bearer {token}")',
        f'c="Server=db;User Id=sa;Password={pw};"',
        f'store.connect("imap.corp","bot","{pw}")',
    ]
    for piece in pieces:
        short = piece + "\n"
        long = _minified(piece, 60_000) + "\n"
        want = [short[h.start : h.end] for h in find_secrets(short, "dist/app.min.js")]
        assert want, piece
        got = [long[h.start : h.end] for h in find_secrets(long, "dist/app.min.js")]
        assert set(want) <= set(got), piece


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


_COMPARISONS = (
    'if (password == "{v}")', "secret!=='{v}'", '"{v}" === cfg.apiKey', 'x.Passwd.equals("{v}")',
    "'{v}'!=db_pwd", "pwd ==  '{v}'",
)  # fmt: skip


def test_comparisons_on_a_long_line_are_found_as_on_the_whole_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Searched only around the names a comparison needs, a drawn minified line (base64
    padding's `==` everywhere, comparisons of names and literals put in at random) gives
    the candidates the whole line's search gives."""
    rng = random.Random("comparisons")
    lines = []
    for _ in range(30):
        pieces = []
        for _ in range(rng.randint(1, 8)):
            pieces.append(" ".join(
                "".join(rng.choice(_URL64) for _ in range(rng.randint(2, 12))) + "=="
                for _ in range(rng.randint(0, 400))
            ))  # fmt: skip
            value = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16))
            pieces.append(rng.choice(_COMPARISONS).format(v=value))
        lines.append(rng.choice((";", " ", "")).join(pieces) + " " * 4096)
    windowed = [line_contexts.compared_passwords(line, 0, False) for line in lines]
    monkeypatch.setattr(line_contexts, "word_windows", lambda line, *_: [(0, len(line))])
    assert windowed == [line_contexts.compared_passwords(line, 0, False) for line in lines]
    assert sum(map(len, windowed)) > 30  # the comparisons were found


_TOLD = (
    "the password is {v}", "Your API key was changed to `{v}`.", "token: will be {v}",
    "admin  passphrase   is now set to '{v}'", "secret is {v},", "The pwd should be {v}",
    "the public key is {v}",  # read from `key` alone, a bare key's random value
)  # fmt: skip


def test_secrets_told_in_sentences_on_a_long_line_are_found_as_on_the_whole_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tried only before a secret-ish word, a drawn long line of words and base64 with
    sentences that tell a secret put in at random gives the whole line's candidates."""
    rng = random.Random("told")
    words = ["is", "was", "the", "key", "be", "to", "set", "a" * 40, "now"]
    lines = []
    for _ in range(30):
        pieces = []
        for _ in range(rng.randint(1, 8)):
            pieces.append(" ".join(
                rng.choice(words) if rng.random() < 0.5
                else "".join(rng.choice(_URL64) for _ in range(rng.randint(2, 30)))
                for _ in range(rng.randint(0, 300))
            ))  # fmt: skip
            value = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20))
            pieces.append(rng.choice(_TOLD).format(v=value))
        lines.append(" ".join(pieces) + " " * 4096)
    windowed = [prose.told_secrets(line, 0, False) for line in lines]
    monkeypatch.setattr(prose, "secretish_parts", lambda line: None)
    assert windowed == [prose.told_secrets(line, 0, False) for line in lines]
    assert sum(map(len, windowed)) > 30  # the sentences' values were found


@pytest.mark.parametrize("seed", range(3))
def test_words_on_a_long_span_are_found_where_they_stand_one_by_one(seed: int) -> None:
    """One Aho-Corasick pass over a span past 64 KB (word_led.occurrences) gives the
    positions `str.find` gives word by word: overlapping words, a word inside another,
    characters outside ASCII and a lone surrogate before them keep every offset."""
    rng = random.Random(seed)
    words = ("pass", "password", "sword", "key", "token", "ke", "tok")
    pieces = [*words, "é", "İ", "\udcff", "x", " ", "=", "😀", "PASS"]
    text = "".join(rng.choice(pieces) for _ in range(40_000))
    start, end = 17, len(text) - 5
    assert end - start > 65_536
    expected = sorted(
        {
            m.start() + start
            for w in words
            for m in re.finditer(f"(?={re.escape(w)})", text[start:end])
        }
    )
    assert word_led.occurrences(text, words, start, end) == expected
