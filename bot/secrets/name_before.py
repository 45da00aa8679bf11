"""The name before a value, read back from the value: where it starts (gitleaks' match
opens there), whether it says the value is a hash, and the syntax around it that makes
the value code rather than a literal (a template's bound attribute) or the end of a
string the name opened (a prompt's text). line_finders.py, gitleaks_pass.py and the
token checks ask."""

from __future__ import annotations

import re

from bot.secrets.patterns import KEY_REACH
from bot.secrets.rules import HASH_CONTEXT
from bot.secrets.value_ends import quote_before

_KEY_AT_END = re.compile(r"([A-Za-z_$@][\w.\-$@]*)[\"'\]]{0,2}\s*(?::=|=>|=|:)\s*[\"'`]?$")
# A name given as a call's argument before its value (`setenv("API_KEY", "…`): gitleaks'
# generic rule takes the comma as an assignment's operator too.
_NAME_ARGUMENT_AT_END = re.compile(r"[\"']([A-Za-z_$@][\w.\-$@]*)[\"']\s*,\s*[\"'`]?$")
# A name a command sets before its value (`aws configure set aws_secret_access_key …`,
# `setx API_KEY …`): read from the line's start instead, the match held an earlier name
# on the line (`aws_access_key_id`, which gitleaks' allow-list lets through).
_NAME_THEN_SPACE_AT_END = re.compile(r"(?<![\w.\-$@])([A-Za-z_$@][\w.\-$@]*)[ \t]+[\"'`]?$")
# What follows a string in code, never a value glued to it: `"Password:",required:!0`.
_AFTER_A_STRING = frozenset(",;)]}{")


def _key_at_end(before: str) -> re.Match[str] | None:
    # Within a name's reach of the value only: searched over a minified line's 50 KB before
    # a value, the pattern anchored at its end is tried from each position (40 s a line).
    return _KEY_AT_END.search(before, max(0, len(before) - KEY_REACH))


def key_start(before: str) -> int | None:
    """Where the name that the value after `before` is assigned to, or set under by a
    call, starts in `before`."""
    start = max(0, len(before) - KEY_REACH)
    key_m = (
        _key_at_end(before)
        or _NAME_ARGUMENT_AT_END.search(before, start)
        or _NAME_THEN_SPACE_AT_END.search(before, start)
    )
    return None if key_m is None else key_m.start(1)


def names_a_hash(before: str) -> bool:
    """Whether the name a value is assigned to (in `before`, the line up to the value)
    says it is a hash or a digest."""
    key_m = _key_at_end(before)
    return key_m is not None and HASH_CONTEXT.search(key_m.group(1)) is not None


def closes_its_string(line: str, m: re.Match[str]) -> bool:
    """Whether an assignment's name opens a string that is still open at the operator, so
    that the quote after it closes that string and what follows is other code: `expect
    "Password:" { send "…" }`, `message:"Password:",required:!0`. Glued to the quote, it is
    the value (shell's `"PASSWORD="$X`)."""
    q = quote_before(line, m.start("key"))
    if q is None or q != m.group("q") or m.group("esc"):
        return False  # (an escaped quote, `\"`, closes no string: a notebook's JSON line)
    if q in line[m.end("key") : m.start("op")]:
        return False  # closed after the name: `"password": "…"`
    first = m.group("qv")[:1]
    return first.isspace() or first in _AFTER_A_STRING


def bound_attribute(line: str, m: re.Match[str]) -> bool:
    """Whether an assignment's name is a template's bound attribute, whose value is an
    expression: Angular's `[name]="…"`, Vue's `:name="…"` and `v-bind:name="…"`."""
    ks, ke = m.span("key")
    if line.endswith("[", 0, ks):
        return line.startswith("]", ke)
    return line.endswith((" :", "\t:", "v-bind:"), 0, ks)
