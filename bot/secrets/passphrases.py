"""A passphrase of drawn words (`correct horse battery staple`): what diceware, EFF's word
lists, KeePassXC, Bitwarden and 1Password's generators write, and what backup tools (restic,
borg) and GPG keys are commonly given. Under a password's name it is a password, though its
words would read as prose.

Prose about a password is told apart by its words: a sentence, a label, a message or a
stand-in says what it is with words a drawn phrase seldom holds (`your`, `the`, `enter`,
`password`, `invalid`, `example`, `here`), and a drawn phrase has three words or more,
each of three letters or more, in one case style. A phrase holding any of those words is
not read as drawn: a passphrase that draws one of them is missed, not a label reported.
"""

from __future__ import annotations

import re

from bot.secrets.names import key_is_password
from bot.secrets.wording import natural_language

# Three to ten words of letters, one space between, all lower case or all capitalized.
_LOWER = re.compile(r"[a-z]{3,12}(?: [a-z]{3,12}){2,9}")
_TITLED = re.compile(r"[A-Z][a-z]{2,11}(?: [A-Z][a-z]{2,11}){2,9}")

# Words of sentences (articles, pronouns, prepositions, auxiliaries, conjunctions), of what
# is said about a password (its form, its rules, its errors), and of stand-ins.
_PROSE_WORDING = """
    the and but for nor not you your yours our ours their they them this that these those
    are was were has have had does did will would shall should can could may might must
    with without from into onto over under about above below after before again here there
    when where which who whom whose what why how all any both each few more most other some
    such only own same than too very just also its his her hers him she one two three
    out off down then once until while because between through during per via use used
    dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt hasnt havent
    using please enter type typed input provide provided required require requires
    invalid wrong incorrect correct missing empty blank null none undefined unknown valid
    password passwords passphrase passcode passwd secret secrets token tokens key keys
    login logon user username account credential credentials auth authentication
    confirm confirmation new old current forgot forgotten reset change changed changeme
    show hide visible hidden strength strong weak length characters character letters
    digits least minimum maximum match matches mismatch expired expires expiry
    example examples sample samples test tests testing dummy fake mock placeholder default
    value values string text field label hint help message error errors warning
    replace replaced real actual insert fill set unset todo fixme later goes
    admin access panel page form button click submit save cancel sign log recover remember
"""
_PROSE_WORDS = frozenset(_PROSE_WORDING.split())


def drawn_phrase(value: str) -> bool:
    """Three to ten words of three letters and more, joined by single spaces, in one case
    style, none of them a word prose about a password would use."""
    if not (_LOWER.fullmatch(value) or _TITLED.fullmatch(value)):
        return False
    return not any(word.lower() in _PROSE_WORDS for word in value.split(" "))


def drawn_password(key: str, value: str) -> bool:
    """`value` is a passphrase of drawn words under the password's name `key`."""
    return key_is_password(key) and drawn_phrase(value)


def described(key: str, value: str) -> bool:
    """`value` under `key` is prose (a description, a label, a translated word), not a
    passphrase of drawn words under a password's name."""
    return (natural_language(value) or _joined_prose(value)) and not drawn_password(key, value)


_JOINED = re.compile(r"[a-z]+(?:[-_](?:[a-z]+|[0-9]+))+")


def _joined_prose(value: str) -> bool:
    """A sentence written as a name (`secret_with_at_least_32_characters`): four pieces or
    more joined by `_` or `-`, three or more of its words and most of them prose's."""
    if not _JOINED.fullmatch(value):
        return False
    words = [w for w in re.split(r"[-_]", value) if w.isalpha()]
    prose = sum(w in _PROSE_WORDS for w in words)
    return len(words) >= 4 and prose >= 3 and prose * 2 > len(words)
