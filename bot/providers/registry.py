"""Providers built from the settings: one instance per configured endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.keys import api_key_for
from bot.config.model import Settings
from bot.errors import ConfigError
from bot.providers.base import Provider
from bot.providers.openai_compat import OpenAICompatibleProvider


def build_providers(settings: Settings, environ: Mapping[str, str]) -> dict[str, Provider]:
    """One provider per `providers:` entry, keyed by its name. No network access here:
    clients are created on first use."""
    built: dict[str, Provider] = {}
    for name, cfg in settings.providers.items():
        if cfg.kind == "anthropic":
            raise ConfigError(
                f"providers.{name}: anthropic providers arrive with hybrid routing (issue 3)",
                hint="use an OpenAI-compatible endpoint for now",
            )
        built[name] = OpenAICompatibleProvider(name, cfg, api_key_for(name, cfg, environ))
    return built
