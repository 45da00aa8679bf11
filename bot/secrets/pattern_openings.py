"""Whether a pattern's every match opens with one of its keywords, and how far before it.

A token pattern runs over a whole text once its keyword occurs in it; Python's engine then
reads every position of the text for the pattern's opening (a literal it skips to with a
fast search, a class or a choice of literals one position at a time). Over one 100 KB file
that names many formats' keywords (a lockfile, a vendored bundle, a configuration
reference) those whole-text reads added up to most of its scan. A pattern whose every
match opens with a literal holding its keyword, as written (`aio_…`, `sgp_…`, `xoxb-…`,
`sk_live_…` for `_live_`), can match only where the keyword pass already saw that keyword,
a fixed reach before it: it is tried there alone (word_led.led_matches), with the same
matches as a whole-text search.
"""

from __future__ import annotations

import re
from typing import Any

try:  # CPython's own parser of its regexes (3.11+), not a public API
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - a Python without them: every pattern read whole
    sre = sre_parse = None  # type: ignore[assignment]

from bot.secrets.patterns import TokenPattern

_LEADS: dict[int, int | None] = {}  # id(pattern) -> keyword_lead (patterns are constants)


def keyword_lead(pattern: TokenPattern) -> int | None:
    """How far before one of its keywords (in the lower-cased text) a match of `pattern`
    can open: each way the regex can start is a cased literal holding a keyword, at most
    this many characters in (`sk_live_` holds `_live_` two in). None where a way holds none
    (a match may then stand where no keyword does)."""
    key = id(pattern)
    if key not in _LEADS:
        _LEADS[key] = _keyword_lead(pattern)
    return _LEADS[key]


def _keyword_lead(pattern: TokenPattern) -> int | None:
    if sre_parse is None or not pattern.keywords or pattern.regex.flags & re.IGNORECASE:
        return None
    parsed = sre_parse.parse(pattern.regex.pattern, pattern.regex.flags)
    if parsed.state.flags & re.IGNORECASE:
        return None  # an inline `(?i)` for the whole pattern
    openings = _openings(list(parsed))
    if openings is None or not all(o.isascii() for o in openings):
        return None
    lead = 0
    for o in openings:
        low = o.lower()
        at = [i for k in pattern.keywords if (i := low.find(k)) != -1]
        if not at:
            return None
        lead = max(lead, min(at))
    return lead


_MOST = 64  # ways of opening followed, at most (a class of letters is no literal)


def _openings(items: list[tuple[Any, Any]]) -> list[str] | None:
    """The literal text each way of matching `items` starts with, as far as it is literal
    (`A(?:KIA|SIA)` -> AKIA, ASIA; `gh[pousr]_` -> ghp_, gho_, …); None where a way starts
    with anything else (a range, a repeat, an assertion, a case-folded group)."""
    prefixes, _ = _literal_run(items)
    return None if not prefixes or "" in prefixes else prefixes


def _literal_run(items: list[tuple[Any, Any]]) -> tuple[list[str], bool]:
    """(the prefixes `items` open with, whether each way is literal to its end)."""
    prefixes = [""]
    for op, arg in items:
        ways = _ways(op, arg)
        if ways is None:
            return prefixes, False
        heads, whole = ways
        prefixes = [p + h for p in prefixes for h in heads]
        if len(prefixes) > _MOST:
            return [""], False
        if not whole:
            return prefixes, False
    return prefixes, True


def _ways(op: Any, arg: Any) -> tuple[list[str], bool] | None:
    """The texts one parsed item opens with, and whether it is literal to its end."""
    if op is sre.LITERAL:
        return [chr(arg)], True
    if op is sre.IN and len(arg) <= 8 and all(o is sre.LITERAL for o, _ in arg):
        return [chr(c) for _, c in arg], True
    if op is sre.SUBPATTERN and not arg[1] & sre.SRE_FLAG_IGNORECASE:
        return _literal_run(list(arg[-1]))
    if op is sre.BRANCH:
        heads: list[str] = []
        whole = True
        for branch in arg[1]:
            opened, complete = _literal_run(list(branch))
            heads.extend(opened)
            whole = whole and complete
        return heads, whole
    return None
