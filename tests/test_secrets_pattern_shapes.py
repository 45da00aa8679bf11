"""What keeps the token patterns cheap over a whole prompt: a pattern run over the whole
text must open with a character Python's engine can skip to; one that opens with a
lookbehind, a word boundary or an optional part is tried at every position (over a 2.8 MB
prompt, 50-150 ms each, when its keyword occurs anywhere), so it runs on its keyword's
lines only. A Vault pattern added without it cost a fifth of find_secrets' time on
bench/secrets_scan.py's corpus."""

from __future__ import annotations

import random
import string
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

from bot.secrets.gitleaks_pass import scanner
from bot.secrets.jwk import JWK_PRIVATE
from bot.secrets.pattern_openings import _openings, keyword_lead
from bot.secrets.token_pass import ALL_TOKEN_PATTERNS as _TOKEN_PATTERNS
from bot.secrets.token_pass import _matches

# A JSON Web Key's private members (`"d": "…"`) sit on other lines than the `kty` that
# tells they are a key's, so that pattern reads the whole text (and only when `kty` occurs).
_WHOLE_TEXT_BY_DESIGN = {JWK_PRIVATE}


def _opens_with_a_character(items: list[tuple[Any, Any]]) -> bool:
    """A character, a class or a choice of them, cased. A case-folded opening (`(?i:vault`)
    and a repeated class (`[A-Za-z0-9]{76}AZDO`) are tried at each position as a
    lookbehind is: over js-tiktoken's 5.6 MB bundle 50-270 ms each, where a literal opening
    costs 3-8 ms and a class or a choice of literals 25-40 ms."""
    if not items:
        return False
    op, arg = items[0]
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN):
        return True
    if op is sre.SUBPATTERN:
        return not arg[1] & sre.SRE_FLAG_IGNORECASE and _opens_with_a_character(list(arg[-1]))
    if op is sre.BRANCH:
        return all(_opens_with_a_character(list(branch)) for branch in arg[1])
    return False


def test_a_pattern_over_the_whole_text_opens_with_a_character() -> None:
    slow = [
        p.kind
        for p in _TOKEN_PATTERNS
        if not p.on_keyword_lines
        and p.kind not in _WHOLE_TEXT_BY_DESIGN
        and not _opens_with_a_character(list(sre_parse.parse(p.regex.pattern, p.regex.flags)))
    ]
    assert slow == []


def test_the_check_tells_the_two_shapes_apart() -> None:
    def opens(pattern: str) -> bool:
        return _opens_with_a_character(list(sre_parse.parse(pattern)))

    assert opens(r"sk_pr_[a-z]+") and opens(r"(?:sandbox_sk_pr_|sk_pr_)x") and opens(r"[sS]l")
    assert not opens(r"(?:sandbox_)?sk_pr_") and not opens(r"\bSSWS") and not opens(r"(?<!\w)a")
    assert not opens(r"(?i:vault)token") and not opens(r"[0-9]{8,10}:AA")


def test_the_openings_of_a_pattern_are_read_through_groups_and_small_classes() -> None:
    def openings(pattern: str) -> list[str] | None:
        return _openings(list(sre_parse.parse(pattern)))

    assert openings(r"A(?:KIA|SIA)[A-Z0-9]{16}") == ["AKIA", "ASIA"]
    assert openings(r"gh[pos]_\w+") == ["ghp_", "gho_", "ghs_"]
    assert openings(r"(?:xoxb|xoxp)-\d") == ["xoxb-", "xoxp-"]
    # a range, a case-folded word, an optional part or an assertion opens no literal
    for pattern in (r"[A-Z]{3}_x", r"(?i:vault)_x", r"(?:sk_)?live_", r"\bSSWS", r"(?<!\w)ab"):
        assert openings(pattern) is None, pattern


def test_a_pattern_tried_at_its_keywords_finds_what_a_whole_text_search_finds() -> None:
    """Over a long text, a pattern whose every match opens with a literal holding its
    keyword is tried only a fixed reach before where the keyword pass saw it: the matches
    must be those of finditer, with each opening written beside look-alikes (cut short,
    upper-cased)."""
    rng = random.Random(14)
    alphabet = string.ascii_letters + string.digits
    led = [p for p in _TOKEN_PATTERNS if not p.on_keyword_lines and keyword_lead(p) is not None]
    assert len(led) > 150  # most of the service formats open with their prefix
    filler = "\n".join(f"line {i} = {''.join(rng.choices(alphabet, k=60))}" for i in range(120))
    parts = [filler]
    for p in led:
        for opening in _openings(list(sre_parse.parse(p.regex.pattern, p.regex.flags))) or ():
            body = "".join(rng.choices(alphabet + "_-", k=rng.choice((24, 40, 64))))
            parts.append(f"x = '{opening}{body}' {opening}{body[:8]} {opening.upper()}{body}")
    text = "\n".join(parts)
    lowered = text.lower()
    found = scanner().keywords(text, lowered)
    assert len(text) > 4096
    for p in led:
        whole = [m.span() for m in p.regex.finditer(text)]
        assert [m.span() for m in _matches(p, text, lowered, found)] == whole, p.kind


def test_every_pattern_read_as_a_context_has_the_value_group_it_reads() -> None:
    # A match is read by the reader its kind names (token_pass._READERS). A context
    # pattern given a kind another family's pattern already had sent that pattern's
    # matches to context_value, which reads group `v`: an `otpauth://` URI's seed and a
    # seed given to pyotp, both "one-time password seed", crashed every scan of a text
    # holding such a URI.
    from bot.secrets.context_values import context_value
    from bot.secrets.token_pass import _READERS

    for pattern in _TOKEN_PATTERNS:
        if _READERS.get(pattern.kind) is context_value:
            assert "v" in pattern.regex.groupindex, (pattern.kind, pattern.regex.pattern[:60])
