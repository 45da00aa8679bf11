"""Whether a match of one of Switchyard's token patterns (patterns.py, services.py,
url_secrets.py, prefixed.py) is a secret: what its format alone cannot say, the text
around it does (an Authorization header's name before `Basic`, a connection string's other
fields, where an npm key starts, a URL's user and host), and a stand-in's markers turn it
down."""

from __future__ import annotations

import json
import re
import urllib.parse

from bot.secrets import names, references, rules, wording
from bot.secrets.config_credentials import (
    AUTHORIZATION_HEADER,
    CONNECTION_FIELD,
    NPM_CREDENTIALS,
    REGISTRY_AUTH,
)
from bot.secrets.hashes import CRYPT_HASH_BARE, PASSWORD_HASHES
from bot.secrets.key_pairs import pair_ok
from bot.secrets.name_before import names_a_hash
from bot.secrets.patterns import AUTHORIZATION_SCHEME, KEY_REACH, TokenPattern
from bot.secrets.services import SEED_PHRASE
from bot.secrets.stand_ins import published_crypt_hash, published_seed_phrase
from bot.secrets.url_secrets import badge_query

# Where an ADO.NET or ODBC string's value ends: at its field's `;`, or where the literal
# holding the string closes; a libpq string's, at a space (a `;` is the password's own).
_FIELD_END = re.compile(r"[;\"'\n]|$")
_SPACED_FIELD_END = re.compile(r"[\s\"']|$")


