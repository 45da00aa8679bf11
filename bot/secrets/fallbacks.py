"""A literal that an expression falls back to, under a secret's name: `password =
opts.password || '…'`, `$password = $env:DB_PASSWORD ?? '…'` (PowerShell), `val token =
props["token"] ?: "…"`, `password = x if x else '…'`, `String password =
Optional.ofNullable(…).orElse("…")`, Terraform's `password = coalesce(var.db_password, "…")`,
`try(…, "…")` and `lookup(…, …, "…")`, a configuration reader's `password =
cfg.get("db", "password", fallback="…")`, and a reader's default under the key it reads
(`settings.get("db_password", "…")`). The literal is what runs wherever the value is not
set, so it is judged as the same literal assigned directly would be (an environment
variable's default, env_defaults.py, is the same thing for `os.getenv` and its kin).
detect.py runs these on the lines that name a secret."""

from __future__ import annotations

import re

from bot.secrets import names, rules, wording
from bot.secrets.line_finders import RANK_NAMED, SWITCHYARD, Candidate, assigned_peers
from bot.secrets.patterns import (
    IN_QUOTES,
    LINE_PREFIX,
    QUOTED_ARGUMENT,
    VALUE_LENGTH,
)

FALLBACK = "secret as a fallback's literal"

# Readers that take a key (or a collection, or a value) first and a default last.
_KEYED_READERS = (
    r"coalesce|try|lookup|get|getString|get_str|fetch|getattr|getOrDefault|getOrElse|get_or"
)
# Methods whose only argument is what an absent value falls back to (Java's and Scala's
# Optional, Rust's Option and Result, C++'s std::optional).
_ONE_ARGUMENT = r"orElse|orElseGet|getOrElse|or_else|unwrap_or|unwrap_or_else|unwrapOr|value_or"
# An argument list's text without a literal's call of its own: a call nested one deep.
_ARGUMENTS = r"(?:[^\n()]|\([^\n()]*\)){1,200}?"
# The operators that fall back: `x ?? '…'`, `x || '…'`, `x or '…'`, `x ?: '…'`.
_OPERATOR = r"(?:\?\?|\|\||\bor\b|\?:)"
_FALLS_BACK = (
    # an operator; `… else '…'`, `… else { '…' }`
    rf"(?:{_OPERATOR}|\belse\b[ \t]*\{{?)[ \t]*"
    # a condition's last branch: `cond ? x : '…'`
    r"|\?[^\n?:]{1,200}:[ \t]*"
    + rf"|\b(?:{_KEYED_READERS})\({_ARGUMENTS},[ \t]*(?:(?:default|fallback)[ \t]*=[ \t]*)?"
    + rf"|\.(?:{_ONE_ARGUMENT})\([ \t]*(?:\|_?\|[ \t]*|\(\)[ \t]*->[ \t]*)?"
)
# The statement's end after the literal: a conversion (`"…".to_string()`), the brackets it
# closes, a separator, a comment.
_STATEMENT_END = (
    r"[ \t]*(?:\.(?:to_string|to_owned|into|toString)\(\))?[ \t]*[)}\]]*[ \t]*[;,]?"
    r"[ \t]*(?:(?://|#|--)[^\n]*)?\r?$"
)
# An assignment that opens its line (after a diff's or a prompt's prefix), declarations
# and a type first (`private static final String`, `const`, `val`, `my`), the name quoted
# as an object's key or behind a sigil (`$password`, `@token`), then the operator.
_HEAD = re.compile(
    LINE_PREFIX
    + r"(?:[A-Za-z_][\w<>\[\]?.,]*[ \t]+){0,4}[$@]?[\"']?(?P<name>[A-Za-z_][\w.\-]{0,80})"
    + r"[\"']?[ \t]*(?:=|:=|:|<-)(?!=)[ \t]*"
)
# The literal that ends the statement: a quote written twice inside it is one of its
# characters (PowerShell's, SQL's, Visual Basic's, YAML's way to escape it), as a quote
# escaped with a backslash is; the statement's end after it says which reading holds.
_LAST_LITERAL = r"(?P<q>[\"'])(?P<v>(?:(?P=q)(?P=q)|" + IN_QUOTES + ")" + VALUE_LENGTH + ")(?P=q)"
# What the assigned expression falls back to, to the statement's end.
_TAIL = re.compile(r"[^\n]{0,300}?(?:" + _FALLS_BACK + ")" + _LAST_LITERAL + _STATEMENT_END)
# What a line must hold for _TAIL to be tried there (most lines that name a secret fall
# back to nothing, and _TAIL tries each of its forms at each of 300 characters).
_MARKS = ("??", "||", " or ", "?", "else", "(")
# A reader given the key it reads and a default: `settings.get("db_password", "…")`,
# configparser's `cfg.get("db", "password", fallback="…")`, `.get("token") or "…"`.
# (`os.environ.get` is an environment variable's: env_defaults.py.)
_KEYED_DEFAULT = re.compile(
    r"(?<!environ)\.get(?:String)?\(\s*(?:[\"'][\w.\-]{1,80}[\"']\s*,\s*)?"
    r"[\"'](?P<name>[\w.\-]{1,80})[\"']\s*"
    rf"(?:,\s*(?:(?:default|fallback)\s*=\s*)?|\)\s*{_OPERATOR}\s*)" + QUOTED_ARGUMENT
)


def fallback_literals(line: str, base: int, test: bool) -> list[Candidate]:
    """The literals that values named for a secret fall back to on `line` (at `base`)."""
    if '"' not in line and "'" not in line:
        return []
    found: list[Candidate] = []
    head = _HEAD.match(line) if any(mark in line for mark in _MARKS) else None
    # (the name first: it is cheap to ask, and most lines assign to no secret's name)
    if (
        head is not None
        and names.may_be_secretish(name := head.group("name"))
        and (m := _TAIL.match(line, head.end())) is not None
    ):
        found.extend(_judged(m, base, test, name))
    if ".get" in line:
        for m in _KEYED_DEFAULT.finditer(line):
            found.extend(_judged(m, base, test, m.group("name")))
    return found


def _judged(m: re.Match[str], base: int, test: bool, name: str) -> list[Candidate]:
    value = m.group("v")
    if wording.reads_as_name(value):
        return []  # `opts.token || "not-set"`: a sentinel, not a secret
    if not rules.named_literal_ok(name, value, test=test):
        return []
    s, e = m.span("v")
    # (named as in an assignment, judged as one: gitleaks' generic allow-list too)
    peers = assigned_peers(name)
    return [Candidate(base + s, base + e, FALLBACK, RANK_NAMED, SWITCHYARD, peers=peers)]
