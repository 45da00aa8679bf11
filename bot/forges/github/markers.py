"""Hidden markers and authorship: how a run recognises what the bot wrote before.

Three kinds:
- the sticky summary comment starts with `<!-- switchyard:summary task=review head=<sha> -->`
  (the head is the last commit reviewed, for incremental runs);
- each review comment starts with `<!-- switchyard:fp=<fingerprint> -->`, so a finding that
  was already posted is not posted again;
- the review's own body starts with `<!-- switchyard:review task=review head=<sha> -->`.

A marker is only believed on the first line of a body. Model text never comes first (the
bot writes the marker before anything else), so a finding that quotes a marker, even inside
a code span where `<` is left as it is, cannot pass for one. And a marker alone is not
enough: the comment must also be the bot's own (`is_ours`), so a person who quotes a marker
never has their comment edited or read as state.

Every value put inside a marker is reduced to a small alphabet without `>`, so no value can
close the comment early and smuggle text out of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PREFIX = "switchyard"
_SUMMARY_RE = re.compile(
    r"^<!-- switchyard:summary task=(?P<task>[a-z0-9-]+)(?: head=(?P<head>[0-9a-f]{7,64}))? -->$"
)
_FP_RE = re.compile(r"^<!-- switchyard:fp=(?P<fp>[A-Za-z0-9._:+=/-]{1,128}) -->$")
_REVIEW_RE = re.compile(r"^<!-- switchyard:review task=(?P<task>[a-z0-9-]+)")
_SHA_RE = re.compile(r"^[0-9a-f]{7,64}$")
_FP_OK_RE = re.compile(r"^[A-Za-z0-9._:+=/-]{1,128}$")


@dataclass(frozen=True, slots=True)
class SummaryMarker:
    task: str
    head_sha: str | None


def task_slug(task: str) -> str:
    """`Security Review` -> `security-review`: the alphabet a marker accepts."""
    return re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-") or "review"


def _first_line(body: str | None) -> str:
    if not body:
        return ""
    return body.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r").strip()


def summary_marker(task: str, head_sha: str | None) -> str:
    head = head_sha.lower() if head_sha else ""
    head_part = f" head={head}" if _SHA_RE.match(head) else ""
    return f"<!-- {PREFIX}:summary task={task_slug(task)}{head_part} -->"


def parse_summary_marker(body: str | None) -> SummaryMarker | None:
    m = _SUMMARY_RE.match(_first_line(body))
    if m is None:
        return None
    return SummaryMarker(task=m.group("task"), head_sha=m.group("head"))


def is_summary_for(body: str | None, task: str) -> bool:
    marker = parse_summary_marker(body)
    return marker is not None and marker.task == task_slug(task)


def fingerprint_marker(fingerprint: str) -> str | None:
    """None when the fingerprint is empty or odd: such a finding is simply not deduplicated."""
    if not _FP_OK_RE.match(fingerprint or ""):
        return None
    return f"<!-- {PREFIX}:fp={fingerprint} -->"


def parse_fingerprint_marker(body: str | None) -> str | None:
    m = _FP_RE.match(_first_line(body))
    return m.group("fp") if m else None


def review_marker(task: str, head_sha: str | None) -> str:
    head = head_sha.lower() if head_sha else ""
    head_part = f" head={head}" if _SHA_RE.match(head) else ""
    return f"<!-- {PREFIX}:review task={task_slug(task)}{head_part} -->"


def is_review_for(body: str | None, task: str) -> bool:
    m = _REVIEW_RE.match(_first_line(body))
    return m is not None and m.group("task") == task_slug(task)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the token is. `login` is None where GitHub will not say (an App installation
    token, GITHUB_TOKEN: GET /user is refused to them)."""

    login: str | None
    type: str | None = None  # "User" | "Bot" | None

    @property
    def may_write_checks(self) -> bool:
        # Check runs are for GitHub Apps; a user's token (classic, fine-grained, OAuth) is
        # refused, so asking only costs a write.
        return self.type != "User"


def is_ours(comment: dict[str, Any], identity: Identity) -> bool:
    user = comment.get("user") or {}
    if identity.login:
        return str(user.get("login") or "").lower() == identity.login.lower()
    # Without a login to compare, only a bot account: never a person quoting the marker.
    return user.get("type") == "Bot"


@dataclass(frozen=True, slots=True)
class MarkedComment:
    """One of the bot's review comments, read back: its fingerprint and where it now sits."""

    id: int
    fingerprint: str
    path: str
    line: int | None
    original_line: int | None
    outdated: bool  # the code under it changed since: GitHub no longer places it on the diff
    html_url: str | None = None


def marked_review_comment(comment: dict[str, Any], identity: Identity) -> MarkedComment | None:
    fp = parse_fingerprint_marker(comment.get("body"))
    if fp is None or not is_ours(comment, identity):
        return None
    # GitHub nulls `line` on a comment whose lines changed since (and `position`, the field
    # `line` replaced: consulted only where `line` is missing altogether).
    key = "line" if "line" in comment else "position"
    outdated = key in comment and comment[key] is None
    return MarkedComment(
        id=int(comment.get("id") or 0),
        fingerprint=fp,
        path=str(comment.get("path") or ""),
        line=comment.get("line"),
        original_line=comment.get("original_line"),
        outdated=outdated,
        html_url=comment.get("html_url"),
    )
