"""Values no person or generator picks, and strings built with code: what sits under a
secret's name in real files without being a secret (assigned_value_ok's shapes)."""

from __future__ import annotations

import re

from bot.secrets.references import spells_a_name

# A version or a package manager's range of them: `^8.5.1`, `~4.0.0`, `>=1.1.0`, `2.x`.
_VERSION = re.compile(r"(?:[\^~]|[<>]=?|==?)?v?\d+(?:\.(?:\d+|x|\*)){1,3}(?:-[0-9A-Za-z.]+)?")
# A validator's rules, lower-case names apart by `|`, each with its arguments after `:`.
_VALIDATION_RULES = re.compile(r"[a-z_]+(?::[^|\s]*)?(?:\|[a-z_]+(?::[^|\s]*)?)+")
# Not a value a person or a generator picks: Rails' duration (`6.hours`), an ABNF rule
# (`token = 1*tchar`, an HTTP spec's grammar), a name in dunders (`__closure_fn_`), a
# mock generator's call (`'@word(6)'`, Mock.js), RTF's groups and control words
# (`}{\loch\ul\ulc0\loch`: a token's text in a `.rtf` runs on after its formatting).
_NOT_PICKED = re.compile(
    r"\d+\.(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
    r"|\d*\*\d*[a-z][a-z-]*"
    r"|__[a-z][a-z0-9]*(?:_[a-z0-9]+)*_{0,2}"
    r"|@[a-z]+\([^()]*\)"
    r"|[{}]*(?:\\[a-z]{1,32}-?\d{0,10} ?[{}]*)+"
)

# A string closed by the other quote, then an operator joining code to it (PHP's `.`,
# `+`, SQL's `||`, VB's `&`): the value is built, not written.
# (the code a variable, or a name that is called, indexed or joined to the next string)
_SPLICED = re.compile(
    r"[\"'`][ \t]*(?:\+|\.|\|\||&)[ \t]*"
    r"(?:[$@]\w|[A-Za-z_][\w.]*(?:[(\[]|[ \t]*(?:\+|\.|\|\||&)[ \t]*[\"'`]?$))"
)

# Code shown as text where a value goes: a call on a dotted name (`password =
# PepperGenerator.generate(12)` in a JSON file of code chunks); an LDAP search filter
# (`(&(userID=%u)(objectClass=…))`, a query that finds the password, not one).
_DOTTED_CALL = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\(")
# (an attribute's name of letters, then a conjunction's `(&(` or a placeholder after `=`:
# a generated password opens `(K87S=…` or `(e=9l…` by chance)
_LDAP_FILTER = re.compile(r"\([&|!]\([A-Za-z][A-Za-z\-]*[~<>]?=|\([A-Za-z][A-Za-z\-]+[~<>]?=[%*$]")


def not_picked(value: str) -> bool:
    """A version range (`"jsonwebtoken": "^8.5.1"`), a validator's rules (Laravel's
    `'required|min:8|confirmed'`), a duration, an ABNF rule, a dunder name, a mock call,
    RTF's markup."""
    return any(p.fullmatch(value) for p in (_VERSION, _VALIDATION_RULES, _NOT_PICKED))


def spliced(value: str) -> bool:
    """`password='" . $_GET['password'] . "'`: SQL with a request's field spliced in."""
    return _SPLICED.match(value) is not None


def code_as_text(value: str) -> bool:
    """A call on a dotted name whose parts spell names, or an LDAP search filter: code or
    a query kept as text where a value goes, not the value."""
    if _LDAP_FILTER.match(value):
        return True
    call = _DOTTED_CALL.match(value)
    return call is not None and spells_a_name(call.group()[:-1])
