"""Deduplicates and orders findings: most severe first, then by place."""

from __future__ import annotations

from bot.findings.model import Finding, Severity


def dedupe_and_rank(findings: list[Finding], min_severity: Severity) -> list[Finding]:
    """Every finding at or above `min_severity`, once per fingerprint, most severe first.
    Nothing is cut here: review.max_findings limits what a forge posts (report.py's
    posted_findings), never what the reports carry."""
    best: dict[str, Finding] = {}
    for f in findings:
        if not f.severity.at_least(min_severity):
            continue
        seen = best.get(f.fingerprint)
        if seen is None or f.severity.rank > seen.severity.rank:
            best[f.fingerprint] = f
    return sorted(
        best.values(),
        key=lambda f: (-f.severity.rank, f.path, f.start_line or 0, f.title),
    )
