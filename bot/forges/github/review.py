"""The pull request review: one per run, event COMMENT, with the findings that sit on lines.

What goes on a line and what goes to the summary comment:
- a finding that is not anchored (a file-level note) cannot sit on a line: summary;
- a finding already posted in an earlier run (same fingerprint) is not posted again;
- at most `max_comments` line comments (30 by default: more in one request is where others
  met GitHub's abuse detection), the most severe first; the rest: summary;
- a comment GitHub refuses (422) is moved to the summary; the others are still posted in
  the one review (review_writer.py).

The bot never approves or requests changes: a model's opinion is not a maintainer's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from bot.change.model import Side
from bot.findings.model import Finding
from bot.forges.github.markers import fingerprint_marker, review_marker
from bot.publish.markdown import block, clean_text, code_block, counts_text, inline

DEFAULT_MAX_COMMENTS = 30
# GitHub refuses bodies over 65,536 characters. Measuring UTF-8 bytes instead is never
# more permissive, whatever unit GitHub counts in; the margin leaves room for its own notes.
MAX_BODY_BYTES = 65_000
MAX_TITLE_CHARS = 300

NOT_ON_A_LINE = "not on a changed line"
OVER_THE_CAP = "over the limit of {n} line comments per review"

_TRUNCATED = "\n\n_(Truncated: the full text is in the run's report.)_"
_SUGGESTION_TOO_LONG = "_The suggested change is too long for a comment; see the run's report._"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def fit_text(render: Callable[[str], str], raw: str, limit: int, tail: str = _TRUNCATED) -> str:
    """`render(raw)`, with `raw` cut (and `tail` added) until the result fits in `limit` bytes.

    `raw` is untrusted text that `render` escapes; escaping only grows text, so cutting the
    overflow from the raw text gets close in one or two rounds.
    """
    text = render(raw)
    if utf8_len(text) <= limit:
        return text
    raw = clean_text(raw)
    keep = len(raw)
    for _ in range(40):
        overflow = utf8_len(text) - limit
        if overflow <= 0:
            return text
        keep = max(keep - max(overflow, 64), 0)
        text = render(raw[:keep].rstrip() + tail)
        if keep == 0:
            break
    # `render` alone is over the limit: nothing of `raw` can be kept.
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


@dataclass(frozen=True, slots=True)
class MovedFinding:
    """A finding shown in the summary comment instead of on a line, and why."""

    finding: Finding
    reason: str


@dataclass(slots=True)
class PlannedComment:
    finding: Finding
    payload: dict[str, Any]  # one item of the review's `comments`


@dataclass(slots=True)
class ReviewPlan:
    comments: list[PlannedComment] = field(default_factory=list)
    moved: list[MovedFinding] = field(default_factory=list)
    repeated: list[Finding] = field(default_factory=list)  # posted by an earlier run


# -- building ---------------------------------------------------------------------------------


def _headline(finding: Finding) -> str:
    title = inline(finding.title[:MAX_TITLE_CHARS]) or "(untitled)"
    category = inline(finding.category[:60])
    meta = f" · {category}" if category else ""
    source = f" · from {inline(finding.source[:60])}" if finding.source != "model" else ""
    return f"**{finding.severity.value}**{meta}{source} · {title}"


def _suggestion_part(finding: Finding) -> str:
    if finding.suggestion is None:
        return ""
    # Committable only where it replaces exactly the commented lines of the head; anchor.py
    # has checked the range, so only the side is left to decide here.
    if finding.anchored and finding.side is Side.RIGHT:
        return code_block(finding.suggestion, "suggestion")
    return "Suggested change:\n\n" + code_block(finding.suggestion)


def comment_body(finding: Finding, limit: int = MAX_BODY_BYTES) -> str:
    """The Markdown of one line comment: hidden fingerprint first, then the escaped finding."""
    head = [m for m in (fingerprint_marker(finding.fingerprint),) if m]
    head.append(_headline(finding))
    suggestion = _suggestion_part(finding)

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


def comment_payload(finding: Finding) -> dict[str, Any]:
    """One entry of `comments` for POST /pulls/{n}/reviews, with line/side/start_line."""
    if finding.start_line is None:
        raise ValueError("a file-level finding has no line to comment on")
    start = finding.start_line
    end = max(finding.end_line or start, start)
    side = finding.side.value
    payload: dict[str, Any] = {
        "path": finding.path,
        "body": comment_body(finding),
        "line": end,
        "side": side,
    }
    if end > start:
        # A multi-line comment: GitHub wants the range's first line on the same side.
        payload["start_line"] = start
        payload["start_side"] = side
    return payload


def _order(findings: list[Finding]) -> list[Finding]:
    """Most severe first; by place within a severity, so a rerun picks the same ones."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.path, f.start_line or 0))


def plan_review(
    findings: list[Finding],
    *,
    posted_before: Collection[str] = (),
    max_comments: int = DEFAULT_MAX_COMMENTS,
) -> ReviewPlan:
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
    plan.comments = [PlannedComment(f, comment_payload(f)) for f in ordered[:cap]]
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
