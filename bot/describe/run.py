"""The describe task, top to bottom: change → one packed, routed item → model → description.

`run_describe_task` is what every door calls; `run_commit_message` is the same pipeline on
a staged diff with a smaller prompt and answer. Both go through `Execution` as a review
does: routed (diff scope: self-hosted first, restricted code only to a self-hosted
target), through the egress gate (secrets redacted before a cloud call), metered into the
ledger, and cached by the whole prompt: a description is of the change as a whole, so a
push that changes any file asks again, and a re-run on the same diff costs no call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.change.model import Change
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.describe.answer import CommitMessage, DescribeAnswer
from bot.describe.body import author_text
from bot.describe.description import Description, interpret
from bot.describe.task import COMMIT_TASK, TASK, DescribePlan, DescribeTask, request_text
from bot.errors import IncompleteError, InputError
from bot.execution import Progress, Services
from bot.planning import PlannedItem, RunContext, targets_of
from bot.report import RunReport, SkippedEntry, Summary, plural
from bot.routing import Target
from bot.tasks.routed import (
    classify,
    new_report,
    prompt_budget,
    require_targets,
    routed_item,
    send,
    start_run,
)
from bot.tokens.counting import estimate_tokens

if TYPE_CHECKING:
    from bot.forges.contract import ChangeRequest

# What the commit message prompt's instructions take besides the diff.
_COMMIT_FRAME = 300


@dataclass(slots=True)
class RunPlan:
    """What a run would send where: `--dry-run` shows it, a run sends it."""

    task: DescribeTask
    packed: DescribePlan
    planned: PlannedItem | None
    targets: list[Target] = field(default_factory=list)
    data_class: DataClass = DataClass.INTERNAL
    budget_tokens: int = 0


def plan_describe(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    info: ChangeRequest | None = None,
    ctx: RunContext | None = None,
    discover: bool = True,
    task_name: str = TASK,
) -> RunPlan:
    """The item and its route; nothing is sent (without `discover`, the self-hosted
    runners are not even asked their context)."""
    ctx = ctx or RunContext()
    targets = targets_of(settings, services.providers, discover=discover)
    budget, max_out = prompt_budget(targets)
    if task_name == COMMIT_TASK:
        budget = min(budget, settings.describe.max_diff_tokens + _COMMIT_FRAME)
    task = DescribeTask(
        task_name, settings.prompts_dir, settings.review.instructions, settings.describe.labels
    )
    request = request_text(info.title, author_text(info.body)) if info is not None else ""
    packed = task.plan(change, budget, estimate_tokens, max_out, request)
    classes = classify(change, settings, ctx)
    plan = RunPlan(task, packed, None, targets, classes.highest[0], budget)
    if packed.item is not None:
        plan.planned = routed_item(packed.item, packed.reads, classes, ctx, targets, settings)
        plan.data_class = plan.planned.data_class
    return plan


def run_describe_task(
    change: Change,
    info: ChangeRequest | None,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    progress: Progress | None = None,
) -> tuple[RunReport, Description]:
    """A title and body for `change`; `info` (a pull/merge request) adds its author's own
    title and text to the prompt, as data. The report's walkthrough is the summary."""
    report, plan, answer = _run(change, info, settings, services, ctx, progress, TASK)
    assert isinstance(answer, DescribeAnswer)
    packed = plan.packed
    changed = [*packed.shown, *packed.summarized, *(s.path for s in packed.left_out)]
    description, notes = interpret(answer, changed, settings.describe.labels)
    description.summarized = list(packed.summarized)
    description.left_out = [s.path for s in packed.left_out]
    description.head_sha = change.head_sha
    report.notes.extend(notes)
    report.walkthrough = description.summary
    themes = len(description.walkthrough)
    labels = f"; labels: {', '.join(description.labels)}" if description.labels else ""
    report.headline = (
        f"Described the change as “{description.title}”: {plural(len(changed), 'file')} in "
        f"{plural(themes, 'theme')}, {plural(len(description.risks), 'risk note')}{labels}."
    )
    return report, description


def run_commit_message(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    progress: Progress | None = None,
) -> tuple[RunReport, CommitMessage]:
    """One Conventional Commits message for `change` (a staged diff)."""
    report, _, answer = _run(change, None, settings, services, ctx, progress, COMMIT_TASK)
    assert isinstance(answer, CommitMessage)
    report.walkthrough = answer.text()
    report.headline = f"Wrote a commit message: {answer.header()}"
    return report, answer


def _run(
    change: Change,
    info: ChangeRequest | None,
    settings: Settings,
    services: Services,
    ctx: RunContext | None,
    progress: Progress | None,
    task_name: str,
) -> tuple[RunReport, RunPlan, BaseModel]:
    started = time.perf_counter()
    ctx = ctx or RunContext()
    plan = plan_describe(change, settings, services, info=info, ctx=ctx, task_name=task_name)
    planned = plan.planned
    if planned is None:
        raise InputError(
            "nothing to describe: no changed file has a diff",
            hint="stage or commit a change first (git add), or check the filters",
        )
    require_targets(True, plan.targets)
    report = new_report(task_name, change, plan.targets)
    report.skipped += [
        SkippedEntry(path=s.path, reason=f"not shown to the model: {s.reason}")
        for s in plan.packed.left_out
    ]
    run = start_run(
        report, settings, services, plan.targets, ctx, source=change.source,
        data_class=plan.data_class,
    )  # fmt: skip
    [answered] = send(run, report, [planned], settings, services, progress)
    if answered.answer is None:
        report.notes.append(f"{planned.item.id} got no answer: {answered.why}")
    report.summary = _summary(change, plan, report, int(answered.answer is None), started)
    run.finish(report)
    if answered.answer is None:
        what = "description" if task_name == TASK else "commit message"
        raise IncompleteError(
            f"no {what} was written: {answered.why}",
            hint="switchyard doctor checks the configured models",
        )
    return report, plan, answered.answer


def _summary(
    change: Change, plan: RunPlan, report: RunReport, failed: int, started: float
) -> Summary:
    packed = plan.packed
    item = plan.planned.item if plan.planned else None
    calls = [c for c in report.calls if not c.cache_hit]
    lines = item.changed_lines if item and not failed else 0
    return Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=0 if failed else len(packed.shown) + len(packed.summarized),
        files_skipped=len(change.skipped) + len(packed.left_out),
        files_unreviewed=len(packed.left_out) + (len(item.files) if item and failed else 0),
        changed_lines=change.changed_lines,
        lines_covered=lines,
        lines_unreviewed=max(0, change.changed_lines - lines),
        work_items=1,
        work_items_failed=failed,
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6),
        cache_hits=sum(1 for c in report.calls if c.cache_hit),
        complete=not failed and not packed.left_out,
        duration_s=round(time.perf_counter() - started, 3),
    )
