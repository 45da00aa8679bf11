"""Credentials in a configuration's own forms, not a vendor's token format: an `.npmrc`'s
`_auth`/`_password`, an HTTP Basic header's base64 of `user:password`, Docker's
`config.json` `"auth"`, and a connection string's `Password=`. Each is checked further in
token_checks.py (decoded, or the fields around it). They run with the token patterns
(token_pass.py), after services.py's.
"""

from __future__ import annotations

import re

from bot.secrets.patterns import QUERY_END, VALUE_LENGTH, TokenPattern

REGISTRY_AUTH = "container registry login"
NPM_CREDENTIALS = "npm registry credentials"
CONNECTION_PASSWORD = "password in connection string"

# What must precede a header's `Basic` value, and a connection string's `Password=`, on the
# same line (searched in the few characters before, lower-cased).
# An Authorization header's name before its value: `Authorization: `, `"Authorization":
# "`, `Header.Set("Authorization", "`.
AUTHORIZATION_HEADER = re.compile(r"authorization[\"']?\s*[:=,]\s*[\"']?$")
CONNECTION_FIELD = re.compile(
    # (not a property set in minified code: `e.form.username=t.data.username});`)
    r"\b(?<!\.)(?:user\s?id|uid|user(?:name)?|server|data\s?source|host|database)\s*=[^;\n]{0,128};"
    # libpq's keyword/value form, fields apart by spaces: `host=db user=app password=…`
    r"|(?<![\w-])(?:host|hostaddr|dbname|user|port|sslmode)=[\w.\-/:%@+]{1,128}[ \t]"
)

CONFIG_CREDENTIAL_PATTERNS: tuple[TokenPattern, ...] = (
    # .npmrc's registry credentials: `_auth` (base64 of user:password) and `_password`,
    # starting a line or a string, or after a registry's path (`//registry.example/:_auth=`);
    # not a private field in code (`Users::Cols::_password = "password"`): where it starts
    # is checked in token_checks.token_ok, so that the regex starts with a literal.
    TokenPattern(
        NPM_CREDENTIALS,
        re.compile(
            r"_(?:auth|password)\s*=\s*[\"']?([A-Za-z0-9+/]{6,}=*)(?=[\s\"';,]|$)",
            re.MULTILINE,
        ),
        group=1,
        keywords=("_auth", "_password"),
    ),
    # Yarn 2+'s `npmAuthIdent` (its `_auth`, in .yarnrc.yml, `yarn config set`, or the
    # YARN_NPM_AUTH_IDENT variable): `user:password` in plain text, the password taken; or
    # base64 of it, checked decoded as a Basic header's.
    TokenPattern(
        NPM_CREDENTIALS,
        re.compile(
            r"(?:npmAuthIdent|NPM_AUTH_IDENT)[\"']?(?:\s*[:=]\s*|\s+)[\"']?[^\s\"':=]{1,128}:"
            r"([^\s\"']" + VALUE_LENGTH + ")"
        ),
        group=1,
        keywords=("npmauthident", "npm_auth_ident"),
    ),
    TokenPattern(
        "HTTP basic credentials",
        re.compile(
            r"(?:npmAuthIdent|NPM_AUTH_IDENT)[\"']?(?:\s*[:=]\s*|\s+)[\"']?"
            r"([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=:])"
        ),
        group=1,
        keywords=("npmauthident", "npm_auth_ident"),
    ),
    # Base64 of "user:password" (checked decoded: token_checks.token_ok) after the scheme in
    # any case (RFC 9110; git's `http.extraheader` holds `AUTHORIZATION: basic …`), or as
    # .NET's `AuthenticationHeaderValue("Basic", "…")` takes it. Three
    # spellings leave no literal to skip to: on the lines that say "basic" only.
    TokenPattern(
        "HTTP basic credentials",
        re.compile(r"(?:[Bb]asic|BASIC)(?:\s+|\"\s*,\s*\")([A-Za-z0-9+/]{8,}={0,2})" + QUERY_END),
        group=1,
        keywords=("basic",),
        on_keyword_lines=True,
    ),
    # A container registry's login as Docker's config.json keeps it, `"auth": "<base64 of
    # user:password>"` (checked decoded, as a Basic header's), also where the JSON sits
    # escaped in a string: GitLab Runner's `environment = ["DOCKER_AUTH_CONFIG={\"auths\":…"]`.
    TokenPattern(
        REGISTRY_AUTH,
        re.compile(r"auth\\{0,3}[\"']\s*:\s*\\{0,3}[\"']([A-Za-z0-9+/]{8,}={0,2})\\{0,3}[\"']"),
        group=1,
        keywords=('auth"', "auth'", "auth\\"),
    ),
    # `Password=` in an ADO.NET/ODBC/JDBC connection string; another of the string's fields
    # must come before it on the line (CONNECTION_FIELD, read in
    # token_checks.connection_password, which also finds where the value ends).
    TokenPattern(
        CONNECTION_PASSWORD,
        re.compile(r"(?:[Pp]ass[Ww]ord|PASSWORD|[Pp]wd|PWD)\s*=\s*([^;\"'\s]" + VALUE_LENGTH + ")"),
        group=1,
        keywords=("password", "pwd"),
        on_keyword_lines=True,
    ),
    # Maven's master password (`mvn --encrypt-master-password`) in settings-security.xml:
    # base64 in braces, Maven 4's with `[name=…,cipher=…]` first. It is encrypted with a key
    # every Maven holds, so it reads back at once, and with it every server password
    # settings.xml keeps encrypted. Those (`<password>{…}</password>`) are left alone: made
    # to be shared, they read back only with the master, as an Ansible vault's do with its
    # password. (Jenkins' `{AQAAABAAAA…}` is its own format: prefixed.py.)
    TokenPattern(
        "Maven master password",
        re.compile(
            r"<master>[ \t]*(\{(?:\[[^\]\n]{0,200}\])?[A-Za-z0-9+/]{22,1000}={0,2}\})"
            r"[ \t]*</master>"
        ),
        group=1,
        keywords=("<master>",),
        random=True,
    ),
)
