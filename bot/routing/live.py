"""Live state for one process: per-target breakers, limits, queue depth and the budget.

The static route (bot/routing/policy.py) says what a work item may use and in which order;
this module adjusts that order at dispatch time — overflow to the cloud when the local
queue is deep, targets with an open circuit left out — and says why in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.routing.breaker import CircuitBreaker
from bot.routing.budget import BudgetGuard
from bot.routing.load import RunnerLoad, metrics_url_for, overloaded
from bot.routing.ratelimit import TargetLimiter
from bot.routing.route import Route, Target


@dataclass(slots=True)
class Arranged:
    targets: list[Target]
    notes: list[str] = field(default_factory=list)  # why the order differs from the route


class LiveState:
    def __init__(self, settings: Settings, budget: BudgetGuard | None = None) -> None:
        self.settings = settings
        self.budget = budget
        self.breakers: dict[str, CircuitBreaker] = {}
        self.limiters: dict[str, TargetLimiter] = {}
        self.loads: dict[str, RunnerLoad] = {}
        for name, cfg in settings.providers.items():
            self.breakers[name] = CircuitBreaker.for_provider(name, cfg)
            self.limiters[name] = TargetLimiter.for_provider(name, cfg)
            url = metrics_url_for(cfg)
            if url and settings.routing.overflow.enabled:
                self.loads[name] = RunnerLoad(
                    url, model=cfg.model, ttl_s=settings.routing.overflow.metrics_ttl_s
                )

    def prepare(self) -> None:
        """Imports what reading /metrics needs, from the calling thread: the OpenAI SDK
        peeks at a half-imported httpx if a worker thread is importing it at that moment."""
        if self.loads:
            import httpx  # noqa: F401

    def arrange(self, route: Route, data_class: DataClass) -> Arranged:
        """The route's targets in the order to try them now."""
        order = list(route.targets)
        notes: list[str] = []
        if order and order[0].location == "local" and data_class is not DataClass.RESTRICTED:
            burst = self._burst(order)
            if burst is not None:
                order, note = burst
                notes.append(note)
        ready: list[Target] = []
        for t in order:
            breaker = self.breakers.get(t.name)
            if breaker is not None and breaker.state == "open":
                notes.append(breaker.describe())
                continue
            ready.append(t)
        return Arranged(ready, notes)

    def _burst(self, order: list[Target]) -> tuple[list[Target], str] | None:
        local = order[0]
        load = self.loads.get(local.name)
        cloud = [t for t in order if t.location != "local"]
        if load is None or not cloud:
            return None
        reading = load.read()
        threshold = self.settings.routing.overflow.waiting_threshold
        if not overloaded(reading, threshold):
            return None
        assert reading is not None
        rest = [t for t in order if t.location == "local"]
        note = (
            f"{local.name} queue {reading.describe()} > {threshold} waiting: "
            f"burst to {cloud[0].name}"
        )
        return cloud + rest, note

    def warnings(self) -> list[str]:
        return self.budget.warnings() if self.budget else []
