"""One review run, top to bottom: change → work items → routes → calls → findings → report.

Doors (CLI, webhooks, CI jobs) build a Change and call `plan_review` / `run_review`;
publishers take the RunReport. Nothing here knows which door or publisher is in use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.change.linemap import LineMap
from bot.change.model import Change, SkippedFile
from bot.config.model import Settings
from bot.errors import ConfigError, IncompleteError
from bot.findings.anchor import anchor_findings
from bot.findings.model import Finding, Severity
from bot.findings.rank import dedupe_and_rank
from bot.providers.base import CompletionRequest, Provider
from bot.providers.chain import ChainResult, Gates, call_chain
from bot.report import CallRecord, RunReport, SkippedEntry, Summary
from bot.routing import Route, Target, preference, route
from bot.routing.policy import RouteRequest
from bot.tasks.base import WorkItem
from bot.tasks.review import ReviewTask
from bot.tokens.counting import TokenCounter, estimate_tokens

# Used to plan when no model is configured (dry runs): a common self-hosted context size.
DEFAULT_CONTEXT_TOKENS = 32768
DEFAULT_OUTPUT_TOKENS = 4096
# Headroom for the difference between our count and the server's chat template.
_SAFETY = 0.95

Progress = Callable[[str, int, int], None]  # (message, done, total)

# Starts the note of every work item that no target answered; doors look for it.
UNREVIEWED = "could not be reviewed"


@dataclass(slots=True)
class PlannedItem:
    item: WorkItem
    route: Route


@dataclass(slots=True)
class ReviewPlan:
    task: ReviewTask
    items: list[PlannedItem]
    skipped: list[SkippedFile]
    budget_tokens: int
    token_method: str
    targets: list[Target] = field(default_factory=list)


def targets_of(settings: Settings, providers: Mapping[str, Provider]) -> list[Target]:
    unknown = [n for n in settings.routing.order if n not in settings.providers]
    if unknown:
        known = ", ".join(settings.providers) or "none"
        raise ConfigError(f"routing.order: no provider named {unknown[0]!r} (declared: {known})")
    found = [
        Target(
            name=name,
            model=cfg.model,
            location=cfg.resolved_location(),
            context_tokens=cfg.context_tokens,
            max_output_tokens=cfg.max_output_tokens,
        )
        for name, cfg in settings.providers.items()
        if name in providers
    ]
    return preference(found, settings.routing.order)


def plan_review(
    change: Change, settings: Settings, providers: Mapping[str, Provider]
) -> ReviewPlan:
    targets = targets_of(settings, providers)
    first = targets[0] if targets else None
    context = first.context_tokens if first else DEFAULT_CONTEXT_TOKENS
    max_out = first.max_output_tokens if first else DEFAULT_OUTPUT_TOKENS
    budget = int((context - max_out) * _SAFETY)
    task = ReviewTask(settings.review, settings.prompts_dir)
    # Packing counts every hunk, so it uses the fast local estimate, which over-counts;
    # each finished item is then counted by the first target's own tokenizer when it has one.
    plan = task.plan(change, budget, estimate_tokens, max_out)
    counter = TokenCounter(providers[first.name] if first else None)
    method = "estimate"
    if first is not None:
        workers = settings.providers[first.name].concurrency
        exact = _exact_counts(counter, plan.items, workers)
        method = counter.method
        if method != "estimate":
            if exact and max(exact) > budget:
                # The estimate undercounted for this tokenizer: pack again, tighter.
                tighter = int(budget * budget / max(exact))
                plan = task.plan(change, tighter, estimate_tokens, max_out)
                exact = _exact_counts(counter, plan.items, workers)
            for it, n in zip(plan.items, exact, strict=True):
                it.prompt_tokens = n
    items = [
        PlannedItem(
            it,
            route(
                RouteRequest(
                    task.name, it.prompt_tokens, it.max_output_tokens, paths=tuple(it.files)
                ),
                targets,
                settings.routing.rules,
            ),
        )
        for it in plan.items
    ]
    return ReviewPlan(
        task=task,
        items=items,
        skipped=[*change.skipped, *plan.skipped],
        budget_tokens=budget,
        token_method=method,
        targets=targets,
    )


def _exact_counts(counter: TokenCounter, items: list[WorkItem], workers: int) -> list[int]:
    """One tokenizer request per item (its messages joined), several in flight at once."""

    def count(item: WorkItem) -> int:
        text = "\n".join(m.content for m in item.messages)
        return counter.count(text) + 8 * len(item.messages)

    if len(items) <= 1:
        return [count(it) for it in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(count, items))


def run_review(
    change: Change,
    settings: Settings,
    providers: Mapping[str, Provider],
    *,
    fail_on: Severity | None = None,
    progress: Progress | None = None,
) -> RunReport:
    started = time.perf_counter()
    rp = plan_review(change, settings, providers)
    report = RunReport(
        task=rp.task.name, source=change.source, base_sha=change.base_sha, head_sha=change.head_sha
    )
    report.skipped = [SkippedEntry(path=s.path, reason=s.reason) for s in rp.skipped]
    if rp.items and not rp.targets:
        raise IncompleteError(
            "no model is configured",
            hint="set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL for a self-hosted "
            "OpenAI-compatible server, or OPENAI_API_KEY; or run with --dry-run to see the plan",
        )
    if not rp.items:
        report.notes.append("nothing to review: every changed file was filtered out")

    limits = {name: cfg.concurrency for name, cfg in settings.providers.items()}
    results = _dispatch(rp, providers, limits, progress)

    raw: list[Finding] = []
    walkthrough: list[str] = []
    failed = 0
    covered = 0
    for planned, result in zip(rp.items, results, strict=True):
        item = planned.item
        report.calls.extend(_records(item, planned.route, result))
        if result.completion is None or result.completion.parsed is None:
            failed += 1
            why = _failure(planned.route, result)
            report.skipped.extend(
                SkippedEntry(path=p, reason=f"not reviewed ({n} changed lines): {why}")
                for p, n in item.lines_by_file.items()
            )
            report.notes.append(f"{item.id} {UNREVIEWED}: {why}")
            continue
        covered += item.changed_lines
        answer = result.completion.parsed
        raw.extend(rp.task.interpret(item, answer, change))
        summary_text = getattr(answer, "summary", "")
        if summary_text:
            walkthrough.append(summary_text.strip())

    anchored = anchor_findings(raw, change, LineMap(change.files))
    report.notes.extend(anchored.notes)
    findings, cut = dedupe_and_rank(
        anchored.findings, settings.review.min_severity, settings.review.max_findings
    )
    if cut:
        report.notes.append(f"{cut} more findings were cut by review.max_findings")
    report.findings = findings
    report.walkthrough = "\n\n".join(walkthrough) or None
    report.summary = _summary(change, rp, report, covered, failed, fail_on, started)
    return report


def _dispatch(
    rp: ReviewPlan,
    providers: Mapping[str, Provider],
    limits: Mapping[str, int],
    progress: Progress | None,
) -> list[ChainResult]:
    if not rp.items:
        return []
    gates = Gates(providers, limits)
    # Enough threads to keep every target's allowance busy, never more than there is work.
    workers = max(1, min(len(rp.items), sum(limits.get(t.name, 1) for t in rp.targets), 32))
    total = len(rp.items)
    done = 0

    def one(planned: PlannedItem) -> ChainResult:
        item = planned.item
        request = CompletionRequest(
            messages=item.messages,
            response_model=item.response_model,
            schema_name=item.schema_name,
            max_output_tokens=item.max_output_tokens,
        )
        return call_chain(planned.route, providers, request, gates)

    results: list[ChainResult] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="switchyard") as pool:
        for planned, result in zip(rp.items, pool.map(one, rp.items), strict=True):
            done += 1
            results.append(result)
            if progress:
                progress(_progress_line(planned, result), done, total)
    return results


def _progress_line(planned: PlannedItem, result: ChainResult) -> str:
    last = result.attempts[-1] if result.attempts else None
    if result.completion is not None and last is not None:
        c = result.completion
        return f"{planned.item.id}: {last.target} ok in {c.latency_s:.1f}s"
    if last is not None and last.error is not None:
        return f"{planned.item.id}: failed ({last.error.message})"
    return f"{planned.item.id}: no target"


def _records(item: WorkItem, rt: Route, result: ChainResult) -> list[CallRecord]:
    out: list[CallRecord] = []
    for a in result.attempts:
        c, e = a.completion, a.error
        usage = c.usage if c else (e.usage if e else None)
        out.append(
            CallRecord(
                item=item.id,
                task=item.task,
                target=a.target,
                model=c.model if c else a.model,
                location=a.location,
                tokens_in=usage.prompt_tokens if usage else 0,
                tokens_out=usage.completion_tokens if usage else 0,
                latency_s=round(c.latency_s if c else (e.latency_s if e else 0.0), 3),
                route_reason=rt.reason,
                outcome="ok" if c else "failed",
                error=f"{e.kind.value}: {e.message}" if e else None,
                structured_mode=c.structured_mode if c else None,
                repaired=c.repaired if c else False,
            )
        )
    return out


def _failure(rt: Route, result: ChainResult) -> str:
    if not rt.targets:
        return rt.reason
    errors = [f"{a.target}: {a.error.message}" for a in result.attempts if a.error]
    return "; ".join(errors) or "no answer"


def _summary(
    change: Change,
    rp: ReviewPlan,
    report: RunReport,
    covered: int,
    failed: int,
    fail_on: Severity | None,
    started: float,
) -> Summary:
    counts = {s.value: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity.value] += 1
    gate = fail_on is not None and any(f.severity.at_least(fail_on) for f in report.findings)
    reviewed = {p for it in rp.items for p in it.item.files}
    return Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len(reviewed),
        files_skipped=len({s.path for s in report.skipped}),
        changed_lines=change.changed_lines,
        lines_covered=covered,
        work_items=len(rp.items),
        work_items_failed=failed,
        findings=counts,
        tokens_in=sum(c.tokens_in for c in report.calls),
        tokens_out=sum(c.tokens_out for c in report.calls),
        fail_on=fail_on,
        gate_failed=gate,
        complete=failed == 0,
        duration_s=round(time.perf_counter() - started, 3),
    )
