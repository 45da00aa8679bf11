"""When a match is not a secret: the false-positive rules.

A detected secret makes its file restricted (local models only), so a false positive costs
the review its best model. The rules below keep ordinary code unrestricted:

- Placeholders are not secrets: empty or short values (under 6 characters for assignments,
  4 for URL passwords), one or two repeated characters ("xxxx", "****"), all digits, colours,
  versions and dates, and values containing changeme / example / sample / dummy / fake /
  mock / test / placeholder / redacted / your-... / "..." / password / secret / hunter2 /
  tiger (demo credentials), or equal to a type or keyword (str, string, none, true).
- References are not secrets (references.py): ${VAR}, {{ var }}, %(name)s, $VAR,
  <your-key>, os.environ[...], process.env.X, getenv(...), an environment variable's name
  ("OPENAI_API_KEY"), a file path or a plain URL; nor is a call or attribute chain in code
  (settings.API_KEY).
- Names say what a value is (names.py): `password_file`, `token_url`, `api_key_env`,
  `secret_name` hold a pointer, not a secret; `fake_token`, `test_password`,
  `dummy_secret` are test fixtures named as such; `public_key`, `publishable_key`,
  `csrf_token` are meant to be seen. For `a.b.c` only the last part is the name
  (`token.markup` is markup).
- Names and slugs are not secrets under a token/key name: "github-token", "sk-proj-" (a
  prefix being concatenated), one lower-case word ("comment"). Under a password name a word
  still counts: `db_password = "swordfish"` is a hard-coded password. A comparison
  (`token == "..."`) counts only when the value looks generated.
- Unquoted values count only in config-like files (.env, YAML, INI, properties, shell), where
  `password: hunter2x` is a literal; in code the same text is a variable.
- In tests and fixtures (tests/, fixtures/, test_*.py, *_test.go, *.spec.ts, ...) assigned
  values and URL passwords count only when they look generated (digits with upper and lower
  case, or 16+ characters): "pw123" there is a fixture.
- Quoted high-entropy strings with no secret-ish name count only when they look random
  (32+ characters mixing digits with upper and lower case), are not hashes, UUIDs, names,
  regexes or base64 of a sentence, and the file is not a test or fixture: test vectors and
  snapshots are full of such strings. Under a secret-ish name 16 characters suffice.
- Token formats with fixed prefixes (ghp_, AKIA, sk-ant-, ...) ignore the file and the name:
  a real-format token in a test is still a token. Only AWS's documented EXAMPLE keys, runs of
  x or 0, alphabet runs, six letters or digits in sequence ("klmnop", "345678"), "..."
  elisions are let through, and values gitleaks' allow-lists name (published sample keys).
  jwt.io's sample token is reported, as gitleaks, detect-secrets, Trivy and every labelled
  suite here report it.
- In documentation (.md, .rst, .adoc, docs/), a line that calls its value an example,
  sample, placeholder, dummy or fake shows the shape of a key, not a key.
- Language is not a secret: prose in any script, a word with letters outside ASCII and no
  digit (a translation), a description after `KEY=`; neither are a message catalogue's or
  a lockfile's named values (paths.py), template markers (`%RANDOM%`, `###PWD###`), a
  bracketed left-out value (`[omitted]`), a file's name, an OID or GraphQL's types.
- A UUID found by gitleaks' generic rule (`idempotency_key = "<uuid>"`) is an identifier;
  under a service's own name (heroku_api_key, snyk token) its service rule finds it.
"""

from __future__ import annotations

import re
from functools import cache

from bot.secrets import der, wording
from bot.secrets.gitleaks.ruleset import Rule, pinned, shannon_entropy
from bot.secrets.names import (
    key_is_bare_key,
    key_is_excluded,
    key_is_password,
    key_is_secretish,
    key_words,
    last_part,
)
from bot.secrets.passphrases import described
from bot.secrets.references import (
    is_reference,
    path_of_names,
    spells_a_name,
)
from bot.secrets.stand_ins import (
    LONG_VALUE,
    UUID_SHAPE,
    heuristic,
    holds_published_example,
    is_filler,
    mostly_one_character,
    set_apart,
)
from bot.secrets.stand_ins import (
    token_is_placeholder as token_is_placeholder,  # (read as rules.token_is_placeholder)
)
from bot.secrets.value_shapes import code_as_text, not_picked, spliced
from bot.secrets.wording import looks_random

