"""What every command needs first: settings from all layers, then provider clients."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.loader import LoadedSettings
    from bot.providers.base import Provider


def load(
    repo_dir: Path | None,
    config_path: str | None,
    overrides: dict[str, Any] | None = None,
    flag_names: dict[str, str] | None = None,
) -> LoadedSettings:
    from bot.config import load_settings

    return load_settings(
        repo_dir=repo_dir,
        config_path=Path(config_path) if config_path else None,
        environ=os.environ,
        overrides=overrides,
        flag_names=flag_names,
    )


def open_providers(loaded: LoadedSettings, only: tuple[str, ...] = ()) -> dict[str, Provider]:
    from bot.providers.registry import build_providers

    settings = loaded.settings
    unknown = [n for n in only if n not in settings.providers]
    if unknown:
        known = ", ".join(settings.providers) or "none"
        raise ConfigError(f"--provider {unknown[0]}: no such provider (configured: {known})")
    if only:
        settings = settings.model_copy(
            update={"providers": {n: c for n, c in settings.providers.items() if n in only}}
        )
    return build_providers(settings, os.environ)
