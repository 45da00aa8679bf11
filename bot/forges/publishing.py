"""Publishing one task's run on a change request, the same steps on every forge.

In order, so that each step can point at the one before:
1. read what earlier runs left (unless given): who the bot is, its sticky summary comment
   (with the last head reviewed), and its line comments' fingerprints, outdated or not;
2. one review with the findings that sit on lines and were not posted before;
3. the sticky summary comment, created or edited in place, with everything else;
4. the check run or commit status, linking to the summary comment.

A failed step does not stop the later ones: its error is kept in the result, and findings
that could not be shown on lines are shown in the summary instead. A forge that is down or
holding a rate limit (TransientError) stops the steps after it, which would meet it too: it
becomes the result's `failure`, so a worker runs the job again later. What each step sends is
the publisher's (contract.Publisher); what goes where is decided here.
"""

from __future__ import annotations

from bot.errors import TransientError
from bot.findings.model import Finding
from bot.forges.comment_plan import plan_review, review_body
from bot.forges.contract import (
    PriorState,
    Publisher,
    PublishRefused,
    PublishResult,
    ReviewOutcome,
    StatusOutcome,
)
from bot.forges.summary import SummaryInput, render_summary
from bot.report import RunReport, posted_findings


def publish(
    publisher: Publisher, report: RunReport, prior: PriorState | None = None
) -> PublishResult:
    errors: list[str] = []
    counts = publisher.counts
    if prior is None:
        prior = publisher.read_state()
    outside_reads = prior.reads if prior.counted_by is not counts else 0
    # The report keeps every finding; the forge gets the review.max_findings most severe.
    plan = plan_review(
        posted_findings(report),
        posted_before=prior.fingerprints,
        max_comments=publisher.max_comments,
        body=publisher.comment_body,
    )
    task, head = publisher.task, publisher.head_sha

    def body_for(posted: list[Finding]) -> str:
        more = bool(plan.moved) or len(posted) < len(plan.comments)
        return review_body(task, head, posted, more)

    unavailable: TransientError | None = None
    outcome = ReviewOutcome()
    if plan.comments:
        try:
            outcome = publisher.post_review(plan.comments, body_for)
        except TransientError as exc:
            unavailable = exc
            errors.append(f"review: {exc.message}")
    if outcome.error:
        errors.append(f"review: {outcome.error}")
    moved = plan.moved + outcome.moved

    # An incomplete run does not move the mark: the next run covers the missed parts
    # again (and its fingerprints keep what was posted from being posted twice).
    mark = head if report.summary.complete else prior.last_head_sha
    body = render_summary(
        SummaryInput(
            report=report,
            head_sha=mark,
            posted=outcome.posted,
            moved=moved,
            repeated=plan.repeated,
            outdated=prior.outdated,
            review_url=outcome.web_url,
        )
    )
    sticky = None
    status = StatusOutcome()
    try:
        # The forge is down or holding a rate limit: the later steps would meet it too. The
        # run's report keeps the findings, and the failure says to run it again later.
        if unavailable is None:
            try:
                sticky = publisher.write_summary(body, prior.summary)
            except PublishRefused as exc:
                errors.append(f"summary comment: {exc}")
            status = publisher.write_status(report, sticky.web_url if sticky else None, prior)
            errors += status.errors
    except TransientError as exc:
        errors.append(f"{'status' if sticky else 'summary comment'}: {exc.message}")
        unavailable = exc
    return PublishResult(
        review_id=outcome.review_id,
        comments_posted=len(outcome.posted),
        moved_to_summary=len(moved),
        repeated=len(plan.repeated),
        refused=outcome.refused,
        check_run_id=status.check_run_id,
        status=status.status_state,
        conclusion=status.conclusion,
        summary_comment_id=sticky.id if sticky else None,
        reads=counts.reads + outside_reads,
        writes=counts.writes,
        retries=counts.retries,
        waited_s=counts.waited_s,
        requests=list(counts.log),
        errors=errors,
        failure=publisher.failure or unavailable,
    )
