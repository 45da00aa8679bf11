"""Values that read as language or as a name rather than as a secret: prose in any script,
a translated word, lower-case names and slugs, a constant that spells its own name, a
file's name, a schema's type, a regular expression. The secret rules (rules.py) ask; the
finders ask `natural_language` and `reads_as_name` for a value's context. `encoded_text`:
base64 that decodes to a sentence or to a JOSE header; `is_text`: bytes a person typed;
`drawn_parts`, `drawn_with_equals`: the other way, drawn runs that a space or an `=` in
them made read as words or settings."""

from __future__ import annotations

import base64
import itertools
import re

from bot.secrets.names import key_words

# Words joined by spaces ("top secret", "my password here", "Zadejte prosím heslo."),
# in any script, ending in a sentence's punctuation or none: prose about a password, as in
# a form's label or a message catalogue.
_PROSE = re.compile(
    r"[^\W\d_]+(?:['’][^\W\d_]+)?"
    r"(?:(?:[-'’,.;:!?]?[ \u3000]|[,;](?=[^\W\d_]))[^\W\d_]+(?:['’][^\W\d_]+)?)+[.!?:…。！？]?"
)
# A number standing as a word between words, and a word of letters.
# (its space before it taken with it, so that the punctuation after it stays on the word
# before: "Minimum length of 8, including …")
_NUMBER_WORD = re.compile(r" \d+(?=[,;.:]? )")
_LETTER_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{2,}(?![^\W\d_])")
# A file's name ("resetOSPassword.sh", "server.key", "rsa.jwk.pub"; after curl's and
# PostgREST's `@`, read from that file): where a secret lives, not the secret.
_FILE_NAME = re.compile(
    r"@?[A-Za-z][\w.-]*\.(?:sh|bash|ps1|bat|cmd|py|rb|js|ts|php|jsp|pl|json|ya?ml|xml|toml|ini"
    r"|cfg|conf|properties|txt|log|sql|html?|pem|key|crt|cer|der|p12|pfx|jks|keystore|gpg"
    r"|asc|pub|env)",
    re.IGNORECASE,
)
# GraphQL's built-in types (`password: String!`, `[ID!]!`): a schema, not a value. Other
# capitalised words with a "!" are passwords often enough (`Password123!`).
_SCHEMA_TYPE = re.compile(r"\[?(?:String|Int|Float|Boolean|ID)!?\]?!")
# Lower-case words joined by separators, or a word ending in one (a prefix being
# concatenated): names and slugs, not secrets.
_SLUG = re.compile(r"_?[a-z]+(?:[-_.][a-z]+)+[-_.]?|_?[a-z]+[-_.]")
# One lower-case word ("comment", "bearer", "keyword"): a token *type*, not a token.
_WORD = re.compile(r"[a-z]+")


def is_slug(value: str) -> bool:
    return _SLUG.fullmatch(value) is not None


def names_a_file_or_type(value: str) -> bool:
    return bool(_FILE_NAME.fullmatch(value) or _SCHEMA_TYPE.fullmatch(value))


def names_itself(key: str, value: str) -> bool:
    """The value spells two or more of its own name's words (a constant naming itself,
    `opGetPasswordData = "GetPasswordData"`), a trailing number aside."""
    words = key_words(value.rstrip("0123456789"))
    return len(words) >= 2 and set(words) <= set(key_words(key))


def natural_language(value: str) -> bool:
    """A word or phrase in a language (`Passwort`, `Contraseña`, `新しいパスワード`,
    `Zadejte prosím heslo.`): a translation or a label. Letters outside ASCII and no digit:
    a password typed into a config file is ASCII, and a translated one still is a word."""
    if _PROSE.fullmatch(value) and (" " in value or "\u3000" in value):
        return True  # a comma without its space ("not pass,Please check") is still prose
    if _sentence(value):
        return True  # "Set a password for the .pfx file.": a file's name in a sentence
    if _NUMBER_WORD.search(value) and len(_LETTER_WORD.findall(value)) >= 4:
        # "must be at least 8 characters": a sentence with a number in it
        return _PROSE.fullmatch(_NUMBER_WORD.sub("", value)) is not None
    if value.isascii():
        return False
    return any(c.isalpha() and not c.isascii() for c in value) and not any(
        c.isdigit() for c in value
    )


