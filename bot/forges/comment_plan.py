"""The comment plan: which findings become line comments, which go to the summary, and
what an earlier run already posted. The same on every forge; only the posting differs.

- a finding that is not anchored (a file-level note) cannot sit on a line: summary;
- a finding already posted in an earlier run (same fingerprint) is not posted again;
- at most `max_comments` line comments (30 by default: more in one request is where others
  met GitHub's abuse detection), the most severe first; the rest: summary;
- a comment the forge refuses is moved to the summary by its publisher; the others are
  still posted.

The bot never approves or requests changes: a model's opinion is not a maintainer's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bot.change.model import Side
from bot.findings.model import Finding
from bot.forges.body_fit import MAX_BODY_BYTES, fit_text, utf8_len
from bot.forges.markers import fingerprint_marker, review_marker
from bot.publish.markdown import block, code_block, counts_text, inline

DEFAULT_MAX_COMMENTS = 30
MAX_TITLE_CHARS = 300
# GitHub's fence, and GitLab's for a one-line suggestion (GitLab's `suggestion:-N+0`
# covers the N lines above as well).
SUGGESTION_FENCE = "suggestion"

NOT_ON_A_LINE = "not on a changed line"
OVER_THE_CAP = "over the limit of {n} line comments per review"

_SUGGESTION_TOO_LONG = "_The suggested change is too long for a comment; see the run's report._"


@dataclass(frozen=True, slots=True)
class MovedFinding:
    """A finding shown in the summary comment instead of on a line, and why."""

    finding: Finding
    reason: str


@dataclass(frozen=True, slots=True)
class LineComment:
    """A finding to post on its line, and the Markdown it is posted with."""

    finding: Finding
    body: str


@dataclass(slots=True)
class ReviewPlan:
    comments: list[LineComment] = field(default_factory=list)
    moved: list[MovedFinding] = field(default_factory=list)
    repeated: list[Finding] = field(default_factory=list)  # posted by an earlier run


def _headline(finding: Finding) -> str:
    title = inline(finding.title[:MAX_TITLE_CHARS]) or "(untitled)"
    category = inline(finding.category[:60])
    meta = f" · {category}" if category else ""
    source = f" · from {inline(finding.source[:60])}" if finding.source != "model" else ""
    return f"**{finding.severity.value}**{meta}{source} · {title}"


def _suggestion_part(finding: Finding, fence: str) -> str:
    if finding.suggestion is None:
        return ""
    # Committable only where it replaces exactly the commented lines of the head; anchor.py
    # has checked the range, so only the side is left to decide here.
    if finding.anchored and finding.side is Side.RIGHT:
        return code_block(finding.suggestion, fence)
    return "Suggested change:\n\n" + code_block(finding.suggestion)


def comment_body(
    finding: Finding, limit: int = MAX_BODY_BYTES, *, fence: str = SUGGESTION_FENCE
) -> str:
    """The Markdown of one line comment: hidden fingerprint first, then the escaped finding,
    its suggestion committable under `fence`."""
    head = [m for m in (fingerprint_marker(finding.fingerprint),) if m]
    head.append(_headline(finding))
    suggestion = _suggestion_part(finding, fence)

    def render(body: str, tail: str) -> str:
        parts = ["\n".join(head)]
        if body.strip():
            parts.append(block(body))
        if tail:
            parts.append(tail)
        return "\n\n".join(parts) + "\n"

    full = render(finding.body, suggestion)
    if utf8_len(full) <= limit:
        return full
    # A suggestion is committed whole; a cut one would be wrong code, so it is dropped.
    if suggestion and utf8_len(render("", suggestion)) > limit // 2:
        suggestion = _SUGGESTION_TOO_LONG
    return fit_text(lambda body: render(body, suggestion), finding.body, limit)


def _order(findings: list[Finding]) -> list[Finding]:
    """Most severe first; by place within a severity, so a rerun picks the same ones."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.start_line or 0))


def plan_review(
    findings: list[Finding],
    *,
    posted_before: Collection[str] = (),
    max_comments: int = DEFAULT_MAX_COMMENTS,
    body: Callable[[Finding], str] = comment_body,
) -> ReviewPlan:
    """`body(finding)` writes a line comment's Markdown (a forge passes its own fence)."""
    plan = ReviewPlan()
    known = set(posted_before)
    seen: set[str] = set()
    candidates: list[Finding] = []
    for f in findings:
        if f.fingerprint and f.fingerprint in known:
            plan.repeated.append(f)
            continue
        if f.fingerprint and f.fingerprint in seen:
            continue  # the same finding twice in one run: one comment
        if f.fingerprint:
            seen.add(f.fingerprint)
        if not f.anchored:
            plan.moved.append(MovedFinding(f, NOT_ON_A_LINE))
            continue
        candidates.append(f)
    ordered = _order(candidates)
    cap = max(max_comments, 0)
    plan.comments = [LineComment(f, body(f)) for f in ordered[:cap]]
    plan.moved += [MovedFinding(f, OVER_THE_CAP.format(n=cap)) for f in ordered[cap:]]
    return plan


def review_body(task: str, head_sha: str, posted: list[Finding], more_in_summary: bool) -> str:
    """The review's own text, counting the findings it holds."""
    lines = [
        review_marker(task, head_sha),
        f"**Switchyard {inline(task)}:** {counts_text(posted)} on changed lines.",
    ]
    if more_in_summary:
        lines.append("Findings that are not on these lines are in the summary comment.")
    return "\n".join(lines) + "\n"
