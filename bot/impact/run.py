"""The impact task, top to bottom: plan (map, reach, items) → dispatch → findings on the
diff's lines, notes on the code elsewhere → report."""

from __future__ import annotations

import time
from pathlib import Path

from bot.change.linemap import LineMap
from bot.change.model import Change
from bot.config.model import Settings
from bot.execution import Execution, Progress, Services
from bot.findings.anchor import anchor_findings
from bot.findings.fingerprint import fingerprint
from bot.findings.model import Finding
from bot.findings.rank import dedupe_and_rank
from bot.impact.answer import ImpactAnswer, OutsideNote
from bot.impact.links import WebRepo, where
from bot.impact.plan import ImpactPlan, budget_of, plan_impact, routed
from bot.impact.task import TASK, ImpactTask
from bot.pipeline import why_unanswered
from bot.planning import PlannedItem, RunContext
from bot.repomap import FactsCache
from bot.report import RunReport, SkippedEntry, Summary, plural
from bot.routing import Route
from bot.routing.dispatch import ChainResult
from bot.tasks.review import ReviewAnswer, ReviewTask
from bot.tasks.routed import new_report, require_targets
from bot.tokens.counting import estimate_tokens

__all__ = ["ImpactPlan", "outside_findings", "plan_impact", "run_impact"]


def run_impact(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    checkout: Path | None,
    ctx: RunContext | None = None,
    cache: FactsCache | None = None,
    progress: Progress | None = None,
    web: WebRepo | None = None,
) -> RunReport:
    """The impact task on `change`, whose head is at `checkout`. `web` is the repository's
    forge address, for links in the notes on code outside the diff."""
    started = time.perf_counter()
    ctx = ctx or RunContext()
    plan = plan_impact(
        change, settings, services.providers, checkout=checkout, ctx=ctx, cache=cache,
        discover=True,
    )  # fmt: skip
    require_targets(bool(plan.items), plan.targets)
    report = new_report(TASK, change, plan.targets)
    report.skipped += [SkippedEntry(path=s.path, reason=s.reason) for s in plan.skipped]
    report.notes.append(map_line(plan))
    report.notes += plan.notes
    run = Execution.start(
        settings, services, plan.targets, ctx, source=change.source, task=TASK,
        data_class=plan.data_class,
    )  # fmt: skip
    report.notes += run.notes
    pairs = list(zip(plan.items, run.dispatch(plan.items, progress), strict=True))
    again = _local_again(plan, pairs, settings)
    if again:
        report.notes.append(
            "cloud unavailable: " + ", ".join(i for i in again) + " re-packed for the "
            f"self-hosted context as {plural(sum(len(v) for v in again.values()), 'item')}"
        )
        extra = [p for items in again.values() for p in items]
        pairs += list(zip(extra, run.dispatch(extra, progress), strict=True))
    review = ReviewTask(settings.review, settings.prompts_dir)
    raw: list[Finding] = []
    outside: list[Finding] = []
    summaries: list[str] = []
    failed = 0
    covered: set[str] = set()
    for planned, result in pairs:
        run.record(planned, result, report)
        if planned.item.id in again:
            continue
        done = result.answered_by
        answer = done.completion.parsed if done and done.completion else None
        if not isinstance(answer, ImpactAnswer):
            failed += 1
            report.notes.append(
                f"{planned.item.id} not answered: {why_unanswered(planned, result)}"
            )
            continue
        covered.update(planned.item.files)
        if answer.summary.strip() not in summaries:
            summaries.append(answer.summary.strip())
        as_review = ReviewAnswer(summary=answer.summary, findings=answer.findings)
        raw += [f.model_copy(update={"task": TASK}) for f in review.interpret_answer(as_review)]
        shown = _shown_of(plan, planned.item.id)
        on_diff, elsewhere, dropped = outside_findings(
            answer.elsewhere, change, shown, plan.texts, web
        )
        raw += on_diff
        outside += elsewhere
        report.notes += dropped
    anchored = anchor_findings(raw, change, LineMap(change.files))
    report.notes += anchored.notes
    report.findings = dedupe_and_rank([*anchored.findings, *outside], settings.review.min_severity)
    report.comment_limit = settings.review.max_findings
    report.walkthrough = "\n\n".join(summaries) or None
    report.summary = _summary(change, plan, report, covered, failed, started, settings)
    run.finish(report)
    return report