def _sentence(value: str) -> bool:
    """Five or more pieces between spaces, the first and four in five of them words of
    letters (a sentence's punctuation around them aside), and a sentence's end: prose that
    a file's name, a path or a short code breaks, which _PROSE would not read whole. (An
    unquoted value, then words, is a value and what is said of it: `T5aJ… make db`.)"""
    pieces = value.split()
    if len(pieces) < 5 or not value.endswith((".", "!", "?")) or not pieces[0].isalpha():
        return False
    words = sum(p.strip(".,;:!?()\"'`").isalpha() for p in pieces)
    return words * 5 >= len(pieces) * 4


def reads_as_name(value: str) -> bool:
    """Lower-case words, alone or joined (`comment`, `not-set`, `github-token`), but not
    lower-case letters drawn at random (random_lower)."""
    return bool(_SLUG.fullmatch(value) or (_WORD.fullmatch(value) and not random_lower(value)))


_LOWER_DRAWN_MIN = 20
# Four consonants together (`y` read as a vowel): words joined into one name have few such
# runs (`strengths`), drawn letters one in every eight characters or so.
_CONSONANT_RUN = re.compile(r"[^aeiouy]{4}")
_LOWER_VOWEL_SHARE = 0.3


def random_lower(value: str) -> bool:
    """Lower-case letters drawn rather than words run together: a fixture's generated
    credential (`gcperfxrtqymqmluvskxzyiyxxfnj…`) against `mysupersecretsigningkey`. Twenty
    letters or more, vowels (with `y`) under three in ten, and two runs of four
    consonants; random 20-letter values pass six times in ten, 32-letter ones eight."""
    return (
        len(value) >= _LOWER_DRAWN_MIN
        and _WORD.fullmatch(value) is not None
        and sum(c in "aeiouy" for c in value) < _LOWER_VOWEL_SHARE * len(value)
        and len(_CONSONANT_RUN.findall(value)) >= 2
    )


_JOSE_HEADER_MAX = 200
_SECRET_FIELD = re.compile(r'"[^"]*(?:key|secret|password|token|credential)', re.IGNORECASE)
# A JSON string that is base64 of 24 bytes or more: a JOSE header's `kid` is hex or a
# name, a claim an id; random bytes in base64 are a key's.
_JSON_STRING = re.compile(r'"([A-Za-z0-9+/]{32,}={0,2})"')


def _drawn_json_string(value: str) -> bool:
    # (`+`, `/` or `=` are base64's own; letters and digits alone must mix as a draw does)
    return not value.isalnum() or looks_random(value)


def decoded_base64(value: str) -> bytes | None:
    """`value` (standard or URL-safe base64, padding optional) decoded, or None."""
    b64 = value.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=True)
    except ValueError:  # binascii.Error, or a character outside ASCII
        return None


# Printable ASCII this long in decoded bytes: random bytes hold such a run about once in
# 10^5 values of a key's length; a class file, a serialized object or a CBOR test vector
# holds its names (`LineNumberTable`, `http://www.example.com`).
_DATA_RUN = re.compile(rb"[ -~]{16,}")


