"""Switchyard's own patterns for well-known token formats.

These run over the whole text at once (one C-level pass per pattern), which is what keeps a
50,000-line diff cheap, and each names the exact span of the value so redaction replaces the
token and nothing around it. detect-secrets covers the long tail of vendors (see plugins.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.secrets.lazy_regex import Regex
from bot.secrets.names import FOREIGN_PASSWORDS

# How far back from a value to look for the name it is assigned to.
KEY_REACH = 120

# A token ends where no other token character touches it, and starts likewise: a key
# embedded in a longer identifier ("xghp_...") is not half-matched. The start is checked in
# code (TokenPattern.before): a look-behind at the head of a pattern costs Python's regex
# engine its literal-prefix search, a tenfold slowdown over a large diff.
# Where a token ends: not before another token character (a longer word).
TOKEN_END = r"(?![A-Za-z0-9_\-])"
# How long a value a pattern reads, wherever it takes one: an ECR login's password is
# ~2,000 characters, an Entra refresh token ~1,000, and a pattern that stopped at 128
# redacted the first 128 and sent the rest. VALUE_LENGTH is the quantifier.
MAX_VALUE = 4096
VALUE_LENGTH = f"{{1,{MAX_VALUE}}}"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# A value in a URL query string or header: it ends at a delimiter, never inside a token.
QUERY_END = r"(?![A-Za-z0-9_\-.~])"
_E = TOKEN_END
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_UPPER_DIGITS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@dataclass(frozen=True, slots=True)
class TokenPattern:
    kind: str
    regex: Regex  # a LazyRegex for the formats most texts never wake
    # The capture group that is the value, by number or name; 0 = the whole match.
    group: int | str = 0
    # Prefixes such as "sk-" also start CSS class names and slugs; a real key is random,
    # so it must mix digits with upper and lower case letters to count.
    random: bool = False
    # Characters that may not come just before the value's match.
    before: frozenset[str] = TOKEN_CHARS
    # Lower-case strings one of which the text must contain to be searched at all (a
    # substring test is ~50x cheaper than the regex over 100 KB): the format's own prefix,
    # or, for a format with no distinctive prefix, words that always come with it.
    keywords: tuple[str, ...] = ()
    # Run only over the lines that hold one of `keywords` (a pattern that cannot start
    # with a literal costs Python's engine a try at each position of the whole text).
    on_keyword_lines: bool = False
    # With on_keyword_lines: run only this far either side of each keyword on those lines
    # (0: the whole line). For formats whose value sits at a fixed distance from a
    # signature (Microsoft's `…+ASt…==`): fifty such patterns over a 1 MB line cost 1.2 s.
    reach: int = 0
    # For a pattern tried where its keywords stand (word_led.led_matches): the run its
    # opening reads through to a character outside it, as a pattern whose greedy body
    # must be followed by something else (a JWT's `.`). A try that fails at one start
    # fails at every later start in the same run, so the next try is after it: a line of
    # `eyJ` repeated, untrusted text, had each try read the rest of the line.
    run: re.Pattern[str] | None = None


AUTHORIZATION_SCHEME = "credentials in an Authorization header"
AWS_SECRET_KEY = "AWS secret key"

# Human-readable kinds and their marker slugs. Kinds reported by detect-secrets plugins that
# are not listed here get a slug derived from their name.
KIND_SLUGS: dict[str, str] = {
    "private key": "private-key",
    "AWS access key": "aws-access-key",
    "AWS secret key": "aws-secret-key",
    "GitHub token": "github-token",
    "GitLab token": "gitlab-token",
    "Slack token": "slack-token",
    "Slack webhook": "slack-webhook",
    "Google API key": "google-api-key",
    "Stripe key": "stripe-key",
    "OpenAI API key": "openai-key",
    "Anthropic API key": "anthropic-key",
    "JWT": "jwt",
    "password in URL": "url-password",
    "bearer token": "bearer-token",
    "password assignment": "password",
    "secret assignment": "secret",
    "high-entropy string": "high-entropy-string",
}


# gitleaks rules (id prefixes) for the same formats: their allow-lists (published sample
# keys, documentation values) apply to our patterns too. A high-entropy string has no
# format, so every rule's allow-list applies ("" prefixes every id).
GITLEAKS_PEERS: dict[str, tuple[str, ...]] = {
    "AWS access key": ("aws-access-token",),
    "GitHub token": ("github-",),
    "GitLab token": ("gitlab-",),
    "Slack token": ("slack-",),
    "Slack webhook": ("slack-webhook",),
    "Google API key": ("gcp-api-key",),
    "Stripe key": ("stripe-",),
    "OpenAI API key": ("openai-",),
    "Anthropic API key": ("anthropic-",),
    "JWT": ("jwt",),
    "secret assignment": ("generic-api-key",),
    # A query's parameter is a name and its value, as an assignment is.
    "token in URL": ("generic-api-key",),
    "high-entropy string": ("",),
}


def value_span(m: re.Match[str], names: tuple[str, ...]) -> tuple[str, int, int]:
    """(name, start, end) of the first of the groups `names` that took part in match `m`:
    patterns with alternatives hold their value in one group or another."""
    name = next(n for n in names if n in m.re.groupindex and m.group(n) is not None)
    return (name, *m.span(name))


def slug(kind: str) -> str:
    known = KIND_SLUGS.get(kind)
    if known is not None:
        return known
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-") or "secret"


TOKEN_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        "AWS access key",
        re.compile(r"A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])"),
        before=_UPPER_DIGITS,
        keywords=("akia", "asia", "abia", "acca", "a3t"),
    ),
    TokenPattern(
        "GitHub token",
        re.compile(r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})" + _E),
        keywords=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    # A GitLab token's length is its kind's: most are Devise's 20 characters, but a trigger
    # token is 40 (SecureRandom.hex(20)), an incoming mail token 25, an agent token 50 or
    # more, an OAuth application secret 64 (GitLab's token overview; gitleaks' rules and
    # detect-secrets' plugin agree on each minimum). A shorter body after those prefixes
    # is a near-miss: detect-secrets' tests list `glptt-`, `glagent-` and `gloas-` ones.
    TokenPattern(
        "GitLab token",
        re.compile(
            r"(?:(?:glpat|gldt|glft|glffct|glsoat|glrt|glcbt)-[A-Za-z0-9_\-]{20,}"
            r"|glimt-[A-Za-z0-9_\-]{25,}|glptt-[A-Za-z0-9_\-]{40,}"
            r"|glagent-[A-Za-z0-9_\-]{50,}|gloas-[A-Za-z0-9_\-]{64,})" + _E
        ),
        keywords=("gl",),
    ),
    # Slack's legacy hex tokens (no upper case) are gitleaks' slack-* rules' to find.
    TokenPattern(
        "Slack token",
        re.compile(r"xox[abposr]-[A-Za-z0-9\-]{10,}" + _E),
        random=True,
        keywords=("xox",),
    ),
    TokenPattern(
        "Slack webhook",
        re.compile(r"hooks\.slack\.com/services/(T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)"),
        group=1,
        keywords=("hooks.slack.com",),
    ),
    TokenPattern("Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}" + _E), keywords=("aiza",)),
    TokenPattern(
        "Stripe key", re.compile(r"(?:sk|rk)_live_[0-9A-Za-z]{24,}" + _E), keywords=("_live_",)
    ),
    TokenPattern(
        "Anthropic API key",
        re.compile(r"sk-ant-[A-Za-z0-9_\-]{20,}" + _E),
        random=True,
        keywords=("sk-ant-",),
    ),
    TokenPattern(
        "OpenAI API key",
        re.compile(r"sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}" + _E),
        random=True,
        keywords=("sk-",),
    ),
    TokenPattern(
        "JWT",
        # A JOSE header, then any claims (token_checks.jwt_ok checks them): a short set, one
        # written with spaces (`eyAi…`), and a token cut short of its signature as well.
        re.compile(
            r"eyJ[A-Za-z0-9_\-]{8,}=*\.[A-Za-z0-9_\-]{2,}=*(?:\.(?:[A-Za-z0-9_\-]+=*)?)?" + _E
        ),
        keywords=("eyj",),
        run=re.compile(r"[A-Za-z0-9_\-]*"),
    ),
    TokenPattern(
        "password in URL",
        # Up to the last `@` before the host, as URL parsers split it: a password with an
        # unencoded `@` or `:` in it is still all password (`app:p@ss@db` is `p@ss`).
        re.compile(
            r"://(?P<user>[^\s:@/'\"`<>]{0,128}):([^\s/'\"`<>]" + VALUE_LENGTH + r")@[A-Za-z0-9\[]"
        ),
        group=2,
        keywords=("://",),
    ),
    TokenPattern(
        "bearer token",
        re.compile(r"(?:[Bb]earer|BEARER)\s+([A-Za-z0-9._~+/\-]{20,}=*)" + _E),
        group=1,
        keywords=("bearer",),
        random=True,
        on_keyword_lines=True,
    ),
    # The `Token` scheme (Django REST framework, GitHub's `token ghp_…`) after an
    # Authorization header's name: a header line, a dict entry, a `Header.Set` call.
    TokenPattern(
        "token authorization",
        re.compile(r"[Tt]oken\s+([A-Za-z0-9._~+/\-]{20,}=*)" + _E),
        group=1,
        keywords=("authorization",),
        # A header is one line: its lines only (a pattern that opens with a character
        # class is tried at every position of the whole text).
        on_keyword_lines=True,
    ),
)
# Any other scheme's credentials in an Authorization header: Okta's `SSWS …`, Opsgenie's
# `GenieKey <uuid>`, `Splunk …`, `DeepL-Auth-Key …`, `Klaviyo-API-Key …`, GoDaddy's
# `sso-key …`. The header says the value is a credential, whatever its scheme. Run after
# every vendor's pattern (detect.py), so that on the same span the vendor's kind is kept.
AUTHORIZATION_SCHEME_PATTERN = TokenPattern(
    AUTHORIZATION_SCHEME,
    re.compile(
        r"[Aa]uthorization[\"']?\s*[:=,]\s*[\"']?([A-Za-z][\w-]{1,30})[ \t]+"
        r"([A-Za-z0-9._~+/\-:]{16,}=*)" + _E
    ),
    group=2,
    keywords=("authorization",),
    on_keyword_lines=True,
)

# An AWS secret key has no prefix; it is known by its name. Tried on keyword lines only.
AWS_SECRET = re.compile(
    r"(?i:aws[\w.\-]{0,20}?(?:secret|sk)|secret[_.\-]?access[_.\-]?key)[\w.\-]{0,20}?"
    r"[\"'\]]{0,2}\s*(?::=|=>|[:=])\s*[\[(@]?\s*[\"'`]?"
    # (a run going on in `-` or `_` is a longer value, which the assignment takes whole)
    r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=_\-])"
)

# What a diff or a prompt puts before a line ("  12    14 + | ", "+", "> 12 | "). Each run
# read once: written as three runs that may each be empty, a line of 4,000 spaces that is
# no item was split every way among them (cubic; found by bench/secrets_fuzz.py). What
# follows it in every pattern needs no space or digit it took, and a `-` it needs (`- --token`)
# is still given back: the optional group is left out whole.
LINE_PREFIX = r"[ \t\d]*+(?:[-+>][ \t\d]*+)?(?:\|[ \t]*+)?"

# A backslash that ends a quoted value where a backslash escapes nothing (`'Xk9\'` in YAML,
# a shell or PowerShell; `@"Xk9\"` in C#, `"Xk9\"` in Visual Basic): read as escaping the
# quote, the value never closed and was not found at all. It is the value's own character
# where the quote after it is the last of its kind on the line: read as an escape there,
# the string would never close, which no valid program writes. (Looked for to the next
# such quote, and no further than a value's length: a long line costs what it did.)
_LAST_BACKSLASH = rf"(?:'(?![^'\n]{{0,{MAX_VALUE}}}')|\"(?![^\"\n]{{0,{MAX_VALUE}}}\"))"
# An escape, or that last backslash.
ESCAPE = rf"(?:\\(?!{_LAST_BACKSLASH}).|\\(?={_LAST_BACKSLASH}))"
# Inside quotes `q` (a group named so before it): up to the closing one, past escaped
# characters (`"9f6b\"Tk"`) and the other kind of quote.
IN_QUOTES = rf"(?:{ESCAPE}|(?!(?P=q))[^\\\n])"
# A quoted literal argument: its quote in group `q`, its text in group `v`.
QUOTED_ARGUMENT = r"(?P<q>[\"'])(?P<v>" + IN_QUOTES + VALUE_LENGTH + r")(?P=q)"

# Generic "name = value" assignments, tried only on lines that mention a secret-ish word.
# Keys may be dotted (spring.datasource.password) or carry $/@ sigils (PHP, shell, Ruby);
# an optional type annotation (`password: str = "..."`) sits between key and "=". Quotes may
# be escaped (`$password = \"...\";` inside a string literal), both of them alike.
# A name is bounded, and starts where a letter does not come before it: otherwise a long
# run of name characters with no `=` after it was read again from each of its characters
# (a 10 KB base64url line took 6 s). A name still starts after a digit (`2fa_secret`) or
# a dash (`--password`).
# PowerShell's scope comes before the name (`$env:API_KEY = "…"`): the name is what follows.
_KEY_NAME = (
    r"(?<![A-Za-z_$@])(?:\$(?i:env|global|script|local|private|using):)?"
    r"(?P<key>[A-Za-z_$@][\w.\-$@]{0,127})"
)
_KEY_END = r"(?:\\?[\"'\]]){0,2}"
ASSIGN_KEY = _KEY_NAME + _KEY_END
# In code, C's array declarator may follow the name (`char wifi_password[] = "…"`, `[32]`,
# Arduino's `PROGMEM` after it; a config file's `name[] = …` is a list's item).
_CODE_KEY = _KEY_NAME + r"(?:\[\d{0,5}\](?:[ \t]+PROGMEM)?)?" + _KEY_END
# A call that only converts or decodes the literal it is given: the value assigned is
# still the literal (`Password: aws.String("…")`, `String::from("…")`, `Some("…")`,
# `key = unhexlify('…')`, `Buffer.from('…', 'hex')`, `hex.DecodeString("…")`). A getter
# (`get_secret("name")`) is not one: its argument names the secret.
WRAPPER = (
    r"(?:(?:\w+\.)?String\(|String::from\(|Secret\w*::new\(|Some\(|new\s+String\(|\[\]byte\("
    r"|str\(|bytes\(|(?:bytes|bytearray)\.fromhex\(|(?:binascii\.)?(?:unhexlify|a2b_hex)\("
    r"|(?:base64\.)?(?:urlsafe_|standard_)?b64decode\(|Secret(?:Str|Bytes)\(|Buffer\.from\("
    r"|atob\(|hex(?:\.|::)(?:DecodeString|decode)\(|\w*Encoding\.DecodeString\("
    r"|Base64\.get\w*Decoder\(\)\.decode\(|(?:\w+\.)?decodeHex\(|base64Decode\("
    r"|DatatypeConverter\.parse(?:Hex|Base64)Binary\(|Convert\.FromBase64String\("
    r"|Encoding\.\w+\.GetBytes\(|Base64\.(?:strict_|urlsafe_)?decode64\()\s*"
)
_ASSIGN_VALUE = (
    # `||=` and `??=` (Ruby, JavaScript) assign a default: `ENV["DB_PASSWORD"] ||= "…"`.
    # R's and F#'s `<-` assign too: `password <- "…"`, `conn.Password <- "…"`.
    # Make's `?=` assigns when unset: `API_TOKEN ?= …`.
    # (`::` is a path's or a cast's, never an assignment: `pw::bytea`, `Secret::new`)
    r"\s*(?P<op>:=|=>|===|==|\|\|=|\?\?=|\?=|=|:(?!:)|<-)\s*"
    # Quoted: to the closing quote, past escaped ones (`"9f6b\"Tk"` is all value); or, with
    # the quotes themselves escaped (JSON inside a string), to the escaped closing quote.
    # (A literal's prefix: Python's `r`, `b`, `f`; C#'s verbatim `@` and interpolated `$`;
    # the hashes of Rust's `r#"…"#` and Swift's `#"…"#`, which close only with them.)
    r"(?:(?P<wrap>" + WRAPPER + r")?[rbuRBUf@$]{0,2}(?P<raw>#{1,3})?(?P<esc>\\)?(?P<q>[\"'`])"
    rf"(?P<qv>(?(esc)[^\n]{{0,{MAX_VALUE}}}?|(?:{ESCAPE}|[^\\\n]){{0,{MAX_VALUE}}}?))(?(esc)\\)(?P=q)"
    # Unquoted, a closing bracket or a `,` may open the value, as a drawn password's first
    # character (`ARG DB_PASSWORD=]{~1wq…`, `password = ,{UaZ9…`): no expression opens so;
    # glued to `=` or `:`, a `#` or `;` too (`DB_PASSWORD=#Xk9…`): dotenv, properties and
    # shell read a comment only after a space.
    r"|(?P<uv>(?:(?<=[=:])[#;,)\]}]|(?<=[=:][ \t])[,)\]}])?[^\s\"'`,;#)\]}]" + VALUE_LENGTH + "))"
)
ASSIGNMENT = re.compile(
    # (Rust's `: &str`, `: &'static str`; Go's and C's `*T` are types too; Visual Basic's
    # `Dim password As String = "…"`.)
    _CODE_KEY
    + r"(?P<ann>\s*:\s*[A-Za-z_&*][\w.\[\]<>?|, &'*]{0,40}?(?=\s*=[^=>])"
    + r"|\s+(?:As|AS)\s+[A-Za-z_][\w.]{0,40}(?=\s*=[^=>]))?"
    + _ASSIGN_VALUE
)
# The same outside code, without type annotations: in `password: XM=4H~6y` the value
# after the colon is `XM=4H~6y`, not `4H~6y` after an annotation `: XM`.
PLAIN_ASSIGNMENT = re.compile(ASSIGN_KEY + r"(?P<ann>)" + _ASSIGN_VALUE)
# The key that a value on a line is assigned to, searched backwards from the value.
KEY_BEFORE = re.compile(
    ASSIGN_KEY + r"(?:\s*:\s*[A-Za-z_][\w.\[\]<>?|, ]{0,40}?)?"
    r"\s*(?::=|=>|===|==|\|\|=|\?\?=|=|:)\s*(?:[\[(@]|" + WRAPPER + r")?"
    r"\s*[rbuRBUf]{0,2}\\?[\"'`]?$"
)

# Cheap prefilters over the lower-cased text: only lines they hit go through the per-line
# checks (the assignment pattern and detect-secrets' plugins). KEYWORD_WORDS are found by
# the gitleaks scanner's keyword pass (one Aho-Corasick pass for every layer); SECRET_WORD
# then confirms the line on its own.
# (and "password" in other languages, names.FOREIGN_PASSWORDS, less those holding "pass")
_FOREIGN = tuple(w for w in FOREIGN_PASSWORDS if "pass" not in w)
# `authtok`: PAM's and sssd's name for a password (`ldap_default_authtok = …`); `pat`: a
# personal access token's (`GITHUB_PAT`), confirmed by text_lines where it ends a word;
# `salt` and `erlang`: Drupal's `hash_salt` and the Erlang cookie (names.py's platform
# secrets).
KEYWORD_WORDS = (
    "pass", "pwd", "pw", "secret", "token", "key", "cred", "psk", "authtok", "pat", "psw",
    "pssw", "pasw", "salt", "erlang", *_FOREIGN
)  # fmt: skip
SECRET_WORD = re.compile(
    r"pass|pwd|(?<![a-z])pw(?![a-z])|pw(?=\s*[:=])|(?:bind|root)pw|secret|token|cred|psk|authtok|"
    r"pa?s{1,2}w(?:o?r)?d|hash[_.\-]?salt|erlang[_.\-]?cookie|"
    # WordPress's keys and salts but `AUTH_KEY` (below), as Bedrock's `.env` sets them
    r"(?:nonce|logged[_.\-]?in)[_.\-]?key|(?:auth|nonce|logged[_.\-]?in)[_.\-]?salt|"
    + "|".join(_FOREIGN)
    + r"|(?:api|access|private|auth|signing|encryption|master|client|service|account|db"
    r"|database|priv|license|licence|jwt|hmac|mac|aes|cipher|crypto|shared)[_.\-]?key"
)
# A run of 20+ token characters with a digit in it: every vendor format detect-secrets
# knows has one, and long snake_case names (common in tests) do not.
LONG_TOKEN_MIN = 20


def run_mask(chars: bytes) -> bytes:
    """A bytes.translate table mapping each of `chars` to b"t", a newline to itself and
    any other byte to b" ": a run of characters is then found without a regex (over 100 KB
    a character-class run costs Python's engine ~2 ms, its per-position overhead) by
    text_lines.next_run."""
    others = bytes(c for c in range(256) if c not in chars and c != 10)
    return bytes.maketrans(chars + b"\n" + others, b"t" * len(chars) + b"\n" + b" " * len(others))


# The lower-cased text's UTF-8 bytes: a token's characters.
TOKEN_MASK = run_mask(b"abcdefghijklmnopqrstuvwxyz0123456789+/=_-")
# The text's own UTF-8 bytes: base64's and base64url's characters.
BASE64_MASK = run_mask(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
