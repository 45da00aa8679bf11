"""Values typed to stand in for a secret: published examples (RFC 6749's tokens), runs of
x's, "EXAMPLE", the alphabet or digits in order, a handful of characters repeated
(`ghp_abab…`), half the value one character. rules.py asks `token_is_placeholder` and
`is_filler` for service formats and assigned values alike; `heuristic` is detect-secrets'
filter module, imported on first use."""

from __future__ import annotations

import re
import string
from functools import cache
from types import ModuleType

from bot.secrets.caseless import CaselessWords
from bot.secrets.der import private_der

# Values published as examples in the specifications that define their format: RFC 6749
# (OAuth 2.0: access, refresh and authorization-code tokens, client secret) and RFC 5849
# (OAuth 1.0: consumer keys and secrets, tokens), and the authenticator seed of Google
# Authenticator's key-URI documentation and ROTP's and PyOTP's READMEs (and RFC 4226's
# test secret, "12345678901234567890" in base32, which every OTP library's tests use),
# and the password
# redis.conf's own comment suggests (`# requirepass foobared`). Library docs and tests
# copy them. Also the one account key of Azure's storage emulators (Azurite, the
# Storage Emulator before it: `devstoreaccount1`) and the Cosmos DB emulator's, fixed and
# published by Microsoft's docs,
# in every local set-up and Testcontainers' modules. And the example values of GitHub's REST
# API description (github/rest-api-description, which its docs and Octokit's types render):
# the `ghu_`/`ghs_` token body, the legacy token, `temp_clone_token`, an app manifest's
# client and webhook secrets, runner registration tokens, the Actions secrets' public key;
# tests of GitHub integrations copy those responses. And the Docker Engine API's examples
# of a swarm's join token (its CA digest part) and unlock key. And the password of RFC 7520's
# PBES2 example (JOSE's cookbook, which JOSE libraries' tests replay), dashes and all.
PUBLISHED_EXAMPLES = frozenset(
    {"2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "SplxlOBeZQQYbYS6WxSbIA",
     "7Fjfp0ZBr1KtDRbnfVdmIw", "mF_9.B5f-4.1JqM", "8xLOxBtZp8", "0685bd9184jfhq22",
     "ad180jjd733klru7", "dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk",
     "pfkkdhi9sl3r4s00", "hh5s93j4hdidpola", "hdhd0244k9j7ao03", "j49sk3j29djd", "9zJQ9zCP",
     "JBSWY3DPEHPK3PXP", "base32secret3232", "base32secretkey3232",
     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "foobared",
     "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
     "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
     "16C7e42F292c6912E7710c838347Ae178B4a", "e72e16c7e42f292c6912e7710c838347ae178b4a",
     "ABTLWHOULUVAXGTRYU7OC2876QJ2O", "1726be1638095a19edd134c77bde3aa2ece1e5d8",
     "e340154128314309424b7c8e90325147d99fdafa", "LLBF3JGZDX3P5PMEXLND6TS6FCWO6",
     "AABF3JGZDX3P5PMEXLND6TS6FCWO6", "2Sg8iYjAxxmI2LvUXpJjkYrMxURPc8r+dB7TJy",
     "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl",
     "7c37Cc8654o6p38HnroywCi19pllOnGtbdZEgtKxZu8", "entrap_o\u2013peter_long\u2013credit_tun"}
)  # fmt: skip
# Inside a value too: a detector's match may hold its name (`AccountKey=Eby8…`), a header
# its scheme (`Bearer 2Yot…`).
_PUBLISHED = re.compile("|".join(re.escape(v) for v in sorted(PUBLISHED_EXAMPLES, key=len)[::-1]))


def holds_published_example(value: str) -> bool:
    return _PUBLISHED.search(value) is not None


# The salts of the SHA-crypt specification's test vectors (Drepper, "Unix crypt using
# SHA-256 and SHA-512"), as a hash shows them (cut to 16 characters): every implementation's
# tests copy those hashes.
_SPEC_SALTS = frozenset(
    {"saltstring", "saltstringsaltst", "toolongsaltstrin", "anotherlongsalts", "short",
     "asaltof16chars..", "roundstoolow"}
)  # fmt: skip
_CRYPT_SALT = re.compile(r"\$[0-9a-z]{1,4}\$(?:rounds=[0-9]+\$)?([^$]*)\$")


