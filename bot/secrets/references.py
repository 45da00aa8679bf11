"""Whether a value is a reference to a secret kept elsewhere rather than the secret: an
interpolation (`${DB_PASS}`, `$cfg->pw`, `%(pw)s`, `#{x}`), a template's or a format's slot
(`{{ .Values.pw }}`, `{}`), an environment variable's name, a path or a plain URL, a
placeholder in brackets. A reference is not redacted, so the same syntax falling in a
generated password by chance must not make one: what surrounds real reference syntax is
made of names, what surrounds it in a generated password is not (rules.py asks here)."""

from __future__ import annotations

import re

from bot.secrets import paths
from bot.secrets.stand_ins import heuristic
from bot.secrets.wording import drawn_parts, looks_random

_RUNS = re.compile(r"[A-Za-z0-9]+")
_NAME_SEPARATORS = re.compile(r"[._:]+")

# References, by their syntax: an interpolation must be well formed, not merely start like
# one. A generated password has `${`, `$(`, `#{`, `%(` in it, or starts with `$` or `!`,
# about one time in fifty; read as a reference, it went unredacted. So `${` must open a
# name (`${DB_PASS}`, `${DB_PASS:-x}`, `${hash(pw)}`, or cut at the value's end), `$` (or
# Compose's `$$`) a variable that ends the value or goes on as code, a path or another
# variable (`$cfg->pw`, `$_ENV['X']`, `$pw[0]`, `$HOME/pw.txt`, `"$user$host"`), or ends
# it before an escaped quote (`\"x-api-key: $API_KEY\"` in a JSON string), `!` a YAML
# tag's word; `$aOX-4+j…` and `$ShL8[e2…` are a generated password's `$`, not a variable's.
_INTERPOLATION = re.compile(
    r"\$\{\s*[A-Za-z_][\w.]*(?:\s|[}:\-?=,|\[(+*/%&<>!)]|$)|#\{\s*[A-Za-z_@$]"
    r"|%\(\w+\)|%s\b|\$\([A-Za-z_]|^\$\$?(?:[A-Za-z_]\w*|\d+[a-z]?)"
    r"(?:[.:{($/]|->|\[(?:[\"'$]|\w+\])|\\$|$)"
    # Batch variables and template markers: `%RANDOM%`, `%%PWD%%`. Azure Pipelines'
    # runtime expressions: `$[variables.dbPassword]`.
    r"|^%%?[A-Z_][A-Z0-9_]*%|\$\[\s*[A-Za-z_][\w.]*"
    # Dovecot's, Apache's and fluentd's `%{ldap:userPassword}`, `%{HTTP:Authorization}` (a
    # prompt's text may end the value before its brace)
    r"|^%\{[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?\}?$"
    # a Ruby symbol where a value goes (`=> :environment`, `password: :from_vault`),
    # spelled as Ruby's symbols are: lower-case words
    r"|(?-i:^:[a-z_][a-z0-9_]*[?!]?$)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"^(?:<|&lt;|\\u003c|\\x3c).*(?:>|&gt;|\\u003e|\\x3e)$|^\{.*\}$|os\.environ|getenv|process\.env|"
    r"^env[.\[(:]|ENV\[|^secrets\.|^vault:|^ref\+|^!!?[A-Za-z][A-Za-z.:]*(?:\s|$)|^ENC\[|^arn:"
    # Jasypt's ciphertext (`ENC(…)`, its key kept elsewhere); Cirrus CI's encrypted
    # variables (`ENCRYPTED[…]`, only Cirrus decrypts them); Concourse's, BOSH's and
    # CredHub's `((name))`.
    r"|^ENC\(|^ENCRYPTED\[!?[0-9a-f]{32,}!?\]$|^\(\([\w./-]+\)\)$"
    # A PGP or age message where a value goes (Salt's GPG renderer, SOPS with PGP): the
    # value encrypted to a key kept elsewhere, made to be committed.
    r"|^-----BEGIN (?:PGP MESSAGE|AGE ENCRYPTED FILE)-----"
    r"|^projects/.+/secrets/|"
    # Symfony's `%env(NAME)%`; ProFTPD's and Apache's `%{env:NAME}`.
    r"%env\(|%\{env:|"
    # Template and token-replacement markers: `###ORACLE_PWD###`, `@DB_PASS@`,
    # `@@dbPassword@@`, `__DbPassword__` (Azure DevOps' Replace Tokens); WebLogic Deploy
    # Tooling's `@@FILE:/path@@`, `@@SECRET:name:key@@`.
    r"^#{2,}[A-Za-z_]\w*#{2,}$|^@[A-Z][A-Z0-9_]+@$|^@@[A-Za-z_][\w.-]*(?::[^@\s]+)?@@$"
    r"|^__[A-Za-z][\w.-]*__$|"
    # A bracketed word where a value was left out: `[omitted]`, `[REDACTED]`; an Azure
    # Resource Manager template's expression: `[parameters('adminPassword')]`.
    r"^\[[A-Za-z][A-Za-z _-]*\]$|^\[[A-Za-z]\w*\(.*\)\]$",
    re.IGNORECASE,
)
# The same syntax by chance in a generated password: `Mm8Bp$_R3}}7oFC5`, `$x41Q(2kux_r9_Hu`,
# `Hu48x9%s!)6AjVr^`, `/e=~9DgBw9/Qm0z8`: one generated password in 110 went unredacted so.
# Around a real reference there is nothing, or code and text made of names (`${DB_PASS}`,
# `$cfg->db_password`, `"{user}:{password}@"`, `%(pw)s`); around a drawn one, the rest of
# the password: letters and digits in runs no name is spelled with.
# (A variable's, a batch variable's or a slot's name is a name: `$IpOljh2` is no variable.)
_REFERENCE_TOKEN = re.compile(
    r"[$#]\{[^}\s]*\}|[$#]\{|\$\(\w*\)?|\$\$?(?P<var>\w+)|%\(\w+\)[a-z]?|%(?P<batch>\w*)%|%s"
    r"|\{\{[^}\s]*\}\}|\{\{|\}\}|\{(?P<slot>\w*)\}"
)
# A run spelled as names are: a word, camelCase or CAPS with digits at its end, a number;
# or one or two letters of a word (`x`, `db`, `Id`, `DB`).
# (a camel-case name may end in an acronym: `viewDS`, `parseJSON`)
_NAME_RUN = re.compile(
    r"(?:[A-Za-z][a-z]+|[A-Z]+)(?:[A-Z][a-z]+)*(?:[A-Z]{2,4})?\d*|\d+|[A-Za-z][a-z]?|[A-Z]{2}"
)
_DRAWN_RUN_CHARS = 6
# A hash where a password would be: crypt(3)'s and passlib's `$id$` (`$6$rounds=5000$…`,
# `$pbkdf2-sha256$29000$…`), LDAP's and Spring Security's `{SSHA}`, `{bcrypt}` (their
# plain-text schemes, `{noop}`, `{PLAIN}`, `{CLEARTEXT}`, hold the password itself).
_HASH_PREFIX = re.compile(
    r"\$[\w-]{1,20}\$|\{(?!(?:noop|plain|clear|cleartext)\})[A-Za-z][\w.-]{1,20}\}", re.IGNORECASE
)
# A template's or a format's slot: `{{ .Values.password }}`, "prefix_{}", f"...{name}". A
# generated password holds braces as well (`m{{h}o)p${e]nob(ody[…}}`, `CP{}sQ18$9W@l`): a
# value with no space and two kinds of other symbols is one, slots and all.
_SLOT = re.compile(r"\{\{|\}\}|\{[A-Za-z_]?\w{0,40}\}")
_PASSWORD_SYMBOLS = frozenset("!#$%^&*()[]<>~;|?@")
_SYMBOL_KINDS = 2
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# A path with a directory in it; a name at the root (`/data`) unless it looks random (a
# generated password may start with `/`).
_PATH = re.compile(r"^(?:\./|\.\./|~/|[A-Za-z]:\\|/[^/\s]*/)")
_ROOT_NAME = re.compile(r"/[\w.\-]+")
_NOT_IN_A_PATH = re.compile(r"[^\w./\-~:@+%]")
# `https://host/x`, and a typed path (`texthash:/etc/postfix/sasl_passwd`).
_PLAIN_URL = re.compile(r"^[a-z][a-z0-9+.\-]*:/+[^@\s]*$", re.IGNORECASE)


