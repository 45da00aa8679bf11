"""A login told as a pair in text without a path: a pull request's description, a comment,
a question or a model's answer (`Login: admin / …`, `wifi: Office / …`, `u: admin p: …`,
`Use admin:… to log in.`, `ssh root@10.0.0.5 (pw …)`).

These forms name no secret the way an assignment does, so in a file they are left to the
rules that read files: a CredData repository's `Login: admin / …` line can be a label's
text. Text without a path is different on both sides of the bargain: it is what a user
writes to the model, so a password told there goes to a cloud model as written, and a
false alarm there masks one word of prose, reported nowhere. So here a drawn value (made
by a machine, or letters and digits alternating four times or more) in such a pair is
masked. A word, a version (`v2.3.1`) or a name is not drawn and stays.
"""

from __future__ import annotations

import re

from bot.secrets import references, rules, wording
from bot.secrets.line_finders import RANK_GENERIC, SWITCHYARD, Candidate
from bot.secrets.patterns import MAX_VALUE

TOLD_PAIR = "login told as a pair"

_USER = r"[`'\"*]{0,2}[\w.@-]{1,40}[`'\"*]{0,2}"
_VALUE = rf"(?P<v>[^\s\"'`]{{8,{MAX_VALUE}}})"
_PAIRS = (
    # `Login: admin / …`, `wifi: Office / …`, `db: app / … @ db.internal`
    re.compile(
        r"(?i)(?<![\w.-])(?:login|log[ -]?in|logon|sign[ -]?in|account|wi-?fi|wlan|ssid|db"
        r"|database|ssh|s?ftp|vpn|rdp|admin|root)s?[ \t]*:[ \t]*"
        + _USER
        + r"[ \t]*/[ \t]*"
        + _VALUE
    ),
    # `u: admin p: …`, `user: admin pass: …`
    re.compile(
        r"(?i)(?<![\w.-])(?:u|user|username|login)[ \t]*:[ \t]*" + _USER + r"[ \t,;]+"
        r"(?:p|pw|pwd|pass|password)[ \t]*:[ \t]*" + _VALUE
    ),
    # `Use admin:… to log in.`
    re.compile(
        r"(?i)(?<![\w.-])(?:use|with|as)[ \t]+"
        + _USER
        + r":"
        + _VALUE
        + r"[ \t]+to[ \t]+(?:log|sign)[ \t]*(?:in|on)\b"
    ),
    # `(pw …)`, `ssh root@host password …`: a password's word and its value, no colon
    re.compile(r"(?i)(?<![\w.$@-])(?:pw|pwd|pass|passwd|password)[ \t]+" + _VALUE),
)
# The words one of the pairs needs, looked for before any regex runs.
_WORDS = ("login", "log in", "log-in", "logon", "sign in", "sign-in", "account", "wifi",
          "wi-fi", "wlan", "ssid", "db", "database", "ssh", "ftp", "vpn", "rdp", "admin",
          "root", "u:", "user", "pw", "pass")  # fmt: skip
_SENTENCE_END = ".,;:)"


def told_pairs(text: str, lowered: str) -> list[Candidate]:
    """Drawn passwords told as a login's pair in `text`, which has no path."""
    out: list[Candidate] = []
    if not any(w in lowered for w in _WORDS):
        return out
    for pattern in _PAIRS:
        for m in pattern.finditer(text):
            s, e = m.span("v")
            while e > s and text[e - 1] in _SENTENCE_END:
                e -= 1  # (a sentence's end; a drawn value's own `.` before it is kept)
            if _drawn(text[s:e]):
                out.append(Candidate(s, e, TOLD_PAIR, RANK_GENERIC, SWITCHYARD))
    return out


def _drawn(value: str) -> bool:
    """Made by a machine, letters and digits alternating four times or more, or letters of
    both cases with a symbol (`Xk#pQ_mW!rTz`): not a word, a name or a version."""
    if rules.is_placeholder(value) or references.is_reference(value):
        return False
    if rules.generated(value) or wording.interleaved(value):
        return True
    # (a digit alone does not mark one: `SecretStr2` is a type's name in a signature)
    cased = any(c.isupper() for c in value) and any(c.islower() for c in value)
    marked = any(not c.isalnum() and c not in _SENTENCE_END for c in value)
    return cased and marked and not wording.reads_as_name(value)