# The development wallets' phrases that local chains print and every tutorial copies:
# `truffle develop`'s and `ganache -d`'s (Hardhat's and Anvil's, "test test … junk", and
# BIP39's test vector "abandon … about" repeat one word, which seed_phrase_ok turns down).
_PUBLISHED_PHRASES = frozenset(
    {"candy maple cake sugar pudding cream honey rich smooth crumble sweet treat",
     "myth like bonus scare over problem client lizard pioneer submit female collect"}
)  # fmt: skip


def published_seed_phrase(value: str) -> bool:
    return " ".join(value.split()) in _PUBLISHED_PHRASES


def published_crypt_hash(value: str) -> bool:
    """A crypt(3) hash of the SHA-crypt specification's test vectors, by its salt."""
    m = _CRYPT_SALT.match(value)
    return m is not None and m.group(1) in _SPEC_SALTS


# A random token ends in "here" ("...TokenHere") with odds under 1 in 10^7: typed by a
# person, as are the words.
_TOKEN_PLACEHOLDER = re.compile(
    r"example|sample|dummy|fake|x{6,}|X{6,}|0{8,}|\.\.\.|<|>|your|here$", re.IGNORECASE
)
# What each of its alternatives holds: a value without any has no marker.
_MARKER_WORDS = CaselessWords(("example", "sample", "dummy", "fake", "xxxxxx", "00000000",
                               "...", "<", ">", "your", "here"))  # fmt: skip
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]{16,}")
_FEW_MAX = 4
# Ten letters of the alphabet in a row ("klmnopqrstuv"): a person typing a stand-in, even
# in a service's format. Runs of digits are not counted there: "12345678" starts many
# documented example keys that are still the format (see token_is_placeholder).
_LETTER_RUN = CaselessWords(
    "".join(chr(c) for c in range(start, start + 10)) for start in range(ord("a"), ord("z") - 8)
)
# Half the value one repeated character ("AIzaaaaaaaa...", "glc_1111..."): a stand-in. Real
# formats may start with a run (Twitter's bearer tokens: 22 A's of 112), never this long.
_LONG_RUN = 12
_ALPHABET_RUN = CaselessWords(("abcdefg", "0123456789", "qwerty"))
# Six letters or digits in a row of the alphabet ("klmnop", "345678"): typed by a person
# writing a fake key; a random 100-character token has one with odds of about 1 in 10^7.
_SEQUENCE_LEN = 6
_SEQUENCE = CaselessWords(
    alphabet[i : i + _SEQUENCE_LEN]
    for alphabet in (string.ascii_lowercase, string.digits)
    for i in range(len(alphabet) - _SEQUENCE_LEN + 1)
)
# 8-4-4-4-12 groups, hex or not: under a bare `key` an id more often than a credential.
UUID_SHAPE = re.compile(
    r"[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}"
)


def token_is_placeholder(value: str, *, service: bool = False) -> bool:
    """For fixed-prefix tokens, where even a test value has the real format.

    `service`: the value has a service's own format (a prefix, a structure, the service's
    name just before it). There only what marks a stand-in counts ("EXAMPLE", a run of x's,
    two characters repeated), not a run of the alphabet or of digits: "12345678-ABCD-..." under
    `HEROKU_API_KEY` is still the shape of a key, and would still reach a cloud model
    unredacted if let through (semgrep-rules' secret tests label such values secrets)."""
    if _marked(value) or is_filler(value) or holds_published_example(value):
        return True
    if service:
        return _LETTER_RUN.found_in(value)
    return (
        _ALPHABET_RUN.found_in(value)
        or _has_sequence(value)
        or heuristic().is_sequential_string(value)
    )


