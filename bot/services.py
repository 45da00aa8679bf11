"""Opening what a run talks to, for every door: the providers the settings configure
(narrowed to the `--provider` names given) and the ledger, closed when the run is done."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config.loader import LoadedSettings
    from bot.config.model import Settings
    from bot.execution import Services
    from bot.providers.base import Provider


def open_providers(
    loaded: LoadedSettings, only: tuple[str, ...] = (), environ: Mapping[str, str] = os.environ
) -> dict[str, Provider]:
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
    return build_providers(settings, environ)


@contextmanager
def opened_services(
    loaded: LoadedSettings,
    settings: Settings,
    only: tuple[str, ...],
    environ: Mapping[str, str],
) -> Iterator[Services]:
    """The providers of `loaded` and the ledger `settings` name (the run's own settings,
    e.g. with the cache turned off), closed on the way out."""
    from bot.execution import Services
    from bot.ledger.store import Ledger

    providers = open_providers(loaded, only, environ)
    ledger = Ledger.from_settings(settings, environ)
    try:
        yield Services(providers=providers, ledger=ledger)
    finally:
        for p in providers.values():
            p.close()
        ledger.close()
