"""Settings declared by environment variables, so a CI job can start with no file at all.

Keys are deliberately not read here: bot/config/keys.py resolves them at call time, so
they never sit in a Settings object that might be logged or dumped by `doctor`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.errors import ConfigError

LOCAL_BASE_URL = "SWITCHYARD_LOCAL_BASE_URL"
LOCAL_MODEL = "SWITCHYARD_LOCAL_MODEL"
LOCAL_CONTEXT_TOKENS = "SWITCHYARD_LOCAL_CONTEXT_TOKENS"
OPENAI_API_KEY = "OPENAI_API_KEY"
OPENAI_BASE_URL = "OPENAI_BASE_URL"
OPENAI_MODEL = "SWITCHYARD_OPENAI_MODEL"
FAIL_ON = "SWITCHYARD_FAIL_ON"
CONFIG = "SWITCHYARD_CONFIG"

ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY"
ANTHROPIC_BASE_URL = "ANTHROPIC_BASE_URL"
ANTHROPIC_MODEL = "SWITCHYARD_ANTHROPIC_MODEL"

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# A current mid-size Claude model, priced in bot/providers/prices.py.
DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5"


@dataclass(frozen=True)
class _CloudKey:
    """A cloud provider declared by its SDK's own key variable alone."""

    name: str
    kind: str
    key_var: str
    url_var: str
    model_var: str
    default_model: str


_CLOUD_KEYS = (
    _CloudKey(
        "openai",
        "openai_compatible",
        OPENAI_API_KEY,
        OPENAI_BASE_URL,
        OPENAI_MODEL,
        DEFAULT_OPENAI_MODEL,
    ),
    _CloudKey(
        "anthropic",
        "anthropic",
        ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL,
        ANTHROPIC_MODEL,
        DEFAULT_ANTHROPIC_MODEL,
    ),
)


@dataclass(frozen=True)
class EnvSettings:
    """The environment split by precedence.

    `defaults` sit beneath every file: they only fill in what a file leaves open (the
    OpenAI model when only a key is exported, say), so exporting OPENAI_API_KEY never
    rewrites a provider the server file declares. `values` were named explicitly by a
    variable and override the files.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    # Dotted key -> the variable that set it, so an error names the variable to fix.
    origins: dict[str, str] = field(default_factory=dict)


def _get(environ: Mapping[str, str], name: str) -> str | None:
    # CI systems export unset secrets as empty strings; treat those as absent.
    value = environ.get(name, "").strip()
    return value or None


def read_env(environ: Mapping[str, str], *, declared: Collection[str] = ()) -> EnvSettings:
    """Read the variables Switchyard understands.

    `declared` names the providers some file already declares: for those, one variable
    alone (say SWITCHYARD_LOCAL_MODEL) is a valid override of that field; for the rest it
    is half a declaration and an error.
    """
    env = EnvSettings()

    def put(target: dict[str, Any], dotted: str, value: Any, var: str) -> None:
        node = target
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
        env.origins.setdefault(dotted, var)

    base_url = _get(environ, LOCAL_BASE_URL)
    model = _get(environ, LOCAL_MODEL)
    context = _get(environ, LOCAL_CONTEXT_TOKENS)
    if base_url or model or context:
        if "local" not in declared:
            missing = [
                v for v, val in ((LOCAL_BASE_URL, base_url), (LOCAL_MODEL, model)) if not val
            ]
            if missing:
                given = [
                    v
                    for v, val in (
                        (LOCAL_BASE_URL, base_url),
                        (LOCAL_MODEL, model),
                        (LOCAL_CONTEXT_TOKENS, context),
                    )
                    if val
                ]
                raise ConfigError(
                    f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} set but "
                    f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not: "
                    "the self-hosted provider needs both "
                    f"{LOCAL_BASE_URL} and {LOCAL_MODEL}",
                    hint=f"e.g. {LOCAL_BASE_URL}=http://gpu01:8000/v1 {LOCAL_MODEL}=qwen2.5-coder",
                )
            # Beneath the files: a file may say its "local" server is elsewhere.
            put(env.defaults, "providers.local.kind", "openai_compatible", LOCAL_BASE_URL)
            put(env.defaults, "providers.local.location", "local", LOCAL_BASE_URL)
        if base_url:
            put(env.values, "providers.local.base_url", base_url, LOCAL_BASE_URL)
            # The operator names this URL as the self-hosted runner: it is on premises even
            # when a file declares the provider without a location.
            put(env.values, "providers.local.location", "local", LOCAL_BASE_URL)
        if model:
            put(env.values, "providers.local.model", model, LOCAL_MODEL)
        if context:
            # Left as text: pydantic coerces it and names this variable if it is not a number.
            put(env.values, "providers.local.context_tokens", context, LOCAL_CONTEXT_TOKENS)

    # A key declares a cloud provider. No location is set: undeclared is cloud, whatever
    # OPENAI_BASE_URL / ANTHROPIC_BASE_URL point at (a gateway or proxy is not premises).
    for cloud in _CLOUD_KEYS:
        if _get(environ, cloud.key_var):
            put(env.defaults, f"providers.{cloud.name}.kind", cloud.kind, cloud.key_var)
            put(env.defaults, f"providers.{cloud.name}.model", cloud.default_model, cloud.key_var)
        if _get(environ, cloud.key_var) or cloud.name in declared:
            url = _get(environ, cloud.url_var)
            chosen = _get(environ, cloud.model_var)
            if url:
                put(env.values, f"providers.{cloud.name}.base_url", url, cloud.url_var)
            if chosen:
                put(env.values, f"providers.{cloud.name}.model", chosen, cloud.model_var)

    fail_on = _get(environ, FAIL_ON)
    if fail_on:
        put(env.values, "fail_on", fail_on.lower(), FAIL_ON)
    return env


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def settings_from_env(
    environ: Mapping[str, str], *, declared: Collection[str] = ()
) -> dict[str, Any]:
    """The environment as one layer dict (defaults and explicit values together)."""
    env = read_env(environ, declared=declared)
    return _merge(env.defaults, env.values)
