"""Posting the planned comments as one pull request review, whatever GitHub refuses.

GitHub refuses a review whole (422) when one comment does not sit on its diff, and says what
is wrong, never which comment: ReviewWriter finds the refused ones with pending reviews that
no one else sees, moves them to the summary, and posts the rest in the one review.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from github.GithubException import GithubException

from bot.findings.model import Finding
from bot.forges.comment_plan import MovedFinding
from bot.forges.contract import ReviewOutcome
from bot.forges.github.client import error_text
from bot.forges.github.pacing import PacedClient
from bot.forges.github.review import PlannedComment
from bot.forges.markers import PREFIX

MAX_ATTEMPTS = 24  # 422s to bisect through: enough for a few refused comments in 30
REFUSED = "GitHub refused the line comment: {why}"
NOT_POSTED = "not posted: {why}"


# 422s about the review as a whole (the head moved on, a leftover draft): no comment is to
# blame, so halving would only spend requests.
_WHOLE_REVIEW = re.compile(r"commit|pending review", re.IGNORECASE)
# GitHub lets a user hold one pending review per pull request, and refuses any other review,
# pending or not, while it exists.
_PENDING_EXISTS = re.compile(r"one pending review", re.IGNORECASE)
# The body of a review this bot wrote (review_marker), whatever the task or head.
_OUR_REVIEW = re.compile(rf"^\ufeff?<!-- {PREFIX}:review ")
TOO_MANY_ATTEMPTS = "too many refused attempts"


class _Stop(Exception):
    """Posting cannot go on (an answer other than a 422 about some comment)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _OutOfAttempts(_Stop):
    """The attempt budget is spent: what is known to be accepted is still posted."""


