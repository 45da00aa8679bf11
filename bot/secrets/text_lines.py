"""A text's lines, by their offsets: which line an offset is on, a line's bounds, and the
lines the detector's finders run on (those naming a secret-ish word, those holding a long
token-like run). detect.py builds one per text; the finders that read past a line (lists,
wrapped values, key blocks) walk it."""

from __future__ import annotations

import bisect
import itertools
import re

from bot.secrets.gitleaks import Found
from bot.secrets.long_lines import LONG_LINE
from bot.secrets.patterns import KEYWORD_WORDS, LONG_TOKEN_MIN, SECRET_WORD, TOKEN_MASK
from bot.secrets.word_led import led_matches, occurrences

_DIGIT_BYTES = re.compile(rb"[0-9]")
_RUN_END = re.compile(rb"t*")
_PLUS_ONE = (1).__add__
# KEYWORD_WORDS that name a secret only where no letter follows them
_WORD_ENDS = {"pat": re.compile("pat(?![a-z])(?<!compat)")}


def line_around(text: str, start: int, end: int) -> str:
    """The whole line (or lines) of `text` that `text[start:end]` stands on."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return text[ls : len(text) if le == -1 else le]


# SECRET_WORD opens with no literal, so the engine tries it at every position: 2 ms over a
# 44 KB minified line. Every match holds one of KEYWORD_WORDS at most this far from its
# start (`encryption_` before `key`); on a long line it is tried only there.
SECRET_WORD_LEAD = 11


def names_a_secret(lowered: str, start: int, end: int) -> bool:
    """Whether SECRET_WORD matches in lowered[start:end], a line."""
    if end - start < LONG_LINE:
        return SECRET_WORD.search(lowered, start, end) is not None
    at = occurrences(lowered, KEYWORD_WORDS, start, end)
    tried = led_matches(SECRET_WORD, lowered, at, SECRET_WORD_LEAD, start, end)
    return next(tried, None) is not None


def next_run(mask: bytes, pos: int, least: int) -> tuple[int, int] | None:
    """The first run of `least` b"t"s or more in `mask` (bytes mapped by patterns.run_mask)
    from `pos`, as (start, end); None when there is none."""
    start = mask.find(b"t" * least, pos)
    if start == -1:
        return None
    return start, _RUN_END.match(mask, start + least).end()  # type: ignore[union-attr]


def occurrences_of(line: str, value: str) -> list[int]:
    """Where `value` stands in `line`, not overlapping."""
    out: list[int] = []
    i = line.find(value)
    while i != -1:
        out.append(i)
        i = line.find(value, i + len(value))
    return out


class Lines:
    """Offsets of the text's lines; a line excludes its newline."""

    def __init__(self, text: str) -> None:
        self.text = text
        # (each line's length and its newline summed in C: no Python frame per line)
        lengths = itertools.accumulate(map(_PLUS_ONE, map(len, text.split("\n"))))
        self.starts = [0, *lengths]
        self.starts.pop()  # the offset past the end is no line

    def index(self, offset: int) -> int:
        """0-based index of the line holding `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1

    def bounds(self, i: int) -> tuple[int, int]:
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return start, end

    def keyword_lines(self, lowered: str, found: Found) -> set[int]:
        """Lines that name a secret-ish word: the keyword pass found KEYWORD_WORDS, and
        SECRET_WORD confirms them ("key" alone is too common to count)."""
        out: set[int] = set()
        held = [found[w] for w in KEYWORD_WORDS if w in found and w not in _WORD_ENDS]
        for ls in set().union(*held):
            i = self.index(ls)
            if i not in out and names_a_secret(lowered, *self.bounds(i)):
                out.add(i)
        # "pat" stands in `path` and `pattern` on most lines of code: only where it ends a
        # word (`github_pat`, `githubpat`), found by its own literal-led pattern
        for w, ending in _WORD_ENDS.items():
            for ls in found.get(w, ()):
                i = self.index(ls)
                if i not in out and ending.search(lowered, *self.bounds(i)) is not None:
                    out.add(i)
        return out

    def long_token_lines(self, lowered: str) -> set[int]:
        """Lines with a run of LONG_TOKEN_MIN+ token characters that has a digit in it.
        Works on UTF-8 bytes (see TOKEN_MASK): their offsets differ from the text's after a
        non-ASCII character, but newlines do not, and only line numbers come out."""
        raw = lowered.encode("utf-8", "surrogatepass")
        mask = raw.translate(TOKEN_MASK)
        found: set[int] = set()
        line = counted = pos = 0
        while (run := next_run(mask, pos, LONG_TOKEN_MIN)) is not None:
            pos, end = run
            if _DIGIT_BYTES.search(raw, pos, end) is None:
                pos = end
                continue
            line += mask.count(b"\n", counted, pos)
            counted = pos
            found.add(line)
            pos = mask.find(b"\n", end)
            if pos == -1:
                break
        return found