def decodes_to_data(value: str) -> bool:
    """Base64 of binary bytes that hold a long printable run: data that names things, not
    a key. Text throughout (`user:password`, a credentials file's JSON) is encoded_text's to
    judge. (A line of a longer value may start off the 4-character grid: each offset is
    tried.)"""
    for start in range(4):
        raw = decoded_base64(value[start : start + (len(value) - start) // 4 * 4])
        if raw is not None and not is_text(raw) and _DATA_RUN.search(raw) is not None:
            return True
    return False


def is_text(raw: bytes) -> bool:
    """Printable ASCII, lines and tabs allowed: typed, where key material is binary."""
    return all(32 <= b < 127 or b in (9, 10, 13) for b in raw)


def encoded_text(value: str) -> bool:
    """Base64 of a sentence (docs showing a base64 field) or of a JSON object (a JOSE
    header, `eyJhbGciOi…` alone, with no signature after it) is not a key."""
    raw = decoded_base64(value)
    if raw is None:
        return False
    try:
        # (UTF-8: a sentence's `’` or `é`; random bytes seldom decode, and not to print)
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not decoded.isprintable():
        return False
    if decoded.startswith('{"'):
        # A header's few fields, not a credential file in base64 (a service account's JSON)
        # nor a token made of fields (cloudflared's `{"a":…,"t":…,"s":…}`, its secret 32
        # random bytes in base64).
        return (
            len(decoded) <= _JOSE_HEADER_MAX
            and not _SECRET_FIELD.search(decoded)
            and (
                '"alg"' in decoded
                or not any(map(_drawn_json_string, _JSON_STRING.findall(decoded)))
            )
        )
    return decoded.count(" ") >= 2


# A value's camel-case words at every switch of case (`YQl` -> Y, Ql; names.key_words keeps
# such runs whole, as a name's reader does), and the vowels that make a word readable.
_CAMEL_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_VOWELS = frozenset("aeiouAEIOU")
_RANDOM_LETTERS_MIN = 16
# A camel-case name's words average four letters and more (`GetEntPropString`); random
# letters switch case every other character, so their "words" are one to three letters.
_RANDOM_WORD_LEN = 3.2
_RANDOM_VOWEL_SHARE = 0.3


def random_letters(value: str) -> bool:
    """Letters only, but drawn rather than named (`KUVcZImFPqjahAcr`): 16+ letters of both
    cases whose camel-case "words" are short, with a word of three letters and no vowel or
    few vowels overall. One random 16-letter key in sixteen has no digit; gitleaks' generic
    rule lets every letters-only value through as a name. Of 22,199 mixed-case letter
    runs in installed packages' files, 51 pass (mostly base64 fragments); of random ones,
    four in five."""
    if len(value) < _RANDOM_LETTERS_MIN or not (value.isascii() and value.isalpha()):
        return False
    if value.islower() or value.isupper():
        return False
    words = _CAMEL_WORDS.findall(value)
    if len(value) / len(words) >= _RANDOM_WORD_LEN:
        return False
    vowelless = any(len(w) >= 3 and not _VOWELS.intersection(w) for w in words)
    return vowelless or sum(c in _VOWELS for c in value) / len(value) < _RANDOM_VOWEL_SHARE


# What a camel-case name cannot hold: a symbol, lower case right after a digit, a capital
# alone before a digit, its end or another word (`A9`, `ABc`).
# (With those gone, _CAMEL_WORDS reads each word and acronym whole.)
_NOT_CAMEL = re.compile(r"[^A-Za-z0-9]|\d[a-z]|(?<![A-Z])[A-Z](?:\d|$|[A-Z][a-z])")
_ACRONYM_MAX = 4
_CONSONANTS = re.compile(r"[^aeiouy\d]{4}", re.IGNORECASE)


def camel_name(value: str) -> bool:
    """A name written in camel case (`IDEDidComputeMac32BitWarning`, a property list's
    `<key>`), where drawn letters also switch case but make "words" of one to three letters
    and words without a vowel."""
    if not value.isascii() or _NOT_CAMEL.search(value):
        return False
    words = _CAMEL_WORDS.findall(value)
    if not words or sum(map(len, words)) / len(words) < _RANDOM_WORD_LEN:
        return False
    if sum(1 for w in words if len(w) >= 3 and not w.isupper()) < 2:
        return False  # `ABCD1234EFGH5678`, `abcdefabcdef`: no two words to read
    for w in words:
        if w.isupper():
            if len(w) > _ACRONYM_MAX:
                return False
        elif len(w) >= 3 and (not _VOWELS.intersection(w) or _CONSONANTS.search(w)):
            return False
    return True


# A run of this many lower-case letters may be a word (`ertificate`); a drawn 32-character
# mixed-case value has one about one time in twelve, seldom spelled as a word.
_WORD_RUN = 7


def spelled_word(run: str) -> bool:
    """A run of letters long enough to be a word and spelled as one: vowels among its
    consonants (`ertificate`), where a drawn run clusters them (`rpbgrivcy`)."""
    return (
        len(run) >= _WORD_RUN
        and sum(c in _VOWELS for c in run) * 4 >= len(run)
        and not _CONSONANTS.search(run)
    )


_LETTER_RUN = re.compile(r"[A-Za-z]{16,}")


def has_drawn_letters(value: str) -> bool:
    """A run of 16+ letters in `value` that reads as drawn (random_letters): a random key
    with few digits or none still has one."""
    return any(random_letters(run) for run in _LETTER_RUN.findall(value))


def looks_random(value: str) -> bool:
    """Digits and letters of both cases: a drawn value's mix, which names seldom have."""
    if value.isascii():  # (the engine's search, not a loop over a long value's characters)
        return bool(_DIGIT.search(value) and _UPPER.search(value) and _LOWER.search(value))
    return (
        any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
    )


def character_kinds(value: str) -> int:
    """How many of digits, upper-case and lower-case ASCII letters `value` holds."""
    return sum(r.search(value) is not None for r in (_DIGIT, _UPPER, _LOWER))


_DIGIT = re.compile(r"[0-9]")
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")


def drawn_parts(value: str) -> bool:
    """Drawn values apart by spaces (`"Xk9Qv7mZ2p rT8yQw3E"`, `appid=… secret=…`): a key
    and its secret in one string, not words; masked as its first part alone, the rest was
    sent."""
    parts = value.split()
    return all(looks_random(p) for p in parts)


def drawn_with_equals(value: str) -> bool:
    """A generated password that holds one `=` (`Hrwp=ucz0ef`), not a setting: nothing
    else of a list of settings in it, and the whole mixes digits with both cases."""
    return (
        value.count("=") == 1
        and not any(c in value for c in ",;&")
        and "://" not in value  # `url=https://…/ACCC4CF8.asc`: Ansible's module arguments
        and looks_random(value)
    )


# A pattern's syntax: a group's flag, a class escape, a counted or negated class (closed:
# a generated password holds an unclosed `[^` by chance).
_REGEX_SYNTAX = re.compile(r"\(\?[:=!<P]|\\[wsdbWSD]|\[[^\]]*\]\{\d|\[\^[^\]\s]*\]")
# More of a pattern's syntax: a quantifier after a class, an escape or a group, an anchor
# at either end. A class escape alone is a backslash and a letter in a drawn password by
# chance (`9S7d1#i\b)dc$CD9`); a pattern has more of its syntax than that.
_REGEX_MORE = re.compile(
    r"(?:[\])]|\\[wsdbWSD])(?:[+*?]|\{\d+,?\d*\})|^\^|\$$|\\[wsdbWSD].*\\[wsdbWSD]"
)


def is_pattern(value: str) -> bool:
    """A regular expression (a scanner's or a validator's), not a value: its syntax
    twice or more."""
    m = _REGEX_SYNTAX.search(value)
    if m is None:
        return False
    if m.group().startswith(("(?", "[")):
        return True  # a group's flag or a class, closed: no password's chance
    return _REGEX_MORE.search(value) is not None


def interleaved(value: str) -> bool:
    """Eight characters or more whose letters and digits alternate four times or more
    (`Xk9mQ2zLp7wR`): drawn, where a type's or a variable's name holds a number once or
    twice (`Int64Array`, `OAuth2Token`)."""
    if len(value) < 8:
        return False
    switches = sum(
        a.isdigit() != b.isdigit()
        for a, b in itertools.pairwise(value)
        if a.isascii() and a.isalnum() and b.isascii() and b.isalnum()
    )
    return switches >= _INTERLEAVED


_INTERLEAVED = 4


# A hash's or a key derivation's name, with its parameter (`sha1:6`, `SHA512-CRYPT`,
# `pbkdf2_sha256`, `argon2id`).
_ALGORITHM = re.compile(
    r"(?i:s?(?:md5|sha(?:1|224|256|384|512|3-(?:256|384|512))|blf|bcrypt|scrypt|argon2(?:i|d|id)?"
    r"|pbkdf2|yescrypt)(?:[-_](?:crypt|sha(?:1|256|512)|hmac))?(?:[:-]\d{1,4})?)"
)


def names_an_algorithm(value: str) -> bool:
    """A setting of how a password is kept (`bcrypt`, `sha1:6`), not a password."""
    return _ALGORITHM.fullmatch(value) is not None
