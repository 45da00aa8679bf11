"""Options that several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def settings_options(func: F) -> F:
    """--config FILE and --repo DIR: where the configuration layers are read from."""
    func = click.option(
        "--config", "config_path", metavar="FILE", help="Server/org configuration file."
    )(func)
    return click.option(
        "--repo",
        "repo_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="The git checkout (its .switchyard.yml is read).",
    )(func)
