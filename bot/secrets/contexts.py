"""Credentials known by where they are written rather than by their format: a password
after a command's flag or in a login call (command_lines.py's patterns), a crypt(3) hash
in a passwd/shadow/htpasswd line, an XML element named for a secret, a .netrc entry, SQL's
IDENTIFIED BY, a YAML block scalar under a secret's name. The value itself is often an
ordinary word ("Rrhh1234", "open-sesame"), so each match then meets the rules an assigned
password meets (rules.assigned_value_ok), which turn down references (`$PASS`, `%s`,
`${{ secrets.X }}`), placeholders and, in tests, weak fixtures.

The patterns run like services.SERVICE_PATTERNS: one pass over the text each, only when
the keyword pass saw one of their keywords. What is known on one line only (a literal
compared with a password, a secret-named flag) is line_contexts.py's.
"""

from __future__ import annotations

import re

from bot.secrets import rules
from bot.secrets.account_commands import ACCOUNT_COMMAND_PATTERNS
from bot.secrets.command_lines import (
    ARG,
    COMMAND_PASSWORD,
    COMMAND_PATTERNS,
    LINE_ARG,
    SET_BY_COMMAND,
    SET_COMMAND_PATTERNS,
    command,
    quoted_or_bare,
)
from bot.secrets.env_defaults import ENV_DEFAULT, ENV_DEFAULT_PATTERNS
from bot.secrets.jwk import JWK_PRIVATE_PATTERN
from bot.secrets.key_calls import KEY_CALL_PATTERNS
from bot.secrets.keyed_forms import CONSTANT_PATTERNS, KEYED_FORM, KEYED_PATTERNS, SECRET_CONSTANT
from bot.secrets.patterns import LINE_PREFIX, MAX_VALUE, QUOTED_ARGUMENT, VALUE_LENGTH, TokenPattern
from bot.secrets.setters import (
    SET_BY_NAME,
    SET_BY_NAME_PATTERNS,
    SETTER_PATTERN,
)
from bot.secrets.template_defaults import TEMPLATE_DEFAULT, TEMPLATE_DEFAULT_PATTERNS
from bot.secrets.xml_keys import XML_KEY_PRIVATE_PATTERN

CRYPT_HASH = "password hash"
XML_SECRET = "secret in an XML element"
NETRC_PASSWORD = "netrc password"
COMPARED_PASSWORD = "password compared with a literal"
SECRET_FLAG = "secret on a command line"
NAMED_PAIR = "secret in a name/value pair"
DOCKER_ENV = "secret in a Dockerfile ENV"
SPACED_SECRET = "secret after its name"
BLOCK_SCALAR = "secret in a YAML block scalar"
QUERY_PASSWORD = "password in a URL's query"
DSN_PASSWORD = "password in a DSN"
PGPASS_PASSWORD = "password in a .pgpass file"
VARIABLE_DEFAULT = "secret as a variable's default"
MAPPED_PAIR = "secret in a map literal"
SETTING_TO_LINE_END = "secret setting to the line's end"
DSL_SECRET = "secret in a call without parentheses"
REFERENCE_DEFAULT = "secret as a reference's default"
ENCODED_PAIR = "password encoded for a Basic header"


# A quoted literal argument.
_QV = QUOTED_ARGUMENT


# A value after `value:`/`"value":`, a bare one up to a separator.
_PAIR_VALUE = quoted_or_bare(r",}\]#", MAX_VALUE)


def _pair(field: str, value_field: str = "value") -> TokenPattern:
    """`- name: DB_PASSWORD` then `value: ...` (a Kubernetes container's env, an ECS task
    definition, `{"key": "Password", "value": ...}`): the secret's name sits in one field
    and its value in the next, on the same line or the one after. CloudFormation spells
    the fields `Name` and `Value`."""
    return TokenPattern(
        NAMED_PAIR,
        re.compile(
            field + r"[\"']?\s*[:=]\s*[\"']?(?P<name>[A-Za-z_][\w.-]{1,80})[\"']?\s*,?[ \t]*"
            r"(?:\r?\n" + LINE_PREFIX + r"(?:-[ \t]+)?)?"
            rf"[\"']?{value_field}[\"']?\s*[:=][ \t]*" + _PAIR_VALUE
        ),
        keywords=(value_field.lower(),),
    )


# (a `<meta name="…" content="…">` tag, or the object a framework writes it as, is a
# name/value pair too: `google-site-verification`'s token is published on every page)
# (CloudFormation's fields are `Name` and `Value`: a pattern of its own, each opening with
# a literal, as CONTEXT_PATTERNS' comment asks)
PAIR_PATTERNS = (
    _pair("name"),
    _pair("Name", "Value"),
    _pair("key"),
    _pair("Key", "Value"),
    _pair("name", "content"),
)


