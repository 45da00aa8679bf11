"""gitleaks' rule set as one of detect.py's layers: its matches made candidates (a service's
format as a token, its generic rule as an assignment that meets the assignment rules), and
its service-led rules run again on the pairs restated.py reads in syntaxes they cannot.
The scanner's keyword pass also finds the words of Switchyard's own layers: one pass over
the text serves every layer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

from bot.secrets import names, paths, rules, wording
from bot.secrets.cookies import COOKIE_WORDS
from bot.secrets.gitleaks import Found, Match, Scanner
from bot.secrets.gitleaks import scanner as gitleaks_scanner
from bot.secrets.line_finders import (
    RANK_ASSIGNED,
    RANK_GENERIC,
    RANK_PRIVATE_KEY,
    RANK_TOKEN,
    UNJUDGED,
    Candidate,
)
from bot.secrets.name_before import key_start
from bot.secrets.patterns import GITLEAKS_PEERS, KEY_BEFORE, KEY_REACH, KEYWORD_WORDS
from bot.secrets.restated import named_values, restated, unescaped_lines
from bot.secrets.text_lines import line_around
from bot.secrets.token_checks import jwt_ok
from bot.secrets.token_pass import TOKEN_KEYWORDS
from bot.secrets.token_runs import RunWidener

GITLEAKS = "gitleaks"


@cache
def scanner() -> Scanner:
    """gitleaks' scanner, its keyword pass also finding our own layers' words. (Held here:
    looking it up by its keywords hashed their ~100-word tuple on every call.)"""
    return gitleaks_scanner(_OWN_KEYWORDS)


_OWN_KEYWORDS = tuple(sorted({*KEYWORD_WORDS, *COOKIE_WORDS, *TOKEN_KEYWORDS}))


# gitleaks rules whose findings our own detectors make better: its private-key pattern
# takes any 64 characters between a BEGIN and a later "KEY-----" (code that checks for the
# armour lines); private_keys wants base64 key material and redacts each line's part.
_OWN_RULES = frozenset({"private-key"})


def gitleaks_candidates(
    text: str, lowered: str, path: str | None, test: bool, found_words: Found
) -> list[Candidate]:
    config = paths.is_config_path(path)
    widen = RunWidener(text)
    found = (
        _gitleaks_candidate(text, m, config, test, widen)
        for m in scanner().scan(text, lowered, path, found_words)
    )
    return [c for c in found if c is not None]


def _gitleaks_candidate(
    text: str, m: Match, config: bool, test: bool, widen: RunWidener
) -> Candidate | None:
    if m.rule.id in _OWN_RULES:
        return None
    value = text[m.start : m.end]
    if m.rule.generic:
        if not _generic_ok(text, m, value, config, test):
            return None
        kind = "secret assignment"
        priority = RANK_GENERIC
    else:
        if rules.token_is_placeholder(value, service=True):
            return None
        if m.rule.id == "jwt" and not jwt_ok(value, test):
            return None
        if m.rule.semi_generic and wording.camel_name(value):
            # A rule led by its service's name takes any 25 letters after it:
            # `TwitterTests : RemoteAuthenticationTests<…>` names a class.
            return None
        if m.rule.id in _PASSWORD_RULES and not rules.literal_ok(
            "password", value.strip('"'), test=test
        ):
            return None  # a password's name and a quoted literal: the assignment's rules
        if m.rule.id == "curl-auth-header" and not _header_token_ok(text, m.start, value):
            return None  # `-H "Key: react-apollo"`: a name, not a key
        if m.start > 0 and text[m.start - 1].isalnum() and _PREFIXED.match(value):
            return None  # `Sogho_ICANVAS...`: a format's prefix at the end of a longer word
        kind = m.rule.id.replace("-", " ")
        priority = RANK_TOKEN
    # (one candidate for the matches widened to one run: `fio-u-` repeated over a line)
    span = (m.start, m.end) if m.rule.generic else widen.once(m.start, m.end, m.rule.id)
    return None if span is None else Candidate(*span, kind, priority, f"{GITLEAKS}:{m.rule.id}")


def restated_candidates(
    text: str, path: str | None, test: bool, found_words: Found
) -> list[Candidate]:
    """The values of flags, Kubernetes entries, escaped JSON and indexes that a rule led by
    its service's name reports once the pair is read as an assignment (restated.py)."""
    starts = scanner().named_lines(found_words)
    out: list[Candidate] = []
    for name, s, e in named_values(text, starts) if starts else ():
        line, at = restated(name, text[s:e])
        for c in _service_led(line, path, test):
            if at <= c.start and c.end <= at + e - s:
                out.append(replace(c, start=s + c.start - at, end=s + c.end - at))
    for ls, line in unescaped_lines(text, starts):
        out.extend(
            replace(c, start=ls + c.start, end=ls + c.end) for c in _service_led(line, path, test)
        )
    return out


