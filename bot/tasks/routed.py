"""What every task that sends work items of a change does before and around the calls:
the prompt budget of the first target, each item routed by the data class of the files
its prompt holds, the refusal when no model is configured, and the calls themselves with
the response cache in front of them.

Shared by the docs and ask tasks (the review plans in bot/planning.py, the tests task in
bot/testgen/run.py, in the same words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from bot.cache.sections import SectionCache
from bot.change.model import Change
from bot.classify.data_class import Classification, classify_change
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.errors import IncompleteError
from bot.execution import TEMPERATURE, Execution, Progress, Services
from bot.pipeline import why_unanswered
from bot.planning import DEFAULT_CONTEXT_TOKENS, DEFAULT_OUTPUT_TOKENS, PlannedItem, RunContext
from bot.providers.structured import schema_for
from bot.report import RunReport, SkippedEntry, target_infos
from bot.routing import Target, route
from bot.routing.policy import RouteRequest
from bot.secrets.redact import shown_secrets
from bot.tasks.base import WorkItem

# Headroom for the difference between our count and the server's chat template.
_SAFETY = 0.95


def prompt_budget(targets: Sequence[Target]) -> tuple[int, int]:
    """(prompt tokens an item may have, answer tokens kept) on the first target."""
    first = targets[0] if targets else None
    context = first.context_tokens if first else DEFAULT_CONTEXT_TOKENS
    max_out = first.max_output_tokens if first else DEFAULT_OUTPUT_TOKENS
    return int((context - max_out) * _SAFETY), max_out


def classify(change: Change, settings: Settings, ctx: RunContext) -> Classification:
    return classify_change(
        change,
        settings.data_classes,
        settings.data_class,
        ctx.repository,
        extra_context=settings.review.extra_context_lines,
    )


def routed_item(
    item: WorkItem,
    reads: Sequence[str],
    classes: Classification,
    ctx: RunContext,
    targets: list[Target],
    settings: Settings,
) -> PlannedItem:
    """`item` routed diff-scope: every file whose text the prompt carries decides where it
    may go (restricted stays on premises)."""
    data_class, reason = classes.of(reads)
    if data_class is not DataClass.RESTRICTED and settings.data_classes.secrets_make_restricted:
        # Classification scanned the hunks and the lines around them; a task that shows
        # more (ask's whole head files, testgen's functions and a test file to copy, docs'
        # definitions) is classified by what it shows too.
        shown = next((found for m in item.messages for found in shown_secrets(m.content)), None)
        if shown is not None:
            where, hit = shown
            data_class = DataClass.RESTRICTED
            shows = where or "the prompt"
            reason = f"restricted: {shows}: secret detected in the text it shows ({hit.kind})"
    request = RouteRequest(
        task=item.task,
        prompt_tokens=item.prompt_tokens,
        max_output_tokens=item.max_output_tokens,
        data_class=data_class,
        class_reason=reason,
        scope="diff",
        paths=tuple(reads),
        repository=ctx.repository,
        labels=ctx.labels,
    )
    return PlannedItem(
        item,
        route(request, targets, settings.routing.rules),
        data_class,
        reason,
        classes.withheld(reads),
    )


def require_targets(has_work: bool, targets: Sequence[Target]) -> None:
    if has_work and not targets:
        raise IncompleteError(
            "no model is configured",
            hint="set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL for a self-hosted "
            "OpenAI-compatible server, or OPENAI_API_KEY or ANTHROPIC_API_KEY; or run with "
            "--dry-run to see the plan",
        )


def new_report(task: str, change: Change, targets: Sequence[Target]) -> RunReport:
    """A task's report on `change` before any call: the files, the targets, what the
    filters left out."""
    report = RunReport(
        task=task,
        source=change.source,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        files=[f.path for f in change.files],
    )
    report.targets = target_infos(targets)
    report.skipped = [SkippedEntry(path=s.path, reason=s.reason) for s in change.skipped]
    return report


def start_run(
    report: RunReport,
    settings: Settings,
    services: Services,
    targets: Sequence[Target],
    ctx: RunContext,
    *,
    source: str,
    data_class: DataClass,
) -> Execution:
    """The run that sends a task's items (budget, breakers, metering), its start-up notes
    (a target left out, a budget near its cap) already in the report."""
    run = Execution.start(
        settings,
        services,
        list(targets),
        ctx,
        source=source,
        task=report.task,
        data_class=data_class,
    )
    report.notes.extend(run.notes)
    return run


@dataclass(slots=True)
class Answered:
    planned: PlannedItem
    answer: BaseModel | None  # None: no target answered (`why` says so)
    why: str = ""
    cached: bool = False


def send(
    run: Execution,
    report: RunReport,
    planned: list[PlannedItem],
    settings: Settings,
    services: Services,
    progress: Progress | None,
) -> list[Answered]:
    """Each item answered from the cache when its whole prompt was answered before (by a
    target it may go to), else sent along its route; every attempt metered into `report`
    and the ledger, every new answer kept in the cache. In the order given."""
    out: dict[str, Answered] = {}
    misses: list[PlannedItem] = []
    for p in planned:
        cache = _cache(settings, services, p.item)
        text = _prompt_text(p.item)
        hit = cache.lookup(text, run.targets, p.data_class) if cache else None
        if hit is None or cache is None:
            misses.append(p)
            continue
        answer = p.item.response_model.model_validate_json(hit.value)
        record, row = run.meter.cache_hit(
            target=hit.target,
            task=p.item.task,
            path=p.item.id,
            data_class=p.data_class,
            tokens_in=p.item.prompt_tokens,
            section_sha256=cache.key(text, hit.target.model),
        )
        run.keep(report, record, row)
        out[p.item.id] = Answered(p, answer, cached=True)
    for p, result in zip(misses, run.dispatch(misses, progress), strict=True):
        run.record(p, result, report)
        done = result.answered_by
        parsed = done.completion.parsed if done and done.completion else None
        if isinstance(parsed, p.item.response_model) and done is not None:
            cache = _cache(settings, services, p.item)
            if cache is not None:
                value = parsed.model_dump_json()
                cache.store_answer(_prompt_text(p.item), done.model, p.data_class, value)
            out[p.item.id] = Answered(p, parsed)
        else:
            out[p.item.id] = Answered(p, None, why_unanswered(p, result))
    return [out[p.item.id] for p in planned]


def _prompt_text(item: WorkItem) -> str:
    # The whole prompt is the key: its instructions carry the boundary, which the content
    # decides, so no part of it is the same from one change to the next.
    return "\n\n".join(f"{m.role}: {m.content}" for m in item.messages)


def _cache(settings: Settings, services: Services, item: WorkItem) -> SectionCache | None:
    if services.ledger is None or not settings.cache.enabled:
        return None
    return SectionCache(
        services.ledger,  # type: ignore[arg-type]
        task=item.task,
        instructions="",
        schema=schema_for(item.response_model),
        temperature=TEMPERATURE,
        ttl_days=settings.cache.ttl_days,
    )
