"""Options that several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from bot.cli.report_output import FORMATS

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


SEVERITIES = ["critical", "major", "minor", "nit"]


def report_options(*, format_help: str, output_help: str) -> Callable[[F], F]:
    """--format, --output (repeatable) and --fail-on: what a command reports, where, and
    when it fails. The help texts name what each command writes."""

    def decorate(func: F) -> F:
        for option in reversed(
            [
                click.option("--format", "fmt", type=click.Choice(FORMATS), help=format_help),
                click.option(
                    "--output", "outputs", multiple=True, metavar="FILE", help=output_help
                ),
                click.option(
                    "--fail-on",
                    type=click.Choice(SEVERITIES),
                    help="Exit 1 if a finding is this severe or worse.",
                ),
            ]
        ):
            func = option(func)
        return func

    return decorate


def provider_option(func: F) -> F:
    """--provider NAME (repeatable): use only these configured providers."""
    return click.option(
        "--provider",
        "only",
        multiple=True,
        metavar="NAME",
        help="Use only this configured provider (repeatable).",
    )(func)


def quiet_option(func: F) -> F:
    """-q/--quiet: no console report and no progress."""
    return click.option("-q", "--quiet", is_flag=True, help="No console report and no progress.")(
        func
    )