# Every pattern starts with a literal: Python's engine then skips to its occurrences
# instead of trying the pattern at each of a 100 KB prompt's positions (an alternation or
# a leading `\b` made these five times slower than all the other layers together).
CONTEXT_PATTERNS: tuple[TokenPattern, ...] = (
    *COMMAND_PATTERNS,
    *ACCOUNT_COMMAND_PATTERNS,
    *KEY_CALL_PATTERNS,
    *KEYED_PATTERNS,
    *CONSTANT_PATTERNS,
    *PAIR_PATTERNS,
    *ENV_DEFAULT_PATTERNS,
    *TEMPLATE_DEFAULT_PATTERNS,
    # A Dockerfile's `ENV NAME value` (the older form, without `=`, its value the rest of
    # the line; `NAME=value` is an assignment), at its line's start.
    TokenPattern(
        DOCKER_ENV,
        # Anchored at its line's start, as the instruction is: tried at every `ENV`, its
        # value read to the line's end from each, a line of `ENV ` repeated cost its
        # length squared.
        re.compile(
            r"^" + LINE_PREFIX + r"ENV[ \t]+(?P<name>[A-Za-z_]\w*)[ \t]+" + LINE_ARG, re.MULTILINE
        ),
        keywords=("env ",),
        on_keyword_lines=True,
    ),
    JWK_PRIVATE_PATTERN,
    XML_KEY_PRIVATE_PATTERN,
    SETTER_PATTERN,
    *SET_BY_NAME_PATTERNS,
    # Terraform's `variable "db_password" { default = "…" }`: the default of a variable
    # named for a secret is in every plan that does not set it (a nested block, such as
    # `validation { … }`, may come first).
    TokenPattern(
        VARIABLE_DEFAULT,
        re.compile(
            r"variable\s+\"(?P<name>[\w-]{1,80})\"\s*\{(?:[^{}]|\{[^{}]*\}){0,600}?"
            r"\bdefault\s*=\s*" + _QV
        ),
        keywords=("variable ",),
    ),
    # A reference's default under a secret's name: the shell's and Compose's
    # `${DB_PASSWORD:-…}` (`-`, `:=`, `=` too), Spring's `${DB_PASSWORD:…}`. The reference
    # is not a secret, its default is: it is what runs wherever the variable is unset.
    # (`${X:?message}` fails where X is unset; `${X:+word}` gives `word` only where it is
    # set, a marker, not the secret: `${MVNW_PASSWORD:+has-password}`)
    TokenPattern(
        REFERENCE_DEFAULT,
        re.compile(
            r"\$\{(?P<name>[A-Za-z_][\w.\-]{0,80})(?::-|:=|:|-|=)(?P<v>[^}${\s?+][^}${\s]{0,"
            + str(MAX_VALUE - 1)
            + r"})\}"
        ),
        keywords=("${",),
    ),
    # Capistrano's `set :password, "…"` (a call without parentheses alone on its line is
    # line_contexts.dsl_calls').
    TokenPattern(
        DSL_SECRET,
        re.compile(r"set(?<!\wset)\s+:(?P<name>\w{1,60}),\s*" + _QV),
        keywords=("set :",),
    ),
    # `btoa("user:password")`, `base64.b64encode(b"user:password")`, `Buffer.from("u:p")`:
    # a Basic header's pair before it is encoded (the header itself is services.py's).
    TokenPattern(
        ENCODED_PAIR,
        re.compile(
            r"(?:btoa|b64encode|encodebytes|encodeToString|encode64|Buffer\.from)"
            r"\(\s*[bB]?(?P<q>[\"'])[^\"':\s]{1,64}:(?P<v>[^\"'\s]" + VALUE_LENGTH + r")(?P=q)"
        ),
        keywords=(
            "btoa(",
            "b64encode(",
            "encodebytes(",
            "encodetostring(",
            "encode64(",
            "buffer.from(",
        ),
    ),
    # Kotlin's `mapOf("password" to "…")`, Scala's `Map("password" -> "…")`.
    TokenPattern(
        MAPPED_PAIR,
        re.compile(r"[\"'](?P<name>[\w.\-]{1,80})[\"']\s*(?:->|\bto\b)\s*" + _QV),
        keywords=('" to "', "' to '", '" -> "', "' -> '", '"->"', "'->'"),
        on_keyword_lines=True,
    ),
    # A YAML block scalar under a secret's name (`password: |`, a Kubernetes Secret's
    # stringData): the value is the next, indented line (its key: context_value).
    TokenPattern(
        BLOCK_SCALAR,
        re.compile(
            # (the next line may start with a diff's `+`, or a rendered diff's columns)
            r":[ \t]*[|>][-+]?[0-9]?[ \t]*\r?\n(?:[ \t\d]*[-+ ]?[ \t]*\|[ \t]|[-+ ])?[ \t]+"
            rf"(?P<v>[^\s#][^\n]{{0,{MAX_VALUE - 1}}}?)[ \t]*$",
            re.M,
        ),
        keywords=(": |", ": >"),
    ),
    # A JDBC or ODBC URL's `?user=app&password=…` (a token in a query is url_secrets.py's).
    TokenPattern(
        QUERY_PASSWORD,
        re.compile(
            # (no dot in the name, no `==` after it: minified code's `&&t.password===x`)
            r"[?&;](?P<name>[A-Za-z][\w\-]{0,30}?)?(?i:pass(?:word|wd)?|pwd)=(?!=)"
            r"(?P<v>[^&\s\"'`#;<>]" + VALUE_LENGTH + ")"
        ),
        keywords=("pass=", "password=", "passwd=", "pwd="),
        on_keyword_lines=True,
    ),
    # go-sql-driver/mysql's DSN, `user:password@tcp(host:3306)/db`: the password runs to
    # the `@` before the protocol's parenthesis.
    TokenPattern(
        DSN_PASSWORD,
        re.compile(
            r"(?<![\w.:/@-])[\w.\-]{1,64}:(?P<v>[^\s\"'`]"
            + VALUE_LENGTH
            + r"?)@(?:tcp6?|udp|unix)\("
        ),
        keywords=("@tcp(", "@tcp6(", "@udp(", "@unix("),
        on_keyword_lines=True,
    ),
    # `echo 'pw' | docker login -u app --password-stdin` (and helm's, podman's, oras'), and
    # `echo 'pw' | sudo -S …`: the echoed word is the password; printf's too, after a
    # format that prints it (`printf '%s' 'pw' | …`, `printf '%s\n'`), or as its format.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"(?:echo\s+(?:-[neE]{1,3}\s+)?|printf\s+(?:(?P<f>[\"']?)%s(?:\\n)?(?P=f)\s+)?)"
            + ARG
            + r"(?=[ \t]*\|[^\n|]*(?:--password-stdin|\bsudo\s+(?:-\w+\s+)*-[A-Za-z]*S\b))"
        ),
        keywords=("--password-stdin", "sudo"),
    ),
    # A here-string into a command that reads its secret from standard input: `gh auth
    # login --with-token <<< …`, `docker login --password-stdin <<< …`, `gcloud secrets
    # create … --data-file=- <<< …`, `sudo -S … <<< …`, `vncpasswd -f`, `passwd --stdin`,
    # FreeIPA's `--password`.
    command(
        r"(?:--password-stdin|--with-token|--data-file[= ]-(?![\w-])"
        r"|\bsudo\s+(?:-\w+\s+)*-[A-Za-z]*S\b|\bvncpasswd\b|\bpasswd\s+--stdin\b"
        r"|\bipa\s+[\w-]+\b[^\n<|;&]{0,200}?--password\b)[^\n<|;&]{0,200}<<<[ \t]*",
        "<<<",
        lines=True,
    ),
    # An FTP client's script in a here-document (`ftp -n host <<EOF`, lftp's too): its
    # `user <name> <password>` command, or the protocol's own `quote PASS <password>`.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"(?:lftp|ftp)[^\n<]{0,200}<<-?[ \t]*[\"']?(?P<eof>\w+)(?!\w)[\"']?[^\n]*\n"
            r"(?:(?![ \t]*(?P=eof)\b)[^\n]*\n){0,30}?"
            r"[ \t]*(?:user[ \t]+\S+|quote[ \t]+(?i:pass))[ \t]+" + ARG
        ),
        keywords=("ftp",),
    ),
    # A file of one secret made on the fly: `rsync --password-file=<(echo '…')`, gpg's
    # `--passphrase-file <(printf …)`.
    command(
        r"--(?:password|passphrase|pass|token)-file[= ]<\([ \t]*(?:echo|printf)[ \t]+"
        r"(?:-[neE]{1,3}[ \t]+)?",
        "<(echo",
        "<(printf",
        "<( echo",
        "<( printf",
        lines=True,
    ),
    *SET_COMMAND_PATTERNS,
    # curl's `--proxy-user user:password`.
    command(r"--proxy-user\s+[^\s:\"']{1,64}:", "--proxy-user"),
    # crypt(3) hashes in a passwd/shadow/htpasswd line: `root:$6$salt$hash:19000:...` (the
    # user's name before the colon is checked in context_value). bcrypt (`$2b$`) has its
    # own pattern (services.py).
    TokenPattern(
        CRYPT_HASH,
        re.compile(
            # (Mosquitto's `$6$`/`$7$` hashes write their salt and hash in base64, `+` too.)
            r":(?P<v>\$(?:1|5|6|7|y|gy|apr1|md5|sha1)\$[A-Za-z0-9./+$=,]{8,}[A-Za-z0-9./+=]"
            # htpasswd's unsalted SHA-1 (`{SHA}` and 28 characters of base64)
            r"|\{SHA\}[A-Za-z0-9+/]{27}=)(?=:|\s|$)",
            re.MULTILINE,
        ),
        keywords=("$1$", "$5$", "$6$", "$7$", "$y$", "$gy$", "$apr1$", "$md5", "$sha1$", "{sha}"),
    ),
    # Maven's settings.xml `<password>`, `<apiKey>`, `<client-secret>` and the like (the
    # element's name must say secret: names.key_is_secretish), the value beside its tags
    # or alone on the line between them, as an indenting writer puts a long one.
    TokenPattern(
        XML_SECRET,
        re.compile(
            r"<(?P<tag>(?:[\w-]+:)?[\w.-]{0,40}(?i:pass(?:word|wd|phrase)?|pwd|secret|token|key|credentials?))"
            r"(?:\s[^>\n]{0,120})?>(?:[ \t]*|[ \t]*\r?\n[ \t]*)"
            rf"(?P<v>[^<\s][^<\n]{{0,{MAX_VALUE - 1}}}?)(?:[ \t]*|[ \t]*\r?\n[ \t]*)</(?P=tag)>"
        ),
        keywords=("pass", "pwd>", "secret>", "token>", "key>", "credential>", "credentials>"),
    ),
    # A .netrc entry, on one line or over the next few: `machine host login user password
    # secret` (a prompt's line prefixes may sit between them). A long flag after the word
    # is a command line's (`-p password --ca-cert …`), not a password.
    TokenPattern(
        NETRC_PASSWORD,
        re.compile(
            r"machine\s+[\w.\-]+(?:[^\n]*\n){0,3}?[^\n]*?\bpassword\s+(?P<v>(?!--)[^\s\"'`]"
            + VALUE_LENGTH
            + ")"
        ),
        keywords=("machine",),
    ),
)

