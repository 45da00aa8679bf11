"""Deduplicates and orders findings: most severe first, then by place."""

from __future__ import annotations

from bot.findings.model import Finding, Severity


def dedupe_and_rank(
    findings: list[Finding], min_severity: Severity, limit: int
) -> tuple[list[Finding], int]:
    """Returns the findings to report and how many were cut by the limit."""
    best: dict[str, Finding] = {}
    for f in findings:
        if not f.severity.at_least(min_severity):
            continue
        seen = best.get(f.fingerprint)
        if seen is None or f.severity.rank > seen.severity.rank:
            best[f.fingerprint] = f
    ranked = sorted(
        best.values(),
        key=lambda f: (-f.severity.rank, f.path, f.start_line or 0, f.title),
    )
    return ranked[:limit], max(0, len(ranked) - limit)
