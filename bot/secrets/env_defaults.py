"""A literal fallback for a secret-named environment variable: `os.getenv("API_TOKEN",
"…")`, Go's `getEnv("DB_PASSWORD", "…")` helpers, `System.getenv("X") ?: "…"`,
`process.env.X || "…"`, Rust's `env::var("X").unwrap_or("…")`, Laravel's `env("X", "…")`,
python-decouple's `config("X", default="…")`; a system property's
default, `System.getProperty("db.password", "…")`. The secret is in the code
for every run without the variable. contexts.py runs them; context_values.context_value
checks that the variable's name says secret and judges the value as a literal under that
name."""

from __future__ import annotations

import re

from bot.secrets.patterns import QUOTED_ARGUMENT, TokenPattern

ENV_DEFAULT = "secret as an environment variable's default"

# The variable's name as a call's first argument, and the comma before the default.
_NAME_ARG = r"\(\s*[\"'](?P<name>\w+)[\"']\s*,\s*"
# The variable's name as a call's only argument, then an operator that falls back.
_NAME_ONLY = r"\(\s*[\"'](?P<name>\w+)[\"']\s*\)\s*(?:\?:|\?\?|\|\||or)\s*"


# After the name, a keyword default past other keyword arguments: `cast=bool, default=…`.
_KEYWORD_DEFAULT = r"(?:\w+\s*=\s*[\w.]+\s*,\s*)*default\s*=\s*"


def _default(regex: str, *keywords: str) -> TokenPattern:
    return TokenPattern(ENV_DEFAULT, re.compile(regex + QUOTED_ARGUMENT), keywords=keywords)


# Every pattern starts with a literal or a two-letter class (the engine skips to them).
ENV_DEFAULT_PATTERNS: tuple[TokenPattern, ...] = (
    # Python's os.getenv, PHP's getenv with a default, and the helpers Go and other code
    # write for it (`getEnv`, `GetEnvOrDefault`, `getenv_or`).
    _default(r"[gG]et[eE]nv\w{0,20}" + _NAME_ARG, "getenv"),
    # `os.environ.get(…)`, `os.environ.setdefault(…)`, Ruby's `ENV.fetch(…)`, Scala's
    # `sys.env.getOrElse(…)`, Java's `System.getenv().getOrDefault(…)`.
    _default(r"environ\.get" + _NAME_ARG, "environ.get("),
    _default(r"setdefault" + _NAME_ARG, "setdefault("),
    _default(r"ENV\.fetch" + _NAME_ARG, "env.fetch("),
    # Ruby's block form, `ENV.fetch("X") { "…" }`, and `ENV["X"] || "…"`.
    _default(r"ENV\.fetch\(\s*[\"'](?P<name>\w+)[\"']\s*\)\s*\{\s*", "env.fetch("),
    _default(r"ENV\[\s*[\"'](?P<name>\w+)[\"']\s*\]\s*(?:\|\||or)\s*", "env["),
    # Laravel's `env('DB_PASSWORD', '…')` (every config/*.php), Elixir's
    # `System.get_env("X", "…")`; python-decouple's `config("X", default="…")` and
    # django-environ's `env("X", default="…")`, `env.str(…)` (a cast may come first).
    _default(
        r"env(?<![\w$]env)(?:\.\w+)?" + _NAME_ARG + f"(?:{_KEYWORD_DEFAULT})?", "env(", "env."
    ),
    _default(r"get_env" + _NAME_ARG, "get_env("),
    _default(r"config(?<![\w$]config)" + _NAME_ARG + _KEYWORD_DEFAULT, "config("),
    _default(r"getOrElse" + _NAME_ARG, "getorelse("),
    _default(r"getOrDefault" + _NAME_ARG, "getordefault("),
    # Java's and Spring's `getProperty("db.password", "…")`: a property's name is dotted.
    _default(r"getProperty\(\s*[\"'](?P<name>[\w.\-]{1,80})[\"']\s*,\s*", "getproperty("),
    # A read without a default, then `?:` (Groovy, Kotlin), `??` (C#), `||`, `or`.
    _default(
        r"(?:getenv|getEnv|GetEnvironmentVariable|environ\.get)" + _NAME_ONLY,
        "getenv(",
        "getenvironmentvariable(",
        "environ.get(",
    ),
    _default(r"process\.env\.(?P<name>\w+)\s*(?:\|\||\?\?)\s*", "process.env."),
    # Rust: `env::var("X").unwrap_or("…")`, `.ok().unwrap_or_else(|| "…")`, `(|_| …)`.
    _default(
        r"env::var\(\s*\"(?P<name>\w+)\"\s*\)(?:\.ok\(\))?\.unwrap_or(?:_else)?\(\s*"
        r"(?:\|_?\|\s*)?",
        "env::var(",
    ),
)
