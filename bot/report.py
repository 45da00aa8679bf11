"""The result of a run, as plain data: what publishers and report files are made from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from bot import __version__
from bot.findings.model import Finding, Severity

if TYPE_CHECKING:
    from bot.routing.route import Target


class CallRecord(BaseModel):
    """One model call (or attempt on one target) for one work item."""

    item: str  # work item id, e.g. "review-3"
    task: str
    target: str  # provider name, e.g. "local"
    model: str
    location: str  # "local" | "cloud"
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    route_reason: str = ""
    outcome: str = "ok"  # "ok" | "failed" | "cached"
    error: str | None = None
    structured_mode: str | None = None
    repaired: bool = False
    cost_usd: float = 0.0
    cache_hit: bool = False
    redactions: int = 0  # secret values taken out of the prompt before it left


class TargetInfo(BaseModel):
    """A model target the run could use, where it runs and who declared that."""

    name: str
    model: str
    location: str  # "local" | "cloud"
    declared: str = ""  # e.g. "local (declared by /etc/switchyard/org.yml)"


class SkippedEntry(BaseModel):
    path: str
    reason: str


class Summary(BaseModel):
    """The run in figures. For a review they add up: files_reviewed + files_skipped =
    files_changed, and lines_covered + lines_unreviewed = changed_lines."""

    files_changed: int = 0
    files_reviewed: int = 0  # every changed line of the file got a valid answer (or cache)
    files_skipped: int = 0  # filtered out, or left unreviewed (files_unreviewed of them)
    # Files with changed lines left unreviewed for a reason other than a filter the user
    # chose (no room in the context, a failed work item, an invalid answer): incomplete.
    files_unreviewed: int = 0
    changed_lines: int = 0  # changed lines of the files the filters kept
    lines_covered: int = 0  # changed lines that were sent to a model and answered
    lines_unreviewed: int = 0  # changed lines of the kept files that got no valid answer
    work_items: int = 0
    work_items_failed: int = 0
    findings: dict[str, int] = Field(default_factory=dict)  # severity -> count
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    cloud_equivalent_usd: float = 0.0  # what the same calls would have cost all-cloud
    cache_hits: int = 0  # file sections answered from the cache, without a call
    fail_on: Severity | None = None
    gate_failed: bool = False
    # Every changed line the filters kept got a valid answer: no work item failed, none
    # was left out for want of room.
    complete: bool = True
    duration_s: float = 0.0


class RunReport(BaseModel):
    tool: str = "switchyard"
    version: str = __version__
    task: str = "review"
    source: str = ""
    base_sha: str | None = None
    head_sha: str | None = None
    # The changed files the filters kept, in diff order: what the run set out to review
    # (which of them were left unreviewed, and why, is in `skipped`).
    files: list[str] = Field(default_factory=list)
    walkthrough: str | None = None  # the model's overall summary of the change
    # A task's own outcome in one sentence, said instead of a findings count and a review's
    # scope (generated tests: how many were kept, proved the change, were dropped).
    headline: str | None = None
    findings: list[Finding] = Field(default_factory=list)
    skipped: list[SkippedEntry] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)
    targets: list[TargetInfo] = Field(default_factory=list)  # in order of preference
    notes: list[str] = Field(default_factory=list)  # things the reader must know
    summary: Summary = Field(default_factory=Summary)
    # review.max_findings when the run was made: the most findings a forge gets posted
    # (posted_findings). The report itself, and every file written from it, keeps them all.
    comment_limit: int | None = None
    # The tests task: a unified diff adding the generated test files that ran and passed.
    patch: str | None = None
    # The ask task: the model's answer to the question (masked for secrets like every
    # answer); None when no target answered.
    answer: str | None = None


def merge_reports(reports: list[RunReport]) -> RunReport:
    """Several tasks' reports on one change as one: what a CLI run with `--tasks a,b` writes."""
    if len(reports) == 1:
        return reports[0]
    first = reports[0]
    counts: dict[str, int] = {}
    for r in reports:
        for sev, n in r.summary.findings.items():
            counts[sev] = counts.get(sev, 0) + n
    s = [r.summary for r in reports]
    summary = first.summary.model_copy(
        update={
            "findings": counts,
            "files_skipped": max(x.files_skipped for x in s),
            "files_unreviewed": max(x.files_unreviewed for x in s),
            "lines_unreviewed": max(x.lines_unreviewed for x in s),
            "work_items": sum(x.work_items for x in s),
            "work_items_failed": sum(x.work_items_failed for x in s),
            "tokens_in": sum(x.tokens_in for x in s),
            "tokens_out": sum(x.tokens_out for x in s),
            "cost_usd": round(sum(x.cost_usd for x in s), 6),
            "cloud_equivalent_usd": round(sum(x.cloud_equivalent_usd for x in s), 6),
            "cache_hits": sum(x.cache_hits for x in s),
            "gate_failed": any(x.gate_failed for x in s),
            "complete": all(x.complete for x in s),
            "duration_s": round(sum(x.duration_s for x in s), 3),
        }
    )
    return first.model_copy(
        update={
            "task": ",".join(r.task for r in reports),
            # One task's headline is one part of the whole: it joins the walkthrough.
            "walkthrough": "\n\n".join(w for r in reports if (w := r.headline or r.walkthrough))
            or None,
            "headline": None,
            "files": list(dict.fromkeys(p for r in reports for p in r.files)),
            "findings": [f for r in reports for f in r.findings],
            "skipped": [e for r in reports for e in r.skipped],
            "calls": [c for r in reports for c in r.calls],
            "targets": list({t.name: t for r in reports for t in r.targets}.values()),
            "notes": [n for r in reports for n in r.notes],
            "summary": summary,
            "patch": next((r.patch for r in reports if r.patch), None),
            "answer": next((r.answer for r in reports if r.answer), None),
        }
    )


