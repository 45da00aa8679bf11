"""Credentials known by their context on one line, run on the lines the prefilters pick
(detect.py): a literal a password is compared with, a secret-named command-line flag's
machine-made value, a machine-made value written after a secret's name and a space; and
every line of a PostgreSQL password file, known by its name."""

from __future__ import annotations

import itertools
import re

from bot.secrets import names, rules
from bot.secrets.contexts import (
    COMPARED_PASSWORD,
    DSL_SECRET,
    PGPASS_PASSWORD,
    SECRET_FLAG,
    SETTING_TO_LINE_END,
    SPACED_SECRET,
    password_ok,
)
from bot.secrets.line_finders import RANK_NAMED, RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.long_lines import secretish_parts, word_windows
from bot.secrets.patterns import LINE_PREFIX, MAX_VALUE, QUOTED_ARGUMENT, VALUE_LENGTH
from bot.secrets.references import spells_a_name
from bot.secrets.wording import looks_random

# `if password == "team10"`, `creds.Secret != 'open-sesame'`, `"s3cret".equals(pwd)`: a
# credential checked against a literal is a credential written into the code. Only
# password and secret names: a `token` compared with a literal is a lexer's token. Run on
# the lines that name a secret (detect.py's keyword lines), not over the whole text.
_NAME = r"(?i:[\w.]{0,40}(?:passw(?:or)?d|pwd|passphrase|secret|(?:api|access|auth)_?key))"
# A key compared with a literal (`if api_key != "…"`: a hard-coded check of the key a
# request brings) must look machine-made; "test" and "abc" are fixtures.
_KEY_NAME = re.compile(r"(?i)(?:api|access|auth)_?key")
COMPARED_KEY = "key compared with a literal"
_COMPARED = re.compile(
    rf"(?<![\w.]){_NAME}[\"'\]]{{0,2}}\s*(?:===?|!==?)\s*([\"'])([^\"'\n]{VALUE_LENGTH})\1"
    rf"|([\"'])([^\"'\n]{VALUE_LENGTH})\3\s*(?:===?|!==?|\.equals\()\s*{_NAME}\b(?![\w.]*\s*\()"
    rf"|(?<![\w.]){_NAME}\.equals\(\s*\"([^\"\n]{VALUE_LENGTH})\"\s*\)"
)
_TYPE_TEST = re.compile(r"\btypeof\s+[\w.]*$|\binstanceof\s*$")
# What _NAME ends with, and the operators that stand within a name's length of it; a match
# reaches from a literal before the name to one after it.
_NAME_WORDS = ("passw", "pwd", "passphrase", "secret", "apikey", "api_key", "accesskey",
               "access_key", "authkey", "auth_key")  # fmt: skip
_COMPARING = re.compile(r"[=!]=|\.equals\(")
# What a credential's field is compared with to tell how to send it, not what it is: HTTP's
# schemes, and the user names or passwords forges define for a token's login (GitHub's
# `x-oauth-basic`, GitLab's `oauth2`, `gitlab-ci-token`, `private-token`).
_SENTINELS = frozenset(
    {"bearer", "basic", "digest", "negotiate", "ntlm", "token", "oauth", "oauth2",
     "x-oauth-basic", "x-access-token", "private-token", "gitlab-ci-token"}
)  # fmt: skip
_COMPARED_REACH = MAX_VALUE + 128


def compared_passwords(line: str, base: int, test: bool) -> list[Candidate]:
    """Literals that a password or secret is compared with on `line` (at `base`)."""
    out: list[Candidate] = []
    if "==" not in line and "!=" not in line and ".equals(" not in line:
        return out  # _COMPARED tries a name at every position: most lines compare nothing
    # On a long line (a minified bundle's, `===` everywhere) only around the names.
    windows = word_windows(line, _NAME_WORDS, _COMPARING, _COMPARED_REACH)
    for m in (m for ws, we in windows for m in _COMPARED.finditer(line, ws, we)):
        group = next(g for g in (2, 4, 5) if m.group(g) is not None)
        if _TYPE_TEST.search(line, 0, m.start()) or " " in m.group(group):
            continue  # `typeof password === "string"`, `url.password == "a secret"`
        value = m.group(group)
        if value.lower() in _SENTINELS:
            continue  # `$auth['password'] === 'bearer'`: a marker the protocol defines
        named = line[m.start() : m.start(group)] + line[m.end(group) : m.end()]
        if (key := _KEY_NAME.search(named)) is not None:
            if machine_made_value(key.group(), value, test):
                out.append(_candidate(base, m.span(group), COMPARED_KEY))
        elif password_ok(value, test, quoted=True):
            out.append(_candidate(base, m.span(group), COMPARED_PASSWORD))
    return out


