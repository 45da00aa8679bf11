"""Where API keys come from: the environment or a secret file, never a repo file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from bot.config.model import ProviderConfig
from bot.errors import ConfigError

# Well-known variables the SDKs themselves read, by provider name.
_WELL_KNOWN = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
}


def key_env_name(name: str) -> str:
    return "SWITCHYARD_" + re.sub(r"[^A-Z0-9]", "_", name.upper()) + "_API_KEY"


def api_key_for(name: str, cfg: ProviderConfig, environ: Mapping[str, str]) -> str | None:
    """The key for provider `name`, or None (a self-hosted server often needs none)."""
    if cfg.api_key_file:
        path = Path(cfg.api_key_file).expanduser()
        try:
            return path.read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(
                f"providers.{name}.api_key_file: cannot read {path}: {exc.strerror}"
            ) from None
    for var in (cfg.api_key_env, key_env_name(name), _WELL_KNOWN.get(name)):
        if var and environ.get(var):
            return environ[var]
    return None
