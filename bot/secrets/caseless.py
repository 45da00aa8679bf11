"""Whether any of a set of words occurs in a value, in any case.

Python's engine tries each word of a case-folded alternation at every position: over a
1 MB base64 value, six-letter runs of the alphabet (`abcdef`, `234567`, ...) took 0.6 s
where `in` over the lower-cased value takes milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class CaselessWords:
    """Literal words, asked whether one occurs in a value, ignoring case as `re.IGNORECASE`
    does."""

    __slots__ = ("_regex", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(dict.fromkeys(w.lower() for w in words))
        self._regex = re.compile("|".join(map(re.escape, self.words)), re.IGNORECASE)

    def found_in(self, value: str, ascii_lower: str | None = None) -> bool:
        """`ascii_lower`: value.lower() of an ASCII value, when the caller has it."""
        if ascii_lower is not None or value.isascii():
            low = value.lower() if ascii_lower is None else ascii_lower
            return any(w in low for w in self.words)
        # Outside ASCII case folding is the engine's: `ſ` (long s) matches `s`, and its
        # lower case is itself.
        return self._regex.search(value) is not None


def same_length_lower(text: str) -> str:
    """text.lower() with one character for each of text's: `İ` lower-cases to two (`i` and
    a combining dot), which would shift every offset after it; here it becomes `i`, as
    re.IGNORECASE matches it. (Found among the text's distinct characters and replaced in
    C: a per-character loop took 1.1 s over a 1.2 MB bundle holding one.)"""
    low = text.lower()
    if len(low) == len(text):
        return low
    for c in {c for c in set(text) if len(c.lower()) != 1}:
        text = text.replace(c, c.lower()[0])
    return text.lower()