CONTEXT_KINDS = frozenset(p.kind for p in CONTEXT_PATTERNS)
# Kinds whose match names the secret (`tag` or `name`): the name must say secret.
NAMED_KINDS = frozenset(
    {
        DSL_SECRET,
        REFERENCE_DEFAULT,
        XML_SECRET,
        SECRET_CONSTANT,
        NAMED_PAIR,
        ENV_DEFAULT,
        TEMPLATE_DEFAULT,
        DOCKER_ENV,
        SET_BY_COMMAND,
        SET_BY_NAME,
        VARIABLE_DEFAULT,
        MAPPED_PAIR,
        KEYED_FORM,
    }
)


# Docker's and Compose's published ports: `[ip:]host:container[/proto]`.
_PORT_MAPPING = re.compile(
    r"(?:[\d.]{7,15}:)?\d{1,5}(?:-\d{1,5})?:\d{1,5}(?:-\d{1,5})?(?:/(?:tcp|udp))?"
)
_PLACEHOLDER_OPENINGS = ("<", "(", "\\u003c", "\\u003C", "\\x3c", "\\x3C")


def password_ok(value: str, test: bool, *, quoted: bool = False) -> bool:
    """A password literal's rules; `quoted`: the value was written in quotes, where a
    leading `-` is one of a generated password's symbols rather than the next flag."""
    if value.startswith("-") and not quoted:
        return False  # the next flag
    if _PORT_MAPPING.fullmatch(value):
        return False  # `docker run … -p 27017:27017 mongo`: Docker's ports, after a `-p`
    if value.startswith(_PLACEHOLDER_OPENINGS) and not rules.looks_random(value):
        # a placeholder: `<password>`, `(optional)`, `\u003csecurestring\u003e` (a
        # command's syntax in JSON, its `<` escaped: PowerShell's help as data)
        return False
    # A format's slot (`{}`, `{0}`, `{password}`) is a reference (references.is_reference); a
    # brace elsewhere is one of a generated password's symbols.
    return rules.literal_ok("password", value, test=test)


# The patterns whose match names its value in a group of its own (`define('n', …)`, a
# name/value pair, `setenv("n", …)`); an XML element's tag says secret by its pattern.
NAMING_PATTERNS = tuple(
    p for p in CONTEXT_PATTERNS if p.kind in NAMED_KINDS and "name" in p.regex.groupindex
)