# A secret-named call without parentheses, alone on its line: Gradle's Groovy DSL
# (`storePassword "…"`, `password '…'` in `credentials { }`), Chef's and other Ruby DSLs,
# Tcl's `set NAME "…"`, csh's `setenv NAME "…"` and Elixir's module attribute
# (`@db_password "…"`). A diff's or a prompt's prefix may come first, a comment after.
_DSL_CALL = re.compile(
    LINE_PREFIX
    + r"(?:(?:set|setenv)[ \t]+|@)?(?P<name>[A-Za-z_]\w{0,60})[ \t]+"
    + QUOTED_ARGUMENT
    + r"[ \t]*(?:(?://|#).*)?\r?$"
)


def dsl_calls(line: str, base: int, test: bool) -> list[Candidate]:
    """The literal a secret-named call without parentheses is given on `line`."""
    if '"' not in line and "'" not in line:
        return []
    m = _DSL_CALL.match(line)
    if m is None or not names.key_is_secretish(m.group("name")):
        return []
    if not rules.literal_ok(m.group("name"), m.group("v"), test=test):
        return []
    return [_candidate(base, m.span("v"), DSL_SECRET)]


def _candidate(base: int, span: tuple[int, int], kind: str, rank: int = RANK_TOKEN) -> Candidate:
    return Candidate(base + span[0], base + span[1], kind, rank, SWITCHYARD)


# A command-line flag named for a secret, its value after a space or `=`: `--token X`,
# `-storagekey X`, `--api-key=X`, or the next string of an argument list (`["--token",
# "X"]`: exec-form configuration, `exec.Command`, `subprocess.run`). Run on the lines with
# a long token run or a secret's word and a dash (detect.py), and the value must look
# machine-made: a flag's value is otherwise a word or a file name.
_FLAG = re.compile(
    r"(?:^|[\s\"'(])--?(?P<flag>[A-Za-z][\w-]{0,40})"
    r"(?:\s+|=|[\"'][ \t]*,[ \t]*(?=[\"']))(?P<q>[\"']?)"
    rf"(?P<v>[^\s\"'`;|&)]{{16,{MAX_VALUE}}})(?P=q)(?=[\s\"'`;|&),\]}}]|$)"
)


# A secret's name, then its machine-made value after spaces (and a dash): a log line's
# `Using token 3f9c...`, a note's `service SECRET value`. The name ends at the gap.
_SPACED = re.compile(
    r"(?<![\w.-])(?P<name>[A-Za-z][\w]{0,40})[ \t]+(?:-[ \t]+)?(?P<q>[\"']?)"
    rf"(?P<v>[^\s\"'`;|&),]{{20,{MAX_VALUE}}})(?P=q)(?=[\s\"'`;|&),]|$)"
)


def flag_values(line: str, base: int, test: bool) -> list[Candidate]:
    """Machine-made values given to a secret-named command-line flag on `line`, or to an
    `--auth` flag (`netlify deploy --auth …`): a word or `user:pass` there is no such
    value, and a machine-made one is the token."""
    return _machine_made(_FLAG, "flag", line, base, test, SECRET_FLAG, bare_key=True)


def spaced_values(line: str, base: int, test: bool) -> list[Candidate]:
    """Machine-made values written after a secret's name and a space on `line`."""
    return _machine_made(_SPACED, "name", line, base, test, SPACED_SECRET, bare_key=False)


def _machine_made(
    regex: re.Pattern[str],
    group: str,
    line: str,
    base: int,
    test: bool,
    kind: str,
    *,
    bare_key: bool,
) -> list[Candidate]:
    """Values in `regex`'s group `v` on `line` whose name (group `group`) says secret (or,
    with `bare_key`, key) and that look machine-made: a flag's or a note's value is
    otherwise a word or a file name."""
    out: list[Candidate] = []
    for m in regex.finditer(line):
        name, value = m.group(group).replace("-", "_"), m.group("v")
        if "](" in value:
            continue  # a Markdown link's text and target: a changelog's commit
        if not spells_a_name(name) and looks_random(name):
            continue  # a run of base64 is no name (`PWNvbG9y b3JpYW5D…`, a list of tokens)
        named = names.key_is_secretish(name) or (
            bare_key and (names.key_is_bare_key(name) or name.lower() == "auth")
        )
        if named and machine_made_value(name, value, test):
            # Known by a name only: a format or a context that knows the value
            # (`--ks-pass pass:…`, a bootstrap token) names it better.
            out.append(_candidate(base, m.span("v"), kind, RANK_NAMED))
    return out


