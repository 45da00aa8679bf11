"""The words a line must hold before a pattern is tried there never turn away a line the
pattern matches: detect-secrets' plugins behind the words their matches hold, the told
forms behind their secret names, SECRET_WORD tried only near its keywords on a long line,
a key format only in a text holding its armour's marks.
Each gated answer is compared with the pattern run everywhere, over the lines of the public
suites' tune splits (every plugin fires on some of them) and lines drawn around the words."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from bench.secrets_eval import SUITES, load
from bot.secrets import prose
from bot.secrets.key_armour import KEY_FORMATS
from bot.secrets.patterns import KEYWORD_WORDS, SECRET_WORD
from bot.secrets.plugins import PluginHit, _plugins, token_hits
from bot.secrets.text_lines import SECRET_WORD_LEAD, names_a_secret

# re.IGNORECASE folds these onto ASCII letters though they lower to themselves (long s,
# Kelvin sign) or to two characters (dotted capital I).
_FOLDED = {"s": "ſ", "k": "K", "i": "İ"}


def _suite_lines() -> list[str]:
    lines: set[str] = set()
    for suite in SUITES:
        if suite == "semgrep-rules-secrets":  # (read from a mirror, not kept here)
            continue
        for case in load(suite):
            if case.split == "tune":
                lines.update(case.text.splitlines())
                lines.update((case.file_text or "").splitlines())
    return sorted(line for line in lines if len(line) < 4096)


def _variants(line: str) -> Iterator[str]:
    yield line
    yield line.upper()
    yield line.lower()
    yield line.swapcase()
    for plain, folded in _FOLDED.items():
        if plain in line:
            yield line.replace(plain, folded, 1)


# Formats the suites' tune lines hold none of (written here from the plugins' patterns).
_FORMATS = (
    "square_secret = 'sq0csp-" + "aB3_" * 10 + "xYz'",
    "AccountKey=" + "aB3+" * 22,
    "cloudant_password = '" + "ab" * 12 + "'",
)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return [v for line in [*_suite_lines(), *_FORMATS] for v in _variants(line)]


def _every_plugin(line: str) -> list[PluginHit]:
    return [
        PluginHit(p.secret_type, v, type(p).__name__)
        for p in _plugins().tokens
        for v in p.analyze_string(line)
    ]


def test_a_plugin_is_skipped_only_on_lines_it_finds_nothing_on(lines: list[str]) -> None:
    fired: set[str] = set()
    for line in lines:
        expected = _every_plugin(line)
        assert list(token_hits(line)) == expected, line
        fired.update(h.plugin for h in expected)
    # (each gate met lines its plugin fires on: a wrong word would have turned them away)
    assert fired == {type(p).__name__ for p in _plugins().tokens}


def test_a_softlayer_key_under_a_folded_letter_is_still_read() -> None:
    line = "ſl_api_key = " + "a1" * 32
    assert _every_plugin(line), "the case-folded pattern reads ſ as s"
    assert list(token_hits(line)) == _every_plugin(line)


class _Always:
    def found_in(self, value: str, ascii_lower: str | None = None) -> bool:
        return True


def _told(line: str) -> list[tuple[int, int, str]]:
    found = prose.told_secrets(line, 0, False, pathless=True)
    found += prose.told_secrets(line, 0, True)
    return [(c.start, c.end, c.kind) for c in found]


def test_a_told_form_is_skipped_only_where_its_names_are_missing(
    lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    told = [
        "The admin password is Kq8#vLm2Zx for now.",
        "The wifi passphrase is Kq8#vLm2Zx.",
        "the root pwd was Kq8#vLm2Zx",
        "Default credentials: admin/Kq8#vLm2Zx",
        "creds: `admin` / `Kq8#vLm2Zx`",
        "I set DB_PASSWORD to Kq8#vLm2Zx yesterday",
        "- **Token:** Zq81dLx0Pq4Rt7Vw2Yb9",
        "Here is the api key Zq81dLx0Pq4Rt7Vw2Yb9Kd3",
        "the api \u212aey is Zq81dLx0Pq4Rt7Vw2Yb9Kd3",  # (a Kelvin sign: no ASCII `key`)
        "the Key is Zq81dLx0Pq4Rt7Vw2Yb9Kd3",
    ]
    sample = [*told, *lines[::3]]
    gated = [_told(line) for line in sample]
    monkeypatch.setattr(prose, "_NAME_WORDS", _Always())
    monkeypatch.setattr(prose, "_PAIR_WORDS", _Always())
    assert [_told(line) for line in sample] == gated
    assert all(gated[: len(told)]), "each told form is read with the gate on"


# SECRET_WORD's matches beyond its plain words (a prefix before its keyword, a spelling),
# and near-misses of them.
_OFFSET = (
    "encryption_key",
    "encryption-key",
    "signing.key",
    "bindpw",
    "rootpw",
    "pw =",
    "pw",
    "pswd",
    "paswrd",
    "pssword",
    "xpw",
    "kay",
    "pa",
)


def _long_line(rng: random.Random) -> str:
    words = [*KEYWORD_WORDS, *_OFFSET * 3]
    often = rng.choice((0.0, 0.0005, 0.002, 0.05))
    pieces: list[str] = []
    size = 0
    while size < 4200:
        filler = rng.choice(("ab", "c", " ", "_", "9"))
        piece = rng.choice(words) if rng.random() < often else filler
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces).lower()


def test_secret_word_on_a_long_line_is_found_as_a_search_finds_it() -> None:
    rng = random.Random(14)
    answers = set()
    for _ in range(400):
        line = _long_line(rng)
        expected = SECRET_WORD.search(line) is not None
        assert names_a_secret(line, 0, len(line)) == expected, line
        answers.add(expected)
    assert answers == {True, False}


def test_the_lead_covers_every_secret_word_before_its_keyword() -> None:
    """SECRET_WORD_LEAD is the farthest a keyword stands from a match's start: the longest
    prefix its `...key` names put before `key`, and no alternative without a keyword."""
    alternatives = re.findall(r"\(\?:([a-z|]+)\)\[_\.\\-\]\?key", SECRET_WORD.pattern)
    assert alternatives, "the `...key` prefixes are where the test reads them"
    longest = max(len(p) for p in alternatives[0].split("|"))
    assert longest + 1 == SECRET_WORD_LEAD


_ARMOUR = [
    f"-----{side} {kind} PRIVATE KEY{block}-----"
    for side in ("BEGIN", "END")
    for kind in ("RSA", "EC", "DSA", "OPENSSH", "ENCRYPTED", "PGP", "ANY")
    for block in ("", " BLOCK")
] + [
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "PuTTY-User-Key-File-3: ssh-ed25519",
    "Private-MAC: 8f0c6e0b4f2d",
    "Private-Hash: 8f0c6e0b4f2d",
    "-----BEGIN OpenVPN Static key V1-----",
    "-----END OpenVPN tls-crypt-v2 client key-----",
    "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
    "---- END SSH2 ENCRYPTED PRIVATE KEY ----",
]


def test_a_key_format_is_searched_in_every_text_holding_its_armour() -> None:
    """private_keys searches a format only in a text holding one of its marks."""
    for line in _ARMOUR:
        text = f"key = '''\n{line}\n'''"
        matched = [f for f in KEY_FORMATS if f.begin.search(text) or f.end.search(text)]
        assert matched, line
        for fmt in matched:
            assert not fmt.marks or any(mark in text for mark in fmt.marks), line


def test_every_pattern_of_a_gated_plugin_spells_its_words() -> None:
    """A guard for a newer detect-secrets: a pattern added to a plugin without any of the
    words its gate asks for would never run."""
    from bot.secrets.plugins import _HELD_CASELESS, _HELD_WORDS

    for plugin in _plugins().tokens:
        name = type(plugin).__name__
        exact = _HELD_WORDS.get(name)
        caseless = _HELD_CASELESS.get(name)
        for regex in plugin.denylist:
            source = regex.pattern.replace("\\", "")
            if exact is not None:
                assert any(w in source for w in exact), (name, regex.pattern)
            if caseless is not None:
                assert any(w in source.lower() for w in caseless.words), (name, regex.pattern)
