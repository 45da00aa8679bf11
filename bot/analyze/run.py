"""The analyze task, top to bottom: plan → the whole repository to the cloud, or chunks
to the self-hosted runner (also when the cloud call fails) → the answers merged with the
computed figures into one report that says which route was taken and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.analyze.answer import AnalysisAnswer, Risk
from bot.analyze.churn import DEFAULT_WINDOW
from bot.analyze.facts import RepoFacts
from bot.analyze.plan import CHUNKS, CLOUD, AnalyzePlan, chunk_items, plan_analyze
from bot.analyze.prompt import TASK, AnalyzeTask
from bot.config.model import Settings
from bot.execution import Execution, Progress, Services
from bot.pipeline import why_unanswered
from bot.planning import PlannedItem, RunContext
from bot.repomap import FactsCache
from bot.report import RunReport, target_infos
from bot.routing.dispatch import ChainResult
from bot.tasks.routed import require_targets


@dataclass(slots=True)
class AnalysisReport:
    repository: str | None
    ref: str
    route: str  # the route taken: "cloud", "self-hosted chunks", "none"
    why: str
    facts: RepoFacts
    map_files: int = 0
    map_tokens: int = 0
    summary: str | None = None
    # (what it covers, text): one for the whole repository, or one per chunk.
    architecture: list[tuple[str, str]] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items: int = 0
    items_failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0

    @property
    def complete(self) -> bool:
        return self.items > 0 and self.items_failed == 0


def run_analyze(
    settings: Settings,
    services: Services,
    *,
    checkout: Path,
    ref: str = "HEAD",
    ctx: RunContext | None = None,
    budget: int | None = None,
    cache: FactsCache | None = None,
    window: str = DEFAULT_WINDOW,
    progress: Progress | None = None,
) -> AnalysisReport:
    ctx = ctx or RunContext()
    plan = plan_analyze(
        settings, services.providers, checkout=checkout, ref=ref, ctx=ctx, budget=budget,
        cache=cache, window=window, discover=True,
    )  # fmt: skip
    require_targets(bool(plan.items), plan.targets)
    metered = RunReport(task=TASK, source=f"{checkout} at {ref}", head_sha=None)
    metered.targets = target_infos(plan.targets)
    data_class = plan.items[0].data_class if plan.items else None
    run = Execution.start(
        settings, services, plan.targets, ctx, source=metered.source, task=TASK,
        data_class=data_class or settings.data_classes.default,
    )  # fmt: skip
    out = AnalysisReport(ctx.repository, ref, plan.route_taken, plan.why, plan.facts)
    out.notes += plan.notes + run.notes
    pairs = list(zip(plan.items, run.dispatch(plan.items, progress), strict=True))
    if plan.route_taken == CLOUD:
        answered = pairs[0][1].answered_by
        if answered is not None and answered.location == "local":
            out.route = "self-hosted (whole repository)"
            out.why = f"{plan.why}; answered by {answered.target} after the cloud failed"
        pairs += _fall_back(plan, pairs, settings, run, progress, out)
    answers: list[tuple[PlannedItem, AnalysisAnswer]] = []
    for planned, result in pairs:
        run.record(planned, result, metered)
        if out.route == CHUNKS and planned.item.id not in plan.chunks:
            continue  # the whole-repository item the chunks replaced
        done = result.answered_by
        answer = done.completion.parsed if done and done.completion else None
        if isinstance(answer, AnalysisAnswer):
            answers.append((planned, answer))
        else:
            out.items_failed += 1
            out.notes.append(f"{planned.item.id} not answered: {why_unanswered(planned, result)}")
    out.items = len([p for p, _ in pairs if out.route != CHUNKS or p.item.id in plan.chunks])
    _merge(out, plan, answers)
    out.facts, out.map_files, out.map_tokens = plan.facts, plan.map_files, plan.map_tokens
    calls = [c for c in metered.calls if not c.cache_hit]
    out.tokens_in = sum(c.tokens_in for c in calls)
    out.tokens_out = sum(c.tokens_out for c in calls)
    out.cost_usd = round(sum(c.cost_usd for c in calls), 6)
    metered.summary.complete = out.complete
    metered.summary.work_items = out.items
    metered.summary.work_items_failed = out.items_failed
    run.finish(metered)
    return out


def _fall_back(
    plan: AnalyzePlan,
    pairs: list[tuple[PlannedItem, ChainResult]],
    settings: Settings,
    run: Execution,
    progress: Progress | None,
    out: AnalysisReport,
) -> list[tuple[PlannedItem, ChainResult]]:
    """The whole-repository item got no answer (the cloud down, refused, over its spending
    budget): per-package chunks to the self-hosted runner instead."""
    [(planned, result)] = pairs
    local = [t for t in plan.targets if t.location == "local"]
    if result.completion is not None or not local:
        return []
    why = f"cloud unavailable ({why_unanswered(planned, result)[:300]})"
    task = AnalyzeTask(settings.prompts_dir, settings.review.instructions)
    made = chunk_items(plan, task, local, settings, why, planned.data_class, first_id=2)
    out.route, out.why = CHUNKS, plan.why
    out.notes.append(
        f"{planned.item.id} got no answer; the repository went in {len(made)} chunks to "
        f"{local[0].name}"
    )
    return list(zip(made, run.dispatch(made, progress), strict=True))


def _merge(
    out: AnalysisReport, plan: AnalyzePlan, answers: list[tuple[PlannedItem, AnalysisAnswer]]
) -> None:
    """One report from one answer, or from a chunk's each: summaries and architecture per
    package, risks together (most severe first, each once)."""
    summaries: list[str] = []
    seen: set[tuple[str, str]] = set()
    for planned, answer in answers:
        chunk = plan.chunks.get(planned.item.id)
        label = chunk.label if chunk else "the whole repository"
        summaries.append(
            answer.summary.strip() if not chunk else f"{label}: {answer.summary.strip()}"
        )
        out.architecture.append((label, answer.architecture.strip()))
        for r in answer.risks:
            key = (r.path.strip(), r.title.strip().lower())
            if key not in seen:
                seen.add(key)
                out.risks.append(r)
    out.risks.sort(key=lambda r: -r.severity.rank)
    out.summary = "\n\n".join(summaries) or None