def machine_made_value(name: str, value: str, test: bool) -> bool:
    """Whether `value`, under a name already known to say secret, is one where only a
    machine-made value counts (after a flag, a space, a verb, a directive's name): not a
    word, a placeholder or an id (a UUID), and meeting the rules a literal meets."""
    if not rules.generated(value) or rules.token_is_placeholder(value) or rules.is_uuid(value):
        return False
    return rules.literal_ok(name, value, test=test)


# A setting whose value runs to the line's end: `spring.datasource.password=}4aQ…` in a
# properties file, `password = [TV)…` in an INI file, Compose's `- DB_PASSWORD=[YY…`. The
# assignment pattern reads a value opening with a bracket as a list and one opening with
# `}`, `,` or `=` not at all; a generated password opens with a symbol one time in four.
# Where a comment opens only a whole line (properties, INI), `#` and `;` may open a value.
_SETTING_START = r"^[ \t]*(?P<item>-[ \t]+)?(?P<key>[A-Za-z_][\w.\-]{0,80})[ \t]*=[ \t]*"
_SETTING_REST = rf"[^\s\"'`]{{0,{MAX_VALUE - 1}}})[ \t]*\r?$"
_LINE_SETTING = re.compile(_SETTING_START + r"(?P<v>[^\w\s#;\"'`]" + _SETTING_REST)
_WHOLE_LINE_SETTING = re.compile(_SETTING_START + r"(?P<v>[^\w\s\"'`]" + _SETTING_REST)
# In a properties or INI file a password's value is all the rest of its line, quotes,
# spaces and brackets included (`password=ODH_Ag(M]'9`, `password = )W YiKys7;j`): the
# assignment pattern stops at them or reads the value as code, and the value went through.
_WHOLE_LINE_VALUE = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z_][\w.\-]{0,80})[ \t]*=[ \t]*"
    rf"(?P<v>\S(?:[^\n]{{0,{MAX_VALUE - 2}}}\S)?)[ \t]*\r?$"
)
_CODE_STOPS = frozenset(" ()[]{}\"'`,;#")
_QUOTED_WHOLE = re.compile(r"([\"'`]).*\1")
# A call closed at the value's end: Jasypt's `ENC(…)`, a function's result.
_CLOSED_CALL = re.compile(r"[A-Za-z_][\w.]*\(.*\)")
# A YAML mapping's plain scalar may open with `)` or `;` (no indicator of YAML's), which the
# assignment pattern reads as code's.
_YAML_SETTING = re.compile(
    r"^[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z_][\w.\-]{0,80}):[ \t]+(?P<v>[);]" + _SETTING_REST
)


def _whole_line_password(line: str, base: int, test: bool) -> list[Candidate]:
    """A password's value to its line's end in a properties or INI file, where it holds a
    character the assignment pattern stops at (_CODE_STOPS)."""
    m = _WHOLE_LINE_VALUE.match(line)
    if m is None or not names.key_is_password(m.group("key")):
        return []
    value = m.group("v")
    if _CODE_STOPS.isdisjoint(value) or _QUOTED_WHOLE.fullmatch(value):
        return []  # the assignment pattern reads it whole
    if not looks_random(value):
        return []  # words, a list (`[alpha, beta]`), a comment left in the value's place
    if _CLOSED_CALL.fullmatch(value) or not password_ok(value, test, quoted=True):
        return []
    return [_candidate(base, m.span("v"), SETTING_TO_LINE_END)]


