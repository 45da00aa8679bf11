"""What detect-secrets' format plugins find on a line, as candidates: each value at every
place it stands, widened to its whole token run, and a Twilio account's auth token after
its SID."""

from __future__ import annotations

import re

from bot.secrets import plugins, references, rules
from bot.secrets.line_finders import RANK_PLUGIN_TOKEN, SWITCHYARD, Candidate
from bot.secrets.text_lines import occurrences_of
from bot.secrets.token_runs import RunWidener

_MIN_PLUGIN_VALUE = 8  # shorter plugin results are prefixes or noise (see plugins.py)


def plugin_tokens(line: str, base: int) -> list[Candidate]:
    out: list[Candidate] = []
    # A value found again, or a run widened to again, is one candidate: a line of one
    # format's prefix repeated (`sq0csp-…sq0csp-…`, untrusted text) gives thousands of
    # matches in one run, each widened to the whole line.
    seen: set[tuple[str, str]] = set()
    widen = RunWidener(line)
    for hit in plugins.token_hits(line):
        if (hit.kind, hit.value) in seen:
            continue
        seen.add((hit.kind, hit.value))
        if len(hit.value) < _MIN_PLUGIN_VALUE or rules.token_is_placeholder(hit.value):
            continue
        if hit.kind == "password in URL" and (
            rules.is_placeholder(hit.value, min_len=4) or references.is_reference(hit.value)
        ):
            continue
        for at in occurrences_of(line, hit.value):
            if (span := widen.once(at, at + len(hit.value), hit.kind)) is None:
                continue
            s, e = span
            out.append(Candidate(base + s, base + e, hit.kind, RANK_PLUGIN_TOKEN, hit.plugin))
            if hit.value.startswith("AC") and (pair := _TWILIO_TOKEN.match(line, e)):
                ts, te = pair.span(1)
                out.append(
                    Candidate(
                        base + ts, base + te, TWILIO_AUTH_TOKEN, RANK_PLUGIN_TOKEN, SWITCHYARD
                    )
                )
    return out


TWILIO_AUTH_TOKEN = "Twilio auth token"
# After an account's SID (`AC` and 32 hex digits, detect-secrets' Twilio plugin), the auth
# token as the next argument: `Client("AC…", "…")`, `twilio(sid, token)`,
# `Twilio.init(…)`. The SID names the account; the token is the secret.
_TWILIO_TOKEN = re.compile(r"[\"']\s*,\s*[\"']([0-9a-f]{32})[\"']")
