"""What a door needs of a forge by name: the object the registry hands out for "github".

The CLI recognises a change request's address, the server routes deliveries, and the worker
opens a queued job, each through this protocol; none of them names a forge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description
    from bot.describe.publish import EditResult
    from bot.forges.contract import ChangeSource, PublisherFor
    from bot.forges.webhook import WebhookReceiver
    from bot.jobs import Job


@dataclass(frozen=True, slots=True)
class ChangeRef:
    """Where a change request lives, from what a user typed."""

    forge: str  # the registry's name: "github"
    api_url: str
    repository: str
    number: int  # a pull request's number, a merge request's iid
    sigil: str = "#"  # how the forge writes a reference: OWNER/REPO#N, GROUP/PROJECT!N

    @property
    def label(self) -> str:
        return f"{self.repository}{self.sigil}{self.number}"


@dataclass(frozen=True, slots=True)
class Opened:
    """A change request opened for a run: where it is read from and where it is posted."""

    source: ChangeSource
    publisher_for: PublisherFor


class Forge(Protocol):
    @property
    def name(self) -> str:
        """The registry's key: `--publish`'s value, Job.forge, /webhooks/<name>."""
        ...

    @property
    def address_example(self) -> str:
        """An address of a change request, for messages: "https://github.com/O/R/pull/1"."""
        ...

    @property
    def webhook_secret_env(self) -> str:
        """The variable that turns this forge's webhook on in `switchyard serve`."""
        ...

    def claims(self, address: str) -> bool:
        """Whether `address` is shaped like this forge's (it may still be a bad one)."""
        ...

    def parse_ref(self, address: str, environ: Mapping[str, str]) -> ChangeRef:
        """Raises InputError, with an example, for an address it cannot read."""
        ...

    def open_ref(self, ref: ChangeRef, environ: Mapping[str, str]) -> Opened:
        """For `review --pr`: credentials from the environment; ConfigError without."""
        ...

    def open_job(self, job: Job, environ: Mapping[str, str]) -> Opened | None:
        """For the worker; None when the job may not run (a command from someone without
        write access), which is logged here."""
        ...

    def webhook(self, environ: Mapping[str, str]) -> WebhookReceiver | None:
        """The receiver at /webhooks/<name>; None when `webhook_secret_env` is not set."""
        ...

    def credentials_problem(self, environ: Mapping[str, str]) -> str | None:
        """Why workers could not reach this forge, said once when the server starts;
        raises ConfigError for credentials that are set but broken (a bad key)."""
        ...

    def edit_description(
        self, source: ChangeSource, description: Description, cfg: DescribeConfig
    ) -> EditResult:
        """Puts `description` into the body of the change request `source` reads (one this
        forge opened), between Switchyard's markers above the author's text, which is kept
        (bot/describe/body.py); writes nothing when nothing would change."""
        ...
