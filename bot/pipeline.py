"""One review run, top to bottom: change → plan → calls → findings → report.

Doors (CLI, webhooks, CI jobs) build a Change and call `run_review`; publishers take the
RunReport. Nothing here knows which door or publisher is in use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.cache.sections import SectionCache
from bot.change.linemap import LineMap
from bot.change.model import Change, SkippedFile
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.egress import Gate
from bot.errors import IncompleteError
from bot.execution import TEMPERATURE, Execution, Progress, Services
from bot.findings.anchor import anchor_findings
from bot.findings.model import Finding, Severity
from bot.findings.rank import dedupe_and_rank
from bot.planning import (
    PlannedItem,
    ReviewPlan,
    RunContext,
    plan_review,
    rechunk_for_local,
    repack_to_reported,
)
from bot.providers.structured import schema_for
from bot.report import RunReport, SkippedEntry, Summary, plural, target_infos
from bot.routing.dispatch import ChainResult
from bot.tasks.review import ReviewAnswer, split_by_file

if TYPE_CHECKING:
    from bot.ledger.store import Ledger

__all__ = [
    "UNREVIEWED",
    "Progress",
    "Services",
    "run_review",
    "section_cache",
    "why_unanswered",
]

# Starts the note of every work item that no target answered; doors look for it.
UNREVIEWED = "could not be reviewed"


def section_cache(
    settings: Settings, ledger: Ledger | None, task_name: str = "review"
) -> SectionCache | None:
    if ledger is None or not settings.cache.enabled:
        return None
    from bot.tasks.review import ReviewTask

    task = ReviewTask(settings.review, settings.prompts_dir, task_name)
    return SectionCache(
        ledger,  # type: ignore[arg-type]
        task=task.name,
        instructions=task.system_prompt(),
        schema=schema_for(ReviewAnswer),
        temperature=TEMPERATURE,
        ttl_days=settings.cache.ttl_days,
    )


def run_review(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    fail_on: Severity | None = None,
    progress: Progress | None = None,
    task_name: str = "review",
) -> RunReport:
    """`task_name` picks the prompt: "review", or "security" for the security task's model
    pass (same answer schema, its own instructions)."""
    started = time.perf_counter()
    ctx = ctx or RunContext()
    ledger = services.ledger
    cache = section_cache(settings, ledger, task_name)
    gate = Gate(services.providers, settings)
    plan = plan_review(change, settings, services.providers, ctx, cache, task_name, gate=gate)
    report = RunReport(
        task=plan.task.name,
        source=change.source,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        files=[f.path for f in change.files],
    )
    report.skipped = [SkippedEntry(path=s.path, reason=s.reason) for s in plan.skipped]
    report.targets = target_infos(plan.targets)
    if plan.items and not plan.targets:
        raise IncompleteError(
            "no model is configured",
            hint="set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL for a self-hosted "
            "OpenAI-compatible server, or OPENAI_API_KEY or ANTHROPIC_API_KEY; or run with "
            "--dry-run to see the plan",
        )
    # Files the filters kept that no work item carries (no room in the context, a line too
    # long for it): unreviewed for a reason the user did not choose, so the run is
    # incomplete. Files without lines ("no textual changes") have nothing to miss.
    kept = {f.path: f for f in change.files}
    left_out: dict[str, int] = {}
    for s in plan.skipped:
        f = kept.get(s.path)
        if f is not None and f.added + f.removed:
            left_out[s.path] = left_out.get(s.path, 0) + f.added + f.removed
    if left_out:
        report.notes.extend(_left_out_notes(plan, left_out))
    elif not plan.items and not plan.cached:
        report.notes.append("nothing to review: every changed file was filtered out")
    if plan.cached and not plan.items:
        # An OK from the cache alone says nothing of the targets now: a typo in a URL since
        # the last run would go unnoticed until the next change.
        report.notes.append(
            f"every file was answered from the cache ({plural(len(plan.cached), 'file')}): no "
            "model was called, so whether the targets answer now was not checked "
            "(switchyard doctor checks it; --no-cache sends again)"
        )

    run = Execution.start(
        settings,
        services,
        plan.targets,
        ctx,
        source=change.source,
        task=plan.task.name,
        data_class=(plan.classification.highest[0] if plan.classification else DataClass.INTERNAL),
    )
    report.notes.extend(run.notes)

    raw: list[Finding] = []
    walkthrough: list[str] = []

    def keep(answer: ReviewAnswer) -> None:
        if answer.summary and answer.summary.strip() not in walkthrough:
            walkthrough.append(answer.summary.strip())

    for cs in plan.cached:
        answer = ReviewAnswer.model_validate_json(cs.hit.value)
        raw.extend(plan.task.interpret_answer(answer))
        keep(answer)
        record, row = run.meter.cache_hit(
            target=cs.hit.target,
            task=plan.task.name,
            path=cs.unit.path,
            data_class=cs.data_class,
            tokens_in=cs.unit.tokens,
            section_sha256=cache.key(cs.unit.text(), cs.hit.target.model) if cache else "",
        )
        run.keep(report, record, row)

    results = run.dispatch(plan.items, progress)
    pairs = list(zip(plan.items, results, strict=True))
    again = _pack_again(pairs, plan, change, settings)
    if again.items:
        report.notes.extend(again.notes)
        pairs += list(zip(again.items, run.dispatch(again.items, progress), strict=True))

    failed = 0
    covered = sum(cs.unit.changed for cs in plan.cached)
    unanswered: dict[str, int] = {}  # changed lines per file that got no valid answer
    stopped: str | None = None
    answered: dict[str, list[_Part]] = {}  # each file's share of the answers, for the cache
    for planned, result in pairs:
        item = planned.item
        run.record(planned, result, report)
        stopped = stopped or result.stop
        done = result.answered_by
        if item.id in again.replaced:
            # Its files went out again as smaller items; those that fit nowhere are left.
            for left in again.replaced[item.id]:
                n = item.lines_by_file.get(left.path, 0)
                why = f"not reviewed ({plural(n, 'changed line')}): {left.reason}"
                report.skipped.append(SkippedEntry(path=left.path, reason=why))
                unanswered[left.path] = unanswered.get(left.path, 0) + n
                report.notes.append(f"{item.id} {UNREVIEWED} in part: {left.path}: {left.reason}")
            continue
        if done is None or done.completion is None or done.completion.parsed is None:
            failed += 1
            why = why_unanswered(planned, result)
            report.skipped.extend(
                SkippedEntry(path=p, reason=f"not reviewed ({plural(n, 'changed line')}): {why}")
                for p, n in item.lines_by_file.items()
            )
            for p, n in item.lines_by_file.items():
                unanswered[p] = unanswered.get(p, 0) + n
            report.notes.append(f"{item.id} {UNREVIEWED}: {why}")
            continue
        covered += item.changed_lines
        answer = done.completion.parsed
        assert isinstance(answer, ReviewAnswer)
        raw.extend(plan.task.interpret_answer(answer))
        keep(answer)
        for path, share in split_by_file(answer, item.files).items():
            part = _Part(item.lines_by_file.get(path, 0), share, done.model, planned.data_class)
            answered.setdefault(path, []).append(part)

    if cache is not None:
        _store(cache, plan, answered)
    if stopped:
        report.notes.append(f"the run stopped early: {stopped}")
    anchored = anchor_findings(raw, change, LineMap(change.files))
    report.notes.extend(anchored.notes)
    # Every finding stays in the report; review.max_findings limits what a forge posts.
    report.findings = dedupe_and_rank(anchored.findings, settings.review.min_severity)
    report.comment_limit = settings.review.max_findings
    report.walkthrough = "\n\n".join(walkthrough) or None
    for path, n in left_out.items():
        unanswered[path] = unanswered.get(path, 0) + n
    report.summary = _summary(change, plan, report, covered, failed, unanswered, fail_on, started)
    run.finish(report)
    return report


@dataclass(slots=True)
class _Again:
    items: list[PlannedItem] = field(default_factory=list)
    # Original item id → the files of it that fit no smaller item either.
    replaced: dict[str, list[SkippedFile]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _pack_again(
    pairs: list[tuple[PlannedItem, ChainResult]],
    plan: ReviewPlan,
    change: Change,
    settings: Settings,
) -> _Again:
    """Items no target answered that smaller ones can still get done, this run: work packed
    for a cloud context while the cloud is down (cut for the self-hosted runner), and work
    a server refused as longer than the context it then reported (cut to that size)."""
    again = _Again()
    by_cause: dict[tuple[str, str], tuple[list[str], list[PlannedItem]]] = {}
    for planned, result in pairs:
        if result.completion is not None or result.stop:
            continue
        first_id = len(pairs) + len(again.items) + 1
        reported = {
            a.target: a.error.context_tokens
            for a in result.attempts
            if a.error is not None and a.error.context_tokens
        }
        # (the note's words before the item ids, and between them and the count)
        cause: tuple[str, str]
        if result.outage_only:
            items, left = rechunk_for_local(plan, planned, change, first_id)
            cause = ("cloud unavailable: ", " re-sent to the local runner as ")
        elif reported:
            items, left = repack_to_reported(plan, planned, change, settings, reported, first_id)
            sizes = ", ".join(f"{t}: {n} tokens" for t, n in sorted(reported.items()))
            cause = (f"context smaller than planned ({sizes}): ", " packed again as ")
        else:
            continue
        if not items:
            continue
        again.items += items
        again.replaced[planned.item.id] = left
        ids, made = by_cause.setdefault(cause, ([], []))
        ids.append(planned.item.id)
        made += items
    for (before, between), (ids, made) in by_cause.items():
        again.notes.append(
            before + ", ".join(ids) + between + plural(len(made), "smaller work item")
        )
    return again


@dataclass(frozen=True, slots=True)
class _Part:
    changed: int  # changed lines of the file that this answer covered
    answer: ReviewAnswer
    model: str
    data_class: DataClass


def _store(cache: SectionCache, plan: ReviewPlan, answered: dict[str, list[_Part]]) -> None:
    """Keeps each file's answer under its whole section. A file split over several items is
    kept once every part is answered, by one model: its parts' findings together (their
    line numbers are the file's own), so a re-run finds the whole file in the cache."""
    for path, parts in answered.items():
        unit = plan.units.get(path)
        models = {p.model for p in parts}
        if unit is None or len(models) != 1 or sum(p.changed for p in parts) != unit.changed:
            continue
        summaries = dict.fromkeys(p.answer.summary.strip() for p in parts if p.answer.summary)
        whole = ReviewAnswer(
            summary="\n\n".join(summaries),
            findings=[f for p in parts for f in p.answer.findings],
        )
        cache.store_answer(unit.text(), models.pop(), parts[0].data_class, whole.model_dump_json())


