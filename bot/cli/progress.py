"""Progress for long runs: a bar on a terminal, plain lines in CI logs, nothing when quiet."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

import click

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.execution import Progress

# In a CI log, what the run waits on is written at most this often, and only after this long
# without any other line: a log stays short, yet a slow runner never looks like a hang.
CI_WAIT_EVERY_S = 30.0
WAIT_EVERY_ENV = "SWITCHYARD_PROGRESS_EVERY_S"


def _wait_every(environ: Mapping[str, str]) -> float:
    """SWITCHYARD_PROGRESS_EVERY_S, else CI_WAIT_EVERY_S; a value that is not a positive
    number is refused, as any bad setting is."""
    raw = environ.get(WAIT_EVERY_ENV, "").strip()
    if not raw:
        return CI_WAIT_EVERY_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(
            f"{WAIT_EVERY_ENV}={raw!r} is not a number of seconds",
            hint=f"set it to a positive number, e.g. {WAIT_EVERY_ENV}=60, or unset it",
        )
    return value


class ProgressReporter:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._bar = None
        self._task = None
        # A live bar garbles CI logs; CI=true is set by GitHub, GitLab and Jenkins alike.
        self.interactive = sys.stderr.isatty() and not os.environ.get("CI") and not quiet
        self._clock: Callable[[], float] = time.monotonic
        self._last_line = self._clock()
        self.wait_every_s = _wait_every(os.environ)

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"switchyard: {message}", err=True)

    def callback(self) -> Progress | None:
        if self.quiet:
            return None
        return self._interactive if self.interactive else self._line

    def _line(self, message: str, done: int, total: int, *, waiting: bool = False) -> None:
        now = self._clock()
        if waiting and now - self._last_line < self.wait_every_s:
            return
        self._last_line = now
        click.echo(f"switchyard: [{done}/{total}] {message}", err=True)

    def _interactive(self, message: str, done: int, total: int, *, waiting: bool = False) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("reviewing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(message, total=total)
        self._bar.update(self._task, completed=done, description=message)
