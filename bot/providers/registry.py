"""Providers built from the settings: one instance per configured endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config.keys import api_key_for
from bot.config.model import Settings
from bot.providers.anthropic_provider import AnthropicProvider
from bot.providers.base import Provider
from bot.providers.openai_compat import OpenAICompatibleProvider


def build_providers(settings: Settings, environ: Mapping[str, str]) -> dict[str, Provider]:
    """One provider per `providers:` entry, keyed by its name (any name: the kind says which
    API it speaks). No network access here: clients are created on first use."""
    built: dict[str, Provider] = {}
    for name, cfg in settings.providers.items():
        key = api_key_for(name, cfg, environ)
        if cfg.kind == "anthropic":
            built[name] = AnthropicProvider(name, cfg, key)
        else:
            built[name] = OpenAICompatibleProvider(name, cfg, key)
    return built
