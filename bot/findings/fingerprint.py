"""Stable identities for findings, so a re-run can tell a finding it already posted."""

from __future__ import annotations

import hashlib
import re

from bot.findings.model import Finding

_SPACE = re.compile(r"\s+")


def fingerprint(finding: Finding, cited_text: str) -> str:
    """Hash of what the finding is about, not of where: line numbers shift between pushes."""
    title = _SPACE.sub(" ", finding.title.lower()).strip()
    key = "\x1f".join(
        [finding.task, finding.path, finding.category, title, finding.side.value, cited_text]
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def identity(finding: Finding) -> str:
    """What tells a finding from another in a report: its fingerprint, which survives line
    moves; without one, what it is and where."""
    if finding.fingerprint:
        return finding.fingerprint
    parts = [finding.source, finding.rule_id or "", finding.path, str(finding.start_line)]
    return "\x1f".join([*parts, finding.title])
