"""The reply a forge posts under an `/ask` comment: the question's first line quoted, the
asker mentioned, the answer, within the forge's limit on a comment's size."""

from __future__ import annotations

import re

from bot.forges.body_fit import MAX_BODY_BYTES, fit_text
from bot.publish.markdown import block, inline
from bot.report import RunReport

QUOTED_CHARS = 200
_QUIET_AT = "@\u200b"
# GitHub and GitLab logins: letters, digits, '-', '_' and '.'; anything else is no mention.
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,254})$")


def answer_comment_body(question: str, report: RunReport, requester: str | None) -> str:
    """Markdown for the reply. The question and the answer are untrusted: both are escaped
    (no HTML, no headings, no mentions smuggled in through the quote)."""
    first = next((ln.strip() for ln in question.splitlines() if ln.strip()), "")
    if len(first) > QUOTED_CHARS:
        first = first[: QUOTED_CHARS - 1].rstrip() + "…"
    # A zero-width space after '@': quoting `@org/team` must not ping the team.
    quote = "> " + inline(first).replace("@", _QUIET_AT) if first else "> (no question)"
    who = f"@{requester} " if requester and _LOGIN.match(requester) else ""
    footer = _footer(report)

    def render(answer: str) -> str:
        return "\n".join([quote, "", f"{who}{block(answer)}".rstrip(), "", footer]).rstrip() + "\n"

    if report.answer:
        return fit_text(render, report.answer, MAX_BODY_BYTES)
    why = next((n for n in report.notes if "could not be reviewed" in n), "no target answered")
    return render(f"Switchyard could not answer this: {why}")


def _footer(report: RunReport) -> str:
    parts = ["<sub>Switchyard ask"]
    if report.head_sha:
        parts.append(f" · on {inline(report.head_sha[:12])}")
    left = [s.path for s in report.skipped if s.reason.startswith("not shown")]
    if left:
        parts.append(f" · {len(left)} touched file(s) did not fit and were not read")
    return "".join(parts) + "</sub>"