def why_unanswered(planned: PlannedItem, result: ChainResult) -> str:
    """Why no target answered `planned`, in the targets' own words."""
    if not planned.route.targets:
        return planned.route.reason
    # Provider messages already start with the target's name.
    parts = [a.error.message for a in result.attempts if a.error]
    parts += result.notes
    if planned.data_class is DataClass.RESTRICTED:
        parts.append("restricted code is never sent to a cloud target")
    return "; ".join(dict.fromkeys(parts)) or "no answer"


def _left_out_notes(plan: ReviewPlan, left_out: dict[str, int]) -> list[str]:
    """One note per reason that files were left out of every work item, with the figures
    that explain it; each carries UNREVIEWED, so doors say why the run is incomplete."""
    by_reason: dict[str, list[str]] = {}
    for s in plan.skipped:
        if s.path in left_out and s.path not in by_reason.get(s.reason, []):
            by_reason.setdefault(s.reason, []).append(s.path)
    notes = []
    for reason, paths in by_reason.items():
        lines = sum(left_out[p] for p in paths)
        what = f"{plural(len(paths), 'changed file')} ({plural(lines, 'changed line')})"
        hint = ""
        if "context budget" in reason and plan.targets:
            t = plan.targets[0]
            hint = (
                f" ({t.name}: context {t.context_tokens} tokens, {t.max_output_tokens} kept for "
                f"the answer, {plan.budget_tokens} for the prompt; raise context_tokens or "
                "lower max_output_tokens)"
            )
        notes.append(f"{what} {UNREVIEWED}: {reason}{hint}")
    return notes


def _summary(
    change: Change,
    plan: ReviewPlan,
    report: RunReport,
    covered: int,
    failed: int,
    unanswered: dict[str, int],
    fail_on: Severity | None,
    started: float,
) -> Summary:
    counts = {s.value: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity.value] += 1
    gate = fail_on is not None and any(f.severity.at_least(fail_on) for f in report.findings)
    # Reviewed means answered: a file is counted once none of its changed lines is left
    # without a valid answer (a file split over items counts only when all parts came back).
    sent = {p for it in plan.items for p in it.item.files} | {c.unit.path for c in plan.cached}
    reviewed = sent - set(unanswered)
    calls = [c for c in report.calls if not c.cache_hit]
    return Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len(reviewed),
        files_skipped=len({s.path for s in report.skipped} - reviewed),
        files_unreviewed=len(unanswered),
        changed_lines=change.changed_lines,
        lines_covered=covered,
        lines_unreviewed=sum(unanswered.values()),
        work_items=len(plan.items),
        work_items_failed=failed,
        findings=counts,
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6),
        cache_hits=len(plan.cached),
        fail_on=fail_on,
        gate_failed=gate,
        complete=failed == 0 and not unanswered,
        duration_s=round(time.perf_counter() - started, 3),
    )
