"""CaselessWords answers as the case-folded alternation it replaced does, in and out of
ASCII, and the stand-in markers' prefilter lets through every value the pattern marks."""

from __future__ import annotations

import random
import re

from bot.secrets.caseless import CaselessWords
from bot.secrets.stand_ins import _TOKEN_PLACEHOLDER, _marked

# Characters that re.IGNORECASE folds onto ASCII letters though they lower to themselves or
# to two characters (long s, Kelvin sign, dotless i, dotted capital I), and others near.
_ODD = "ſKıİßµ\u212b\u0130é"


def _draw(rng: random.Random, words: tuple[str, ...]) -> str:
    pieces = [*words, *words[0].upper(), "x", "X", "0", "<", ">", ".", "-", "_", *_ODD]
    pieces += [w[: rng.randint(1, len(w))] for w in words]
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
    if rng.random() < 0.3 and text:  # a folded letter inside a word
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice(_ODD) + text[at + 1 :]
    return text


def test_caseless_words_match_as_a_case_folded_alternation_does() -> None:
    rng = random.Random(5)
    for words in (("abcdef", "uvwxyz", "456789"), ("qwerty", "sk"), ("kelvin", "stuff")):
        regex = re.compile("|".join(words), re.IGNORECASE)
        caseless = CaselessWords(words)
        for _ in range(4000):
            value = _draw(rng, words)
            assert caseless.found_in(value) == (regex.search(value) is not None), value


def test_a_marker_word_is_never_missed_by_the_prefilter() -> None:
    """_marked skips its pattern when no marker word occurs: over values holding markers,
    parts of them and folded letters, it marks each value the pattern finds a marker in
    (under 64 characters every marker counts)."""
    rng = random.Random(6)
    words = ("example", "sample", "dummy", "fake", "xxxxxx", "00000000", "...", "your", "here")
    for _ in range(6000):
        value = _draw(rng, words)
        if len(value) < 64:
            assert _marked(value) == (_TOKEN_PLACEHOLDER.search(value) is not None), value
