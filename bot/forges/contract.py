"""The door's contract: what a forge gives a run, and what it takes back.

A forge (GitHub, GitLab, whatever comes next) meets the pipeline through two small
protocols, as reviewdog's services meet its core: a `ChangeSource` (the change, its head
and base, files at a ref, what was already posted) and a `Publisher` (one review with line
comments and committable suggestions, one sticky summary edited in place, one status or
check). `door.run_change_request` runs tasks between them and never names a forge; what
every forge shares (comment plan, markers, summary text, incremental range) sits beside
this module, written once. The dataclasses below are what the two sides exchange.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.errors import IncompleteError, TransientError

if TYPE_CHECKING:
    from bot.change.model import Change
    from bot.errors import SwitchyardError
    from bot.findings.model import Finding
    from bot.forges.comment_plan import LineComment, MovedFinding
    from bot.report import RunReport


@dataclass(frozen=True)
class ChangeRequest:
    """A pull request or merge request, as the forge describes it."""

    repository: str  # the target repository: "owner/name", or a GitLab project's path
    number: int  # the pull request's number, or the merge request's iid
    title: str
    body: str
    author: str  # login
    labels: tuple[str, ...]
    draft: bool
    state: str  # "open" or "closed"
    base_ref: str
    base_sha: str  # the base branch's tip as the forge last saw it (not the merge base)
    head_ref: str
    head_sha: str
    head_repo: str | None  # where the head branch lives; None when the fork is gone
    fork: bool  # the head lives in another repository: its author may not hold secrets
    web_url: str
    # The ledger's change_ref is "<ref_kind>/<number>": "pr/42" on GitHub, "mr/7" on GitLab.
    ref_kind: str = "pr"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the token is. `login` is None where the forge will not say (a GitHub App's
    installation token may not read its own user)."""

    login: str | None
    type: str | None = None  # the forge's kind of account: "User" | "Bot" | None


@dataclass(frozen=True, slots=True)
class MarkedComment:
    """One of the bot's line comments, read back: its fingerprint and where it now sits."""

    id: int
    fingerprint: str
    path: str
    line: int | None
    original_line: int | None
    outdated: bool  # the code under it changed since: the forge no longer shows it on the diff
    web_url: str | None = None


@dataclass(frozen=True, slots=True)
class StickyComment:
    """The bot's summary comment (a GitLab note): one per change request and task."""

    id: int
    body: str
    web_url: str | None


@dataclass
class RequestCounts:
    """What was sent: attempts, not successes, since a refused write still counts toward limits."""

    reads: int = 0
    writes: int = 0
    retries: int = 0
    waited_s: float = 0.0  # rate-limit waits, not pacing
    paced_s: float = 0.0  # spacing between writes
    log: list[str] = field(default_factory=list)  # "POST /repos/o/r/pulls/1/reviews -> 200"


@dataclass(slots=True)
class PriorState:
    """What earlier runs of the bot left on the change request."""

    identity: Identity
    summary: StickyComment | None = None
    last_head_sha: str | None = None  # from the summary's marker: review from here on
    comments: list[MarkedComment] = field(default_factory=list)
    reads: int = 0  # requests it took to learn all this
    # The counter those reads were counted in, so a publisher that read it itself does not
    # count them twice.
    counted_by: RequestCounts | None = field(default=None, repr=False, compare=False)

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(c.fingerprint for c in self.comments)

    @property
    def outdated(self) -> list[MarkedComment]:
        return [c for c in self.comments if c.outdated]

    @property
    def summary_comment_id(self) -> int | None:
        return self.summary.id if self.summary else None


@dataclass(slots=True)
class ReviewOutcome:
    """What became of the planned line comments."""

    review_id: int | None = None
    web_url: str | None = None
    posted: list[Finding] = field(default_factory=list)
    moved: list[MovedFinding] = field(default_factory=list)  # to the summary instead
    refused: int = 0  # of `moved`, those the forge refused to place on their line
    error: str | None = None
    attempts: int = 0  # reviews created: the whole, tries, the final one