class _Refused(Exception):
    """GitHub refused a review for some comment in it (422); `why` is its message."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class ReviewWriter:
    """Posts the planned comments as one COMMENT review, whatever GitHub refuses.

    GitHub refuses a review whole (422) when one comment does not sit on its diff, and says
    what is wrong, never which comment. The comments were anchored on the diff already, so
    this is rare; when it happens, the refused ones are found by halving, each half tried as
    a *pending* review: no one but the bot sees one, it notifies no one, and it is deleted
    before the next try (GitHub allows one per user and pull request). Each try holds the
    comments already found good as well, so when the last try is accepted it is the review
    itself, and is submitted as it is (else the review is created from what was found good).
    The halves next to a refused one are likely good; they are tried together once the
    refused half is narrowed down, which usually settles them in one go.

    So the pull request gets exactly one review, with every comment GitHub accepts; the
    refused ones go to the summary. The first request is the whole review, so a run that
    GitHub accepts costs one write. With one bad comment in 30: 7 to 11 writes (each pending
    try that GitHub accepts is created, then deleted), and one review posted.
    `max_attempts` bounds the reviews created (tries and the final one); when it is spent,
    the comments found good are still posted and the rest go to the summary.

    A pending review of the bot's own left by a run that stopped halfway would block every
    later review on the pull request; one found in the way is deleted, and the review tried
    again. A person's own draft (when the token is a person's) is never touched: only a
    review whose body carries the bot's review marker is.
    """

    def __init__(
        self,
        client: PacedClient,
        repository: str,
        number: int,
        head_sha: str,
        *,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.client = client
        self.path = f"/repos/{repository}/pulls/{number}/reviews"
        self.head_sha = head_sha
        self.max_attempts = max_attempts

    def post(
        self,
        planned: list[PlannedComment],
        body_for: Callable[[list[Finding]], str],
    ) -> ReviewOutcome:
        """`body_for(findings)` writes the body of the review holding `findings`."""
        out = ReviewOutcome()
        if planned:
            _Posting(self, planned, body_for, out).run()
        return out


class _Posting:
    """One `ReviewWriter.post`: the search for refused comments and the one review."""

    def __init__(
        self,
        writer: ReviewWriter,
        planned: list[PlannedComment],
        body_for: Callable[[list[Finding]], str],
        out: ReviewOutcome,
    ) -> None:
        self.writer = writer
        self.client = writer.client
        self.planned = planned
        self.body_for = body_for
        self.out = out
        self.good: list[int] = []  # indexes into `planned` that GitHub accepted in a try
        self.refused: dict[int, str] = {}  # index -> GitHub's reason
        self.posted: list[int] = []
        self.pending: int | None = None  # our pending review's id; it holds exactly `good`
        self.cleared = False  # leftover pending reviews looked for already

    def run(self) -> None:
        out = self.out
        everything = list(range(len(self.planned)))
        try:
            try:
                self.posted_as(self.create(everything, submit=True), everything)
            except _Refused as refused:
                try:
                    self.search(everything, refused.why)
                except _OutOfAttempts as stop:
                    out.error = stop.why
                self.finish()
        except _Stop as stop:
            out.error = stop.why
            self.drop_pending(quietly=True)
        except BaseException:
            self.drop_pending(quietly=True)  # a try left behind would block later reviews
            raise
        done = set(self.posted)
        out.refused = len(self.refused)
        for i, p in enumerate(self.planned):
            if i in self.refused:
                out.moved.append(MovedFinding(p.finding, REFUSED.format(why=self.refused[i])))
            elif i not in done:
                out.moved.append(MovedFinding(p.finding, NOT_POSTED.format(why=out.error)))
        if not out.posted and out.error is None:
            out.error = "GitHub refused every line comment"

    # -- the search ------------------------------------------------------------------------

    def search(self, everything: list[int], why: str) -> None:
        """Sorts `everything` (refused as a whole, for `why`) into `good` and `refused`."""
        suspect: tuple[list[int], str] | None = (everything, why)  # holds a refused one
        deferred: list[int] = []  # not tried yet on their own, and likely good
        while suspect is not None or deferred:
            if suspect is None:
                batch, deferred = deferred, []
                reason = self.try_pending(batch)
                if reason is not None:
                    suspect = (batch, reason)
                continue
            items, why = suspect
            if len(items) == 1:
                self.refused[items[0]] = why
                suspect = None
                continue
            mid = len(items) // 2
            left, right = items[:mid], items[mid:]
            reason = self.try_pending(left)
            if reason is None:
                # The whole was refused and its left half was not: the fault is on the right.
                suspect = (right, why)
            else:
                suspect = (left, reason)
                deferred = sorted(deferred + right)

    def try_pending(self, items: list[int]) -> str | None:
        """None when GitHub accepts `items` (with those found good before) in a pending
        review, which is kept until the next try; else GitHub's reason for refusing."""
        if self.out.attempts >= self.writer.max_attempts - 1:
            raise _OutOfAttempts(TOO_MANY_ATTEMPTS)  # before the delete: submit what it holds
        self.drop_pending()
        together = sorted(self.good + items)
        try:
            review = self.create(together, submit=False)
        except _Refused as refused:
            return refused.why
        self.pending = int(review["id"])
        self.good = together
        return None

    def finish(self) -> None:
        """Posts what GitHub accepted: submits the pending review that holds it, or creates
        the review anew when the last try was refused."""
        if not self.good:
            return
        if self.pending is not None:
            body = self.body_for(self.findings(self.good))
            path = f"{self.writer.path}/{self.pending}/events"
            try:
                review = self.client.write("POST", path, {"body": body, "event": "COMMENT"})
            except GithubException as exc:
                if exc.status != 404:
                    raise _Stop(error_text(exc)) from exc
                review = None  # deleted under us (by a run clearing leftovers): create it
            self.pending = None
            if review is not None:
                self.posted_as(review, self.good)
                return
        try:
            self.posted_as(self.create(self.good, submit=True), self.good)
        except _Refused as refused:
            raise _Stop(refused.why) from None

    # -- requests --------------------------------------------------------------------------

    def findings(self, items: list[int]) -> list[Finding]:
        return [self.planned[i].finding for i in items]

    def posted_as(self, review: Any, items: list[int]) -> None:
        out = self.out
        out.review_id = int(review["id"])
        out.web_url = out.web_url or review.get("html_url")
        out.posted += self.findings(items)
        self.posted = list(items)

    def create(self, items: list[int], *, submit: bool) -> Any:
        """POST a review of `items`: submitted (event COMMENT) or pending (no event).

        Raises _Refused for a 422 about some comment, _Stop for anything else. Tries (pending)
        leave one attempt of the budget for the review that follows them."""
        limit = self.writer.max_attempts - (0 if submit else 1)
        if self.out.attempts >= limit:
            raise _OutOfAttempts(TOO_MANY_ATTEMPTS)
        self.out.attempts += 1
        data: dict[str, Any] = {
            "commit_id": self.writer.head_sha,
            "body": self.body_for(self.findings(items)),
            "comments": [self.planned[i].payload for i in items],
        }
        if submit:
            data["event"] = "COMMENT"
        try:
            return self.client.write("POST", self.writer.path, data)
        except GithubException as exc:
            why = error_text(exc)
            if exc.status == 422 and _PENDING_EXISTS.search(why) and self.clear_leftovers():
                return self.create(items, submit=submit)
            if exc.status == 422 and not _WHOLE_REVIEW.search(why):
                raise _Refused(why) from exc
            raise _Stop(why) from exc

    def drop_pending(self, *, quietly: bool = False) -> None:
        """Deletes our pending review, if any; `quietly`: on the way out, whatever happens
        (one left behind is cleared by the next run that meets it)."""
        if self.pending is None:
            return
        review_id, self.pending = self.pending, None
        if not quietly:
            self.delete(review_id)
            return
        with contextlib.suppress(Exception):
            self.delete(review_id)

    def delete(self, review_id: int) -> None:
        try:
            self.client.write("DELETE", f"{self.writer.path}/{review_id}", {})
        except GithubException as exc:
            if exc.status != 404:  # 404: gone already
                raise _Stop(f"a pending review was not deleted: {error_text(exc)}") from exc

    def clear_leftovers(self) -> bool:
        """Deletes the bot's own pending reviews (once a run); True when there were some.
        GitHub lists a pending review to its author alone, so all listed are the token's."""
        if self.cleared:
            return False
        self.cleared = True
        try:
            leftovers = [
                int(r["id"])
                for r in self.client.paginate(self.writer.path)
                if r.get("state") == "PENDING" and _OUR_REVIEW.match(str(r.get("body") or ""))
            ]
        except GithubException as exc:
            raise _Stop(error_text(exc)) from exc
        for review_id in leftovers:
            self.delete(review_id)
        return bool(leftovers)