def is_reference(value: str) -> bool:
    v = value.strip()
    if _REFERENCE.search(v) or heuristic().is_templated_secret(v) or _ENV_NAME.fullmatch(v):
        return True
    # (a path's reading too: `/e=~9DgBw9/Qm0z8`, base64's `/aB3+x…/Kp4…` are drawn)
    syntax = (
        _INTERPOLATION.search(v)
        or (_SLOT.search(v) is not None and not _drawn_symbols(v))
        or _PATH.match(v)
        or (_ROOT_NAME.fullmatch(v) is not None and not looks_random(v))
        or _PLAIN_URL.match(v)
    )
    return bool(syntax) and not _drawn_around_syntax(v)


def path_characters_only(value: str) -> bool:
    """Whether `value` holds only what paths are spelled with (`=`, `*`, `#`, `(` are a
    generated password's)."""
    return _NOT_IN_A_PATH.search(value) is None


def _drawn_around_syntax(value: str) -> bool:
    """Whether what a value holds besides its reference syntax is a generated password's
    rest: no space, and 6+ letters and digits mixed in runs that spell no name."""
    if len(value) < _DRAWN_RUN_CHARS + 2 or any(c.isspace() for c in value):
        return False
    if _HASH_PREFIX.match(value):
        return False  # a hash's scheme opens it: what is kept is a hash
    rest = _REFERENCE_TOKEN.sub(_unless_unnamed, value)
    unnamed = sum(len(run) for run in _RUNS.findall(rest) if not _NAME_RUN.fullmatch(run))
    return unnamed >= _DRAWN_RUN_CHARS and (looks_random(rest) or _drawn_lower(rest))


