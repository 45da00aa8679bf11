"""What every command needs first: settings from all layers, then provider clients."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Its home is bot/services.py (every door opens providers); kept importable from here.
from bot.services import open_providers as open_providers

if TYPE_CHECKING:
    from bot.cli.change_input import Prepared
    from bot.cli.progress import ProgressReporter
    from bot.config.loader import LoadedSettings
    from bot.execution import Services


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


@contextmanager
def embedded_when_none(
    loaded: LoadedSettings, say: Callable[[str], None]
) -> Iterator[LoadedSettings]:
    """`loaded`, or, when it configures no model and the `local` extra is installed, the
    same settings with the embedded runner as their one target for the duration: a
    machine with no GPU server still gets a review, and is told where it came from."""
    from bot.runner import available

    wanted = os.environ.get(RUNNER_ENV, "auto").strip().lower()
    if loaded.settings.providers or wanted in ("off", "0", "false", "no") or not available():
        yield loaded
        return
    from bot.config.model import ProviderConfig
    from bot.ledger.location import resolve_state_dir
    from bot.runner import EmbeddedRunner, resolve_model

    choice = resolve_model(None, resolve_state_dir(loaded.settings, os.environ) / "models")
    say(f"no model configured: starting the embedded runner ({choice.source})")
    with EmbeddedRunner(choice) as served:
        cfg = ProviderConfig(
            base_url=served.base_url,
            model=choice.alias,
            location="local",
            context_tokens=served.context,
            concurrency=1,  # one CPU-bound slot: parallel requests only queue
        )
        cfg._location_source = "the embedded runner (this machine, loopback)"
        settings = loaded.settings.model_copy(update={"providers": {"embedded": cfg}})
        say(f"using the embedded runner: {choice.alias} at {served.base_url}")
        yield dataclasses.replace(loaded, settings=settings)
        if not served.running:
            # Its calls failed as "connection refused"; say why, once, at the end.
            say(f"the embedded runner stopped during the run ({served.ended()})")


# "off" keeps a review with no model configured from starting the embedded runner (it then
# exits 3, as on a machine without the extra).
RUNNER_ENV = "SWITCHYARD_RUNNER"


@contextmanager
def task_services(
    prepared: Prepared, reporter: ProgressReporter, only: tuple[str, ...]
) -> Iterator[Services]:
    """A task command's run: progress shown, the embedded runner started when no model is
    configured (`prepared` then carries the settings the run uses), the services open."""
    from bot.services import opened_services

    with reporter, embedded_when_none(prepared.loaded, reporter.info) as loaded:
        prepared.loaded, prepared.settings = loaded, loaded.settings
        with opened_services(loaded, loaded.settings, only, os.environ) as services:
            yield services
