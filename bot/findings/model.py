"""A finding: one thing a task found, anchored on the diff or kept at file level."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from bot.change.model import Side


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    NIT = "nit"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for sorting and for `--fail-on`."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.NIT: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class Finding(BaseModel):
    path: str
    # None for a file-level note: the finding could not sit on a line of the diff.
    start_line: int | None = None
    end_line: int | None = None
    side: Side = Side.RIGHT
    severity: Severity
    category: str
    title: str
    body: str
    # Replacement for exactly start_line..end_line (RIGHT side); only kept when anchored there.
    suggestion: str | None = None
    source: str = "model"  # "model" or the tool's name
    task: str = "review"
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    fingerprint: str = ""
    # Why an anchored finding was demoted to a file-level note, for the reader.
    anchor_note: str | None = None
    # For a scanner's finding: its rule ("B608", a semgrep check id), the weaknesses it
    # names ("CWE-89") and where the rule is documented; code scanning reports need them.
    rule_id: str | None = None
    cwe: list[str] = Field(default_factory=list)
    help_uri: str | None = None

    @property
    def anchored(self) -> bool:
        return self.start_line is not None