def connection_password(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The span of `Password=` in a connection string, when another of the string's fields
    comes before it. Where those fields end at `;` (ADO.NET, ODBC, JDBC's properties) the
    value runs to its `;`, spaces and all (`Password=Lg @.StQz;`: masked to its first
    space, the rest was sent); in libpq's form fields are apart by spaces."""
    text = m.string
    if text[m.start() - 1 : m.start()] == ".":
        return None  # `e.form.password=null,…`: a property set in code (assignments' part)
    fields = [f.group(0) for f in CONNECTION_FIELD.finditer(_before(m, 384))]
    if not fields:
        return None
    s, e = m.span(1)
    if fields[-1].endswith(";"):
        end = _FIELD_END.search(text, e)
        e = s + len(text[s : end.start() if end else e].rstrip())
    elif (end := _SPACED_FIELD_END.search(text, e)) is not None:
        e = end.start()
    if not rules.literal_ok("password", text[s:e], test=test):
        return None
    return s, e


def token_ok(pattern: TokenPattern, value: str, m: re.Match[str], test: bool) -> bool:
    if pattern.kind == "password in URL":
        if value.startswith("[") or (not m.group("user") and not rules.looks_random(value)):
            return False  # `redis://[[user]:[password]]@`, `dotenv://:key_1234@`
        if value == "x-oauth-basic":
            return False  # GitHub's fixed password after a token given as the user
        if _MASKED.match(value):
            return False  # masked in a log or a comment: `postgres://ad***:9f2**@`
        if _MULTI_HOST.match(value):
            return False  # `://h1.db:5432,u:p@h2.db`: the first host's port, then a host
        return (
            not rules.is_placeholder(value, min_len=4)
            and not references.is_reference(value)
            and value != m.group("user")
            and rules.weak_value_ok(value, test=test)
        )
    if pattern.kind in ("HTTP basic credentials", REGISTRY_AUTH):
        # Wherever the scheme's word stands (a header, a string, a log, a runbook): base64
        # that decodes to printable `user:password` is hardly chance, so that decides.
        return _basic_ok(value, test)
    if pattern.kind == NPM_CREDENTIALS and not m.group().startswith("_"):
        # Yarn's `npmAuthIdent: "user:password"`: the password after the user, a literal
        return rules.literal_ok("password", value, test=test)
    if pattern.kind == NPM_CREDENTIALS and not _npm_key_starts(m):
        return False
    if pattern.kind == NPM_CREDENTIALS and rules.is_placeholder(value):
        return False  # C#'s `_password = password ?? throw …`: a private field, not .npmrc's
    if pattern.kind == SEED_PHRASE:
        return seed_phrase_ok(value)
    if pattern.kind == CRYPT_HASH_BARE and published_crypt_hash(value):
        return False
    if pattern.kind in PASSWORD_HASHES:
        # Named as a hash (`password_hash = "$2b$..."`): a fixture or a stored hash on
        # purpose; a bare one (a users table's dump, a CSV row) is someone's password.
        return not names_a_hash(_before(m, KEY_REACH))
    if pattern.kind == "token in URL":
        return not badge_query(m.string, m.start()) and _query_token_ok(m.group(1), value, test)
    if pattern.kind == "AWS account ID" and value in _AWS_EXAMPLE_ACCOUNTS:
        return False
    if rules.token_is_placeholder(value, service=True):
        return False
    if "id" in m.re.groupindex and not pair_ok(m, value):  # a key ID's pair (key_pairs.py)
        return False
    if pattern.kind == "JWT" and not jwt_ok(value, test):
        return False
    if pattern.kind == "token authorization":
        if AUTHORIZATION_HEADER.search(_before(m, 24)) is None:
            return False
        return rules.looks_random(value) or rules.generated(value)
    if pattern.kind == AUTHORIZATION_SCHEME:
        if m.group(1).lower() in _SCHEMES_READ_ELSEWHERE or "=" in value.rstrip("="):
            return False  # their own patterns; `Credential=…, Signature=…` are parameters
        if m.group(1) in _CODE_WORDS or m.string.startswith("(", m.end()):
            return False  # `authorization = new OAuth2Authorization();`: code, not a header
        return rules.looks_random(value) or rules.generated(value) or rules.is_uuid(value)
    if pattern.kind == "bearer token":
        # Opaque tokens are often lower-case hex or base36 (`Bearer 7b266a22...`).
        return rules.looks_random(value) or rules.generated(value)
    # (`NF-` and 32 letters is still a Nightfall key: one random body in 300 has no digit.)
    return not pattern.random or rules.looks_random(value) or wording.has_drawn_letters(value)


def jwt_ok(value: str, test: bool) -> bool:
    """A JWT: its JOSE header (_jose_header), then claims. Before a signature, a claims part
    that opens as JSON does (`ey…`, 8+ after it) is taken as gitleaks takes it; without
    one, the claims must decode to JSON. A signed token cut short (`header.claims`, no
    dot after) still carries its session's claims: detect-secrets', semgrep's and
    ripsecrets' rules report it; in a test, a token without its signature is the fixture
    of a test that it is turned down (CredData's annotators mark one no credential). An
    unsecured token (`"alg": "none"`, RFC 7519 section 6) proves nothing, and empty claims
    (`e30`, `{}`) are a format's example: CredData marks both no credential."""
    parts = value.split(".")
    header = _jose_header(parts[0])
    if len(parts) < 2 or header is None or b'"alg":"none"' in b"".join(header.split()).lower():
        return False
    signed = len(parts) == 3 and parts[2] != ""
    if test and not signed:
        return False
    claims = parts[1].rstrip("=")
    if signed and claims.startswith("ey") and len(claims) >= 10:
        return True
    raw = wording.decoded_base64(claims)
    try:
        decoded = json.loads(raw) if raw is not None else None
    except ValueError:  # not UTF-8, or not JSON
        return False
    return isinstance(decoded, dict | list) and len(decoded) > 0


def _jose_header(part: str) -> bytes | None:
    """A JWT's first part decoded, when it is a JOSE header: base64url of a JSON object
    (`{"alg": …}`). A first part that decodes to no object's braces was cut short, and one
    that decodes to binary was typed over (detect-secrets' JWT plugin turns both down); a
    header edited inside its braces is still taken, as gitleaks' tests take it: the token's
    other parts may be real."""
    raw = wording.decoded_base64(part)
    if raw is None or not (raw.strip().startswith(b"{") and raw.strip().endswith(b"}")):
        return None
    return raw if sum(32 <= b < 127 or b in (9, 10, 13) for b in raw) >= 0.9 * len(raw) else None


_QUOTES = ('"', "'", "`")
# Basic pairs, bearer and `Token` values have patterns of their own; Digest, Negotiate
# and NTLM carry a handshake's one-time answer, not a credential kept anywhere.
_SCHEMES_READ_ELSEWHERE = frozenset({"basic", "bearer", "token", "digest", "negotiate", "ntlm"})


def _npm_key_starts(m: re.Match[str]) -> bool:
    """`_auth`/`_password` starts its line or a string, or follows a registry's path
    (`//registry.example/:_auth`), as .npmrc writes it; `Cols::_password` is code."""
    text, start = m.string, m.start()
    before = text[text.rfind("\n", 0, start) + 1 : start]
    if not before.strip(" \t") or before.endswith(_QUOTES[:2]):
        return True
    return before.endswith(":") and not before.endswith("::")


# A port's digits and a comma: the next host (`4,Re67x…` opens a generated password).
# The account ids AWS's own documentation writes in every example ARN and policy
# (`arn:aws:iam::123456789012:…`), and those that own the official images everyone looks
# up by owner (Canonical's, Amazon's, Red Hat's, CentOS', Debian's AMIs): public, each an
# account id alone, not inside another value, since suites' fixtures build keys and ids
# around them.
_AWS_EXAMPLE_ACCOUNTS = frozenset(
    {"123456789012", "111122223333", "444455556666", "777788889999", "099720109477",
     "137112412989", "309956199498", "679593333241", "136693071363", "379101102735"}
)  # fmt: skip
# A language's words before a name, not an Authorization scheme's.
_CODE_WORDS = frozenset({"new", "await", "return", "typeof", "this", "self", "const", "let"})
_MULTI_HOST = re.compile(r"\d{2,5},")
# Stars hiding a value but for a few characters at its ends (`9f2**`, `ad***`, `p**d`,
# `********`); a generated password may hold `**` between longer runs.
_MASKED = re.compile(r"[^*]{0,4}\*{2,}[^*]{0,4}$|.*\*{3}")


def _before(m: re.Match[str], reach: int) -> str:
    """The lower-cased text before a match on its line, at most `reach` characters of it."""
    text, start = m.string, m.start()
    line_start = text.rfind("\n", max(0, start - reach), start) + 1
    return text[max(line_start, start - reach) : start].lower()


def _basic_ok(value: str, test: bool) -> bool:
    """Whether base64 `value` decodes to `user:password` with a password worth reporting."""
    raw = wording.decoded_base64(value)
    try:
        decoded = raw.decode() if raw is not None else ""
    except UnicodeDecodeError:
        return False
    user, colon, password = decoded.partition(":")
    return (
        bool(colon and user and password)
        and decoded.isprintable()
        and not rules.is_placeholder(password, min_len=4)
        and not references.is_reference(password)
        and rules.weak_value_ok(password, test=test)
    )


_PHRASE_LENGTHS = frozenset({12, 15, 18, 21, 24})
# Words that hold an English sentence together: a description under a phrase's name
# ("the twelve words you wrote down when you created the wallet") has them.
_PROSE_WORDS = frozenset(
    {"the", "and", "you", "your", "are", "for", "with", "that", "from", "have", "will",
     "these", "them", "when", "were", "been", "which", "there", "their", "here", "into",
     "should", "would", "could"}
)  # fmt: skip


def seed_phrase_ok(value: str) -> bool:
    """A BIP39 phrase's length, words mostly distinct (a phrase drawn from 2,048 words
    rarely repeats one; "test test … junk" is typed), no sentence, and not a published
    one."""
    words = value.split()
    return (
        len(words) in _PHRASE_LENGTHS
        and len(set(words)) >= len(words) - 2
        and sum(w in _PROSE_WORDS for w in words) < 2
        and not published_seed_phrase(value)
    )


# A page's or a resumed listing's position: random-looking, handed out to every caller.
_PAGING = frozenset({"page", "next", "continuation", "cursor", "sync", "resume", "start"})


def _query_token_ok(name: str, value: str, test: bool) -> bool:
    """A URL query parameter holding a secret: its name says so (`token`, `api_key`,
    `fbApiKey`, a bare `key`, `sig`, an Azure SAS token's signature; not `pageToken` or
    `csrf_token`), and the value decoded mixes letters and digits (`%3A%2F%3F` is
    punctuation, `https%3A%2F%2F…` a URL). In a query a bare `key` is an API's key, a UUID
    included, where an assignment's `key` may be a map's."""
    decoded = urllib.parse.unquote(value)
    if "://" in decoded or any(c.isspace() for c in decoded):
        return False
    if not (
        (any(c.isdigit() for c in decoded) and any(c.isalpha() for c in decoded))
        or wording.has_drawn_letters(decoded)  # one drawn base64 token in ~1,000 has no digit
    ):
        return False
    if name.lower() == "sig":
        return True
    if rules.dotted_name(decoded):
        return False  # `?key=jetbrains.mps.v8_elimination`
    if names.key_is_excluded(name) or _PAGING.intersection(names.key_words(name)):
        return False
    if not (names.key_is_secretish(name) or names.key_is_bare_key(name)):
        return False
    # The value then meets the rules it meets assigned to that name (a stand-in is judged
    # as it is there, so `?api_key=…` and `api_key = "…"` agree).
    return rules.literal_ok(name, decoded, test=test)