def line_settings(line: str, base: int, kind: str, test: bool) -> list[Candidate]:
    """The value of a secret-named setting on `line` that opens with a symbol, in a file
    whose settings run to the line's end (`kind` "line", or "whole" where `#` and `;` may
    open the value), or in YAML (`kind` "item": a `- NAME=value` item, or a mapping's
    value opening with `)` or `;`). Only a value that looks generated counts: a bracket or
    a brace opens a list or a structure as often."""
    if kind == "whole" and (whole := _whole_line_password(line, base, test)):
        return whole
    m = (_WHOLE_LINE_SETTING if kind == "whole" else _LINE_SETTING).match(line)
    if kind == "item":
        if m is None or m.group("item") is None:
            m = _YAML_SETTING.match(line)
        if m is None:
            return []
    elif m is None:
        return _directive(line, base, test)
    elif m.group("item") is not None:
        return []  # a `- NAME=value` item outside YAML
    key, value = m.group("key"), m.group("v")
    if not names.key_is_secretish(key) or not rules.looks_random(value):
        return []
    if not rules.literal_ok(key, value, test=test):
        return []
    return [_candidate(base, m.span("v"), SETTING_TO_LINE_END)]


# A directive and its one argument, the form of keepalived's `auth_pass`, Squid's and
# other daemons' config files (`auth_pass Kq8…`): nothing else on the line.
_DIRECTIVE = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z_][\w.\-]{0,80})[ \t]+(?P<q>[\"']?)"
    rf"(?P<v>[^\s\"'][^\s]{{0,{MAX_VALUE - 1}}}?)(?P=q)[ \t]*\r?$"
)
DIRECTIVE_SECRET = "secret as a directive's argument"


def _directive(line: str, base: int, test: bool) -> list[Candidate]:
    """A password directive's argument (password_ok), or another secret's machine-made one."""
    m = _DIRECTIVE.match(line)
    if m is None:
        return []
    key, value = m.group("key"), m.group("v")
    if names.key_is_excluded(key):
        return []  # `SSLPassPhraseDialog builtin`, nginx's `fastcgi_pass 127.0.0.1:9000;`
    if names.key_is_password(key):
        ok = password_ok(value, test)
    else:
        ok = names.key_is_secretish(key) and machine_made_value(key, value, test)
    return [_candidate(base, m.span("v"), DIRECTIVE_SECRET)] if ok else []


# A key written as its bytes under a secret's or a key's name: Go's
# `aesKey := lorawan.AES128Key{95, 234, …}`, `Secret: []byte{176, …}`, Java's and C#'s
# `byte[] key = {0x2b, …}` / `new byte[] {…}`, C's `uint8_t key[16] = {…}`, Python's
# `key = bytes([…])`. Sixteen bytes or more.
_BYTE = r"(?:0[xX][0-9a-fA-F]{1,2}|\d{1,3})"
_BYTES = _BYTE + r"(?:\s*+,\s*+" + _BYTE + r")*"
# The name, its assignment and type, up to the list's opening bracket. The name opens a
# word (digits before it are not its) and is read whole, once: tried from each character
# of a long run of word characters and read to the run's end each time, it cost time
# quadratic in the run (16 KB of base64 on a line ending in `{`: 7 s; found by fuzzing).
_BYTE_ARRAY_HEAD = (
    r"(?<!\w)\d*(?P<name>[A-Za-z_]\w*+)\s*+(?:\[\s*+\d*+\s*+\])?\s*+(?::=|=|:)\s*+(?:new\s++)?"
    r"(?:(?:\[\s*+\d*+\s*+\])*[\w.]*+(?:\[\s*+\d*+\s*+\])*\s*+)?(?:\(\s*+)?[\[{(]\s*+"
)
_BYTE_ARRAY = re.compile(_BYTE_ARRAY_HEAD + r"(?P<v>" + _BYTES + r")\s*+,?\s*+[\]})]")
_BYTE_LIST_START = re.compile(r"[\[{(]\s*" + _BYTE + r"\s*,\s*" + _BYTE + r"\s*,")
_COMMA = re.compile(r"\s*,\s*")
_BYTES_MIN_DISTINCT = 12
_BYTES_MIN = 16
KEY_BYTES = "key written as its bytes"


# The same list opened at a line's end and written over the lines after it, up to its
# closing bracket: `var key = []byte{` then rows of `0x2b, 0x7e, …,` then `}`.
_BYTE_ARRAY_OPEN = re.compile(_BYTE_ARRAY_HEAD + r"$")
_BYTE_ROW = re.compile(r"[ \t]*+(?P<v>" + _BYTES + r")\s*+,?[ \t]*+\r?$")
_BYTE_ROWS_MAX = 64


def byte_array_keys(text: str, ls: int, le: int) -> list[Candidate]:
    """Random bytes written as a number list under a secret's or a key's name, on the line
    `text[ls:le]` or opened there and written over the lines after it (an IV, a nonce, a
    salt, a lookup table or a public key is none of those names)."""
    line = text[ls:le]
    if _BYTE_LIST_START.search(line) is not None:
        return [
            _candidate(ls, m.span("v"), KEY_BYTES)
            for m in _byte_arrays(line)
            if _key_bytes(m.group("name"), _values([m.group("v")]))
        ]
    opened = _BYTE_ARRAY_OPEN.search(line) if line.rstrip().endswith(("{", "[", "(")) else None
    if opened is None:
        return []
    parts: list[tuple[int, int]] = []
    pos = le + 1
    for _ in range(_BYTE_ROWS_MAX):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        row = _BYTE_ROW.match(text, pos, end)
        if row is None:
            break
        parts.append((row.start("v"), row.end("v")))
        pos = end + 1
    if not _key_bytes(opened.group("name"), _values([text[s:e] for s, e in parts])):
        return []
    return [Candidate(parts[0][0], parts[-1][1], KEY_BYTES, RANK_TOKEN, SWITCHYARD, tuple(parts))]


def _byte_arrays(line: str) -> list[re.Match[str]]:
    """_BYTE_ARRAY's matches on `line`. On a long one (a bundle's: Unicode tables are
    number lists under short names) only at the names holding a secret-ish part, which
    every name _key_bytes takes holds: tried at each position, the pattern read each
    name's assignment there, 0.4 s a line of Yarn's own 2.7 MB release."""
    parts = secretish_parts(line)
    if parts is None:
        return list(_BYTE_ARRAY.finditer(line))
    starts = {_word_start(line, p) for p in parts}
    return [m for s in sorted(starts) if (m := _BYTE_ARRAY.match(line, s)) is not None]


def _word_start(line: str, at: int) -> int:
    """Where the word holding `at` starts (_BYTE_ARRAY_HEAD reads the name in it)."""
    while at > 0 and (line[at - 1].isalnum() or line[at - 1] == "_"):
        at -= 1
    return at


def _key_bytes(name: str, values: list[int]) -> bool:
    """Sixteen or more random bytes under a secret's or a key's name."""
    named = names.key_is_secretish(name) or names.key_is_bare_key(name)
    return named and len(values) >= _BYTES_MIN and _random_bytes(values)


def _values(runs: list[str]) -> list[int]:
    return [
        int(b, 16 if b[:2] in ("0x", "0X") else 10)
        for run in runs
        for b in _COMMA.split(run.strip().rstrip(","))
        if b
    ]


# The example key of FIPS-197 and SP 800-38A (`2b7e1516…`), in countless tests and docs.
_PUBLISHED_KEY_BYTES = frozenset({"2b7e151628aed2a6abf7158809cf4f3c"})


def _random_bytes(values: list[int]) -> bool:
    """Bytes that look drawn: all bytes, many distinct, not a run or a fixed step
    (`0x00, 0x11, 0x22, …` and `1, 2, 3, …` are typed), not a published example."""
    if any(v > 255 for v in values) or len(set(values)) < _BYTES_MIN_DISTINCT:
        return False
    if bytes(values[:16]).hex() in _PUBLISHED_KEY_BYTES:
        return False
    steps = {b - a for a, b in itertools.pairwise(values)}
    return len(steps) > 2


# libpq's password file (`~/.pgpass`, `%APPDATA%\\postgresql\\pgpass.conf`): a line is
# `host:port:database:user:password`, `:` and `\\` escaped by `\\` in the first four
# fields; the password is the rest of the line.
_PGPASS_NAMES = frozenset({".pgpass", "pgpass.conf"})
_PGPASS_LINE = re.compile(r"^(?![ \t]*#)(?:(?:\\.|[^:\\\n])*:){4}(?P<v>[^\n]*?)[ \t]*\r?$", re.M)


def pgpass_passwords(text: str, path: str | None, test: bool) -> list[Candidate]:
    """The passwords of a PostgreSQL password file's lines, when `path` names one."""
    # (the name by string: this runs for every file of a prompt, and pathlib costs 4 µs)
    if path is None or path.replace("\\", "/").rsplit("/", 1)[-1] not in _PGPASS_NAMES:
        return []
    out: list[Candidate] = []
    for m in _PGPASS_LINE.finditer(text):
        value = re.sub(r"\\(.)", r"\1", m.group("v"))
        # (no flag follows in a password file: a leading `-` is the password's)
        if value and password_ok(value, test, quoted=True):
            out.append(_candidate(0, m.span("v"), PGPASS_PASSWORD))
    return out
