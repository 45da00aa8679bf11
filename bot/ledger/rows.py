"""What goes into the ledger and what comes out of it, as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class CallRow:
    """One model call (or one attempt on one target) for one work item.

    Only metadata and hashes: callers pass `prompt_sha256`, never the prompt. `reason` and
    `error` must already be masked by the caller (no code, no keys); the store also keeps
    only their first line, cut short, with secret-like tokens masked, as a second fence;
    of `error` it keeps "kind: target: summary" and drops any server detail after that.
    """

    task: str
    target: str  # provider name as configured, e.g. "local", "openai"
    model: str
    location: Literal["local", "cloud"]
    data_class: str = "internal"
    item: str = ""  # work item id, e.g. "review-3"
    repository: str = ""  # "owner/name"
    change_ref: str = ""  # "pr/42", a branch or a sha
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    # What the call would have cost on the all-cloud reference model; equals cost_usd for
    # a cloud call (the store fills it in when left at 0).
    cloud_equivalent_usd: float = 0.0
    latency_s: float = 0.0
    cache_hit: bool = False
    route: tuple[str, ...] = ()  # the chain of target names, in order
    reason: str = ""
    outcome: str = "ok"  # ok | failed
    error: str | None = None
    prompt_sha256: str | None = None
    redactions: int = 0  # secrets masked in the prompt before it was sent
    at: datetime | None = None  # default: when recorded


@dataclass(frozen=True)
class CacheEntry:
    key: str
    model: str
    task: str
    data_class: str
    created_at: datetime
    expires_at: datetime
    hits: int
    value: str


@dataclass
class PruneResult:
    """Rows deleted (or, in a dry run, that would be), by data class where it applies."""

    calls: dict[str, int] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)
    cache: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.calls.values()) + sum(self.runs.values()) + self.cache
