"""Publishing a run on a GitHub pull request: the one entry point.

    prior = read_state(gh, "o/r", 7)               # what earlier runs left (optional)
    result = GitHubPublisher(gh, "o/r", 7, head_sha).publish(report, prior)

In order, so that each step can point at the one before:
1. read what earlier runs left (unless given): who the bot is, its sticky summary comment
   (with the last head reviewed), and its review comments' fingerprints, outdated or not;
2. one review, event COMMENT, with the findings that sit on lines and were not posted before;
3. the sticky summary comment, created or edited in place, with everything else;
4. the check run (or commit status), linking to the summary comment.

A failed step does not stop the later ones: its error is kept in the result, and findings
that could not be shown on lines are shown in the summary instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from github import Github
from github.GithubException import GithubException

from bot.findings.model import Finding
from bot.forges.github.checks import CheckWriter
from bot.forges.github.client import error_text
from bot.forges.github.markers import (
    Identity,
    MarkedComment,
    marked_review_comment,
    parse_summary_marker,
)
from bot.forges.github.pacing import PacedClient
from bot.forges.github.review import DEFAULT_MAX_COMMENTS, plan_review, review_body
from bot.forges.github.review_writer import ReviewOutcome, ReviewWriter
from bot.forges.github.summary import (
    StickyComment,
    SummaryInput,
    find_summary,
    render_summary,
    upsert_summary,
)
from bot.report import RunReport


@dataclass(slots=True)
class PriorState:
    """What earlier runs of the bot left on the pull request."""

    identity: Identity
    summary: StickyComment | None = None
    last_head_sha: str | None = None  # from the summary's marker: review from here on
    comments: list[MarkedComment] = field(default_factory=list)
    reads: int = 0  # requests it took to learn all this
    _client: PacedClient | None = field(default=None, repr=False, compare=False)

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
class PublishResult:
    review_id: int | None  # the one review of the run, if it had line comments
    comments_posted: int
    moved_to_summary: int
    repeated: int  # findings already posted by an earlier run, not posted again
    refused: int  # line comments GitHub refused (422), shown in the summary instead
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

    @property
    def ok(self) -> bool:
        return not self.errors


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
        _client=client,
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

    def read_state(self) -> PriorState:
        return _read_state(self.client, self.repository, self.number, self.task, self.login)

    def publish(self, report: RunReport, prior: PriorState | None = None) -> PublishResult:
        errors: list[str] = []
        outside_reads = 0
        if prior is None:
            prior = self.read_state()
        elif prior._client is not self.client:
            outside_reads = prior.reads

        plan = plan_review(
            report.findings, posted_before=prior.fingerprints, max_comments=self.max_comments
        )
        outcome = ReviewOutcome()
        if plan.comments:
            writer = ReviewWriter(self.client, self.repository, self.number, self.head_sha)

            def body_for(posted: list[Finding]) -> str:
                more = bool(plan.moved) or len(posted) < len(plan.comments)
                return review_body(self.task, self.head_sha, posted, more)

            outcome = writer.post(plan.comments, body_for)
            if outcome.error:
                errors.append(f"review: {outcome.error}")
        moved = plan.moved + outcome.moved

        # An incomplete run does not move the mark: the next run covers the missed parts
        # again (and its fingerprints keep what was posted from being posted twice).
        mark = self.head_sha if report.summary.complete else prior.last_head_sha
        body = render_summary(
            SummaryInput(
                report=report,
                head_sha=mark,
                posted=outcome.posted,
                moved=moved,
                repeated=plan.repeated,
                outdated=prior.outdated,
                review_url=outcome.html_url,
            )
        )
        sticky: StickyComment | None = None
        try:
            sticky = upsert_summary(self.client, self.repository, self.number, body, prior.summary)
        except GithubException as exc:
            errors.append(f"summary comment: {error_text(exc)}")

        check = CheckWriter(self.client, self.repository, self.head_sha, self.task).publish(
            report,
            details_url=sticky.html_url if sticky else None,
            checks_allowed=prior.identity.may_write_checks,
        )
        errors += check.errors

        counts = self.client.counts
        return PublishResult(
            review_id=outcome.review_id,
            comments_posted=len(outcome.posted),
            moved_to_summary=len(moved),
            repeated=len(plan.repeated),
            refused=sum(1 for m in outcome.moved if m.reason.startswith("GitHub refused")),
            check_run_id=check.check_run_id,
            status=check.status_state,
            conclusion=check.conclusion,
            summary_comment_id=sticky.id if sticky else None,
            reads=counts.reads + outside_reads,
            writes=counts.writes,
            retries=counts.retries,
            waited_s=counts.waited_s,
            requests=list(counts.log),
            errors=errors,
        )
