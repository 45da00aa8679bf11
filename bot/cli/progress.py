"""Progress for long runs: a bar on a terminal, plain lines in CI logs, nothing when quiet."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import TracebackType

import click


class ProgressReporter:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._bar = None
        self._task = None
        # A live bar garbles CI logs; CI=true is set by GitHub, GitLab and Jenkins alike.
        self.interactive = sys.stderr.isatty() and not os.environ.get("CI") and not quiet

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

    def callback(self) -> Callable[[str, int, int], None] | None:
        if self.quiet:
            return None
        return self._interactive if self.interactive else self._line

    def _line(self, message: str, done: int, total: int) -> None:
        click.echo(f"switchyard: [{done}/{total}] {message}", err=True)

    def _interactive(self, message: str, done: int, total: int) -> None:
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
