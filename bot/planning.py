"""Planning a review: classify, reuse cached answers, pack the rest, route every item.

Pure apart from the cache lookup: packing counts with the local estimate and sends nothing,
so `--dry-run` and `switchyard route --explain` show what a run would send where without a
byte leaving. A run (not a dry run) then asks each routed item's first target for an exact
count, through the egress gate, with only what that target may see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.cache.sections import Hit, SectionCache
from bot.change.model import Change, SkippedFile
from bot.classify.data_class import Classification, classify_change
from bot.config.classes import DataClass
from bot.config.model import ProviderConfig, Settings
from bot.egress import Count, EgressRefused, Gate
from bot.errors import ConfigError, IncompleteError
from bot.providers.base import Provider
from bot.providers.discovery import facts_for, resolve_context
from bot.routing import Route, Target, preference, route
from bot.routing.policy import RouteRequest
from bot.tasks.base import WorkItem
from bot.tasks.packing import FileUnit
from bot.tasks.review import ReviewTask
from bot.tokens.counting import estimate_tokens

# Used to plan when no model is configured (dry runs): a common self-hosted context size.
DEFAULT_CONTEXT_TOKENS = 32768
DEFAULT_OUTPUT_TOKENS = 4096
# Headroom for the difference between our count and the server's chat template.
_SAFETY = 0.95


@dataclass(frozen=True, slots=True)
class RunContext:
    """What a door knows about the change beyond its diff."""

    repository: str | None = None  # "owner/name"
    change_ref: str = ""  # "pr/42", a branch, a sha
    labels: tuple[str, ...] = ()


@dataclass(slots=True)
class PlannedItem:
    item: WorkItem
    route: Route
    data_class: DataClass
    class_reason: str
    # {value: kind's slug}: secrets classification found in the files the item shows, for
    # the gate to take out wherever they stand (Classification.withheld). Never shown.
    withheld: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(slots=True)
class CachedSection:
    unit: FileUnit
    hit: Hit
    data_class: DataClass


@dataclass(slots=True)
class ReviewPlan:
    task: ReviewTask
    items: list[PlannedItem]
    skipped: list[SkippedFile]
    budget_tokens: int
    token_method: str
    targets: list[Target] = field(default_factory=list)
    cached: list[CachedSection] = field(default_factory=list)
    units: dict[str, FileUnit] = field(default_factory=dict)  # by path
    classification: Classification | None = None


def targets_of(
    settings: Settings, providers: Mapping[str, Provider], *, discover: bool = False
) -> list[Target]:
    """The configured targets in preference order, each with the context it serves: the
    configuration's, else what the endpoint said (asked only with `discover`; otherwise
    only what is remembered, so dry runs send nothing), else an assumed default. With
    `discover`, a target whose server lists its models without this one is refused."""
    unknown = [n for n in settings.routing.order if n not in settings.providers]
    for rule in settings.routing.rules:
        unknown += [n for n in rule.targets if n not in settings.providers]
    if unknown:
        known = ", ".join(settings.providers) or "none"
        raise ConfigError(f"routing: no provider named {unknown[0]!r} (declared: {known})")
    found = []
    for name, cfg in settings.providers.items():
        if name not in providers:
            continue
        # Only self-hosted runners are asked in a run: their context varies with how the
        # server was started; a cloud API's is known (config, or what doctor remembered).
        local = cfg.resolved_location() == "local"
        facts = facts_for(providers[name], settings, discover=discover and local)
        if discover and local and facts is not None and facts.model_served(cfg.model) is False:
            served = ", ".join((facts.served_models or [])[:20])
            raise IncompleteError(
                f"{name}: model '{cfg.model}' is not served by {cfg.base_url} (it serves: "
                f"{served})",
                hint=f"set {cfg.setting_name(name, 'model')} to one of them",
            )
        context = resolve_context(name, cfg, facts).tokens
        found.append(
            Target(
                name=name,
                model=cfg.model,
                location=cfg.resolved_location(),
                context_tokens=context,
                max_output_tokens=_answer_allowance(cfg, context),
                declared=cfg.location_declaration(),
            )
        )
    return preference(found, settings.routing.order)


def _answer_allowance(cfg: ProviderConfig, context: int) -> int:
    # A fixed 4,096 would leave a small self-hosted model (4k, 8k) little or no room for
    # the diff; unless the operator set it, the answer gets at most a quarter of the context.
    if "max_output_tokens" in cfg.model_fields_set:
        return cfg.max_output_tokens
    return min(cfg.max_output_tokens, max(512, context // 4))


def plan_review(
    change: Change,
    settings: Settings,
    providers: Mapping[str, Provider],
    ctx: RunContext | None = None,
    cache: SectionCache | None = None,
    task_name: str = "review",
    *,
    gate: Gate | None = None,
) -> ReviewPlan:
    """The plan. With `gate`, each routed item is then counted exactly by its first target
    (through the gate); without one (dry runs) nothing is sent and counts are estimates."""
    ctx = ctx or RunContext()
    targets = targets_of(settings, providers, discover=gate is not None)
    first = targets[0] if targets else None
    context = first.context_tokens if first else DEFAULT_CONTEXT_TOKENS
    max_out = first.max_output_tokens if first else DEFAULT_OUTPUT_TOKENS
    budget = int((context - max_out) * _SAFETY)
    task = ReviewTask(settings.review, settings.prompts_dir, task_name)
    # Packing counts every hunk, so it uses the fast local estimate, which over-counts.
    room = task.room(budget, estimate_tokens)
    units, skipped = task.units(change, room, estimate_tokens)
    classes = classify_change(
        change,
        settings.data_classes,
        settings.data_class,
        ctx.repository,
        extra_context=settings.review.extra_context_lines,
    )
    plan = ReviewPlan(
        task, [], [*change.skipped, *skipped], budget, "estimate", targets, classification=classes
    )
    plan.units = {u.path: u for u in units}

    groups: dict[DataClass, list[FileUnit]] = {}
    for unit in units:
        data_class = classes.file(unit.path).data_class
        hit = cache.lookup(unit.text(), targets, data_class) if cache else None
        if hit is not None:
            plan.cached.append(CachedSection(unit, hit, data_class))
        else:
            # Files of one class share items, so one restricted file never keeps internal
            # ones from falling back to the cloud.
            groups.setdefault(data_class, []).append(unit)

    methods: set[str] = set()
    for group in groups.values():
        first_id = len(plan.items) + 1
        items = task.items(group, room, estimate_tokens, max_out, first_id=first_id)
        planned = [_routed(it, classes, task.name, ctx, targets, settings) for it in items]
        if gate is not None and planned:
            counts = _exact_counts(gate, planned, settings)
            exact = [c.tokens for c in counts if c is not None]
            if exact and max(exact) > budget:
                # The estimate undercounted for this tokenizer: pack again, tighter.
                tighter = task.room(int(budget * budget / max(exact)), estimate_tokens)
                items = task.items(group, tighter, estimate_tokens, max_out, first_id=first_id)
                planned = [_routed(it, classes, task.name, ctx, targets, settings) for it in items]
                counts = _exact_counts(gate, planned, settings)
            for i, c in enumerate(counts):
                if c is None:
                    continue
                methods.add(c.method)
                if c.tokens != planned[i].item.prompt_tokens:
                    planned[i].item.prompt_tokens = c.tokens
                    # Limits and rules are judged on the exact count.
                    planned[i] = _routed(
                        planned[i].item, classes, task.name, ctx, targets, settings
                    )
        plan.items.extend(planned)
    if methods:
        plan.token_method = "+".join(sorted(methods))
    return plan


def _routed(
    it: WorkItem,
    classes: Classification,
    task_name: str,
    ctx: RunContext,
    targets: list[Target],
    settings: Settings,
) -> PlannedItem:
    item_class, reason = classes.of(it.files)
    request = RouteRequest(
        task=task_name,
        prompt_tokens=it.prompt_tokens,
        max_output_tokens=it.max_output_tokens,
        data_class=item_class,
        class_reason=reason,
        paths=tuple(it.files),
        repository=ctx.repository,
        labels=ctx.labels,
    )
    return PlannedItem(
        it,
        route(request, targets, settings.routing.rules),
        item_class,
        reason,
        classes.withheld(it.files),
    )


def _exact_counts(gate: Gate, planned: list[PlannedItem], settings: Settings) -> list[Count | None]:
    """One count per routed item by its first target, through the gate (several in flight);
    None for an item with no target, or one the gate would not let go there."""

    def count(p: PlannedItem) -> Count | None:
        if not p.route.targets:
            return None
        text = "\n".join(m.content for m in p.item.messages)
        try:
            c = gate.count(p.route.targets[0].name, p.data_class, text, p.withheld)
        except EgressRefused:
            return None
        return Count(c.tokens + 8 * len(p.item.messages), c.method)

    firsts = {p.route.targets[0].name for p in planned if p.route.targets}
    gate.prepare(firsts)
    workers = max((settings.providers[n].concurrency for n in firsts), default=1)
    if len(planned) <= 1:
        return [count(p) for p in planned]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(planned)))) as pool:
        return list(pool.map(count, planned))


# Work items packed again, and the files that did not fit even so (with the reason).
Repacked = tuple[list[PlannedItem], list[SkippedFile]]


def rechunk_for_local(
    plan: ReviewPlan, planned: PlannedItem, change: Change, first_id: int
) -> Repacked:
    """An item packed for a big cloud context, cut again to fit the self-hosted one.

    For when the cloud is down: the work still gets done locally, in more, smaller calls.
    Empty when no local target exists or the item was never too big for one.
    """
    local = [t for t in plan.targets if t.location == "local"]
    too_big = {p.split(":")[0] for p in planned.route.passed_over if "context" in p}
    if not local or not too_big & {t.name for t in local}:
        return [], []
    target = local[0]
    why = (
        f"{plan.task.name} → {target.name}/{target.model} (cloud unavailable: "
        f"{planned.item.id} cut to fit the {target.location} context; "
        f"class {planned.data_class.value})"
    )
    return _repacked(plan, planned, change, Route(local, why), target, first_id)


def repack_to_reported(
    plan: ReviewPlan,
    planned: PlannedItem,
    change: Change,
    settings: Settings,
    reported: Mapping[str, int],
    first_id: int,
) -> Repacked:
    """An item a server refused as too long, cut again to the context it reported
    (`reported`: target name → tokens), for the same route. Empty when no target of the
    route reported a context smaller than planned."""
    targets = []
    shrunk = None
    for t in planned.route.targets:
        size = reported.get(t.name)
        if size is not None and size < t.context_tokens:
            cfg = settings.providers[t.name]
            t = dataclasses.replace(
                t, context_tokens=size, max_output_tokens=_answer_allowance(cfg, size)
            )
            shrunk = shrunk or t
        targets.append(t)
    if shrunk is None:
        return [], []
    why = (
        f"{plan.task.name} → {shrunk.name}/{shrunk.model} ({planned.item.id} cut again to the "
        f"{shrunk.context_tokens}-token context the server reported; "
        f"class {planned.data_class.value})"
    )
    return _repacked(plan, planned, change, Route(targets, why), shrunk, first_id)


def _repacked(
    plan: ReviewPlan,
    planned: PlannedItem,
    change: Change,
    route: Route,
    target: Target,
    first_id: int,
) -> Repacked:
    """The files of `planned` packed again to fit `target`, one of `route`'s."""
    budget = int((target.context_tokens - target.max_output_tokens) * _SAFETY)
    room = plan.task.room(budget, estimate_tokens)
    files = [f for f in change.files if f.path in planned.item.lines_by_file]
    sub = Change(files=files, source=change.source, load_content=change.load_content)
    units, skipped = plan.task.units(sub, room, estimate_tokens)
    items = plan.task.items(units, room, estimate_tokens, target.max_output_tokens, first_id)
    return [
        PlannedItem(it, route, planned.data_class, planned.class_reason, planned.withheld)
        for it in items
    ], [s for s in skipped if s.path in planned.item.lines_by_file]
