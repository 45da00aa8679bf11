"""The result of a run, as plain data: what publishers and report files are made from."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot import __version__
from bot.findings.model import Finding, Severity


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


class SkippedEntry(BaseModel):
    path: str
    reason: str


class Summary(BaseModel):
    files_changed: int = 0
    files_reviewed: int = 0
    files_skipped: int = 0
    changed_lines: int = 0
    lines_covered: int = 0  # changed lines that were sent to a model and answered
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
    complete: bool = True  # every planned work item got a valid answer
    duration_s: float = 0.0


class RunReport(BaseModel):
    tool: str = "switchyard"
    version: str = __version__
    task: str = "review"
    source: str = ""
    base_sha: str | None = None
    head_sha: str | None = None
    walkthrough: str | None = None  # the model's overall summary of the change
    findings: list[Finding] = Field(default_factory=list)
    skipped: list[SkippedEntry] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # things the reader must know
    summary: Summary = Field(default_factory=Summary)
