"""A secret told in a sentence: `The admin password is Kq8#vLm2Zx for now.`, `your API
key is …`, `the token was …`. Pull request descriptions, commit messages, review comments,
READMEs and models' answers are prose; all of them reach prompts and reports. Run on the
lines that name a secret (detect.py's keyword lines).

The verb is the context a name and a space alone are not, and it is as common before a
word: "the token is invalid", "the password is stored in Vault", "the key is the user id".
So a password must read as one (letters with a digit or a symbol, not a name or a word
chain) and any other secret must look machine-made."""

from __future__ import annotations

import re

from bot.secrets import names, references, rules, wording
from bot.secrets.caseless import CaselessWords
from bot.secrets.contexts import password_ok
from bot.secrets.line_contexts import machine_made_value
from bot.secrets.line_finders import RANK_GENERIC, RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.long_lines import secretish_parts
from bot.secrets.patterns import MAX_VALUE
from bot.secrets.word_led import led_matches

TOLD_SECRET = "secret told in a sentence"

# The longer forms first: "was changed to X" is not "was" and "changed".
_VERB = (
    r"(?:(?:(?:is|was|has[ \t]+been)[ \t]+)?(?:now[ \t]+)?(?:set|changed|reset)[ \t]+to"
    r"|(?:will|would|should)[ \t]+be|is|was)"
)
# A secret's name, a word of up to 31 characters before it allowed ("the admin password").
_NAME_GROUP = (
    r"(?P<name>(?:[a-z][\w-]{0,30}[ \t]+)?"
    r"(?:password|passphrase|passwd|pwd|secret|token|api[ _-]?key|key))"
)
_NAME = r"(?i)(?<![\w.$@-])" + _NAME_GROUP
_VALUE = rf"(?P<v>[^\s\"'`]{{6,{MAX_VALUE}}})(?P=q)"
_TOLD = re.compile(_NAME + r"[ \t]+" + _VERB + r"[ \t]*:?[ \t]+(?P<q>[\"'`]?)" + _VALUE)
# Or the value quoted or in a code span right after the name ("log in with password
# `Kq8#vLm2`", a README's "username `admin` and password `Kq8#vLm2`").
_TOLD_QUOTED = re.compile(_NAME + r"[ \t]+(?P<q>[\"'`])" + _VALUE)
# Or a Markdown label in bold or italics (`- **Password:** …`, `__Token__: …`): the
# assignment finders read a bare `Password: …`, not one through the emphasis.
_MARK = r"(?:\*\*|__|\*|_)"
_TOLD_LABELLED = re.compile(
    r"(?i)(?<![\w.$@-])"
    + _MARK
    + _NAME_GROUP
    + rf"(?:{_MARK}[ \t]*:|[ \t]*:[ \t]*{_MARK})[ \t]+(?P<q>[\"'`]?)"
    + _VALUE
)
# Or a label that says whose it is before its colon ("Password for the router: …",
# "PIN/password for the admin account: …"): a name and a value the assignment finders do
# not pair, since the words before the colon are not the secret's name.
# ("The password for the staging VM is `…`" says it with a verb.)
_TOLD_FOR = re.compile(
    _NAME
    + r"[ \t]+(?:for|of)[ \t]+[^:\n]{1,40}?(?::|[ \t]+(?:is|was))[ \t]+(?P<q>[\"'`]?)"
    + _VALUE
)
# Or a user and a password told as a pair ("The credentials are admin/…", "creds:
# admin:…", "Default credentials: `admin` / `…`"): judged as a password, since the pair's
# separator keeps it from the name. (`::` is a namespace's: `Aws::Credentials.new(…)`.)
_TOLD_PAIR = re.compile(
    r"(?i)(?<![\w.$@-])(?P<name>cred(?:ential)?s)\b[ \t]*(?:(?:are|were)[ \t]+|:[ \t]*)"
    r"[`'\"*]{0,2}(?P<user>[a-z_][\w.@-]{0,39}?)[`'\"*]{0,2}(?:[ \t]*/[ \t]*|:(?!:))(?P<q>[\"'`]?)"
    + _VALUE
)
# Or a setting's name set to its value in a sentence ("I set DB_PASSWORD to …", "changed
# the API_TOKEN to …", "rotated the token to …"): the verb before the name, which _TOLD
# reads after it.
_TOLD_SET = re.compile(
    r"(?i)(?<![\w.$@-])(?:set|changed|updated|reset|rotated|regenerated)[ \t]+"
    r"(?:(?:the|my|our|your|its)[ \t]+)?"
    r"(?P<name>(?:[a-z][\w-]{0,30}[ \t]+)?"
    r"(?:[a-z_][\w.-]{0,60}?)?(?:password|passwd|pwd|secret|token|key))"
    r"[ \t]+to[ \t]+(?P<q>[\"'`]?)" + _VALUE
)
# Or a label in another script ("пароль: …", "Пароль от сервера: …", "数据库密码：…",
# "パスワード: …"), whose name the assignment finders, which read names in Latin letters,
# do not take. (Chinese and Japanese write words without spaces: no boundary before it.)
_TOLD_FOREIGN = re.compile(
    r"(?i)(?P<name>"
    + "|".join(names.NON_LATIN_PASSWORDS)
    + r")[^:：\n]{0,40}?[ \t]*[:：][ \t]*(?P<q>[\"'`]?)"
    # (a password written in ASCII: a label's text in its script is not one, and a
    # full-width comma or stop ends the value as a space does, `123456，进入…`)
    + rf"(?P<v>[!#-&(-_a-~]{{6,{MAX_VALUE}}})(?P=q)"
)
_FOREIGN_WORDS = CaselessWords(names.NON_LATIN_PASSWORDS)
# Or a drawn value right after the name, bare or in brackets ("Here is the key …, please
# rotate it", "I pasted the API key (…) into the config"): letters of both cases and
# digits, since without a verb or a quote nothing else says it is the value.
_TOLD_BARE = re.compile(_NAME + r"[ \t]+\(?(?P<q>)" + _VALUE)
_TOLD_LEAD = 64
# The words of _NAME_GROUP's secrets ("passphrase", "passwd", "api key", ...) and of the pair's.
_NAME_WORDS = CaselessWords(("pass", "pwd", "secret", "token", "key"))
_PAIR_WORDS = CaselessWords(("cred",))
# Around a value in Markdown (`**…**`), and a sentence's end after it.
_EMPHASIS = "*_"
SENTENCE_END = ".,;:)"
_PASSWORD_MIN = 8
# A storage key's path: a directory of a word or a number, or a file's suffix.
_PATH_LIKE = re.compile(r"(?:^|/)(?:[a-z]{3,}|\d{2,})/|\.[a-z]{2,4}$")
# A symbol that makes a word a password; a sentence's punctuation does not.
_PASSWORD_SYMBOLS = frozenset("#@&%*+=^~|<>[]{}$")