def _service_led(line: str, path: str | None, test: bool) -> Iterator[Candidate]:
    """What gitleaks' service-led rules report in `line`, offsets within it."""
    widen = RunWidener(line)
    for m in scanner().scan(line, line.lower(), path):
        c = _gitleaks_candidate(line, m, False, test, widen) if m.rule.service_led else None
        if c is not None:
            yield c


def _header_token_ok(text: str, start: int, value: str) -> bool:
    """A curl header's value as Switchyard's own header patterns judge it: machine-made (a
    UUID included, as API keys often are), unless it is a Basic pair's base64, which
    decodes to whatever the user typed."""
    if text[max(0, start - 6) : start].lower() == "basic ":
        return True
    return rules.looks_random(value) or rules.generated(value) or rules.is_uuid(value)


# Rules that take any quoted value under a password's name (Terraform's `password = "…"`):
# the value meets an assigned password's rules, so `"my_password"` is the stand-in there
# that it is in any other file.
_PASSWORD_RULES = frozenset({"hashicorp-tf-password"})
# A token that starts with a short prefix of its format (`gho_`, `xoxb-`): glued to the end
# of a word, such a prefix is a coincidence; a long one (`github_pat_`) is not.
_PREFIXED = re.compile(r"[A-Za-z]{2,4}[_-]")


def _generic_ok(text: str, m: Match, value: str, config: bool, test: bool) -> bool:
    """gitleaks' generic rule finds `name = value` by a broad list of names; the value then
    meets the rules an assignment meets (rules.py), with the name found before it."""
    if rules.is_uuid(value):
        return False
    ls = text.rfind("\n", 0, m.start) + 1
    key_m = KEY_BEFORE.search(text, max(ls, m.start - KEY_REACH), m.start)
    if key_m is None:
        return False
    quoted = m.start > 0 and text[m.start - 1] in "\"'`"
    if not quoted and not config:
        return False
    key = key_m.group("key")
    if names.key_is_password(key):
        kind_ok = True
    else:
        kind_ok = rules.looks_random(value) or len(value) >= rules.MIN_ENTROPY_NAMED
    return kind_ok and rules.assigned_value_ok(
        key, value, quoted=quoted, config=config, env_style=False, test=test
    )


def allow_listed(c: Candidate, text: str, path: str | None) -> bool:
    """gitleaks' allow-lists over our own detectors' hits (its rules applied their own)."""
    if c.priority == RANK_PRIVATE_KEY or c.detector.startswith(GITLEAKS) or c.detector == UNJUDGED:
        return False
    ls = text.rfind("\n", 0, c.start) + 1
    # (read as JSON's escaped slashes mean it: `"\/usr\/share\/…"` is the path it spells)
    value = text[c.start : c.end].replace("\\/", "/")
    assigned = c.priority == RANK_ASSIGNED or c.peers is not None
    # gitleaks' match opens at the name (`client_credential="…"`), not at what stands before
    # it on the line (`X(authority=AUTH, …` holds an allow-listed word)
    key_at = key_start(text[ls : c.start]) if assigned else None
    match = text[ls + (key_at or 0) : c.end].replace("\\/", "/") if assigned else value
    # A stopword inside a value that mixes cases and digits is a coincidence, not a word;
    # so is a short one inside a machine-made lower-case value (`pk_q7w2e9fun4r8...` holds
    # "fun" by chance), while a long one ("hardcoded", "example") was typed there.
    stopwords = not rules.looks_random(value)
    # Drawn letters under a secret's name (`KUVcZImFPqjahAcr`, `gcperfxrtqymqml…`, an
    # Erlang cookie's `QHXLNQLUEHZKWPMDTRAB`) are not a name, and hold short words by chance
    # as a machine-made value does.
    # (`qwertyuiop…` is a keyboard's row, typed: token_is_placeholder)
    one_case = value.islower() or value.isupper()
    drawn = assigned and (
        wording.random_letters(value)
        or (
            one_case
            and wording.random_lower(value.lower())
            and not rules.token_is_placeholder(value)
        )
    )
    machine_made = drawn or (rules.generated(value) and not rules.token_is_placeholder(value))
    return scanner().allowed(
        c.peers if c.peers is not None else GITLEAKS_PEERS.get(c.kind, ()),
        value,
        match,
        line_around(text, c.start, c.end),
        path,
        stopwords=stopwords,
        stopword_min=_CHANCE_WORD if machine_made else 0,
        shapes=not drawn,
    )


# Stopwords shorter than this turn up by chance in random lower-case tokens: a given
# four-letter word sits in a random 40-character base-36 value about once in 45,000, and
# gitleaks lists hundreds of them.
_CHANCE_WORD = 5
