"""Routing policy, live-state thresholds and budgets, as configured."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config.base import Strict
from bot.config.classes import DataClass


class RouteRule(Strict):
    """When every condition given matches a work item, its chain is `targets`, in order."""

    name: str | None = Field(default=None, description="Shown in the route reason")
    tasks: list[str] = Field(default_factory=list, description="Any of these tasks; empty = all")
    scope: Literal["diff", "repository"] | None = None
    min_tokens: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    data_classes: list[DataClass] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list, description="Globs: any file of the item")
    repositories: list[str] = Field(default_factory=list, description="'owner/name' globs")
    labels: list[str] = Field(default_factory=list, description="Any of these PR labels")
    targets: list[str] = Field(min_length=1, description="Provider names, in order")


class OverflowConfig(Strict):
    enabled: bool = True
    waiting_threshold: int = Field(
        default=8,
        ge=0,
        description="Burst to the cloud above this many queued requests "
        "(vLLM's vllm:num_requests_waiting), where the data class allows",
    )
    metrics_ttl_s: float = Field(default=5.0, gt=0, description="How long a reading is reused")


class RoutingConfig(Strict):
    order: list[str] = Field(
        default_factory=list,
        description="Provider names in order of preference; default: local ones first",
    )
    rules: list[RouteRule] = Field(
        default_factory=list, description="First matching rule wins; else the default policy"
    )
    overflow: OverflowConfig = Field(default_factory=OverflowConfig)
    restricted_wait_s: float = Field(
        default=120.0,
        ge=0,
        description="How long restricted work waits for a local target to come back before "
        "the run ends unreviewed (it never goes to the cloud)",
    )
    essential_tasks: list[str] = Field(
        default_factory=lambda: ["security"],
        description="Tasks still sent to the cloud when the budget says essential_only",
    )


class BudgetConfig(Strict):
    """Monthly cloud spend caps, measured from the ledger. Org/server file only."""

    monthly_usd: float | None = Field(default=None, ge=0, description="All cloud providers")
    per_provider_usd: dict[str, float] = Field(default_factory=dict)
    warn_at: float = Field(default=0.8, gt=0, le=1, description="Warn from this share")
    on_exhausted: Literal["local_only", "essential_only", "stop"] = "local_only"
