"""Planning the impact task: map the repository at the change's head, find the changed
definitions and their reach, pack items for the repository-scope route (cloud first),
and route each one. Sends nothing: `--dry-run` and `route --explain` show this plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.change.model import Change, Side, SkippedFile
from bot.classify.data_class import Classification
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.errors import InputError
from bot.impact.neighbours import Reach, Read, reach_of
from bot.impact.sites import Snippet
from bot.impact.task import FileImpact, ImpactItem, ImpactTask, diff_text
from bot.planning import (
    PlannedItem,
    RunContext,
    targets_of,
)
from bot.providers.base import Provider
from bot.repomap import FactsCache, MapScope, RepoMap, build_map, from_checkout
from bot.repomap.sources import Sources
from bot.routing import Route, Target, route
from bot.routing.policy import RouteRequest
from bot.secrets.detect import find_secrets
from bot.structure import symbols_changed_in
from bot.tasks.routed import classify, prompt_budget
from bot.tokens.counting import estimate_tokens

SCOPE = "repository"


@dataclass(slots=True)
class ImpactPlan:
    items: list[PlannedItem] = field(default_factory=list)
    impacts: list[ImpactItem] = field(default_factory=list)  # beside `items`, same order
    files: dict[str, list[FileImpact]] = field(default_factory=dict)  # by item id
    targets: list[Target] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    classification: Classification | None = None
    data_class: DataClass = DataClass.INTERNAL
    budget_tokens: int = 0
    map_files: int = 0
    map_seconds: float = 0.0
    map_left_out: dict[str, int] = field(default_factory=dict)
    symbols: int = 0  # changed definitions found
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)  # head text read, by path


def repository_order(targets: list[Target]) -> list[Target]:
    """Cloud targets first, as the policy orders repository-scope work."""
    return [t for t in targets if t.location != "local"] + [
        t for t in targets if t.location == "local"
    ]


def budget_of(target: Target | None) -> tuple[int, int]:
    """(prompt budget, answer allowance) of an item bound for `target`."""
    return prompt_budget([target] if target else [])


def plan_impact(
    change: Change,
    settings: Settings,
    providers: Mapping[str, Provider],
    *,
    checkout: Path | None,
    ctx: RunContext | None = None,
    cache: FactsCache | None = None,
    discover: bool = False,
) -> ImpactPlan:
    ctx = ctx or RunContext()
    if checkout is None:
        raise InputError(
            "the impact task reads the repository around the change, and a patch has none",
            hint="run it on a branch in a checkout: switchyard review --deep --base REF",
        )
    targets = targets_of(settings, providers, discover=discover)
    plan = ImpactPlan(targets=targets)
    sources = (
        from_checkout(checkout, change.head_sha) if change.head_sha else from_checkout(checkout)
    )
    scope = MapScope.from_settings(settings, ctx.repository, for_cloud=False)
    repo_map = build_map(sources, scope=scope, cache=cache, focus=[f.path for f in change.files])
    plan.map_files = len(repo_map.files)
    plan.map_seconds = repo_map.stats.seconds
    plan.map_left_out = dict(repo_map.left_out)
    read = _reader(sources, change, plan.texts)
    classes = classify(change, settings, ctx)
    plan.classification = classes
    plan.data_class = classes.highest[0]
    cloud = any(t.location != "local" for t in targets)
    files, restricted_left_out = _impacts(change, repo_map, read, classes, settings, cloud=cloud)
    plan.symbols = sum(len(fi.reaches) for fi in files)
    if restricted_left_out:
        plan.notes.append(
            f"{restricted_left_out} uses in restricted files were left out of the impact "
            "items, so that those may go to a cloud target (restricted code stays on premises)"
        )
    first = repository_order(targets)[0] if targets else None
    plan.budget_tokens, max_out = budget_of(first)
    task = ImpactTask(settings.prompts_dir, settings.review.instructions)
    groups: dict[DataClass, list[FileImpact]] = {}
    for fi in files:
        groups.setdefault(fi.data_class, []).append(fi)
    for group in groups.values():
        made, skipped = task.items(
            group, plan.budget_tokens, estimate_tokens, max_out, len(plan.items) + 1
        )
        plan.skipped += skipped
        for it in made:
            plan.impacts.append(it)
            plan.files[it.item.id] = [fi for fi in group if fi.change.path in it.item.files]
            plan.items.append(routed(it, classes, ctx, targets, settings))
    left = sum(it.left_out for it in plan.impacts)
    if left:
        plan.notes.append(
            f"{left} uses elsewhere did not fit the impact items' budget and were left out "
            "(the most used files come first)"
        )
    return plan


def routed(
    it: ImpactItem,
    classes: Classification,
    ctx: RunContext,
    targets: list[Target],
    settings: Settings,
    fixed: Route | None = None,
) -> PlannedItem:
    """The item's route: repository scope (cloud first), decided by every file it shows."""
    data_class, reason = classes.of(it.item.files)
    for path, cls in it.shown.items():
        if cls.rank > data_class.rank:
            data_class, reason = cls, f"{path} (shown as a use): {cls.value}"
    withheld = classes.withheld(it.item.files)
    if fixed is not None:
        return PlannedItem(it.item, fixed, data_class, reason, withheld)
    request = RouteRequest(
        task=it.item.task,
        prompt_tokens=it.item.prompt_tokens,
        max_output_tokens=it.item.max_output_tokens,
        data_class=data_class,
        class_reason=reason,
        scope=SCOPE,
        paths=tuple(it.shown),
        repository=ctx.repository,
        labels=ctx.labels,
    )
    return PlannedItem(
        it.item, route(request, targets, settings.routing.rules), data_class, reason, withheld
    )


