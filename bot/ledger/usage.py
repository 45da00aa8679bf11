"""Usage figures from the ledger: calls, tokens, cost, latency, cache, local share, budget.

Rows are read once and aggregated here rather than in SQL: percentiles have no portable
SQL form (SQLite has none at all), and a month of calls is a few hundred thousand rows.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config.routing import BudgetConfig
    from bot.ledger.store import Ledger

GROUPINGS = ("provider", "task", "repo", "day")
TOTAL = "(total)"

_COLUMNS = (
    "at",
    "target",
    "task",
    "repository",
    "location",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "cloud_equivalent_usd",
    "latency_s",
    "cache_hit",
    "outcome",
    "redactions",
)
# SQLAlchemy rows resolve attributes by name on each access; a namedtuple's are slots,
# several times faster over a few hundred thousand rows.
_Sample = namedtuple("_Sample", _COLUMNS)  # type: ignore[misc]
_KEYS: dict[str, Callable[[Any], str]] = {
    "provider": lambda r: r.target,
    "task": lambda r: r.task,
    "repo": lambda r: r.repository or "(none)",
    "day": lambda r: r.at.date().isoformat(),
}


@dataclass(frozen=True)
class UsageRow:
    """One group of calls.

    `answered` calls got an answer (outcome ok, cache hits included); the cache hit ratio
    and the local share are shares of those. Latency percentiles cover calls that reached
    a model (cache hits are instant and would hide the model's speed), failures included.
    """

    key: str
    calls: int
    answered: int
    failed: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    all_cloud_usd: float  # the same calls priced on the all-cloud reference model
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    cache_hit_ratio: float | None
    local_share: float | None
    redactions: int = 0  # secret values the gate took out of cloud-bound prompts

    @property
    def saved_usd(self) -> float:
        return self.all_cloud_usd - self.cost_usd


@dataclass(frozen=True)
class BudgetBurn:
    """Month-to-date cloud spend against a monthly cap."""

    scope: str  # "all cloud" or a provider name
    spent_usd: float
    cap_usd: float
    warn_at: float

    @property
    def share(self) -> float:
        return self.spent_usd / self.cap_usd if self.cap_usd > 0 else math.inf

    @property
    def state(self) -> str:
        if self.share >= 1:
            return "exhausted"
        return "warning" if self.share >= self.warn_at else "ok"


@dataclass(frozen=True)
class UsageReport:
    since: datetime
    until: datetime
    by: str
    rows: list[UsageRow]
    total: UsageRow
    budget: list[BudgetBurn] = field(default_factory=list)


def usage(
    ledger: Ledger, since: datetime, by: str, *, until: datetime | None = None
) -> list[UsageRow]:
    """Calls since `since`, grouped `by` provider, task, repo or day (UTC)."""
    if by not in _KEYS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    return group(_samples(ledger, since, until), by)


def usage_report(
    ledger: Ledger,
    since: datetime,
    by: str,
    *,
    budgets: BudgetConfig | None = None,
    now: datetime | None = None,
) -> UsageReport:
    """Usage by group, the overall total and, when caps are configured, the budget burn."""
    if by not in _KEYS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    now = now or datetime.now(UTC)
    rows = _samples(ledger, since, None)
    return UsageReport(
        since=since,
        until=now,
        by=by,
        rows=group(rows, by),
        total=aggregate(TOTAL, rows),
        budget=budget_burn(ledger, budgets, now) if budgets else [],
    )


def budget_burn(ledger: Ledger, budgets: BudgetConfig, now: datetime) -> list[BudgetBurn]:
    """One line for the overall cap and one per provider cap; none when no caps are set."""
    if budgets.monthly_usd is None and not budgets.per_provider_usd:
        return []
    spend = ledger.month_to_date_cloud_spend(now)
    out: list[BudgetBurn] = []
    if budgets.monthly_usd is not None:
        out.append(
            BudgetBurn("all cloud", sum(spend.values()), budgets.monthly_usd, budgets.warn_at)
        )
    for name, cap in sorted(budgets.per_provider_usd.items()):
        out.append(BudgetBurn(name, spend.get(name, 0.0), cap, budgets.warn_at))
    return out


def group(rows: Iterable[Any], by: str) -> list[UsageRow]:
    key = _KEYS[by]
    buckets: dict[str, list[Any]] = {}
    for row in rows:
        buckets.setdefault(key(row), []).append(row)
    out = [aggregate(name, members) for name, members in buckets.items()]
    if by == "day":
        return sorted(out, key=lambda r: r.key)
    return sorted(out, key=lambda r: (-r.cost_usd, -r.calls, r.key))


def aggregate(name: str, rows: Sequence[Any]) -> UsageRow:
    # One pass with plain locals: this loop is most of a report's time on a big ledger.
    answered = hits = local = tokens_in = tokens_out = redactions = 0
    cost = all_cloud = 0.0
    latencies: list[float] = []
    for r in rows:
        tokens_in += r.tokens_in
        redactions += r.redactions
        tokens_out += r.tokens_out
        cost += r.cost_usd
        cloud = r.location == "cloud"
        all_cloud += r.cost_usd if cloud else r.cloud_equivalent_usd
        if r.outcome == "ok":
            answered += 1
            hits += bool(r.cache_hit)
            local += not cloud
        if not r.cache_hit:
            latencies.append(r.latency_s)
    latencies.sort()
    return UsageRow(
        key=name,
        calls=len(rows),
        answered=answered,
        failed=len(rows) - answered,
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost,
        all_cloud_usd=all_cloud,
        p50_s=percentile(latencies, 50),
        p95_s=percentile(latencies, 95),
        p99_s=percentile(latencies, 99),
        cache_hit_ratio=hits / answered if answered else None,
        local_share=local / answered if answered else None,
        redactions=redactions,
    )


def percentile(ordered: Sequence[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); `ordered` is sorted."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _samples(ledger: Ledger, since: datetime, until: datetime | None) -> list[Any]:
    return [_Sample._make(r) for r in ledger.select_calls(since, until, _COLUMNS)]
