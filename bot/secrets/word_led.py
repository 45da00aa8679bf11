"""A pattern tried only where the words its matches must hold stand.

Python's engine skips to a pattern's literal opening; a pattern that opens with a class, a
case-folded alternation or an optional prefix it tries at every position, which over a
prompt costs milliseconds and over a minified bundle's megabyte line seconds. Where every
match holds one of a few words a fixed reach from its start, str.find finds the words (one
Aho-Corasick pass for all of them over a span past 64 KB) and the pattern is tried there
alone: gitleaks' generic rule (gitleaks/scan.py), Switchyard's
patterns that run near their keywords (token_pass.py), and the finders of a long line
(long_lines.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import ahocorasick_rs

from bot.secrets.lazy_regex import LazyRegex, Regex

_SURROGATE = re.compile("[\ud800-\udfff]")


def keyword_hits(automaton: ahocorasick_rs.AhoCorasick, lowered: str) -> list[tuple[int, int, int]]:
    """(word index, start, end) of every word of `automaton` in `lowered`, overlapping, at
    the text's own character offsets."""
    try:
        return automaton.find_matches_as_indexes(lowered, overlapping=True)
    except UnicodeEncodeError:
        # A lone surrogate (bytes decoded with surrogateescape) cannot cross into Rust;
        # one character for one keeps every offset.
        return automaton.find_matches_as_indexes(_SURROGATE.sub("?", lowered), overlapping=True)


@functools.cache
def automaton(words: tuple[str, ...]) -> ahocorasick_rs.AhoCorasick:
    """An Aho-Corasick automaton over `words`, built once per process. A DFA: twice as fast
    as the default NFA over a prompt's files (~0.37 ms against ~0.74 ms for 100 KB in 76
    parts)."""
    return ahocorasick_rs.AhoCorasick(words, implementation=ahocorasick_rs.Implementation.DFA)


# Longer than this, a span is read once for all its words (one Aho-Corasick pass) rather
# than once for each: a minified bundle's megabyte line and fifty name parts cost a second.
_ONE_PASS = 65_536


def occurrences(
    text: str, words: Iterable[str], start: int = 0, end: int | None = None
) -> list[int]:
    """Where `words` stand in text[start:end], as written, in order, each position once."""
    end = len(text) if end is None else end
    words = tuple(words)
    if end - start > _ONE_PASS and len(words) > 1:
        hits = keyword_hits(automaton(words), text[start:end])
        return sorted({start + s for _, s, _ in hits})
    found: set[int] = set()
    for word in words:
        at = text.find(word, start, end)
        while at != -1:
            found.add(at)
            at = text.find(word, at + 1, end)
    return sorted(found)


def led_matches(
    regex: Regex,
    text: str,
    positions: list[int] | None,
    lead: int,
    start: int = 0,
    end: int | None = None,
    run: re.Pattern[str] | None = None,
) -> Iterator[re.Match[str]]:
    """regex.finditer(text, start, end), for a regex each match of which holds one of the
    sorted `positions` at most `lead` characters after its start: tried only where such a match
    can start, left to right and not overlapping, as finditer tries every position.
    Without `positions`, finditer itself. With `run` (TokenPattern.run), a failed try
    skips the starts inside the run it read through."""
    end = len(text) if end is None else end
    if positions is None:
        yield from regex.finditer(text, start, end)
        return
    starts = (
        positions if not lead else sorted({x for p in positions for x in range(p - lead, p + 1)})
    )
    after = start
    match = (regex.compiled if isinstance(regex, LazyRegex) else regex).match
    for x in starts:
        if x < after:
            continue  # before `start`, or inside the last match: finditer goes on from its end
        if (m := match(text, x, end)) is not None:
            yield m
            after = max(m.end(), x + 1)
        elif run is not None:
            after = max(run.match(text, x, end).end(), x + 1)


def merged_windows(positions: list[int], reach: int, start: int, end: int) -> list[tuple[int, int]]:
    """The spans within `reach` of each of the sorted `positions`, kept to [start, end),
    overlapping or touching ones joined. The engine still sees the text around a window
    (`^`, look-behinds), as over the whole."""
    out: list[tuple[int, int]] = []
    for p in positions:
        s, e = max(start, p - reach), min(end, p + reach)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