MIN_ASSIGNED = 6
MIN_ENTROPY_NAMED = 16
MIN_ENTROPY_UNNAMED = 32

_PLACEHOLDER_PARTS = (
    "changeme", "change_me", "change-me", "example", "sample", "dummy", "fake", "placeholder",
    "redacted", "your_", "your-", "yourkey", "your key", "<your", "xxxx", "***", "...",
    "yourpass", "yourpwd", "yoursecret", "yourtoken", "yourapi",
    "insert_", "insert-", "replace_me", "replace-me", "replaceme", "todo", "fixme", "not-a-",
    "not_a_", "notasecret", "not-secret", "test", "mock", "tiger", "hunter2",
    # what a value left to be filled in says of itself
    "to-be-replaced", "to_be_replaced", "goes_here", "goes-here", "notset", "not_set",
    "not-set", "fillme", "fill_me", "fill-me", "set-via-", "set_via_", "overridden",
    "dont-use", "do-not-use", "do_not_use", "-here", "_here", "notareal", "not_real",
    "not-real", "username:password", "user:password", "blah",
)  # fmt: skip
# A setting's value that is itself settings (`uid=user,userPassword=password`,
# `audit_trail=none,...`, `uniqueIdentifier=user,...`): an unquoted list of assignments,
# not one secret. A random `NtZ=2v…` (three letters, mixed case) is not one.
_NESTED_SETTING = re.compile(r"^(?:[a-z_]{2,}|[A-Z_]{2,}|[A-Za-z_]{4,})=\w")
# PowerShell's Verb-Noun: `ConvertTo-SecureString`, `Get-Credential`.
_CMDLET = re.compile(r"[A-Z][A-Za-z]+-[A-Z][A-Za-z]+")
# A call or a literal list opening a value (which may be cut at its first space or
# bracket): `md5(SECRET_KEY`, `ENC(…)`, `f()`; `Xk9(7@e…` opens no argument. A call's
# function is named (`Nyfq5ql3(W>4#…` is a generated password's), and a list or a group
# opening a value closes in it (`[u7.pDa2,2Ou*C3i` opens nothing).
_CALL_OR_LIST = re.compile(
    r"(?P<callee>[A-Za-z_][\w.:]*)\((?:[A-Za-z_\"'\[{(]|\)|$)|(?P<open>[\[({])"
)
_CLOSER = {"[": "]", "(": ")", "{": "}"}
# A value that names a password rather than being one ("thisismypassword" is a weak password
# and counts; "reset_password" and "cms/passwords#edit" are names).
_SECRET_NAMES = ("password", "passwd", "secret")
_LOWER_NAME = re.compile(r"[a-z]+(?:[/#._:\-][a-z]+)+")
_PLACEHOLDER_WORDS = frozenset(
    {"password", "passwd", "secret", "token", "none", "null", "nil", "undefined", "true",
     "false", "required", "optional", "string", "str", "bytes", "int", "default", "empty",
     "unset", "hidden", "masked", "secretstr", "secretbytes", "sensitive", "any", "object",
     "apikey", "api_key", "pass", "pwd", "value", "secret_key", "credentials", "tiger",
     "foobared"}
)  # fmt: skip
# "tiger": Oracle's scott/tiger; "foobared": the example in redis.conf's comments.
# Colours, versions and dates sit under names like `Token` (pygments) or `secret_version`;
# a percentage is a measure (a notebook's printed `Pass@5: 80.92%`, a pass rate).
_NOT_SECRET_SHAPE = re.compile(
    r"#[0-9a-fA-F]{3,8}|v?\d+(?:\.\d+)+(?:[-+][\w.]+)?|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?"
    r"|\d+(?:\.\d+)?%"
    # a class literal, the brackets of the call it is an argument of after it (Kotlin's
    # `value = PasswordGenerateRequest::class)`, Java's `Foo.class`)
    r"|[A-Z]\w*(?:::class(?:\.java)?|\.class)\)*"
    # a time of day or a duration (`"AccessTokenLifetime": "12:00:00"`, .NET's `1.00:00:00`)
    r"|(?:\d+\.)?\d{1,2}:\d{2}:\d{2}(?:\.\d+)?"
)
# Words joined by underscores or dots ("crypto_scalarmult_ed25519_SCALARBYTES"): a name.
WORDY = re.compile(r"[A-Za-z][a-z0-9]+(?:[_.][A-Za-z0-9]+){2,}|[A-Z][A-Z0-9]+(?:[_.][A-Z0-9]+){2,}")
_IDENT_CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)*(?:\(\)?|\[)?")
# A Subresource Integrity value (W3C SRI; npm's, Nix's and Deno's lockfiles and
# pinned-source tables write them): an algorithm's name, a dash and base64 of a digest of
# its length: a hash (Nix's `"aarch64-linux" = "sha256-…=";`), not a random value.
INTEGRITY_HASH = re.compile(
    r"sha1-[A-Za-z0-9+/]{27}=|sha256-[A-Za-z0-9+/]{43}=|sha384-[A-Za-z0-9+/]{64}"
    r"|sha512-[A-Za-z0-9+/]{86}=="
)
HASH_CONTEXT = re.compile(
    r"integrity|checksum|digest|sha\d*|md5|hash|etag|commit|revision|fingerprint|uuid|guid"
    r"|signature|authenticity_token|csrf"
    r"|_acme-challenge",  # a DNS-01 TXT record's value: a digest, published in DNS
    re.IGNORECASE,
)

_BARE_KEY_MIN = 20
# A number under a secret's name is a port, a PIN, an id or a counter; 24 digits and more
# is longer than any of those (a 64-bit id has 20) and is a numeric key.
_DIGITS_KEY_MIN = 24
_GENERATED_MIN = 16
_GENERATED_DISTINCT = 10
_CHUNKS = re.compile(r"[A-Za-z0-9]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
# A path's segments: a word of three or more lower-case letters between slashes.
_PATH_LIKE = re.compile(r"(?:^|/)[a-z]{3,}(?:/|$)")
_SWITCHES = re.compile(r"[A-Za-z][0-9]|[0-9][A-Za-z]")


def generated(value: str) -> bool:
    """A value that looks machine-made rather than named: 16+ characters, letters and
    digits mixed, many distinct characters, no spaces, and not words joined by separators
    (`user_profile_settings_v2`). Service keys are often lower-case (`o9ynnj1wfw33a50g...`)
    and would fail `looks_random`."""
    v = value.strip()
    if len(v) < _GENERATED_MIN or " " in v or len(set(v)) < _GENERATED_DISTINCT:
        return False
    if not (any(c.isdigit() for c in v) and any(c.isalpha() for c in v)):
        return _drawn_run(v)
    chunks = _CHUNKS.findall(v)
    if ("+" in v or "/" in v) and _BASE64.fullmatch(v) and not _PATH_LIKE.search(v):
        # base64's `+` and `/` cut a drawn value into short runs (7 digits in 44 characters,
        # a run with one): its letters and digits are read as one run
        chunks = ["".join(chunks)]
    if WORDY.fullmatch(v) or wording.is_slug(v):
        # Words joined by separators are a name, unless one part is itself long and
        # random: a token behind a short prefix (`bb_pr_7f3c2b40ef44e1d9...`).
        return any(
            len(c) >= _GENERATED_MIN
            and (len(_SWITCHES.findall(c)) >= 4 or wording.has_drawn_letters(c))
            for c in chunks
        )
    # Some run between separators must itself interleave letters and digits: "release_2024"
    # has digits only as their own part, "getUserById2" only at its end.
    if any(len(chunk) >= 8 and len(_SWITCHES.findall(chunk)) >= 2 for chunk in chunks):
        return True
    return _drawn_run(v)


def _drawn_run(value: str) -> bool:
    """One run of letters (a digit or two among them) that reads as drawn: a random
    32-character key has at most one digit one time in forty, and then no run of letters
    and digits switches often enough for `generated`'s rule."""
    return _CHUNKS.fullmatch(value) is not None and wording.has_drawn_letters(value)


def random_key_value(value: str) -> bool:
    """A value generated enough to be a key under a bare `key` name: 20+ characters, not a
    UUID, not a name in camel case (a property list's `<key>` names its entry)."""
    v = value.strip()
    if len(v) < _BARE_KEY_MIN or UUID_SHAPE.search(v) or wording.camel_name(v):
        return False
    return generated(v)


def names_a_secret(key: str, value: str) -> bool:
    """Whether `key` names `value` a secret: a secret's name (`api_token`), or a bare `key`
    (`key`, `tomtom_key`, `<key>`) holding a generated value."""
    return key_is_secretish(key) or (key_is_bare_key(key) and random_key_value(value))


def generic_name(key: str, value: str) -> bool:
    """Whether gitleaks' generic rule (the pinned one: its names, value characters and
    entropy) takes `value` under `key` written as an assignment, and the value is random or
    long enough to count there (gitleaks_pass._generic_ok): `oauth_verifier`, `jsapi_ticket`
    name a secret for it. A name in camel case is no value."""
    rule = _generic_rule()
    if rule is None:
        return False
    m = rule.regex.search(f'{key} = "{value}"')
    if m is None or value not in m.groups() or shannon_entropy(value) <= rule.entropy:
        return False
    if wording.camel_name(value):
        return False  # a name (`IDEDidComputeMac32BitWarning` under a property list's `<key>`)
    return looks_random(value) or len(value) >= MIN_ENTROPY_NAMED


@cache
def _generic_rule() -> Rule | None:
    return next((r for r in pinned().rules if r.generic), None)


def is_placeholder(value: str, min_len: int = MIN_ASSIGNED) -> bool:
    v = value.strip()
    low = v.lower()
    if low.strip("_*") in _PLACEHOLDER_WORDS:
        return True  # (in Markdown's emphasis too: `nats://_user_:_password_@server`)
    if len(v) < min_len or holds_published_example(v):
        return True
    if v.isdigit() and len(v) < _DIGITS_KEY_MIN:
        return True
    if len(set(v)) <= 2 or _NOT_SECRET_SHAPE.fullmatch(v) or mostly_one_character(v):
        return True
    if any(w in low for w in _SECRET_NAMES) and _LOWER_NAME.fullmatch(v):
        return True  # "cms/sites/passwords#edit", "reset-password": a route or a name
    if len(v) < LONG_VALUE:
        return any(p in low for p in _PLACEHOLDER_PARTS)
    # A long random value spells `mock` or `xxxx` by chance (one in a few hundred of 256+
    # characters did): there a short part counts as a word of its own only.
    return any(_part_in(p, v, low) for p in _PLACEHOLDER_PARTS)


def _part_in(part: str, value: str, low: str) -> bool:
    if len(set(part)) == 1:  # `xxxx`, `***`: six in a row is no chance
        return part[0] * max(len(part), 6) in low
    at = low.find(part)
    if len(part) > 4:
        return at != -1
    while at != -1:
        if set_apart(value, at, at + len(part)):
            return True
        at = low.find(part, at + 1)
    return False


def opens_call_or_list(value: str) -> bool:
    """`ENC(…`, `get_password(`, `[a, b]`, `{…}`: code or a structure, not a bare value."""
    m = _CALL_OR_LIST.match(value)
    if m is None:
        return False
    if m.group("open"):
        return _CLOSER[m.group("open")] in value
    callee = m.group("callee")
    # A callee of one or two characters calls only when the call closes the value: in a
    # drawn password `P(Zww3,7KK…` or `QS({=r.J2…` is no call.
    return spells_a_name(callee) and (len(callee) > 2 or value.rstrip(",;").endswith(")"))


def is_identifier_chain(value: str) -> bool:
    """`settings.API_KEY`, `self.password`, `get_token()`: code, not a literal."""
    return _IDENT_CHAIN.fullmatch(value) is not None


def dotted_name(value: str) -> bool:
    """Names joined by dots, not machine-made: `jetbrains.mps.v8_elimination`, a setting's
    or a module's name where a header or a query holds a key."""
    return "." in value and is_identifier_chain(value) and not generated(value)


def weak_value_ok(value: str, *, test: bool) -> bool:
    """In tests and fixtures, a password-like value ("hunter2", "pw123") is a fixture;
    only one that looks generated (mixed classes, or 16+ characters) counts there."""
    return not test or looks_random(value) or len(value) >= MIN_ENTROPY_NAMED


def is_uuid(value: str) -> bool:
    return bool(heuristic().is_potential_uuid(value))


def assigned_value_ok(
    key: str, value: str, *, quoted: bool, config: bool, env_style: bool, test: bool = False
) -> bool:
    """Whether `key = value` (already known to have a secret-ish key) is a real secret."""
    if key_is_excluded(key):
        return False
    v = value.strip()
    if is_placeholder(v) or is_reference(v) or not weak_value_ok(v, test=test):
        return False
    if not any(c.isalnum() for c in v):
        return False  # punctuation only: a separator or a mask, not a credential
    if not_picked(v) or spliced(v):
        return False  # a version range, a validator's rules, …; a string built with code
    if v.startswith("+") and v.endswith("+") and is_identifier_chain(v.strip("+ ")):
        return False  # `"pwd: "+cfg.getPassword()+", "`: the string closed, then code
    if "." in v and is_identifier_chain(v) and key_is_secretish(last_part(v)):
        return False  # `formModel.password`, `payload.password`: where a secret is kept
    if wording.reads_as_name(v) and not key_is_password(key):
        return False  # "github-token", "sk-proj-", "comment": a name or a fragment
    low = v.lower()
    if any(w == low for w in key_words(key)) or key_words(v) == key_words(last_part(key)):
        return False  # the name itself: `CI_MUST_PASS = "ci_must_pass"`
    if wording.names_itself(key, v):
        return False  # `AUTH_SHA2_PASSWORD = "sha2_password"`, `next_token = "nextToken1"`
    if is_filler(v):
        return False  # `"1111-4444-8444-cccc..."`: a handful of characters, typed
    if " " in v and not key_is_password(key) and not wording.drawn_parts(v):
        return False  # words under a token's name: "Invalid token provided"
    if described(key, v):
        return False  # prose or a translated word under any name: "top secret", "Passwort"
    if not key_is_password(key) and wording.encoded_text(v):
        return False  # base64 of a sentence under a key's name (a password may be a phrase)
    if _encodes_a_placeholder(v):
        return False  # `password: cGFzc3dvcmQ=`: base64 of "password", a Secret's stand-in
    if der.public_der(v):
        return False  # a public key's or a certificate's DER under a key's name: public
    if wording.names_a_file_or_type(v) or ("/" in v and path_of_names(v)):
        return False  # (a module's import path: Go's `credential "github.com/org/x/creds"`)
    compound = key.strip("$@").lower()
    if len(key_words(key)) > 1 and len(compound) >= 8 and compound in low:
        return False  # `try_except_pass = bandit.plugins.try_except_pass:...`: a name
    if wording.is_pattern(v):
        return False  # a pattern that matches secrets, in a scanner or validator
    if code_as_text(v):
        return False  # `PepperGenerator.generate(12)` in a JSON of code, an LDAP filter
    if wording.names_an_algorithm(v):
        return False  # `password_encoder: bcrypt`, `sha1:6`: how a password is kept
    if not quoted:
        # In a config file a generated password is written bare, brackets and all; a call
        # or a list there is still written whole (`ENC(…)`, `[a, b]`).
        # (`(` opens nothing in a config file: `(optional)` is a placeholder, not random.)
        opens = opens_call_or_list(v) and not v.startswith("(")
        generated_setting = (config or env_style) and looks_random(v) and not opens
        if not generated_setting and (any(c in v for c in "()[]") or v.endswith("{")):
            return False  # a call, a literal opening (`gin.H{`)
        if _NESTED_SETTING.search(v) and not wording.drawn_with_equals(v):
            return False  # nested settings
        if _CMDLET.fullmatch(v):
            return False  # `$pw = ConvertTo-SecureString '…'`: PowerShell's Verb-Noun
        if v.startswith("<") and not generated_setting:
            return False  # a `<placeholder with spaces>` cut at its first space
        if not (config or env_style) and is_identifier_chain(v):
            return False
        if config and "." in v and is_identifier_chain(v) and not any(c.isdigit() for c in v):
            return False
    return True


def _encodes_a_placeholder(value: str) -> bool:
    if len(value) < 8 or len(value) % 4:
        return False
    raw = wording.decoded_base64(value)
    return raw is not None and wording.is_text(raw) and is_placeholder(raw.decode().strip(), 4)


def literal_ok(key: str, value: str, *, test: bool) -> bool:
    """Whether a literal known by its context (a connection string's field, a command's
    flag, an XML element, a login call's argument) is a secret under the name `key`: the
    rules of a quoted value in a config file."""
    return assigned_value_ok(key, value, quoted=True, config=True, env_style=False, test=test)


def named_literal_ok(key: str, value: str, *, test: bool) -> bool:
    """Whether a literal a construct gives the name `key` is a secret there: the names an
    assignment takes (its own and gitleaks' generic rule's), then a literal's rules."""
    named = names_a_secret(key, value) or generic_name(key, value)
    return named and literal_ok(key, value, test=test)