def told_secrets(line: str, base: int, test: bool, *, pathless: bool = False) -> list[Candidate]:
    """Secrets a sentence on `line` (at `base`) says are some secret's value; with
    `pathless` (text without a path: what a user writes to the model) also a drawn value
    right after the name."""
    out: list[Candidate] = []
    # On a long line, tried only before the name's secret-ish word (a word of 31 characters
    # and a space or two may stand before it).
    parts = secretish_parts(line)
    # Every form but the pair's names the secret with one of _NAME_WORDS: a token line
    # without one (a changelog's entry and its commit hash) is not read by them.
    named = _NAME_WORDS.found_in(line)
    told = [*led_matches(_TOLD, line, parts, _TOLD_LEAD)] if named else []
    if named and ("`" in line or "'" in line or '"' in line):
        told += led_matches(_TOLD_QUOTED, line, parts, _TOLD_LEAD)
    if named and (":" in line or " is " in line or " was " in line):
        told += led_matches(_TOLD_FOR, line, parts, _TOLD_LEAD)
    if (":" in line or "：" in line) and _FOREIGN_WORDS.found_in(line):
        told += _TOLD_FOREIGN.finditer(line)
    if ("/" in line or ":" in line) and _PAIR_WORDS.found_in(line):
        told += led_matches(_TOLD_PAIR, line, parts, _TOLD_LEAD)
    if named and " to " in line:
        told += led_matches(_TOLD_SET, line, parts, _TOLD_LEAD)
    # (`_Password:_`)
    if named and ("*" in line or "__" in line or "_:" in line or ":_" in line):
        told += led_matches(_TOLD_LABELLED, line, parts, _TOLD_LEAD)
    if pathless and named:
        # (a file's lines keep their rules: in files this form took two CredData holdout
        # look-alikes for one Kingfisher secret)
        bare = led_matches(_TOLD_BARE, line, parts, _TOLD_LEAD)
        told += (m for m in bare if _drawn(m.group("v")))
    for m in told:
        s, e = m.span("v")
        # Judged without a sentence's end after it; masked with it, since a password may
        # end in `.` or `,` as well (9 of 200 drawn ones were cut short before).
        end = e if m.group("q") else sentence_unended(line, s, e)
        js, je = s, end
        # Markdown's emphasis around a value is not the value's; inside quotes or a code
        # span, `_` and `*` are (they were sent).
        while (
            not m.group("q") and je - js > 2 and line[js] in _EMPHASIS and line[je - 1] == line[js]
        ):
            js, je = js + 1, je - 1
        # (a pair's second part is its password, whatever word led it)
        pair = m.re is _TOLD_PAIR
        password = pair or m.re is _TOLD_FOREIGN
        name = "password" if password else re.sub(r"[ \t-]+", "_", m.group("name").lower())
        if _told(name, line[js:je], test):
            masked_end = e if je == end else je
            # A pair's reading yields to an assignment's of the same text: `credentials:
            # N1V/I4?T` is one value there, and the pair would mask only its second part.
            # (so does a bare value's: another reading of the line names it better)
            rank = RANK_GENERIC if pair or m.re is _TOLD_BARE else RANK_TOKEN
            out.append(Candidate(base + js, base + masked_end, TOLD_SECRET, rank, SWITCHYARD))
    return out


