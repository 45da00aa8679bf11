"""The GitLab Code Quality report (`gl-code-quality-report.json`): every finding, for the
merge request's Code Quality widget and the marks in its diff.

GitLab reads it from a job's `artifacts:reports:codequality`: a JSON array of Code Climate
issues, of which GitLab uses `description`, `check_name`, `fingerprint`, `severity` (info,
minor, major, critical, blocker) and `location` (`path`, `lines.begin`). GitLab tells new
issues from fixed ones by comparing the fingerprints of the merge request's report with the
target branch's, and shows only the first issue of a fingerprint, so each is unique here and
does not move with line numbers. `type` and `categories` complete the Code Climate spec.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.change.model import Side
from bot.findings.fingerprint import identity
from bot.findings.model import Finding, Severity
from bot.publish.sarif import rule_id, slug
from bot.report import RunReport

FILENAME = "gl-code-quality-report.json"
# Switchyard's nit is GitLab's info; nothing is a blocker, which would outrank critical.
SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "critical",
    Severity.MAJOR: "major",
    Severity.MINOR: "minor",
    Severity.NIT: "info",
}
# Code Climate's categories, from a finding's category where one fits; else Bug Risk.
_CATEGORIES = {
    "security": "Security",
    "performance": "Performance",
    "style": "Style",
    "readability": "Clarity",
    "naming": "Clarity",
    "documentation": "Clarity",
    "complexity": "Complexity",
    "duplication": "Duplication",
    "compatibility": "Compatibility",
}
_DESCRIPTION_CHARS = 2000  # one line in the widget; the review comment has the rest


def codequality_data(report: RunReport) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    for finding in report.findings:
        fingerprint = _fingerprint(finding, seen)
        seen.add(fingerprint)
        issues.append(_issue(finding, fingerprint))
    return issues


def render_codequality(report: RunReport) -> str:
    return json.dumps(codequality_data(report), indent=2, ensure_ascii=False) + "\n"


def _issue(f: Finding, fingerprint: str) -> dict[str, Any]:
    category = "Security" if f.cwe else _CATEGORIES.get(slug(f.category), "Bug Risk")
    return {
        "type": "issue",
        "check_name": rule_id(f),
        "description": _cut(_description(f), _DESCRIPTION_CHARS),
        "categories": [category],
        "severity": SEVERITY[f.severity],
        "fingerprint": fingerprint,
        "location": {"path": _path(f.path), "lines": _lines(f)},
    }


def _lines(f: Finding) -> dict[str, int]:
    # A file-level note, or a finding on a removed line (not in the head file), is shown on
    # the file's first line: GitLab requires a line, and another number would point at
    # unrelated code.
    if f.start_line is None or f.start_line < 1 or f.side is not Side.RIGHT:
        return {"begin": 1}
    return {"begin": f.start_line, "end": max(f.end_line or f.start_line, f.start_line)}


def _description(f: Finding) -> str:
    text = " ".join((f.title.strip() or f.body.strip() or f.category).split())
    if f.side is Side.LEFT and f.start_line:
        text += f" (on removed line {f.start_line})"
    elif not f.anchored and f.anchor_note:
        text += f" (file-level: {f.anchor_note})"
    return text


def _fingerprint(f: Finding, seen: set[str]) -> str:
    """The finding's identity as a hex digest, made unique within the report: two findings
    with one identity (the same issue twice in a file) would otherwise show as one."""
    base = identity(f)
    digest = hashlib.sha256(base.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    n = 1
    while digest in seen:
        n += 1
        digest = hashlib.sha256(f"{base}\x1f{n}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return digest


def _path(path: str) -> str:
    # Relative to the repository root, as GitLab matches it against the diff's paths.
    return path.replace("\\", "/").removeprefix("./").lstrip("/")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
