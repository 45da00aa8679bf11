"""The ask task, top to bottom: question + change → one work item → the answer in the report.

`run_ask_task` is what every door calls (`switchyard ask`, `/ask` in a comment). The call
goes through `Execution`, as a review: routed diff-scope (self-hosted first), its data
class the highest of the files it shows (restricted stays on premises), through the egress
gate (secrets redacted for a cloud target), metered in the ledger; the answer is masked for
secret values before anything reads it (bot/routing/dispatch.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.ask.task import TASK, AskAnswer, AskItem, AskTask
from bot.change.model import Change
from bot.config.model import Settings
from bot.errors import InputError
from bot.execution import Progress, Services
from bot.pipeline import UNREVIEWED
from bot.planning import PlannedItem, RunContext, targets_of
from bot.report import RunReport, SkippedEntry, Summary, plural
from bot.routing import Target
from bot.tasks import routed
from bot.tokens.counting import estimate_tokens


@dataclass(slots=True)
class AskPlan:
    """What a run would send where: `route --explain` and a dry run show it."""

    ask: AskItem
    planned: PlannedItem
    targets: list[Target] = field(default_factory=list)


def plan_ask(
    change: Change,
    question: str,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    discover: bool = True,
) -> AskPlan:
    if not question.strip():
        raise InputError("ask needs a question", hint='switchyard ask "what does this change do?"')
    ctx = ctx or RunContext()
    targets = targets_of(settings, services.providers, discover=discover)
    budget, max_out = routed.prompt_budget(targets)
    task = AskTask(settings.review, settings.prompts_dir, settings.review.instructions)
    ask = task.plan(change, question, budget, estimate_tokens, max_out)
    # No file shown: the repository's class, as for any other item without paths.
    planned = routed.routed_item(
        ask.item, ask.reads, routed.classify(change, settings, ctx), ctx, targets, settings
    )
    return AskPlan(ask, planned, targets)


def run_ask_task(
    change: Change,
    question: str,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """The answer is `report.answer` (None when no target answered: the notes say why)."""
    started = time.perf_counter()
    ctx = ctx or RunContext()
    plan = plan_ask(change, question, settings, services, ctx=ctx)
    routed.require_targets(True, plan.targets)
    report = routed.new_report(TASK, change, plan.targets)
    report.skipped += [
        SkippedEntry(path=p, reason="not shown to the model: no room left in its context")
        for p in plan.ask.left_out
    ]
    run = routed.start_run(
        report, settings, services, plan.targets, ctx, source=change.source,
        data_class=plan.planned.data_class,
    )  # fmt: skip
    [got] = routed.send(run, report, [plan.planned], settings, services, progress)
    if isinstance(got.answer, AskAnswer):
        report.answer = got.answer.answer.strip()
        shown = plural(len(plan.ask.reads), "touched file")
        report.headline = f"Answered from the diff and {shown}."
    else:
        report.notes.append(f"ask-1 {UNREVIEWED}: {got.why}")
    sent = [c for c in report.calls if not c.cache_hit]
    cached = len(report.calls) - len(sent)
    shown = set(plan.ask.reads)
    report.summary = Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len(shown),
        files_skipped=len({s.path for s in report.skipped}),
        changed_lines=change.changed_lines,
        lines_covered=plan.ask.item.changed_lines if report.answer else 0,
        work_items=1,
        work_items_failed=0 if report.answer else 1,
        cache_hits=cached,
        tokens_in=sum(c.tokens_in for c in sent),
        tokens_out=sum(c.tokens_out for c in sent),
        cost_usd=round(sum(c.cost_usd for c in sent), 6),
        complete=report.answer is not None,
        duration_s=round(time.perf_counter() - started, 3),
    )
    run.finish(report)
    return report
