"""The token patterns' pass: every fixed format Switchyard knows by shape (its own, the
vendors' of services.py and prefixed.py, password hashes, what a URL carries, credentials
known by their context, Microsoft's Azure keys), which of them a text's keywords wake, and
the candidates they find.

A pattern runs only when the keyword pass (gitleaks' Aho-Corasick scanner, which also looks
for these patterns' words) saw one of its keywords; one that no literal opens runs on those
keywords' lines only (tests/test_secrets_pattern_shapes.py), and one that its keyword opens
is tried where the keyword stands (pattern_openings.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bot.secrets.config_credentials import CONFIG_CREDENTIAL_PATTERNS, CONNECTION_PASSWORD
from bot.secrets.context_values import context_name, context_value
from bot.secrets.contexts import CONTEXT_KINDS, CONTEXT_PATTERNS
from bot.secrets.daemon_configs import DAEMON_KINDS, DAEMON_PATTERNS, daemon_value
from bot.secrets.device_configs import DEVICE_KINDS, DEVICE_PATTERNS, device_value
from bot.secrets.gitleaks import Found
from bot.secrets.hashes import HASH_PATTERNS
from bot.secrets.installers import INSTALLER_KINDS, INSTALLER_PATTERNS
from bot.secrets.key_pairs import KEY_PAIR_PATTERNS
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate, assigned_peers
from bot.secrets.microsoft import MICROSOFT_PATTERNS
from bot.secrets.pattern_openings import keyword_lead
from bot.secrets.patterns import (
    AUTHORIZATION_SCHEME_PATTERN,
    TOKEN_PATTERNS,
    TokenPattern,
)
from bot.secrets.prefixed import PREFIXED_PATTERNS
from bot.secrets.services import SERVICE_PATTERNS
from bot.secrets.sql_passwords import SQL_KINDS, SQL_PATTERNS, sql_password
from bot.secrets.token_checks import connection_password, token_ok
from bot.secrets.token_runs import RunWidener
from bot.secrets.url_secrets import URL_PATTERNS, URL_USER_TOKEN, url_user_token
from bot.secrets.word_led import led_matches, merged_windows, occurrences

# Microsoft's last: detect.py runs them after gitleaks' rules, so that a value gitleaks or
# Switchyard already names keeps that name.
ALL_TOKEN_PATTERNS = (
    *TOKEN_PATTERNS,
    *KEY_PAIR_PATTERNS,
    *SERVICE_PATTERNS,
    *CONFIG_CREDENTIAL_PATTERNS,
    *HASH_PATTERNS,
    *URL_PATTERNS,
    *PREFIXED_PATTERNS,
    *CONTEXT_PATTERNS,
    *SQL_PATTERNS,
    *DEVICE_PATTERNS,
    *DAEMON_PATTERNS,
    *INSTALLER_PATTERNS,
    AUTHORIZATION_SCHEME_PATTERN,
    *MICROSOFT_PATTERNS,
)
_FIRST_MICROSOFT = len(ALL_TOKEN_PATTERNS) - len(MICROSOFT_PATTERNS)
TOKEN_KEYWORDS = frozenset(k for p in ALL_TOKEN_PATTERNS for k in p.keywords)
# keyword -> the token patterns it enables (indexes, to keep their order). Looked up from
# the few words a text holds: asking each of ~50 patterns about each of its keywords cost a
# fifth of a short text's scan (redact scans a prompt file by file).
_BY_KEYWORD: dict[str, list[int]] = {}
for _i, _p in enumerate(ALL_TOKEN_PATTERNS):
    for _k in _p.keywords:
        _BY_KEYWORD.setdefault(_k, []).append(_i)
_UNKEYED = frozenset(i for i, p in enumerate(ALL_TOKEN_PATTERNS) if not p.keywords)


def token_patterns(found_words: Found) -> tuple[list[TokenPattern], list[TokenPattern]]:
    """The token patterns to run, our own and Microsoft's: those without keywords, and
    those whose keyword occurs."""
    wanted = set(_UNKEYED)
    for word in found_words:
        wanted.update(_BY_KEYWORD.get(word, ()))
    order = sorted(wanted)
    return (
        [ALL_TOKEN_PATTERNS[i] for i in order if i < _FIRST_MICROSOFT],
        [ALL_TOKEN_PATTERNS[i] for i in order if i >= _FIRST_MICROSOFT],
    )


# Kinds known by their context: where the value stands in the match, and whether it is one.
_READERS: dict[str, Callable[[str, re.Match[str], bool], tuple[int, int] | None]] = {
    **dict.fromkeys(CONTEXT_KINDS, context_value),
    **dict.fromkeys(DEVICE_KINDS, device_value),
    **dict.fromkeys(DAEMON_KINDS, daemon_value),
    **dict.fromkeys(INSTALLER_KINDS, daemon_value),
    **dict.fromkeys(SQL_KINDS, sql_password),
    CONNECTION_PASSWORD: connection_password,
    URL_USER_TOKEN: url_user_token,
}


def token_candidates(
    text: str, lowered: str, patterns: list[TokenPattern], found_words: Found, test: bool
) -> list[Candidate]:
    out: list[Candidate] = []
    widen = RunWidener(text)
    for pattern in patterns:
        for m in _matches(pattern, text, lowered, found_words):
            read = _READERS.get(pattern.kind)
            if read is not None:
                span = read(pattern.kind, m, test)
                if span is not None:
                    name = context_name(pattern.kind, m)
                    # Named as in an assignment, judged as one (gitleaks' generic allow-list).
                    peers = assigned_peers(name)
                    out.append(Candidate(*span, pattern.kind, RANK_TOKEN, SWITCHYARD, peers=peers))
                continue
            s, e = m.span(pattern.group)
            if pattern.group == 0 and s > 0 and text[s - 1] in pattern.before:
                continue
            if not token_ok(pattern, text[s:e], m, test):
                continue
            if (span := widen.once(s, e, pattern.kind)) is not None:
                out.append(Candidate(*span, pattern.kind, RANK_TOKEN, SWITCHYARD))
    return out


# A text this short is searched whole: finding its keywords' places costs more than the
# search they would spare.
_SHORT = 4096


def _matches(
    pattern: TokenPattern, text: str, lowered: str, found_words: Found
) -> Iterator[re.Match[str]]:
    if not pattern.on_keyword_lines:
        lead = keyword_lead(pattern) if len(text) > _SHORT else None
        if lead is not None:
            # tried where its keywords stand (on the lines the keyword pass saw them on)
            # only: no read of the whole text; a match may still run on past its line
            at = [
                x
                for ls, le in lines_holding(text, found_words, pattern.keywords)
                for x in occurrences(lowered, pattern.keywords, ls, le)
            ]
            yield from led_matches(pattern.regex, text, at, lead, run=pattern.run)
        else:
            yield from pattern.regex.finditer(text)
        return
    # (on a long line, a pattern that opens with its keyword is tried where it stands, as
    # over a long text above: the same matches, without a read of a bundle's whole line)
    lead = keyword_lead(pattern) if not pattern.reach else None
    for ls, le in lines_holding(text, found_words, pattern.keywords):
        if not pattern.reach:
            if lead is not None and le - ls > _SHORT:
                at = occurrences(lowered, pattern.keywords, ls, le)
                yield from led_matches(pattern.regex, text, at, lead, ls, le, run=pattern.run)
            else:
                yield from pattern.regex.finditer(text, ls, le)
            continue
        at_words = occurrences(lowered, pattern.keywords, ls, le)
        for ws, we in merged_windows(at_words, pattern.reach, ls, le):
            yield from pattern.regex.finditer(text, ws, we)


def lines_holding(
    text: str, found_words: Found, words: tuple[str, ...]
) -> Iterator[tuple[int, int]]:
    """(start, end) of each line holding one of `words`, in order."""
    held = [found_words[w] for w in words if w in found_words]
    if not held:
        return  # (most texts hold none: asked for each pattern of each file of a prompt)
    for ls in sorted(set().union(*held)):
        le = text.find("\n", ls)
        yield ls, len(text) if le == -1 else le
