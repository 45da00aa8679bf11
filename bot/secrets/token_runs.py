"""A format's match widened to the whole token run it stands in.

Many formats' patterns have no end (detect-secrets' Discord pattern takes 27 characters of
today's 38 in the third part; gitleaks' Shopify, Twilio and Linear rules stop at their
length): redacting the match alone would send the rest of a longer run, so the span grows
to the whole run.
"""

from __future__ import annotations

import bisect
import re

from bot.secrets.patterns import TOKEN_CHARS

# Characters that carry a token on past a format's match.
_BASE64_ON = TOKEN_CHARS | frozenset("+/")


def whole_run(line: str, s: int, e: int) -> tuple[int, int]:
    """line[s:e] widened to the token run it is part of (a base64 run when it holds `+`
    or `/` or one stands next to it: a plugin's 44 characters cut from a longer base64
    value at its first `+` left the rest unmasked)."""
    base64 = any(c in "+/" for c in line[s:e]) or line[e : e + 1] in ("+", "/")
    base64 = base64 or (s > 0 and line[s - 1] in "+/")
    on, chars = (_BASE64_ON, _BASE64_RUN) if base64 else (TOKEN_CHARS, _TOKEN_RUN)
    # (str and re methods, not a loop over characters: a run may be a 100 KB line)
    if line[s] in on:
        s = _run_start(line, s, chars)
    if line[e - 1] in on:
        e = (_BASE64_RUN_AT if base64 else _TOKEN_RUN_AT).match(line, e).end()
    if base64:  # and its padding
        e += len(line[e : e + 2]) - len(line[e : e + 2].lstrip("="))
    return s, e


def _run_start(line: str, s: int, chars: str) -> int:
    """Where the run of `chars` that ends at `s` starts: windows before `s`, doubled while
    the run fills them (`line[:s]` whole would copy a megabyte text for each match)."""
    size = 64
    while True:
        lo = max(0, s - size)
        left = len(line[lo:s].rstrip(chars))
        if left or lo == 0:
            return lo + left
        size *= 2


_TOKEN_RUN = "".join(sorted(TOKEN_CHARS))
_BASE64_RUN = "".join(sorted(_BASE64_ON))
_TOKEN_RUN_AT = re.compile(r"[A-Za-z0-9_\-]*")
_BASE64_RUN_AT = re.compile(r"[A-Za-z0-9_\-+/]*")


class RunWidener:
    """whole_run over one text, for many matches: a match strictly inside a run widened
    before is given that run (its own widening gives the same run, or one inside it where
    the earlier was a base64 run). A line of one format's prefix repeated (`sq0csp-…`,
    untrusted text) holds thousands of matches in one run, each read to both its ends."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []  # the runs widened, by start
        self.ends: list[int] = []
        self.given: set[tuple[int, int, str]] = set()

    def __call__(self, s: int, e: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.starts, s) - 1  # the nearest run that starts before s
        if i >= 0 and e < self.ends[i]:
            return self.starts[i], self.ends[i]
        # (at a run's edge a match may widen further, over a `+` or `/` beside it)
        s, e = whole_run(self.text, s, e)
        at = bisect.bisect_left(self.starts, s)
        self.starts.insert(at, s)
        self.ends.insert(at, e)
        return s, e

    def once(self, s: int, e: int, kind: str) -> tuple[int, int] | None:
        """The run `s`..`e` widens to, or None where it was given for `kind` before: one
        candidate for the matches of one run."""
        span = self(s, e)
        if (*span, kind) in self.given:
            return None
        self.given.add((*span, kind))
        return span
