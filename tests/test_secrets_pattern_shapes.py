"""What keeps the token patterns cheap over a whole prompt: a pattern run over the whole
text must open with a character Python's engine can skip to; one that opens with a
lookbehind, a word boundary or an optional part is tried at every position (over a 2.8 MB
prompt, 50-150 ms each, when its keyword occurs anywhere), so it runs on its keyword's
lines only. A Vault pattern added without it cost a fifth of find_secrets' time on
bench/secrets_scan.py's corpus."""

from __future__ import annotations

from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

from bot.secrets.jwk import JWK_PRIVATE
from bot.secrets.token_pass import ALL_TOKEN_PATTERNS as _TOKEN_PATTERNS

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
