"""Settings: layered files, environment and flags, validated once by pydantic."""

from __future__ import annotations

from typing import Any

from bot.config.loader import ConfigProblems, LoadedSettings, load_settings
from bot.config.model import ProviderConfig, Settings
from bot.config.policy import REPO_ALLOWED

__all__ = [
    "ConfigProblems",
    "LoadedSettings",
    "ProviderConfig",
    "Settings",
    "load_settings",
    "settings_json_schema",
]


def _drop_required(node: Any) -> None:
    # Every file is one layer of several: the server file may set only
    # providers.local.context_tokens for a provider whose model the environment names.
    # Requiredness is checked after the merge, so an editor must not demand it per file.
    if isinstance(node, dict):
        if isinstance(node.get("required"), list):
            del node["required"]
        for value in node.values():
            _drop_required(value)
    elif isinstance(node, list):
        for value in node:
            _drop_required(value)


def settings_json_schema() -> dict[str, Any]:
    """JSON schema (draft 2020-12) of a settings file, for editors and `# yaml-language-server`."""
    schema = Settings.model_json_schema()
    _drop_required(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Switchyard settings",
        "description": "A server/org settings file, or a .switchyard.yml repo file, which may "
        f"set only {', '.join(REPO_ALLOWED)}. API keys never go here: they come from the "
        "environment or from secret files named in the server file.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
