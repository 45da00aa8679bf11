"""Planning the analyze task: which route (the whole repository to a cloud target, or
per-package chunks to the self-hosted runner), why, and the work items. Sends nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.analyze.churn import DEFAULT_WINDOW, churn_of
from bot.analyze.facts import ReadMany, RepoFacts, compute_facts, modules_of
from bot.analyze.prompt import TASK, AnalyzeTask, narrowed
from bot.classify import classify_path
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.planning import PlannedItem, RunContext, targets_of
from bot.providers.base import Provider
from bot.repomap import FactsCache, MapScope, RepoMap, build_map, from_checkout
from bot.repomap.sources import Sources
from bot.routing import Route, Target, route
from bot.routing.policy import RouteRequest
from bot.tasks.base import WorkItem
from bot.tasks.routed import prompt_budget
from bot.tokens.counting import estimate_tokens

SCOPE = "repository"
# The whole repository goes in one item only if its map shows at least this share of
# the files within the budget; below it, chunks cover every package.
MIN_SHOWN = 0.6
# Packages with fewer files share a chunk with their neighbours.
SMALL_PACKAGE = 8
UNLIMITED = 10**9
CLOUD, CHUNKS, NONE = "cloud", "self-hosted chunks", "none"


@dataclass(slots=True)
class Chunk:
    modules: list[str]
    paths: list[str]
    part: str = ""  # "part 2 of 3" when one package is too big for one item

    @property
    def label(self) -> str:
        return ", ".join(self.modules) + (f" ({self.part})" if self.part else "")


@dataclass(slots=True)
class AnalyzePlan:
    items: list[PlannedItem] = field(default_factory=list)
    chunks: dict[str, Chunk] = field(default_factory=dict)  # by item id (chunked route)
    targets: list[Target] = field(default_factory=list)
    route_taken: str = NONE  # CLOUD | CHUNKS | NONE
    why: str = ""  # why this route, for the report
    facts: RepoFacts = field(default_factory=RepoFacts)  # of the map the items show
    map_files: int = 0
    map_tokens: int = 0  # tokens of the map text the items carry, together
    map_seconds: float = 0.0
    budget_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    # Kept for a run whose cloud call fails: the chunks are made then.
    full_map: RepoMap | None = field(default=None, repr=False)
    full_facts: RepoFacts | None = field(default=None, repr=False)
    build_full: Callable[[], None] | None = field(default=None, repr=False)


def plan_analyze(
    settings: Settings,
    providers: Mapping[str, Provider],
    *,
    checkout: Path,
    ref: str | None = "HEAD",
    ctx: RunContext | None = None,
    budget: int | None = None,
    cache: FactsCache | None = None,
    window: str = DEFAULT_WINDOW,
    discover: bool = False,
) -> AnalyzePlan:
    """`budget` caps the prompt tokens of the whole-repository item (default: what the
    first cloud target's context allows)."""
    ctx = ctx or RunContext()
    targets = targets_of(settings, providers, discover=discover)
    cloud = [t for t in targets if t.location != "local"]
    local = [t for t in targets if t.location == "local"]
    plan = AnalyzePlan(targets=targets)
    cache = cache or FactsCache(None)
    sources = from_checkout(checkout, ref)
    churn = churn_of(checkout, ref or "HEAD", window)
    read = _reader(sources)
    repo_class = classify_path("", settings.data_classes, settings.data_class, ctx.repository)
    scope = MapScope.from_settings(settings, ctx.repository, for_cloud=False)
    task = AnalyzeTask(settings.prompts_dir, settings.review.instructions)

    def full() -> None:
        """The map with every class, for self-hosted chunks (built only when needed)."""
        if plan.full_map is None:
            plan.full_map = build_map(sources, scope=scope, cache=cache)
            plan.full_facts = compute_facts(plan.full_map, churn, read)

    plan.build_full = full

    why = ""
    if repo_class.data_class is DataClass.RESTRICTED:
        why = f"the repository is {repo_class.reason}: its code stays on premises"
    elif not cloud:
        why = "no cloud target is configured"
    else:
        cloud_map = build_map(sources, scope=scope.for_cloud(), cache=cache)
        facts = compute_facts(cloud_map, churn, read)
        plan.budget_tokens, max_out = prompt_budget(cloud)
        if budget is not None:
            plan.budget_tokens = min(plan.budget_tokens, budget)
        item, rendered = task.item(
            f"{TASK}-1", facts, cloud_map, "the whole repository", plan.budget_tokens,
            estimate_tokens, max_out,
        )  # fmt: skip
        # Against the files the whole map would show, whatever the budget (the renderer
        # need not list every mapped file).
        whole = cloud_map.render(UNLIMITED).files_shown
        shown = rendered.files_shown / max(1, whole)
        if shown >= MIN_SHOWN or not local:
            _fill(plan, cloud_map, facts, rendered.tokens)
            request = RouteRequest(
                task=TASK, prompt_tokens=item.prompt_tokens,
                max_output_tokens=item.max_output_tokens, data_class=repo_class.data_class,
                class_reason=repo_class.reason, scope=SCOPE, paths=tuple(cloud_map.files),
                repository=ctx.repository, labels=ctx.labels,
            )  # fmt: skip
            planned = PlannedItem(
                item, route(request, targets, settings.routing.rules), repo_class.data_class,
                repo_class.reason,
            )  # fmt: skip
            plan.items.append(planned)
            first = planned.route.targets[0] if planned.route.targets else None
            plan.route_taken = CLOUD if first and first.location != "local" else CHUNKS
            plan.why = planned.route.reason
            if item.prompt_tokens > plan.budget_tokens:
                plan.notes.append(
                    f"the figures alone take the item to {item.prompt_tokens} tokens, over the "
                    f"{plan.budget_tokens}-token budget; no self-hosted target to split it for"
                )
            restricted = cloud_map.left_out.get("data class not allowed for this target", 0)
            if restricted:
                plan.notes.append(
                    f"{restricted} restricted files were left out of the map sent to the cloud"
                )
            return plan
        why = (
            f"over budget: the whole map in {plan.budget_tokens} tokens shows "
            f"{rendered.files_shown} of its {whole} files"
        )
    full()
    assert plan.full_map is not None and plan.full_facts is not None
    _fill(plan, plan.full_map, plan.full_facts, 0)
    chunk_items(plan, task, local, settings, why, repo_class.data_class)
    return plan


def chunk_items(
    plan: AnalyzePlan,
    task: AnalyzeTask,
    local: list[Target],
    settings: Settings,
    why: str,
    data_class: DataClass,
    first_id: int = 1,
) -> list[PlannedItem]:
    """Per-package items sized to the first self-hosted target's context, routed there
    only; appended to `plan`, which records the route taken and why. A package whose map
    does not fit one item whole (every file, every definition the renderer would show) is
    halved until each part's does, or is one file."""
    if plan.build_full is not None:
        plan.build_full()
    assert plan.full_map is not None and plan.full_facts is not None
    repo_map, facts = plan.full_map, plan.full_facts
    budget, max_out = prompt_budget(local)
    built: list[tuple[int, Chunk, WorkItem, int]] = []  # (package, chunk, item, map tokens)
    queue = [(n, chunk) for n, chunk in enumerate(package_chunks(repo_map))]
    while queue:
        n, chunk = queue.pop(0)
        sub = _sub_map(repo_map, chunk.paths)
        item, rendered = task.item(
            "", narrowed(facts, set(chunk.paths), set(chunk.modules)), sub,
            # As long as any part's label, so the labelled item below fits the same.
            f"the packages {', '.join(chunk.modules)} (part 999 of 999) (one part of the "
            "repository)",
            budget, estimate_tokens, max_out,
        )  # fmt: skip
        whole = sub.render(UNLIMITED)
        cut = (rendered.files_shown, rendered.definitions_shown) < (
            whole.files_shown, whole.definitions_shown,
        )  # fmt: skip
        if len(chunk.paths) > 1 and cut:
            half = len(chunk.paths) // 2
            queue[:0] = [(n, Chunk(chunk.modules, chunk.paths[:half])),
                         (n, Chunk(chunk.modules, chunk.paths[half:]))]  # fmt: skip
            continue
        built.append((n, chunk, item, rendered.tokens))
    parts = Counter(n for n, *_ in built)
    seen: Counter[int] = Counter()
    target = local[0] if local else None
    made: list[PlannedItem] = []
    for i, (n, chunk, _, tokens) in enumerate(built, start=first_id):
        seen[n] += 1
        chunk.part = f"part {seen[n]} of {parts[n]}" if parts[n] > 1 else ""
        scope = f"the packages {chunk.label} (one part of the repository)"
        item = task.item(
            f"{TASK}-{i}", narrowed(facts, set(chunk.paths), set(chunk.modules)),
            _sub_map(repo_map, chunk.paths), scope, budget, estimate_tokens, max_out,
        )[0]  # fmt: skip
        plan.map_tokens += tokens
        if target is None:
            reason = f"{TASK} → no target ({why}; no self-hosted target configured)"
        else:
            reason = (
                f"{TASK} → {target.name}/{target.model} ({why}: chunk {i - first_id + 1} of "
                f"{len(built)} cut to fit the {target.location} context; class "
                f"{data_class.value})"
            )
        plan.chunks[item.id] = chunk
        made.append(PlannedItem(item, Route(local, reason), data_class, why))
    plan.items += made
    plan.route_taken = CHUNKS if local else NONE
    plan.why = why
    plan.budget_tokens = budget
    return made


def package_chunks(repo_map: RepoMap) -> list[Chunk]:
    """The map's files by package (bot.analyze.facts.modules_of), small packages together."""
    by_module: dict[str, list[str]] = {}
    for path, module in sorted(modules_of(repo_map.files).items(), key=lambda kv: kv[1]):
        by_module.setdefault(module, []).append(path)
    out: list[Chunk] = []
    pending = Chunk([], [])
    for module, paths in sorted(by_module.items()):
        if len(paths) >= SMALL_PACKAGE:
            out.append(Chunk([module], paths))
            continue
        pending.modules.append(module)
        pending.paths += paths
        if len(pending.paths) >= SMALL_PACKAGE:
            out.append(pending)
            pending = Chunk([], [])
    if pending.paths:
        out.append(pending)
    return out


def _sub_map(repo_map: RepoMap, paths: list[str]) -> RepoMap:
    """The part of `repo_map` holding `paths`, ranked as in the whole."""
    return RepoMap(
        {p: repo_map.files[p] for p in paths}, repo_map.ranks, {}, repo_map.stats, (),
        repo_map.graph,
    )  # fmt: skip


def _fill(plan: AnalyzePlan, repo_map: RepoMap, facts: RepoFacts, tokens: int) -> None:
    plan.facts = facts
    plan.map_files = len(repo_map.files)
    plan.map_seconds = repo_map.stats.seconds
    plan.map_tokens = tokens


def _reader(sources: Sources) -> ReadMany:
    """Files' bytes at the ref, read together (one `git cat-file` per batch)."""
    by_path = {f.path: f for f in sources.files}

    def read(paths: list[str]) -> dict[str, bytes]:
        wanted = [by_path[p] for p in paths if p in by_path]
        return {f.path: data for f, data in sources.read(wanted)}

    return read
