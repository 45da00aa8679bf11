"""A line comment as GitHub's review API takes it: one entry of the review's `comments`.

Which findings become line comments is the shared comment plan's (bot/forges/comment_plan.py);
here is only GitHub's shape for one: `line` and `side`, with `start_line` and `start_side`
for a range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.findings.model import Finding
from bot.forges.comment_plan import comment_body


@dataclass(slots=True)
class PlannedComment:
    finding: Finding
    payload: dict[str, Any]  # one item of the review's `comments`


def comment_payload(finding: Finding, body: str | None = None) -> dict[str, Any]:
    """One entry of `comments` for POST /pulls/{n}/reviews, with line/side/start_line;
    `body` as the comment plan wrote it (by default, written here)."""
    if finding.start_line is None:
        raise ValueError("a file-level finding has no line to comment on")
    start = finding.start_line
    end = max(finding.end_line or start, start)
    side = finding.side.value
    payload: dict[str, Any] = {
        "path": finding.path,
        "body": comment_body(finding) if body is None else body,
        "line": end,
        "side": side,
    }
    if end > start:
        # A multi-line comment: GitHub wants the range's first line on the same side.
        payload["start_line"] = start
        payload["start_side"] = side
    return payload