def _drawn(value: str) -> bool:
    return rules.looks_random(value.rstrip(SENTENCE_END))


def sentence_unended(text: str, s: int, e: int) -> int:
    """Where text[s:e], a value told in a sentence, ends without the sentence's end after
    it (`.`, `,`, `)`: a password may end in one, so it is judged without it and masked
    with it)."""
    while e > s and text[e - 1] in SENTENCE_END:
        e -= 1
    return e


def _told(name: str, value: str, test: bool) -> bool:
    if not names.key_is_secretish(name):
        # "the hasura key is …", "our license key is …": a key of no kind a word names
        # must be as long and random as a bare `key`'s value (a cache key, a sort key
        # and a primary key are named as not secret).
        return (
            names.key_is_bare_key(name)
            and rules.random_key_value(value)
            and _PATH_LIKE.search(value) is None  # "the object key is uploads/2024/…"
            and machine_made_value(name, value, test)
        )
    if names.key_is_password(name):  # placeholders judged as a password's are (`<…>`)
        # (a leading `-` opens a flag a sentence names, `-storepass`, unless the value is
        # random: `-pm23;(zy…` is the password itself)
        return (
            len(value) >= _PASSWORD_MIN
            and _reads_as_password(value)
            and password_ok(value, test, quoted=rules.looks_random(value))
        )
    return machine_made_value(name, value, test)


def _reads_as_password(value: str) -> bool:
    """Letters with a digit or a symbol, and not a name or a path: "stored", "not_set",
    "correct-horse-battery" and "/etc/app/secret" are words of a sentence. References and
    placeholders (`${DB_PASSWORD}`, `<password>`) are password_ok's to turn down."""
    if not any(c.isalpha() for c in value):
        return False
    if not any(c.isdigit() or c in _PASSWORD_SYMBOLS for c in value):
        return False  # "incorrect." and "required," are words at a sentence's end
    if (value[0] in "/~" and "/" in value[1:] and references.path_characters_only(value)) or (
        "://" in value or "\\" in value
    ):
        return False  # a path, a URL; `\n` inside a string literal's text
    return not wording.reads_as_name(value)
