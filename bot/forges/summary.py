"""The sticky summary comment's text, the same on every forge: one comment per change request
and task, which each forge's publisher finds again by its hidden marker and the bot's own
authorship, and edits in place on every run.

It holds what the line comments cannot: the walkthrough, a table of every finding posted (at
most review.max_findings; it says how many more the run's reports hold), the findings that
could not sit on a line (and why), earlier comments the code has since outdated, what was not
reviewed and why, and a footer with the route, the models, where they ran, tokens and cost.
Its marker keeps the last head reviewed, for incremental runs.

Everything from a model or a diff is escaped with bot/publish/markdown.py's helpers. Forges
limit a comment's size (body_fit.py): when the full text is longer, it is rendered again
with less detail, section by section, until it fits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.change.model import Side
from bot.findings.model import Finding
from bot.forges.body_fit import MAX_BODY_BYTES, fit_text, utf8_len
from bot.forges.commands import COMMANDS
from bot.forges.comment_plan import MovedFinding
from bot.forges.contract import MarkedComment
from bot.forges.markers import summary_marker
from bot.forges.verdict import not_done_reason
from bot.publish.markdown import (
    block,
    code_block,
    code_span,
    findings_text,
    inline,
    location_text,
    patch_section,
    patch_title,
    table_cell,
)
from bot.report import (
    CallRecord,
    RunReport,
    Summary,
    incomplete_text,
    not_posted_text,
    plural,
    posted_findings,
    redacted_text,
)


def retry_text(task: str) -> str:
    """How a reader gets a task run again without a push: its slash command, which both
    forges take (commands.py)."""
    command = task if task in COMMANDS else "review"
    return f"comment `/{command}` to run it again"


_URL = re.compile(r"^https?://[^\s()<>\[\]]+$")


@dataclass(slots=True)
class SummaryInput:
    """What the summary shows besides the report: where each finding ended up."""

    report: RunReport
    head_sha: str | None  # written into the marker: the last head fully reviewed
    posted: list[Finding] = field(default_factory=list)  # on lines, this run
    moved: list[MovedFinding] = field(default_factory=list)  # here instead of on a line
    repeated: list[Finding] = field(default_factory=list)  # on lines since an earlier run
    outdated: list[MarkedComment] = field(default_factory=list)
    review_url: str | None = None


@dataclass(frozen=True, slots=True)
class _Detail:
    """How much to show; each level down shows less, so that the body fits."""

    walkthrough_bytes: int | None
    body_bytes: int | None  # per finding shown here; None: whole; 0: none
    rows: int | None
    list_items: int | None


_LEVELS = (
    _Detail(None, None, None, None),
    _Detail(8_000, 2_000, 500, 200),
    _Detail(4_000, 0, 200, 100),
    _Detail(1_000, 0, 50, 20),
    _Detail(0, 0, 10, 5),
)


def _more(n: int) -> list[str]:
    return [f"- … and {n} more (see the run's report)"] if n > 0 else []


def _limited(items: list[Any], limit: int | None) -> tuple[list[Any], int]:
    if limit is None or len(items) <= limit:
        return items, 0
    return items[:limit], len(items) - limit


def _headline(s: SummaryInput) -> list[str]:
    report, summary = s.report, s.report.summary
    lines = [f"## Switchyard {inline(report.task)}", ""]
    reason = not_done_reason(report)
    if reason is not None:
        return [
            *lines,
            f"> **Not done:** the {inline(report.task)} could not run: {inline(reason)}.",
            f"> Nothing was reviewed or posted by this run; {retry_text(report.task)} once "
            "that is fixed (a new push runs it too).",
        ]
    if report.headline and not report.findings:
        return [*lines, f"**{inline(report.headline)}**", *_range_and_gate(report)]
    reviewed, changed = reviewed_of_changed(summary)
    # The words the local report uses (findings_text), on the counts the headline shows.
    counted = summary.model_copy(update={"files_reviewed": reviewed})
    text = findings_text(report.model_copy(update={"summary": counted}))
    head = f"**{text[:1].upper()}{text[1:]}{'' if report.findings else '.'}**"
    where: list[str] = []
    if s.posted:
        comments = "line comments"
        if s.review_url and _URL.match(s.review_url):
            comments = f"[{comments}]({s.review_url})"
        where.append(f"{len(s.posted)} as {comments}")
    if s.moved:
        where.append(f"{len(s.moved)} below")
    if s.repeated:
        where.append(f"{len(s.repeated)} already commented by an earlier run")
    held = not_posted_text(report)
    if held:
        where.append(f"{len(report.findings) - len(posted_findings(report))} not posted")
    lines.append(head + (f" ({', '.join(where)})" if where else ""))
    if held:
        lines += ["", f"{inline(held)}."]
    scope = [f"{reviewed} of {plural(changed, 'changed file')} reviewed"]
    if summary.changed_lines:
        lines_changed = plural(summary.changed_lines, "changed line")
        scope.append(f"{summary.lines_covered} of {lines_changed} covered")
    lines += ["", " · ".join(scope) + "."]
    return lines + _range_and_gate(report)


def _range_and_gate(report: RunReport) -> list[str]:
    """The commits the run covered, whether it is incomplete, and the gate's verdict."""
    summary = report.summary
    lines: list[str] = []
    base = report.base_sha[:12] if report.base_sha else None
    head_sha = report.head_sha[:12] if report.head_sha else None
    if base or head_sha:
        lines += ["", f"Reviewed {code_span(base or '?')}..{code_span(head_sha or '?')}."]
    if not summary.complete:
        lines += [
            "",
            f"> **Incomplete review:** {incomplete_text(summary)}; issues in those parts may "
            f"be missing. The next run reviews them again; {retry_text(report.task)} now.",
        ]
    if summary.fail_on is not None:
        verdict = "**failed**" if summary.gate_failed else "passed"
        lines += ["", f"Gate (fail on {summary.fail_on.value} or worse): {verdict}."]
    return lines