# Four letters, which a long random value holds by chance (a 1,600-character base64 key
# spells "your" or "fake" in some case about one time in three hundred): there they count
# as a word of their own only.
_SHORT_MARKERS = frozenset({"your", "fake"})
LONG_VALUE = 64
# A camel-case word counts when no digit stands this near it and the value is shorter than
# a stand-in typed whole would be.
_NEAR = 8
_TYPED_MAX = 256


def _marked(value: str) -> bool:
    """Whether a marker of a stand-in is in `value`: "EXAMPLE", "your", a run of x's, …"""
    if not _MARKER_WORDS.found_in(value):
        return False  # (the pattern tries ten words at every position of a long value)
    for m in _TOKEN_PLACEHOLDER.finditer(value):
        if len(value) < LONG_VALUE or m.group().lower() not in _SHORT_MARKERS:
            return True
        if set_apart(value, m.start(), m.end()):
            return True
    return False


def set_apart(value: str, start: int, end: int) -> bool:
    """A word of its own: not inside a run of letters and digits, or a capitalised word of
    a camel-case name among words (`…ThisIsAFakeKeyFor…`; drawn characters have digits
    near: `…WhGwTodoD9…` is chance)."""
    before = value[start - 1] if start else ""
    after = value[end] if end < len(value) else ""
    if not before.isalnum() or not after.isalnum():
        return True
    if len(value) >= _TYPED_MAX:
        return False  # a stand-in typed whole is shorter; over this, chance spells words
    near = value[max(0, start - _NEAR) : end + _NEAR]
    return value[start:end].istitle() and after.isupper() and not any(c.isdigit() for c in near)


def is_filler(value: str) -> bool:
    """Typed filler rather than material: a long run of a handful of characters
    ("ababab..."), or half the value one character. A private key's DER in base64 holds
    such runs of its own (mostly_filler says why), and is material."""
    if mostly_one_character(value):
        return True
    return _few_characters(value) and not private_der(value)


def _few_characters(value: str) -> bool:
    """ "ghp_abababab...": a long run of a handful of characters. A random 16-character
    token uses about 13 different ones."""
    if any(len(set(m.group())) <= _FEW_MAX for m in _ALNUM_RUN.finditer(value)):
        return True
    # A UUID's hyphens cut every run short: "11111111-1111-4111-a111-111111111111".
    return any(len(set(m.group()) - {"-"}) <= _FEW_MAX for m in UUID_SHAPE.finditer(value))


def mostly_filler(value: str) -> bool:
    """Half the value or more typed filler: runs of a handful of characters ("abab…",
    "xxxx…"), or one character repeated. A key block's body is judged so, not by
    is_filler's single run: DER writes zero bytes as runs of `A`, and an EC key that spells
    out its curve's parameters (`-param_enc explicit`) holds P-256's prime,
    `/////wAAAAEAAAAAAAAAAAAAAAA////…`, in every key."""
    if mostly_one_character(value):
        return True
    few = sum(len(m.group()) for m in _ALNUM_RUN.finditer(value) if len(set(m.group())) <= _FEW_MAX)
    return few * 2 >= len(value)


def mostly_one_character(value: str) -> bool:
    """Half the value or more one character repeated. Such a run covers one of the two
    middle positions, so only the runs through them are measured (str methods, not a loop
    over a 100 KB value's characters)."""
    n = len(value)
    if n < _LONG_RUN:
        return False
    least = max(n, 2 * _LONG_RUN)
    return any(_run_through(value, at) * 2 >= least for at in {(n - 1) // 2, n // 2})


def _run_through(value: str, at: int) -> int:
    c = value[at]
    left, right = value[: at + 1], value[at:]
    return len(left) - len(left.rstrip(c)) + len(right) - len(right.lstrip(c)) - 1


def _has_sequence(value: str) -> bool:
    """Six letters or digits in a row of the alphabet (`klmnop`, `345678`), any case."""
    return _SEQUENCE.found_in(value)


@cache
def heuristic() -> ModuleType:
    """detect-secrets' filters, imported when a candidate first needs them: the package
    costs ~120 ms to import and most diffs have no candidate at all."""
    from detect_secrets.filters import heuristic

    return heuristic
