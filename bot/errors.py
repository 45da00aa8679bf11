"""Errors a user can act on, each mapped to a documented exit code.

Exit codes (also in README and `switchyard --help`):
  0  done
  1  gate failed (`--fail-on` matched a finding)
  2  bad input or configuration
  3  could not complete (no model configured or reachable, work left unreviewed)
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class SwitchyardError(Exception):
    """Base class: the message is shown to the user as is, without a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(SwitchyardError):
    """Bad input: not a repository, unknown ref, malformed patch, empty diff."""

    exit_code = EXIT_USAGE


class ConfigError(SwitchyardError):
    """Invalid configuration; the message names the file and the key."""

    exit_code = EXIT_USAGE


class IncompleteError(SwitchyardError):
    """The run could not complete: no model configured or none reachable."""

    exit_code = EXIT_INCOMPLETE


class TransientError(SwitchyardError):
    """A job failed on a cause that may pass (a forge's 5xx or rate limit, a network
    fault): the worker runs it again later, with backoff, a bounded number of times.
    `retry_after`: seconds the cause asked to wait, when it said."""

    exit_code = EXIT_INCOMPLETE

    def __init__(
        self, message: str, hint: str | None = None, *, retry_after: float | None = None
    ) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after