def reviewed_of_changed(summary: Summary) -> tuple[int, int]:
    """The files reviewed and changed, as the headline says them: a file the run lists as
    not reviewed (`files_unreviewed`) is never also counted reviewed, whatever a task counted
    (a scanner that read a file whose triage then failed), so "3 of 3 reviewed" cannot stand
    above three files listed as not reviewed."""
    changed = max(summary.files_changed, summary.files_reviewed)
    reviewed = max(0, min(summary.files_reviewed, changed - summary.files_unreviewed))
    return reviewed, changed


def _walkthrough(s: SummaryInput, d: _Detail) -> list[str]:
    text = (s.report.walkthrough or "").strip()
    if not text or d.walkthrough_bytes == 0:
        return []
    body = block(text)
    if d.walkthrough_bytes is not None and utf8_len(body) > d.walkthrough_bytes:
        body = fit_text(block, text, d.walkthrough_bytes)
    return ["### Walkthrough", "", body, ""]


def _table(s: SummaryInput, d: _Detail) -> list[str]:
    shown_as: dict[int, str] = {id(f): "line comment" for f in s.posted}
    shown_as.update({id(m.finding): "below" for m in s.moved})
    shown_as.update({id(f): "earlier line comment" for f in s.repeated})
    rows = [f for f in s.report.findings if id(f) in shown_as]
    if not rows:
        return []
    rows.sort(key=lambda f: (-f.severity.rank, f.path, f.start_line or 0))
    rows, more = _limited(rows, d.rows)
    lines = [
        "### Findings",
        "",
        "| Severity | Where | Finding | Shown as |",
        "|---|---|---|---|",
    ]
    for f in rows:
        cells = [
            f.severity.value,
            code_span(location_text(f)).replace("|", "\\|"),
            table_cell(f.title[:300]),
            shown_as[id(f)],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if more:
        lines += ["", f"… and {more} more findings (see the run's report)."]
    return [*lines, ""]


def _moved(s: SummaryInput, d: _Detail) -> list[str]:
    if not s.moved:
        return []
    lines = [f"### Not on a line ({len(s.moved)})", ""]
    items, more = _limited(s.moved, d.rows)
    for m in items:
        f = m.finding
        lines.append(
            f"**{f.severity.value}** · {code_span(location_text(f))} · "
            f"{inline(f.title[:300])} _({inline(m.reason)})_"
        )
        if not f.anchored and f.anchor_note:
            lines.append(f"_File-level note: {inline(f.anchor_note)}_")
        lines.append("")
        if d.body_bytes != 0:
            if f.body.strip():
                body = block(f.body)
                if d.body_bytes is not None and utf8_len(body) > d.body_bytes:
                    body = fit_text(block, f.body, d.body_bytes)
                lines += [body, ""]
            if f.suggestion is not None and (
                d.body_bytes is None or utf8_len(f.suggestion) <= d.body_bytes
            ):
                # Never committable here: a suggestion only applies from a line comment.
                where = (
                    "Suggested change (base side)" if f.side is Side.LEFT else "Suggested change"
                )
                lines += [f"{where}:", "", code_block(f.suggestion), ""]
    if more:
        lines += [f"… and {more} more (see the run's report).", ""]
    return lines


def _outdated(s: SummaryInput, d: _Detail) -> list[str]:
    if not s.outdated:
        return []
    lines = [f"### Outdated ({len(s.outdated)})", ""]
    lines.append("Earlier comments on code that has changed since; check they still apply.")
    lines.append("")
    items, more = _limited(s.outdated, d.list_items)
    for c in items:
        where = code_span(c.path) + (f" line {c.original_line}" if c.original_line else "")
        link = f" ([comment]({c.web_url}))" if c.web_url and _URL.match(c.web_url) else ""
        lines.append(f"- {where}{link}")
    return [*lines, *_more(more), ""]


def _skipped(s: SummaryInput, d: _Detail) -> list[str]:
    skipped = s.report.skipped
    if not skipped:
        return []
    items, more = _limited(skipped, d.list_items)
    lines = [f"### Not reviewed ({len(skipped)})", ""]
    lines += [f"- {code_span(e.path)}: {inline(e.reason)}" for e in items]
    return [*lines, *_more(more), ""]


def _notes(s: SummaryInput, d: _Detail) -> list[str]:
    notes = s.report.notes
    if not notes or not_done_reason(s.report) is not None:  # the headline says it
        return []
    items, more = _limited(notes, d.list_items)
    return ["### Notes", "", *(f"- {inline(n)}" for n in items), *_more(more), ""]


def _patch(s: SummaryInput, d: _Detail) -> list[str]:
    """A task's files as a patch (the tests task's kept tests, the docs task's edits),
    collapsed; when it is too long for the comment at this level of detail, where to get it
    instead."""
    patch = s.report.patch
    if patch and d.walkthrough_bytes is not None and utf8_len(patch) > d.walkthrough_bytes:
        return [
            f"{patch_title(s.report)}: too long for this comment; `switchyard "
            f"{inline(s.report.task)} --base <base> --format markdown` prints it.",
            "",
        ]
    return patch_section(s.report, "save it and run `git apply`")


def footer(report: RunReport) -> str:
    """Route, models, local or cloud, tokens and cost, on one small line."""
    sent = [c for c in report.calls if not c.cache_hit]
    groups: Counter[tuple[str, str, str]] = Counter((c.target, c.model, c.location) for c in sent)
    route = [
        f"{code_span(target)} {inline(model)} ({inline(location)}, {n} call{'s' * (n != 1)})"
        for (target, model, location), n in groups.items()
    ]
    parts: list[str] = []
    if route:
        parts.append("Route: " + " → ".join(route))
    cached = len(report.calls) - len(sent)
    if cached:
        parts.append(f"{cached} from the cache")
    if redacted := redacted_text(report.calls):
        parts.append(redacted)
    tokens_in, tokens_out = _tokens(report.calls, report)
    parts.append(f"tokens {tokens_in:,} in / {tokens_out:,} out")
    s = report.summary
    cost = f"cost ${s.cost_usd:.4f}"
    if s.cloud_equivalent_usd:
        cost += f" (all-cloud ${s.cloud_equivalent_usd:.4f})"
    parts.append(cost)
    parts.append(f"{inline(report.tool)} {inline(report.version)}")
    return "<sub>" + " · ".join(parts) + "</sub>"


def _tokens(calls: list[CallRecord], report: RunReport) -> tuple[int, int]:
    if report.summary.tokens_in or report.summary.tokens_out:
        return report.summary.tokens_in, report.summary.tokens_out
    sent = [c for c in calls if not c.cache_hit]
    return sum(c.tokens_in for c in sent), sum(c.tokens_out for c in sent)


def _render(s: SummaryInput, d: _Detail) -> str:
    lines = [summary_marker(s.report.task, s.head_sha), *_headline(s), ""]
    lines += _walkthrough(s, d)
    lines += _table(s, d)
    lines += _moved(s, d)
    lines += _outdated(s, d)
    lines += _skipped(s, d)
    lines += _notes(s, d)
    lines += _patch(s, d)
    lines.append(footer(s.report))
    return "\n".join(lines).rstrip("\n") + "\n"


def render_summary(s: SummaryInput, limit: int = MAX_BODY_BYTES) -> str:
    text = ""
    for d in _LEVELS:
        text = _render(s, d)
        if utf8_len(text) <= limit:
            return text
    # Only a pathological report gets here; the marker is first and survives the cut.
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
