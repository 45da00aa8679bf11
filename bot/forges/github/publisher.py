"""Publishing a run on a GitHub pull request: GitHub's side of the door's contract.

    prior = read_state(gh, "o/r", 7)               # what earlier runs left (optional)
    result = GitHubPublisher(gh, "o/r", 7, head_sha).publish(report, prior)

The steps and what goes where are the shared ones (bot/forges/publishing.py); here is how
GitHub takes each: one review of event COMMENT (review_writer.py), the summary as an issue
comment (sticky.py), a check run or a commit status (checks.py), every request paced
(pacing.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from github import Github
from github.GithubException import GithubException

from bot.errors import SwitchyardError
from bot.findings.model import Finding
from bot.forges.comment_plan import DEFAULT_MAX_COMMENTS, LineComment, comment_body
from bot.forges.contract import (
    Identity,
    PriorState,
    PublishRefused,
    PublishResult,
    RequestCounts,
    ReviewOutcome,
    StatusOutcome,
    StickyComment,
)
from bot.forges.github.authorship import is_ours, marked_review_comment, may_write_checks
from bot.forges.github.checks import CheckWriter
from bot.forges.github.client import error_text
from bot.forges.github.pacing import PacedClient
from bot.forges.github.review import PlannedComment, comment_payload
from bot.forges.github.review_writer import ReviewWriter
from bot.forges.github.sticky import find_summary, upsert_summary
from bot.forges.markers import is_reply_for, parse_summary_marker
from bot.forges.publishing import publish
from bot.report import RunReport


def whoami(client: PacedClient, login: str | None = None) -> Identity:
    if login:
        return Identity(login)
    try:
        data = client.get("/user")
    except GithubException as exc:
        # An App installation token and GITHUB_TOKEN may not read /user.
        if exc.status in (401, 403, 404):
            return Identity(None)
        raise
    return Identity(data.get("login"), data.get("type"))


def _read_state(
    client: PacedClient, repository: str, number: int, task: str, login: str | None
) -> PriorState:
    before = client.counts.reads
    identity = whoami(client, login)
    summary = find_summary(client, repository, number, task, identity)
    marker = parse_summary_marker(summary.body) if summary else None
    comments = [
        marked
        for raw in client.paginate(f"/repos/{repository}/pulls/{number}/comments")
        if (marked := marked_review_comment(raw, identity)) is not None
    ]
    return PriorState(
        identity=identity,
        summary=summary,
        last_head_sha=marker.head_sha if marker else None,
        comments=comments,
        reads=client.counts.reads - before,
        counted_by=client.counts,
    )


def read_state(
    gh: Github,
    repository: str,
    number: int,
    *,
    task: str = "review",
    login: str | None = None,
) -> PriorState:
    """What earlier runs left: the lead's run reads `last_head_sha` to pick the diff range.

    `login`: the bot's login when known (e.g. `my-app[bot]`), which saves GET /user and is
    the only way to recognise an App's comments by name (its token may not read /user).
    """
    return _read_state(PacedClient(gh), repository, number, task, login)


class GitHubPublisher:
    failure: SwitchyardError | None = None  # GitHub's refusals stay in the result's errors

    def __init__(
        self,
        gh: Github,
        repository: str,
        number: int,
        head_sha: str,
        *,
        task: str = "review",
        max_comments: int = DEFAULT_MAX_COMMENTS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        login: str | None = None,
    ) -> None:
        self.repository = repository
        self.number = number
        self.head_sha = head_sha
        self.task = task
        self.max_comments = max_comments
        self.login = login
        self.client = PacedClient(gh, sleep=sleep, clock=clock)
        self._started_check: int | None = None

    @property
    def counts(self) -> RequestCounts:
        return self.client.counts

    def read_state(self) -> PriorState:
        prior = _read_state(self.client, self.repository, self.number, self.task, self.login)
        self.login = self.login or prior.identity.login
        return prior

    def write_started(self, prior: PriorState) -> None:
        writer = CheckWriter(self.client, self.repository, self.head_sha, self.task)
        self._started_check = writer.start(checks_allowed=may_write_checks(prior.identity))

    def publish(self, report: RunReport, prior: PriorState | None = None) -> PublishResult:
        return publish(self, report, prior)

    def propose(self, branch: str, into: str, title: str, body: str) -> str:
        """A pull request of `branch` into `into`; its address."""
        from bot.forges.github.proposal import open_pull_request

        return open_pull_request(
            self.client, self.repository, branch=branch, base=into, title=title, body=body
        )

    def comment_body(self, finding: Finding) -> str:
        return comment_body(finding)

    def post_review(
        self, comments: list[LineComment], body_for: Callable[[list[Finding]], str]
    ) -> ReviewOutcome:
        planned = [PlannedComment(c.finding, comment_payload(c.finding, c.body)) for c in comments]
        writer = ReviewWriter(self.client, self.repository, self.number, self.head_sha)
        return writer.post(planned, body_for)

    def write_summary(self, body: str, existing: StickyComment | None) -> StickyComment:
        try:
            return upsert_summary(self.client, self.repository, self.number, body, existing)
        except GithubException as exc:
            raise PublishRefused(error_text(exc)) from exc

    def replied(self, task: str, key: str) -> bool:
        try:
            identity = whoami(self.client, self.login)
            self.login = self.login or identity.login
            return any(
                is_reply_for(c.get("body"), task, key) and is_ours(c, identity)
                for c in self.client.paginate(
                    f"/repos/{self.repository}/issues/{self.number}/comments"
                )
            )
        except (GithubException, SwitchyardError):
            return False  # GitHub cannot say now: answering twice beats not answering

    def write_status(
        self, report: RunReport, details_url: str | None, prior: PriorState
    ) -> StatusOutcome:
        writer = CheckWriter(
            self.client, self.repository, self.head_sha, self.task, started_id=self._started_check
        )
        return writer.publish(
            report,
            details_url=details_url,
            checks_allowed=may_write_checks(prior.identity),
        )