def posted_findings(report: RunReport) -> list[Finding]:
    """The findings a forge gets posted (line comments, the summary comment's table, check
    annotations): the `comment_limit` most severe. The one place that decides it; SARIF,
    GitLab SAST, JSON and Markdown reports carry `report.findings`, all of them."""
    ranked = sorted(report.findings, key=lambda f: -f.severity.rank)  # stable: keeps places
    return ranked if report.comment_limit is None else ranked[: report.comment_limit]


def not_posted_text(report: RunReport) -> str | None:
    """What a forge's summary says of the findings over `comment_limit`, and where they
    are; None when every finding was posted."""
    held = len(report.findings) - len(posted_findings(report))
    if held <= 0:
        return None
    return (
        f"{plural(held, 'more finding')} {'was' if held == 1 else 'were'} not posted as "
        f"comments: review.max_findings ({report.comment_limit}) limits what is posted, not "
        "what is found. Every finding is in the run's reports (`--output`): SARIF (code "
        "scanning, when uploaded), JSON, Markdown, JUnit, and GitLab's SAST (security "
        "findings) and Code Quality"
    )


def target_infos(targets: Sequence[Target]) -> list[TargetInfo]:
    return [
        TargetInfo(name=t.name, model=t.model, location=t.location, declared=t.declared)
        for t in targets
    ]


def redacted_text(calls: list[CallRecord]) -> str:
    """`3 secrets redacted for the cloud`: what the egress gate took out of the calls'
    prompts (each use of a value counts), or "" when nothing was."""
    n = sum(c.redactions for c in calls if not c.cache_hit)
    return f"{plural(n, 'secret')} redacted for the cloud" if n else ""


def plural(n: int, noun: str, many: str | None = None) -> str:
    """`1 file`, `3 files`: a count with its noun agreeing."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"


def incomplete_text(summary: Summary) -> str:
    """Why a run is incomplete, in words that agree with its counts, e.g. `3 changed files
    (120 changed lines) were not reviewed; 1 of 2 work items got no valid answer`."""
    s = summary
    parts: list[str] = []
    if s.files_unreviewed or s.lines_unreviewed:
        were = "was" if s.files_unreviewed == 1 else "were"
        lines = f" ({plural(s.lines_unreviewed, 'changed line')})" if s.lines_unreviewed else ""
        parts.append(f"{plural(s.files_unreviewed, 'changed file')}{lines} {were} not reviewed")
    if s.work_items_failed:
        parts.append(
            f"{s.work_items_failed} of {plural(s.work_items, 'work item')} got no valid answer"
        )
    return "; ".join(parts) or "some work got no valid answer"
