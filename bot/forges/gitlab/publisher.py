"""Publishing a run on a GitLab merge request: GitLab's side of the door's contract.

The steps and what goes where are the shared ones (bot/forges/publishing.py); here is how
GitLab takes each: a diff note per line comment (discussions.py, with committable
suggestions), the summary as one note edited in place (notes.py), a commit status
`switchyard/<task>` (status.py). GitLab has no review to hold the comments, so the shared
step's review text has nowhere to go: the summary note says the same.

A refusal no retry changes (401, 403, a 404 on the merge request, a rate limit that held,
GitLab down) is kept in `failure` and stops this publisher's later writes, which would meet
it too: the findings are in the run's report, and the CLI exits with the failure's code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gitlab.exceptions import GitlabError

from bot.errors import SwitchyardError
from bot.findings.model import Finding
from bot.forges.comment_plan import DEFAULT_MAX_COMMENTS, LineComment, comment_body
from bot.forges.contract import (
    ChangeRequest,
    Identity,
    PriorState,
    PublishRefused,
    RequestCounts,
    ReviewOutcome,
    StatusOutcome,
    StickyComment,
)
from bot.forges.gitlab.client import NETWORK_ERRORS, GitLabAPI, error_text, gitlab_error
from bot.forges.gitlab.discussions import Stop, not_posted, post_comments
from bot.forges.gitlab.notes import has_reply, read_state, upsert_summary, whoami
from bot.forges.gitlab.positions import suggestion_fence
from bot.forges.gitlab.source import GitLabSource
from bot.forges.gitlab.status import already_set, status_request, status_state
from bot.forges.verdict import verdict
from bot.report import RunReport

log = logging.getLogger(__name__)

WRITE_NEEDS = "the api scope (read_api only reads) and the Developer role"


class GitLabPublisher:
    def __init__(
        self,
        source: GitLabSource,
        info: ChangeRequest,
        *,
        task: str = "review",
        max_comments: int = DEFAULT_MAX_COMMENTS,
        identity: Identity | None = None,
    ) -> None:
        self.source = source
        self.api: GitLabAPI = source.api
        self.facts = source.facts
        self.head_sha = info.head_sha
        self.task = task
        self.max_comments = max_comments
        self.identity = identity
        self.failure: SwitchyardError | None = None
        self._counts = RequestCounts()

    @property
    def counts(self) -> RequestCounts:
        return self._counts

    def read_state(self) -> PriorState:
        mr = self.source.merge_request()
        with self.api.counting(self._counts):
            before = self._counts.reads
            self.identity = self.identity or whoami(self.api)
            prior = read_state(self.api, mr, self.facts, self.task, self.identity)
        prior.reads = self._counts.reads - before
        prior.counted_by = self._counts
        return prior

    def comment_body(self, finding: Finding) -> str:
        return comment_body(finding, fence=suggestion_fence(finding))

    def post_review(
        self, comments: list[LineComment], body_for: Callable[[list[Finding]], str]
    ) -> ReviewOutcome:
        if self.failure is not None:
            out = ReviewOutcome()
            not_posted(out, comments, self.failure.message)
            return out
        with self.api.counting(self._counts):
            mr = self.source.merge_request()
            return post_comments(mr, self.facts, comments, self._stop_for)

    def write_summary(self, body: str, existing: StickyComment | None) -> StickyComment:
        if self.failure is not None:
            raise PublishRefused(f"not attempted: {self.failure.message}")
        with self.api.counting(self._counts):
            try:
                return upsert_summary(self.source.merge_request(), self.facts, body, existing)
            except (GitlabError, *NETWORK_ERRORS) as exc:
                self._stop_for(exc, "write the summary note")
                raise PublishRefused(error_text(exc)) from exc

    def replied(self, task: str, key: str) -> bool:
        if self.failure is not None:
            return False
        with self.api.counting(self._counts):
            try:
                self.identity = self.identity or whoami(self.api)
                return has_reply(self.source.merge_request(), self.identity, task, key)
            except (GitlabError, SwitchyardError, *NETWORK_ERRORS):
                return False  # GitLab cannot say now: answering twice beats not answering

    def write_status(
        self, report: RunReport, details_url: str | None, prior: PriorState
    ) -> StatusOutcome:
        v = verdict(report)
        state = status_state(report, v)
        out = StatusOutcome(conclusion=v.conclusion)
        self._set_status(state, v.title, details_url, out)
        return out

    def propose(self, branch: str, into: str, title: str, body: str) -> str:
        """A merge request of `branch` into `into`; its address."""
        from bot.forges.gitlab.proposal import open_merge_request

        return open_merge_request(self.source, branch=branch, target=into, title=title, body=body)

    def write_started(self, prior: PriorState) -> None:
        # Running; the outcome moves it on in place. On a job run again it runs already,
        # and GitLab's refusal to run it twice is taken as already said.
        out = StatusOutcome()
        self._set_status("running", f"Running the {self.task}", None, out)
        for error in out.errors:
            log.warning("could not show %s as started: %s", self.task, error[:200])

    def _set_status(
        self, state: str, title: str, details_url: str | None, out: StatusOutcome
    ) -> None:
        if self.failure is not None:
            out.errors.append(f"commit status: not attempted: {self.failure.message}")
            return
        body = status_request(self.facts, self.task, state, title, details_url)
        commit = self.source.project().commits.get(self.head_sha, lazy=True)
        with self.api.counting(self._counts):
            try:
                commit.statuses.create(body)
            except (GitlabError, *NETWORK_ERRORS) as exc:
                if not already_set(error_text(exc), state):
                    self._stop_for(exc, "set the commit status")
                    out.errors.append(f"commit status: {error_text(exc)}")
                    return
        out.status_state = state

    def _stop_for(self, exc: Exception, action: str) -> Stop | None:
        """A Stop, with the failure kept, for a refusal no retry changes; None for one that
        concerns this request only (a 400 about a position)."""
        code = exc.response_code if isinstance(exc, GitlabError) else None
        if code is not None and code < 500 and code not in (401, 403, 404, 429):
            return None
        failure = gitlab_error(exc, action, url=self.api.url, need=WRITE_NEEDS)
        self.failure = self.failure or failure
        return Stop(failure)


class GitLabPublishers:
    """The publisher for each task of one run on one merge request: the bot's identity is
    asked once and handed to the next task."""

    def __init__(self, source: GitLabSource) -> None:
        self.source = source
        self._last: GitLabPublisher | None = None

    def __call__(self, task: str, info: ChangeRequest) -> GitLabPublisher:
        identity = self._last.identity if self._last is not None else None
        self._last = GitLabPublisher(self.source, info, task=task, identity=identity)
        return self._last