def _impacts(
    change: Change,
    repo_map: RepoMap,
    read: Read,
    classes: Classification,
    settings: Settings,
    *,
    cloud: bool,
) -> tuple[list[FileImpact], int]:
    """Each changed file with the reach of its changed definitions; restricted uses are
    dropped from a non-restricted file's reach when a cloud target may take it."""
    out: list[FileImpact] = []
    dropped = 0
    for f in change.files:
        head = read(f.path)
        if head is None or not f.hunks:
            continue
        own = classes.file(f.path).data_class
        reaches: list[Reach] = []
        for symbol in symbols_changed_in(f, head.encode("utf-8", "surrogateescape")):
            reach = reach_of(symbol, repo_map, read, head_text=head)
            kept: list[Snippet] = []
            for snip in reach.snippets:
                snip = _with_secrets(snip, settings)
                if (
                    cloud
                    and own is not DataClass.RESTRICTED
                    and snip.data_class is (DataClass.RESTRICTED)
                ):
                    dropped += 1
                    continue
                kept.append(snip)
            reach.snippets = kept
            reaches.append(reach)
        if reaches:
            diff = diff_text(f, head, settings.review.extra_context_lines)
            out.append(FileImpact(f, diff, reaches, own))
    return out, dropped


def _with_secrets(snip: Snippet, settings: Settings) -> Snippet:
    """A snippet holding a detected secret is restricted, as a file holding one is."""
    if snip.data_class is DataClass.RESTRICTED or not settings.data_classes.secrets_make_restricted:
        return snip
    if not find_secrets(snip.text, snip.path):
        return snip
    return Snippet(
        snip.path, snip.first, snip.last, snip.text, snip.uses, DataClass.RESTRICTED, snip.more
    )


def _reader(sources: Sources, change: Change, texts: dict[str, str | None]) -> Read:
    """A file's text at the change's head, read once (the change's own loader first)."""
    by_path = {f.path: f for f in sources.files}

    def read(path: str) -> str | None:
        if path in texts:
            return texts[path]
        text = change.load_content(path, Side.RIGHT) if change.load_content else None
        if text is None and (f := by_path.get(path)) is not None:
            data = next((d for _, d in sources.read([f])), None)
            text = data.decode("utf-8", "replace") if data is not None else None
        texts[path] = text
        return text

    return read