# Django's `get_random_secret_key()` draws 50 characters from lower-case letters, digits
# and `!@#$%^&*(-_=+)`: one key in a hundred holds `%s`, `$(` or `$d` by chance, read as a
# template's slot. A long rest with digits and several of a password's symbols is drawn.
_DRAWN_LOWER_MIN = 32
_DRAWN_LOWER_DIGITS = 4
_DRAWN_LOWER_SYMBOLS = 4


def _drawn_lower(rest: str) -> bool:
    return (
        len(rest) >= _DRAWN_LOWER_MIN
        and sum(c.isdigit() for c in rest) >= _DRAWN_LOWER_DIGITS
        and len(_PASSWORD_SYMBOLS.intersection(rest)) >= _DRAWN_LOWER_SYMBOLS
    )


def _drawn_symbols(value: str) -> bool:
    return " " not in value and len(_PASSWORD_SYMBOLS.intersection(value)) >= _SYMBOL_KINDS


def _unless_unnamed(m: re.Match[str]) -> str:
    """A reference token's blank, unless its name spells no name: then it is kept, to be
    counted as the password's own letters."""
    name = m.group("var") or m.group("batch") or m.group("slot")
    return m.group(0) if name and not spells_a_name(name) else " "


_PATH_SEGMENTS_MIN = 3


def path_of_names(value: str) -> bool:
    """A path whose every segment spells names (WebLogic's MBean tree, a URL's route, Go's
    `github.com/org/module/credentials`): a long mix of cases and digits, but named, not
    drawn."""
    segments = [s for s in value.split("/") if s]
    return len(segments) >= _PATH_SEGMENTS_MIN and all(
        spells_a_name(s.replace("-", "_")) for s in segments
    )


def spells_a_name(text: str) -> bool:
    """`get_password`, `os.getenv`, `DB_PASS2`, `md5`: each part a name's run."""
    return all(_NAME_RUN.fullmatch(part) for part in _NAME_SEPARATORS.split(text) if part)


# What a shell or a template interpolates: `$NAME`, `${…}`, `$(…)` (`$5` and `$#` in a
# drawn password are no variable).
_SHELL_EXPANSION = re.compile(r"\$[A-Za-z_{(]")


def backticks_run(value: str, path: str | None) -> bool:
    """Whether backticks around `value` are a shell's command substitution or a template
    (Go's raw string is neither): a variable expanded in it, or words apart by spaces (in
    a Markdown code span, drawn runs apart by spaces are a key and its secret:
    `` credentials: `Xk9… rT8…` ``)."""
    if _SHELL_EXPANSION.search(value) is not None:
        return True
    return " " in value and not (paths.is_markup_path(path) and drawn_parts(value))
