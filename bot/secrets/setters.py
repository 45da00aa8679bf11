"""A secret handed to a setter or a builder: `ds.setPassword("…")`, `$mail->setApiKey('…')`,
a builder's `.withSecretKey("…")` or `.clientSecret("…")`. The method's name says what the
literal is; a getter's argument (`getSecret("name")`) names a secret and is not one, nor
is the argument of a method that checks or hashes it (`.checkPassword(…)`). Run by
contexts.py like its other patterns, only on the lines holding one of its words.

Or set by its name, a call's first argument: `props.setProperty("password", "…")`,
`map.put("api_key", "…")`, `os.Setenv("DB_PASSWORD", "…")` (contexts.py judges the name)."""

from __future__ import annotations

import re

from bot.secrets import names, rules
from bot.secrets.patterns import IN_QUOTES, MAX_VALUE, QUOTED_ARGUMENT, WRAPPER, TokenPattern

SETTER = "secret passed to its setter"
SET_BY_NAME = "secret set by its name"

# The words a setter's or builder method's name may end in.
_SETTER_WORDS = ("password", "passphrase", "secret", "token", "key")
# A builder's method is the secret's name alone (`.password(…)`, `.apiKey(…)`); any other
# word in it is a verb or says what it does with the secret (`.checkPassword(…)`).
_BUILDER_WORDS = frozenset(
    {"password", "passwd", "pwd", "passphrase", "secret", "token", "key", "api", "access",
     "client", "private", "auth", "app", "signing", "master", "encryption", "refresh",
     "bearer", "credentials", "credential"}
)  # fmt: skip
_SETTER_PREFIX = re.compile(r"(?:set|with)(?=[A-Z_])_?")

SETTER_PATTERN = TokenPattern(
    SETTER,
    re.compile(
        r"[.>](?P<name>[A-Za-z]\w{0,60})\(\s*(?:" + WRAPPER + r")?" + QUOTED_ARGUMENT + r"\s*\)"
    ),
    keywords=(*(w + "(" for w in _SETTER_WORDS), "credentials(", "pwd(", "passwd("),
    # (the pattern cannot start with a literal: over a whole 100 KB prompt it cost 0.5 ms)
    on_keyword_lines=True,
)


def setter_value_ok(method: str, value: str, test: bool) -> bool:
    """Whether `value`, given to `method`, is a secret: the method sets a secret's name, and
    the value meets the rules a quoted config value meets. `setKey("…")` sets one only
    when the value is random, as `key = "…"` does."""
    key = _setter_key(method)
    if key is None or not rules.literal_ok(key, value, test=test):
        return False
    return rules.names_a_secret(key, value)


def _setter_key(method: str) -> str | None:
    """The secret's name a setter or builder method sets, or None for other methods."""
    prefix = _SETTER_PREFIX.match(method)
    if prefix is not None:
        return method[prefix.end() :]
    words = names.key_words(method)
    return method if words and all(w in _BUILDER_WORDS for w in words) else None


def _set_by_name(call: str, keyword: str = "") -> TokenPattern:
    """The secret's name as the call's first argument, its literal value as the second
    (.NET's SetEnvironmentVariable takes a target after it)."""
    return TokenPattern(
        SET_BY_NAME,
        re.compile(
            call
            + r"\(\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*"
            + QUOTED_ARGUMENT
            + r"\s*(?:,[^()\n]{1,80})?\)"
        ),
        keywords=(keyword or call.lower() + "(",),
    )


SET_BY_NAME_PATTERNS: tuple[TokenPattern, ...] = (
    _set_by_name("setProperty"),
    _set_by_name("put"),
    # Go's `req.Header.Set("X-Api-Key", "…")` and viper's `viper.Set(…)` and
    # `.SetDefault(…)` too
    _set_by_name("[Ss]et", "set("),
    _set_by_name("SetDefault"),
    _set_by_name("setItem"),
    # a request's header: Java's `setHeader`, XHR's `setRequestHeader`, Go's `Header.Add`
    _set_by_name("setHeader"),
    _set_by_name("setRequestHeader"),
    _set_by_name(r"Header\.Add", "header.add("),
    # Android's `editor.putString("api_key", "…")`, Flink's and Hadoop's `setString`
    _set_by_name("putString"),
    _set_by_name("setString"),
    # Vitest's `vi.stubEnv("API_KEY", "…")`, Ruby's `ENV.store("API_KEY", "…")`
    _set_by_name("stubEnv"),
    _set_by_name(r"ENV\.store", "env.store("),
    # configparser's `cfg.set("database", "password", "…")`: a section, then the option
    TokenPattern(
        SET_BY_NAME,
        re.compile(
            r"\.set\(\s*[\"'][^\"'\n]{1,80}[\"']\s*,\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*"
            + QUOTED_ARGUMENT
            + r"\s*\)"
        ),
        keywords=("set(",),
    ),
    # Go's `os.Setenv("DB_PASSWORD", "…")`, Python's `os.putenv(…)`, pytest's
    # `monkeypatch.setenv(…)`, .NET's `Environment.SetEnvironmentVariable(…, "User")`.
    _set_by_name("[Ss]etenv", "setenv("),
    _set_by_name("putenv"),
    _set_by_name("SetEnvironmentVariable"),
    # Rust's `env::set_var("DB_PASSWORD", "…")`; PHP's `putenv("DB_PASSWORD=…")`, one literal.
    _set_by_name("set_var", "set_var("),
    TokenPattern(
        SET_BY_NAME,
        re.compile(
            r"putenv\(\s*(?P<q>[\"'])(?P<name>[A-Za-z_]\w{0,80})="
            rf"(?P<v>{IN_QUOTES}{{1,{MAX_VALUE}}})(?P=q)\s*\)"
        ),
        keywords=("putenv(",),
    ),
)
