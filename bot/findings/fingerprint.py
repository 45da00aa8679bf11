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
