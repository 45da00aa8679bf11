"""Posting the planned line comments as diff notes, one discussion each, and what GitLab
refuses as notes that name their line.

GitLab has no review to hold several comments: each is its own discussion, accepted or
refused alone (400 "Note {:line_code=>...}" for a position not on the diff). A refused
position is not lost and not moved to the summary: it is posted again at once as a thread
on the merge request's overview, its first line naming the file and line, its suggestion
shown but no longer committable (GitLab applies one only from a diff note). It counts as
refused. A refusal that no retry changes (the token may not write, the rate limit held)
stops the posting: what is left goes to the summary, and the publisher records why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitlab.exceptions import GitlabError

from bot.change.model import Side
from bot.errors import SwitchyardError
from bot.findings.model import Finding
from bot.forges.comment_plan import LineComment, MovedFinding, comment_body
from bot.forges.contract import ReviewOutcome
from bot.forges.gitlab.client import NETWORK_ERRORS, error_text
from bot.forges.gitlab.positions import position_for
from bot.forges.gitlab.source import MergeRequestFacts
from bot.publish.markdown import code_span, inline

NOT_POSTED = "not posted: {why}"
REFUSED_POSITION = "GitLab refused the position ({why})"


class Stop(Exception):
    """Posting cannot go on: `failure` says why, for the publisher to keep."""

    def __init__(self, failure: SwitchyardError) -> None:
        super().__init__(failure.message)
        self.why = failure.message
        self.failure = failure


def post_comments(
    mr: Any,
    facts: MergeRequestFacts,
    comments: list[LineComment],
    stop_for: Callable[[Exception, str], Stop | None],
) -> ReviewOutcome:
    """Posts each comment as a diff note. `stop_for(exc, action)` tells a refusal that ends
    the posting (returns a Stop) from one that concerns this comment only (None); after a
    Stop the rest go to the summary."""
    out = ReviewOutcome()
    for index, comment in enumerate(comments):
        try:
            _post_one(mr, facts, comment, out, stop_for)
        except Stop as stop:
            not_posted(out, comments[index:], stop.why)
            break
    return out


def not_posted(out: ReviewOutcome, comments: list[LineComment], why: str) -> None:
    """`comments` go to the summary, none of them posted, for `why`."""
    out.error = why
    out.moved += [MovedFinding(c.finding, NOT_POSTED.format(why=why)) for c in comments]


def _post_one(
    mr: Any,
    facts: MergeRequestFacts,
    comment: LineComment,
    out: ReviewOutcome,
    stop_for: Callable[[Exception, str], Stop | None],
) -> None:
    finding = comment.finding
    position = position_for(finding, facts.files.get(finding.path), facts.refs)
    out.attempts += 1
    try:
        created = mr.discussions.create({"body": comment.body, "position": position})
    except (GitlabError, *NETWORK_ERRORS) as exc:
        stop = stop_for(exc, "post a line comment")
        if stop is not None:
            raise stop from None
        why = error_text(exc)
        if not (isinstance(exc, GitlabError) and exc.response_code == 400):
            out.moved.append(MovedFinding(finding, NOT_POSTED.format(why=why)))
            return
        out.attempts += 1
        try:
            created = mr.discussions.create({"body": overview_body(finding, why)})
        except (GitlabError, *NETWORK_ERRORS) as again:
            stop = stop_for(again, "post a refused line comment as a note")
            if stop is not None:
                raise stop from None
            out.moved.append(MovedFinding(finding, REFUSED_POSITION.format(why=why)))
            return
        out.refused += 1
    note_id = int(created.attributes["notes"][0]["id"])
    out.web_url = out.web_url or facts.note_url(note_id)
    out.posted.append(finding)


def overview_body(finding: Finding, why: str) -> str:
    """The comment as a note off the diff: its marker first (so a later run knows it), then
    where it belongs, then the comment with its suggestion shown, not committable."""
    loose = finding.model_copy(update={"start_line": None, "end_line": None})
    text = comment_body(loose)
    first, _, rest = text.partition("\n")
    end = max(finding.end_line or 0, finding.start_line or 0)
    lines = f"line {finding.start_line}" + (f"-{end}" if end > (finding.start_line or 0) else "")
    side = " (removed)" if finding.side is Side.LEFT else ""
    where = (
        f"_On {code_span(finding.path)} {lines}{side}: GitLab would not place this comment "
        f"on the diff ({inline(why[:200])})._"
    )
    if first.startswith("<!--"):
        return f"{first}\n{where}\n\n{rest}"
    return f"{where}\n\n{text}"