def map_line(plan: ImpactPlan) -> str:
    left = sum(plan.map_left_out.values())
    out = f", {left} left out" if left else ""
    return (
        f"impact: repository map of {plural(plan.map_files, 'file')}{out} "
        f"({plan.map_seconds:.1f}s); {plural(plan.symbols, 'changed definition')} and their "
        f"uses elsewhere in {plural(len(plan.items), 'work item')}"
    )


def outside_findings(
    notes: list[OutsideNote],
    change: Change,
    shown: set[str],
    texts: dict[str, str | None],
    web: WebRepo | None,
) -> tuple[list[Finding], list[Finding], list[str]]:
    """A model's notes on code outside the diff: (those on a changed file, for anchoring
    like any finding; file-level findings on the other files, each with a link to the
    line; why a note was dropped). Never a line finding on a file outside the change."""
    changed = {f.path for f in change.files}
    on_diff: list[Finding] = []
    elsewhere: list[Finding] = []
    dropped: list[str] = []
    for n in notes:
        path = n.path.strip().removeprefix("./")
        base = Finding(
            path=path, severity=n.severity, category=n.category, title=n.title.strip(),
            body=n.body.strip(), source="model", task=TASK,
        )  # fmt: skip
        if path in changed:
            on_diff.append(base.model_copy(update={"start_line": n.line, "end_line": n.line}))
            continue
        if path not in shown:
            dropped.append(
                f"dropped a {n.severity.value} note on {path!r}, a file the impact item did "
                f"not show: {n.title.strip()}"
            )
            continue
        at = where(web, change.head_sha, path, n.line)
        note = base.model_copy(update={"anchor_note": f"outside the diff, at {at}"})
        note.fingerprint = fingerprint(note, _line(texts.get(path), n.line))
        elsewhere.append(note)
    return on_diff, elsewhere, dropped


def _line(text: str | None, n: int) -> str:
    lines = (text or "").splitlines()
    return lines[n - 1].strip() if 1 <= n <= len(lines) else ""


def _shown_of(plan: ImpactPlan, item_id: str) -> set[str]:
    return next((set(it.shown) for it in plan.impacts if it.item.id == item_id), set())


def _local_again(
    plan: ImpactPlan, pairs: list[tuple[PlannedItem, ChainResult]], settings: Settings
) -> dict[str, list[PlannedItem]]:
    """Items packed for a cloud context that no target answered because the cloud was
    down, packed again to fit the self-hosted one (fewer uses per item): item id → them."""
    local = [t for t in plan.targets if t.location == "local"]
    if not local:
        return {}
    budget, max_out = budget_of(local[0])
    task = ImpactTask(settings.prompts_dir, settings.review.instructions)
    out: dict[str, list[PlannedItem]] = {}
    for planned, result in pairs:
        if result.completion is not None or result.stop or not result.outage_only:
            continue
        if planned.item.prompt_tokens + planned.item.max_output_tokens <= local[0].context_tokens:
            continue  # it fitted the local target, which was on its route already
        made, _ = task.items(plan.files[planned.item.id], budget, estimate_tokens, max_out)
        why = (
            f"{TASK} → {local[0].name}/{local[0].model} (cloud unavailable: "
            f"{planned.item.id} cut to fit the local context; class {planned.data_class.value})"
        )
        again = []
        for i, it in enumerate(made, start=1):
            it.item.id = f"{planned.item.id}/{i}"
            plan.impacts.append(it)  # what it shows decides which notes are kept
            assert plan.classification is not None
            again.append(
                routed(it, plan.classification, RunContext(), local, settings, Route(local, why))
            )
        out[planned.item.id] = again
    return out


def _summary(
    change: Change,
    plan: ImpactPlan,
    report: RunReport,
    covered: set[str],
    failed: int,
    started: float,
    settings: Settings,
) -> Summary:
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    calls = [c for c in report.calls if not c.cache_hit]
    lines = {f.path: f.added + f.removed for f in change.files}
    return Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len(covered),
        files_skipped=len({s.path for s in report.skipped} - covered),
        changed_lines=change.changed_lines,
        lines_covered=sum(lines.get(p, 0) for p in covered),
        work_items=len(plan.items),
        work_items_failed=failed,
        findings=counts,
        tokens_in=sum(c.tokens_in for c in calls),
        tokens_out=sum(c.tokens_out for c in calls),
        cost_usd=round(sum(c.cost_usd for c in calls), 6),
        # A caller the change breaks fails the gate as a finding on the diff would.
        fail_on=settings.fail_on,
        gate_failed=settings.fail_on is not None
        and any(f.severity.at_least(settings.fail_on) for f in report.findings),
        complete=failed == 0,
        duration_s=round(time.perf_counter() - started, 3),
    )
