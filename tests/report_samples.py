"""Builders for the sample findings and run reports that the publisher tests render.

Each test module keeps its own sample report, whose details its assertions check; the
findings, calls and skipped files they share in shape are built here.
"""

from __future__ import annotations

from typing import Any

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.report import CallRecord, RunReport, SkippedEntry

HEAD_SHA = "2222222222222222222222222222222222222222"


def finding(**kw: Any) -> Finding:
    """A finding with placeholder text; `kw` sets the fields a test looks at."""
    base: dict[str, Any] = {
        "path": "src/app.py",
        "severity": Severity.MINOR,
        "category": "correctness",
        "title": "A title",
        "body": "A body.",
    }
    return Finding(**{**base, **kw})


def off_by_one(**kw: Any) -> Finding:
    """Anchored on head lines 10-12: its suggestion can be applied."""
    return finding(
        start_line=10, end_line=12, severity=Severity.MAJOR, title="Off-by-one in loop bound", **kw
    )


def removed_validation(**kw: Any) -> Finding:
    """On a removed (base) line: its suggestion cannot be applied to the head."""
    return finding(
        start_line=4,
        side=Side.LEFT,
        severity=Severity.CRITICAL,
        title="Removed input validation",
        suggestion="validate(path)",
        **kw,
    )


def file_level_note(**kw: Any) -> Finding:
    """Demoted from a line outside the diff to a note on the whole file."""
    return finding(anchor_note="line 99 is not part of the diff", **kw)


def docs_nit(**kw: Any) -> Finding:
    """A nit in a Markdown file, whose title and body test untrusted text."""
    return finding(
        path="docs/guide.md", start_line=3, severity=Severity.NIT, category="style", **kw
    )


def failed_cloud_call(**kw: Any) -> CallRecord:
    """The cloud call that timed out, leaving the run incomplete."""
    return CallRecord(
        item="review-2",
        task="review",
        target="cloud",
        model="gpt-4o-mini",
        location="cloud",
        outcome="failed",
        error="timeout",
        **kw,
    )


def skipped_files(*more: SkippedEntry) -> list[SkippedEntry]:
    """A lockfile and a vendored file, then `more`."""
    return [
        SkippedEntry(path="package-lock.json", reason="lockfile"),
        SkippedEntry(path="vendor/big.js", reason="vendored"),
        *more,
    ]


def run_report(**kw: Any) -> RunReport:
    """A report of a review of origin/main...HEAD; `kw` fills in the rest."""
    return RunReport(source="git origin/main...HEAD", head_sha=HEAD_SHA, **kw)
