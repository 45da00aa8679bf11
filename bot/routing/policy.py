"""The static routing policy: which targets, in which order, for one work item, and why.

Pure: the same request and configuration always give the same route, so `route --explain`
shows exactly what a run will try first. Live state (breakers, queue depth, budget) is
applied at dispatch time by bot/routing/live.py and adds its own words to the reason.

Default policy (DESIGN.md), when no configured rule matches:
- diff-scope work that fits the self-hosted context → local first, cloud as fallback;
- repository-scope work, or a prompt bigger than the local context → cloud first, local
  as fallback;
- restricted data → local targets only, whatever a rule says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.change.filters import glob_match
from bot.config.classes import DataClass
from bot.config.routing import RouteRule
from bot.routing.route import Route, Target


@dataclass(frozen=True, slots=True)
class RouteRequest:
    task: str
    prompt_tokens: int
    max_output_tokens: int
    data_class: DataClass = DataClass.INTERNAL
    class_reason: str = ""
    scope: str = "diff"  # "diff" | "repository"
    paths: tuple[str, ...] = ()
    repository: str | None = None
    labels: tuple[str, ...] = ()


def preference(targets: list[Target], order: list[str]) -> list[Target]:
    """Targets in the configured order, else local ones first in declaration order."""
    if order:
        by_name = {t.name: t for t in targets}
        return [by_name[n] for n in order if n in by_name]
    return sorted(targets, key=lambda t: 0 if t.location == "local" else 1)


def route(req: RouteRequest, ranked: list[Target], rules: Sequence[RouteRule] = ()) -> Route:
    chain, why = _chain(req, ranked, rules)
    passed: list[str] = []
    chosen: list[Target] = []
    need = req.prompt_tokens + req.max_output_tokens
    for t in chain:
        if req.data_class is DataClass.RESTRICTED and t.location != "local":
            passed.append(f"{t.name}: restricted code stays on premises")
        elif need > t.context_tokens:
            passed.append(
                f"{t.name}: {_k(req.prompt_tokens)} prompt + {_k(req.max_output_tokens)} "
                f"answer > {_k(t.context_tokens)} context"
            )
        else:
            chosen.append(t)
    klass = f"class {req.data_class.value}"
    if req.data_class is DataClass.RESTRICTED:
        klass += ": local only"
    if not chosen:
        detail = "; ".join(passed) or "none configured"
        return Route([], f"{req.task} → no target ({detail}; {klass})", passed)
    first = chosen[0]
    if why is None:
        limit = first.context_tokens - req.max_output_tokens
        why = f"{_k(req.prompt_tokens)} tokens ≤ {_k(limit)} {first.location} limit"
    parts = [why]
    if passed:
        parts.append("passed over " + ", ".join(p.split(":")[0] for p in passed))
    if len(chosen) > 1:
        parts.append("fallback " + " → ".join(t.name for t in chosen[1:]))
    parts.append(klass)
    return Route(chosen, f"{req.task} → {first.name}/{first.model} ({'; '.join(parts)})", passed)


def _chain(
    req: RouteRequest, ranked: list[Target], rules: Sequence[RouteRule]
) -> tuple[list[Target], str | None]:
    """The ordered candidates before filtering, and the reason if a rule or scope chose."""
    by_name = {t.name: t for t in ranked}
    for i, rule in enumerate(rules, start=1):
        if _matches(rule, req):
            label = rule.name or f"#{i}"
            return [by_name[n] for n in rule.targets if n in by_name], f"rule {label}"
    local = [t for t in ranked if t.location == "local"]
    cloud = [t for t in ranked if t.location != "local"]
    if req.scope == "repository" and cloud:
        return cloud + local, "repository scope: cloud first"
    local_room = max((t.context_tokens - req.max_output_tokens for t in local), default=0)
    if local and cloud and req.prompt_tokens > local_room:
        return cloud + local, f"{_k(req.prompt_tokens)} tokens > {_k(local_room)} local limit"
    return ranked, None


def _matches(rule: RouteRule, req: RouteRequest) -> bool:
    checks = [
        not rule.tasks or req.task in rule.tasks,
        rule.scope is None or rule.scope == req.scope,
        rule.min_tokens is None or req.prompt_tokens >= rule.min_tokens,
        rule.max_tokens is None or req.prompt_tokens <= rule.max_tokens,
        not rule.data_classes or req.data_class in rule.data_classes,
        not rule.paths or any(glob_match(g, p) for g in rule.paths for p in req.paths),
        not rule.repositories
        or (
            req.repository is not None
            and any(glob_match(g, req.repository) for g in rule.repositories)
        ),
        not rule.labels or any(label in req.labels for label in rule.labels),
    ]
    return all(checks)


def _k(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)
