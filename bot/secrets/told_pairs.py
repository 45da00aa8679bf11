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
from functools import cache

import ahocorasick_rs

from bot.secrets import references, rules, wording
from bot.secrets.line_finders import RANK_GENERIC, SWITCHYARD, Candidate
from bot.secrets.patterns import MAX_VALUE
from bot.secrets.prose import SENTENCE_END, sentence_unended
from bot.secrets.word_led import automaton, keyword_hits, led_matches

TOLD_PAIR = "login told as a pair"

_USER = r"[`'\"*]{0,2}[\w.@-]{1,40}[`'\"*]{0,2}"
_VALUE = rf"(?P<v>[^\s\"'`]{{8,{MAX_VALUE}}})"
# Each form with the words it opens with (lower-case), and what the text must hold too:
# a form is tried only where one of its words stands (word_led.led_matches), since a
# pattern that no literal opens costs a try at each position of the text (19 ms over
# 100 KB when the four ran whole; 0.6 ms now).
_PAIRS: tuple[tuple[re.Pattern[str], tuple[str, ...], tuple[str, ...]], ...] = (
    # `Login: admin / …`, `wifi: Office / …`, `db: app / … @ db.internal`
    (
        re.compile(
            r"(?i)(?<![\w.-])(?:login|log[ -]?in|logon|sign[ -]?in|account|wi-?fi|wlan|ssid|db"
            r"|database|ssh|s?ftp|vpn|rdp|admin|root)s?[ \t]*:[ \t]*"
            + _USER
            + r"[ \t]*/[ \t]*"
            + _VALUE
        ),
        ("log", "sign", "account", "wifi", "wi-fi", "wlan", "ssid", "db", "database", "ssh",
         "ftp", "sftp", "vpn", "rdp", "admin", "root"),
        ("/",),
    ),
    # `u: admin p: …`, `user: admin pass: …`
    (
        re.compile(
            r"(?i)(?<![\w.-])(?:u|user|username|login)[ \t]*:[ \t]*" + _USER + r"[ \t,;]+"
            r"(?:p|pw|pwd|pass|password)[ \t]*:[ \t]*" + _VALUE
        ),
        # (`u` alone would be every u of the text: with its colon, or the longer names)
        ("u:", "u :", "u\t:", "user", "login"),
        (":",),
    ),
    # `Use admin:… to log in.`
    (
        re.compile(
            r"(?i)(?<![\w.-])(?:use|with|as)[ \t]+"
            + _USER
            + r":"
            + _VALUE
            + r"[ \t]+to[ \t]+(?:log|sign)[ \t]*(?:in|on)\b"
        ),
        ("use", "with", "as"),
        ("log", "sign"),
    ),
    # `(pw …)`, `ssh root@host password …`: a password's word and its value, no colon
    (
        re.compile(r"(?i)(?<![\w.$@-])(?:pw|pwd|pass|passwd|password)[ \t]+" + _VALUE),
        ("pw", "pass"),
        (" ", "\t"),
    ),
)  # fmt: skip


def told_pairs(text: str, lowered: str) -> list[Candidate]:
    """Drawn passwords told as a login's pair in `text`, which has no path."""
    out: list[Candidate] = []
    at = _words_at(lowered)
    for i, (pattern, _, needed) in enumerate(_PAIRS):
        if not at[i] or not any(n in lowered for n in needed):
            continue
        for m in led_matches(pattern, text, sorted(set(at[i])), 0):
            s, e = m.span("v")
            # judged without a sentence's end, masked with it, as prose.py's (a drawn
            # password may end in `.` or `)`: cut there, its last character was sent)
            if _drawn(text[s : sentence_unended(text, s, e)]):
                out.append(Candidate(s, e, TOLD_PAIR, RANK_GENERIC, SWITCHYARD))
    return out


@cache
def _automaton() -> tuple[ahocorasick_rs.AhoCorasick, list[list[int]]]:
    """One pass finds every form's words (str.find per word cost 2 ms over 100 KB): the
    automaton, and for each of its words the forms it opens."""
    words = sorted({w for _, ws, _ in _PAIRS for w in ws})
    forms = [[i for i, (_, ws, _) in enumerate(_PAIRS) if w in ws] for w in words]
    return automaton(tuple(words)), forms


def _words_at(lowered: str) -> list[list[int]]:
    """Where each form's words stand in `lowered`, per form."""
    automaton, forms = _automaton()
    at: list[list[int]] = [[] for _ in _PAIRS]
    for k, p, _ in keyword_hits(automaton, lowered):
        for i in forms[k]:
            at[i].append(p)
    return at


def _drawn(value: str) -> bool:
    """Made by a machine, letters and digits alternating four times or more, or letters of
    both cases with a symbol (`Xk#pQ_mW!rTz`): not a word, a name or a version."""
    if rules.is_placeholder(value) or references.is_reference(value):
        return False
    if rules.generated(value) or wording.interleaved(value):
        return True
    # (a digit alone does not mark one: `SecretStr2` is a type's name in a signature)
    cased = any(c.isupper() for c in value) and any(c.islower() for c in value)
    marked = any(not c.isalnum() and c not in SENTENCE_END for c in value)
    return cased and marked and not wording.reads_as_name(value)