@dataclass(slots=True)
class StatusOutcome:
    """The verdict written on the head commit: a check run, or a commit status."""

    check_run_id: int | None = None
    web_url: str | None = None
    status_state: str | None = None  # set when a commit status was written
    conclusion: str = ""
    annotations: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PublishResult:
    review_id: int | None  # the one review of the run, if it had line comments
    comments_posted: int
    moved_to_summary: int
    repeated: int  # findings already posted by an earlier run, not posted again
    refused: int  # line comments the forge refused, shown in the summary instead
    check_run_id: int | None
    status: str | None  # the commit status state, when one was written instead of a check run
    conclusion: str
    summary_comment_id: int | None
    reads: int
    writes: int
    retries: int = 0
    waited_s: float = 0.0
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Why publishing could not be done at all (the token may not write, the rate limit held):
    # the CLI exits with its code once the report is out. None when it was done, even with
    # some comments refused.
    failure: SwitchyardError | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class FetchedRules:
    paths: list[Path] = field(default_factory=list)  # one per named rule file or folder read
    notes: list[str] = field(default_factory=list)  # what was not read, and why


class ForgeUnavailable(TransientError, IncompleteError):
    """The forge did not answer, or kept answering a 5xx or a rate limit past the waits a
    run allows: the run could not complete (IncompleteError, exit 3), and a worker runs the
    job again later (TransientError, with `retry_after` when the forge said)."""


class PublishRefused(Exception):
    """The forge refused a write; the message is its own words (untrusted: escape to show)."""


class ChangeSource(Protocol):
    """Reads one change request. Errors are SwitchyardErrors a user can act on. The
    repository's settings are `read_file` on the base ref (base_settings.py)."""

    @property
    def repository(self) -> str: ...

    def read_change(self) -> tuple[Change, ChangeRequest]:
        """The change, unfiltered (the filters are the base branch's), and what it is."""
        ...

    def read_file(self, path: str, ref: str, *, purpose: str) -> bytes | None:
        """A file's bytes at `ref`; None when absent. `purpose` words the error message."""
        ...

    def rule_files(self, ref: str, rules: list[str], dest: Path) -> FetchedRules:
        """The repository's own rule files and folders named in `rules`, as on `ref`,
        written under `dest` at their paths in the repository."""
        ...

    def changed_since(self, old_head: str, new_head: str) -> frozenset[str] | None:
        """Paths that commits after `old_head` up to `new_head` touched; None when
        `old_head` is no longer an ancestor (a force-push) or the forge cannot say."""
        ...


class Publisher(Protocol):
    """Posts one task's results on one change request, at one head."""

    task: str
    head_sha: str
    max_comments: int
    # Set when a refusal no retry will change stopped publishing (PublishResult.failure).
    failure: SwitchyardError | None

    @property
    def counts(self) -> RequestCounts: ...

    def read_state(self) -> PriorState: ...

    def write_started(self, prior: PriorState) -> None:
        """Shows the task as running on the head (a check run in progress), before the
        model work; its write_status ends that same one. Refusals are logged, not raised."""
        ...

    def comment_body(self, finding: Finding) -> str:
        """A line comment's Markdown: comment_plan.comment_body with the forge's own
        suggestion fence and size limit."""
        ...

    def post_review(
        self, comments: list[LineComment], body_for: Callable[[list[Finding]], str]
    ) -> ReviewOutcome:
        """One review holding the line comments the forge accepts; `body_for(posted)`
        writes its own text. The refused ones come back in `moved`."""
        ...

    def write_summary(self, body: str, existing: StickyComment | None) -> StickyComment:
        """Creates the sticky summary, or edits `existing` in place. Raises PublishRefused."""

    def replied(self, task: str, key: str) -> bool:
        """Whether a comment of the bot's already answers the command `key` for `task`
        (markers.reply_marker): a job run again after it posted. False when the forge
        cannot say: an answer twice is better than none."""
        ...

    def write_status(
        self, report: RunReport, details_url: str | None, prior: PriorState
    ) -> StatusOutcome: ...


# The publisher for a task on the change request as read: tasks post separately (their own
# review, check and summary), on the head that was reviewed.
PublisherFor = Callable[[str, ChangeRequest], Publisher]
