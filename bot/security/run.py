"""The security task, top to bottom: scanners on the change, model triage of what they
report, a model pass for what they cannot see, one report.

The deterministic layer needs no model: without one, the scanners still run and report,
and the report says that triage and the model pass did not.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.change.linemap import LineMap
from bot.change.model import Change
from bot.change.repo_paths import resolve_inside
from bot.classify.data_class import classify_change
from bot.config.model import Settings
from bot.errors import IncompleteError
from bot.execution import Execution, Progress, Services
from bot.findings.anchor import anchor_findings
from bot.findings.model import Finding, Severity
from bot.findings.rank import dedupe_and_rank
from bot.pipeline import UNREVIEWED, run_review, why_unanswered
from bot.planning import PlannedItem, RunContext, targets_of
from bot.report import RunReport, SkippedEntry, Summary, plural, target_infos
from bot.routing import Target, route
from bot.routing.policy import RouteRequest
from bot.tasks.triage import TriageAnswer, TriageTask, apply_verdicts
from bot.tokens.counting import estimate_tokens

TASK = "security"


def run_security(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    ctx: RunContext | None = None,
    mode: str | None = None,
    fail_on: Severity | None = None,
    progress: Progress | None = None,
    use_model: bool = True,
    semgrep_configs: list[Path] | None = None,
    repo_rules: list[Path] | None = None,
) -> RunReport:
    """`semgrep_configs`: extra rule files or folders (the command line's). The
    repository's own rules (`security.semgrep_rules`, paths in the repository) are
    `repo_rules` when the caller read them (from a pull request's or a branch's base, so a
    change cannot alter the rules it is scanned under), else read from the change's
    checkout; a change with neither gets a note that they did not run. A patch's files are
    read from its checkout by the change's loader (bot/change/checkout.py)."""
    from bot.security.scanners import run_scanners

    started = time.perf_counter()
    ctx = ctx or RunContext()
    cfg = settings.security
    configs, rules_notes = _rule_configs(change, cfg.semgrep_rules, repo_rules)
    configs = [*(semgrep_configs or []), *configs]
    scan = run_scanners(
        change,
        semgrep_configs=configs or None,
        mode=mode or cfg.mode,
        bandit_args=[
            *(["--skip", ",".join(cfg.bandit_skip)] if cfg.bandit_skip else []),
            *cfg.bandit_args,
        ],
        timeout_s=cfg.timeout_s,
    )
    report = RunReport(
        task=TASK,
        source=change.source,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        files=[f.path for f in change.files],
    )
    report.skipped = [SkippedEntry(path=s.path, reason=s.reason) for s in change.skipped]
    report.skipped += [
        # The scanners' reasons already say which scanner could not read the file.
        SkippedEntry(path=path, reason=why)
        for path, why in scan.unscanned
    ]
    report.notes.extend(rules_notes)
    # Includes a note for each file one engine could not read and another did (a bandit
    # under 3.11 on 3.12 syntax, semgrep parsing it): scanned, so not a gap.
    report.notes.extend(scan.notes)
    # Each file no engine for its language read makes the run incomplete; the marker lets
    # every door say so.
    report.notes.extend(f"{path} {UNREVIEWED}: {why}" for path, why in scan.unscanned)
    findings = _merge_same_weakness(scan.findings)
    complete = not scan.unscanned
    targets: list[Target] = []
    if use_model:
        try:
            # Asked of the self-hosted runners as a review's are: their context, and whether
            # they serve the model named.
            targets = targets_of(settings, services.providers, discover=True)
        except IncompleteError as exc:
            # The scanners' findings still stand; the run is incomplete without the model.
            report.notes.append(
                f"triage and the model's security pass did not run: {exc}"
                + (f" ({exc.hint})" if exc.hint else "")
            )
            complete = False
            use_model = False
    report.targets = target_infos(targets)
    triage_run: Execution | None = None
    model_equivalent = 0.0
    if use_model and targets:
        findings, triage_complete, triage_run = _triage(
            findings, change, settings, services, targets, ctx, report, progress
        )
        model = _model_pass(change, settings, services, ctx, progress)
        findings += model.findings
        report.calls.extend(model.calls)
        report.notes.extend(n for n in model.notes if n not in report.notes)
        report.skipped.extend(s for s in model.skipped if s not in report.skipped)
        report.walkthrough = model.walkthrough
        model_equivalent = model.summary.cloud_equivalent_usd
        complete = complete and triage_complete and model.summary.complete
    elif use_model:
        report.notes.append(
            "no model configured: scanners only, without triage or the model's security "
            "pass (set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL, or OPENAI_API_KEY)"
        )
    anchored = anchor_findings(findings, change, LineMap(change.files))
    report.notes.extend(anchored.notes)
    # Every finding stays in the report; review.max_findings limits what a forge posts.
    report.findings = dedupe_and_rank(anchored.findings, settings.review.min_severity)
    report.comment_limit = settings.review.max_findings
    report.summary = _summary(change, report, scan.scanned, complete, fail_on, started)
    if triage_run is not None:
        triage_run.finish(report)
    report.summary.cloud_equivalent_usd = round(
        report.summary.cloud_equivalent_usd + model_equivalent, 6
    )
    return report


def _rule_configs(
    change: Change, named: list[str], fetched: list[Path] | None
) -> tuple[list[Path], list[str]]:
    """The repository's own semgrep rules to run, and notes on those that cannot be. Never
    looked for in the current folder: that is the bot's, not the repository's."""
    if fetched is not None or not named:
        return list(fetched or []), []
    if change.repo_root:
        return repo_rule_paths(Path(change.repo_root), named)
    return [], [
        f"semgrep rules of the repository ({', '.join(named)}, from security.semgrep_rules) "
        "were not run: this change has no checkout to read them from"
    ]


def repo_rule_paths(root: Path, named: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The rule files or folders `named` (security.semgrep_rules) in the checkout at `root`,
    and a note for each left out because it leads outside it: settings check the text of
    the path, but only the checkout knows where a committed symlink points."""
    paths: list[Path] = []
    notes: list[str] = []
    for name in named:
        path = resolve_inside(root, name)
        if path is None:
            notes.append(
                f"semgrep rules (security.semgrep_rules): {name!r} leads outside the "
                "repository: not run (the built-in rules still ran)"
            )
        else:
            paths.append(path)
    return paths, notes


def _triage(
    findings: list[Finding],
    change: Change,
    settings: Settings,
    services: Services,
    targets: list[Target],
    ctx: RunContext,
    report: RunReport,
    progress: Progress | None,
) -> tuple[list[Finding], bool, Execution | None]:
    """Findings after triage, whether every triage item got an answer, and the run to
    finish once the report is complete."""
    if not findings:
        return findings, True, None
    classes = classify_change(
        change,
        settings.data_classes,
        settings.data_class,
        ctx.repository,
        extra_context=settings.review.extra_context_lines,
    )
    task = TriageTask(settings.review.instructions, settings.prompts_dir)
    max_out = min(t.max_output_tokens for t in targets)
    items = task.items(findings, change, estimate_tokens, max_out)
    planned: list[PlannedItem] = []
    for ti in items:
        data_class, reason = classes.of([ti.path])
        request = RouteRequest(
            task=TASK,
            prompt_tokens=ti.item.prompt_tokens,
            max_output_tokens=ti.item.max_output_tokens,
            data_class=data_class,
            class_reason=reason,
            paths=(ti.path,),
            repository=ctx.repository,
            labels=ctx.labels,
        )
        planned.append(
            PlannedItem(
                ti.item,
                route(request, targets, settings.routing.rules),
                data_class,
                reason,
                classes.withheld([ti.path]),
            )
        )
    run = Execution.start(
        settings,
        services,
        targets,
        ctx,
        source=change.source,
        task=TASK,
        data_class=classes.highest[0],
    )
    report.notes.extend(n for n in run.notes if n not in report.notes)
    answers: list[TriageAnswer | None] = []
    for ti, p, result in zip(items, planned, run.dispatch(planned, progress), strict=True):
        run.record(p, result, report)
        done = result.answered_by
        parsed = done.completion.parsed if done and done.completion else None
        answers.append(parsed if isinstance(parsed, TriageAnswer) else None)
        if answers[-1] is None:
            report.notes.append(
                f"{p.item.id} ({ti.path}, {plural(len(ti.findings), 'finding')}) could not be "
                f"triaged: {why_unanswered(p, result)}; its findings are kept, unverified"
            )
    triaged = apply_verdicts(items, answers)
    for f, why in triaged.dropped:
        report.notes.append(
            f"dropped as a likely false positive after triage: {f.source} {f.title} "
            f"({f.path}:{f.start_line}): {why}"
        )
    unanswered = sum(len(ti.findings) for ti, a in zip(items, answers, strict=True) if a is None)
    if len(triaged.unverified) > unanswered:
        # Answered, but without a verdict for some finding shown.
        report.notes.append(
            f"{plural(len(triaged.unverified) - unanswered, 'finding')} got no verdict from "
            "triage: kept, unverified"
        )
    return triaged.kept + triaged.unverified, all(a is not None for a in answers), run


@dataclass(slots=True)
class _Merged:
    finding: Finding  # the most severe report of the weakness
    cwe: list[str]  # every CWE of the reports merged into it
    also: list[str]  # the other reports, named


def _merge_same_weakness(findings: list[Finding]) -> list[Finding]:
    """One finding per weakness and line: two scanners reporting the same weakness on the
    same line are one problem to a reader. Weaknesses are the same when the findings share
    a CWE (bandit's B105 says 259 and 798, semgrep's rule 798). The most severe report
    stays, carrying every CWE of the ones merged into it, and names them."""
    kept: list[_Merged] = []
    by_line: dict[tuple[str, int | None], list[_Merged]] = {}
    for f in sorted(findings, key=lambda f: -f.severity.rank):
        here = by_line.setdefault((f.path, f.start_line), [])
        same = next((m for m in here if f.cwe and set(m.cwe) & set(f.cwe)), None)
        if same is None:
            merged = _Merged(f, list(f.cwe), [])
            here.append(merged)
            kept.append(merged)
            continue
        same.also.append(f"{f.source} {f.rule_id or f.title}")
        same.cwe += [c for c in f.cwe if c not in same.cwe]
    return [
        m.finding.model_copy(
            update={
                "body": f"{m.finding.body}\n\nAlso reported by: {', '.join(m.also)}.",
                "cwe": m.cwe,
            }
        )
        if m.also
        else m.finding
        for m in kept
    ]


def _model_pass(
    change: Change,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
) -> RunReport:
    """The model looks for what scanners cannot see; its findings say they are its own."""
    found = run_review(change, settings, services, ctx=ctx, progress=progress, task_name=TASK)
    for f in found.findings:
        f.body = f"{f.body}\n\n(Found by the model's security pass, not by a scanner rule.)"
    return found


def _summary(
    change: Change,
    report: RunReport,
    scanned: int,
    complete: bool,
    fail_on: Severity | None,
    started: float,
) -> Summary:
    counts = {s.value: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity.value] += 1
    sent = [c for c in report.calls if not c.cache_hit]
    # Files the filters kept but that are listed as not reviewed (a scanner could not read
    # them, the model pass left them out): the covered lines are the rest, so the figures
    # agree with the words ("files_reviewed 3, lines_covered 0" for a failed triage did not).
    kept = {f.path: f.added + f.removed for f in change.files}
    unreviewed = {e.path for e in report.skipped if e.path in kept}
    lines_unreviewed = sum(kept[p] for p in unreviewed)
    items = {c.item for c in sent}
    answered = {c.item for c in sent if c.outcome == "ok"}
    return Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=scanned,
        files_skipped=len({s.path for s in report.skipped}),
        files_unreviewed=len(unreviewed),
        changed_lines=change.changed_lines,
        lines_covered=change.changed_lines - lines_unreviewed,
        lines_unreviewed=lines_unreviewed,
        work_items=len(items),
        work_items_failed=len(items - answered),
        findings=counts,
        tokens_in=sum(c.tokens_in for c in sent),
        tokens_out=sum(c.tokens_out for c in sent),
        cost_usd=round(sum(c.cost_usd for c in sent), 6),
        fail_on=fail_on,
        gate_failed=fail_on is not None
        and any(f.severity.at_least(fail_on) for f in report.findings),
        complete=complete,
        duration_s=round(time.perf_counter() - started, 3),
    )
