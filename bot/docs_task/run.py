"""The docs task, top to bottom: changed definitions → missing or stale docs → model →
committable suggestions; renamed or removed flags, settings, routes and variables →
README/docs edits as a patch.

`run_docs_task` is what every door calls. Which docs need writing is decided without a
model (bot/docs_task/check.py): a doc that is right costs no call. The calls go through
`Execution` (routing, data classes, the egress gate, metering and the ledger), as a review.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.change.linemap import LineMap
from bot.change.model import Change, FileStatus, Side
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.docs_task.check import Gap, gaps_in, mismatches, module_gap
from bot.docs_task.docstrings import Documented, read_python, read_tags
from bot.docs_task.mentions import (
    DocEdits,
    add_edit,
    changed_names,
    doc_files,
    patch_of,
    plan_edits,
    still_defined,
    window_block,
)
from bot.docs_task.render import Placement, apply, place
from bot.docs_task.shown_secrets import file_secrets, masked_patch
from bot.docs_task.style import Detected, detect_style
from bot.docs_task.task import TASK, DocsAnswer, DocsItem, DocsTask, EditsAnswer
from bot.execution import Progress, Services
from bot.findings.anchor import anchor_findings
from bot.findings.model import Finding, Severity
from bot.pipeline import UNREVIEWED
from bot.planning import PlannedItem, RunContext, targets_of
from bot.report import RunReport, SkippedEntry, Summary, plural
from bot.routing import Target
from bot.structure.changed import symbols_changed_in
from bot.structure.languages import language_of
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


@dataclass(slots=True)
class DocsPlan:
    """What a run would send where: `--dry-run` shows it, a run sends it."""

    gaps: list[Gap] = field(default_factory=list)
    items: list[PlannedItem] = field(default_factory=list)
    docs: list[DocsItem] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    style: Detected | None = None
    edits: DocEdits = field(default_factory=DocEdits)
    heads: dict[str, str] = field(default_factory=dict)  # head text of files with gaps
    data_class: DataClass = DataClass.INTERNAL
    checked: int = 0  # changed public definitions whose doc was checked


def plan_docs(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    checkout: Path | None = None,
    ctx: RunContext | None = None,
    discover: bool = True,
) -> DocsPlan:
    """Gaps, doc edits, work items and routes; nothing is sent."""
    ctx = ctx or RunContext()
    plan = DocsPlan()
    listing = _listing(checkout, change)
    _find_gaps(change, settings, plan)
    if any(g.language == "python" for g in plan.gaps):
        plan.style = detect_style(
            listing, lambda p: _read_bytes(change, checkout, p), settings.docs.style
        )
        plan.notes.append(f"Python docstrings in {plan.style.style} style ({plan.style.why})")
    found = changed_names(change)
    docs = doc_files(listing)

    def read(path: str) -> str | None:
        data = _read_bytes(change, checkout, path)
        return None if data is None else data.decode("utf-8", "replace")

    def moved(text: str) -> bool:
        return still_defined(checkout, change.head_sha, text, docs)

    plan.edits = plan_edits(found, docs, read, moved)
    plan.notes += plan.edits.notes
    plan.targets = targets_of(settings, services.providers, discover=discover)
    budget, max_out = prompt_budget(plan.targets)
    task = DocsTask(settings.prompts_dir, settings.review.instructions)
    by_file: dict[str, tuple[list[Gap], list[str]]] = {}
    for gap in plan.gaps:
        by_file.setdefault(gap.path, ([], plan.heads[gap.path].split("\n")))[0].append(gap)
    style = plan.style.style if plan.style else "google"
    packed = task.plan(by_file, style, budget, estimate_tokens, max_out)
    plan.skipped += [SkippedEntry(path=s.path, reason=s.reason) for s in packed.skipped]
    plan.docs = packed.items + _text_items(task, plan.edits, budget, max_out)
    classes = classify(change, settings, ctx)
    plan.data_class = classes.highest[0]
    plan.items = [
        routed_item(d.item, d.reads, classes, ctx, plan.targets, settings) for d in plan.docs
    ]
    return plan


def _find_gaps(change: Change, settings: Settings, plan: DocsPlan) -> None:
    from bot.testgen.testfiles import is_test_file

    left = settings.docs.max_symbols
    for f in change.files:
        language = language_of(f.path)
        if language is None or f.status is FileStatus.DELETED or not f.added:
            continue
        if is_test_file(f.path, language):
            continue
        head = change.load_content(f.path, Side.RIGHT) if change.load_content else None
        if head is None:
            plan.skipped.append(SkippedEntry(path=f.path, reason="its head version is unknown"))
            continue
        source = head.encode("utf-8", "surrogateescape")
        symbols = [s for s in symbols_changed_in(f, source) if s.exported]
        plan.checked += len(symbols)
        gaps = gaps_in(f.path, symbols, source)
        if language == "python" and f.status is FileStatus.ADDED:
            module = module_gap(f.path, source)
            gaps = ([module] if module else []) + gaps
        if not gaps:
            continue
        if len(gaps) > left:
            plan.notes.append(
                f"{f.path}: docs for {left} of its {plural(len(gaps), 'definition')} only "
                f"(docs.max_symbols is {settings.docs.max_symbols})"
            )
            gaps = gaps[: max(left, 0)]
        left -= len(gaps)
        plan.heads[f.path] = head
        plan.gaps += gaps


def _text_items(task: DocsTask, edits: DocEdits, budget: int, max_out: int) -> list[DocsItem]:
    """The windows of doc text naming removed things, packed greedily into items."""
    items: list[DocsItem] = []
    room = budget - task.frame_tokens(estimate_tokens)
    sections: list[str] = []
    windows: list[tuple[str, int, int]] = []
    used = 0

    def flush() -> None:
        nonlocal sections, windows, used
        if sections:
            items.append(
                task.text_item(len(items) + 1, sections, windows, estimate_tokens, max_out)
            )
        sections, windows, used = [], [], 0

    for w in edits.windows:
        text = window_block(w, edits.texts[w.path])
        tokens = estimate_tokens(text) + 2
        if tokens > room:
            continue
        if used + tokens > room:
            flush()
        sections.append(text)
        windows.append((w.path, w.start, w.end))
        used += tokens
    flush()
    return items


def run_docs_task(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    checkout: Path | None = None,
    ctx: RunContext | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """The docs task on `change`. `checkout` (the head checked out) lets it find the
    README and docs/ files and the repository's docstring style; without one, only the
    changed files are read."""
    started = time.perf_counter()
    ctx = ctx or RunContext()
    plan = plan_docs(change, settings, services, checkout=checkout, ctx=ctx)
    require_targets(bool(plan.items), plan.targets)
    report = new_report(TASK, change, plan.targets)
    report.skipped += plan.skipped
    report.notes += plan.notes
    run = start_run(
        report, settings, services, plan.targets, ctx, source=change.source,
        data_class=plan.data_class,
    )  # fmt: skip
    raw: list[Finding] = []
    failed: list[str] = []
    line_map = LineMap(change.files)
    answers = send(run, report, plan.items, settings, services, progress)
    for d, got in zip(plan.docs, answers, strict=True):
        parsed = got.answer
        if isinstance(parsed, DocsAnswer):
            raw += _findings(d, parsed, plan, line_map, report.notes)
        elif isinstance(parsed, EditsAnswer):
            _take_edits(d, parsed, plan.edits, report.notes)
        else:
            failed.append(d.item.id)
            why = got.why
            report.notes.append(f"{d.item.id} ({', '.join(d.item.files)}) {UNREVIEWED}: {why}")
            for path in d.item.files:
                report.skipped.append(SkippedEntry(path=path, reason=f"no docs written: {why}"))
    anchored = anchor_findings(raw, change, line_map)
    report.notes += anchored.notes
    report.findings = anchored.findings
    edited = {path: plan.edits.texts[path] for path in plan.edits.edits}
    report.patch = masked_patch(patch_of(plan.edits), edited, report.notes) or None
    _summarise(report, change, plan, failed, started)
    report.headline = _headline(plan, report)
    run.finish(report)
    return report


def _findings(
    d: DocsItem,
    answer: DocsAnswer,
    plan: DocsPlan,
    line_map: LineMap,
    notes: list[str],
) -> list[Finding]:
    written = {_plain_name(w.name): w.text for w in answer.docs}
    out: list[Finding] = []
    head = plan.heads[d.path]
    lines = head.split("\n")
    # A suggestion repeats the definition's header: what the file's scan finds there is
    # masked (and anchor.py keeps such a suggestion readable, not committable).
    secrets = file_secrets({d.path: head})
    for gap in d.gaps:
        text = written.get(gap.qualname) or written.get(gap.qualname.rsplit(".", 1)[-1])
        if text is None and len(d.gaps) == 1 and len(answer.docs) == 1:
            text = answer.docs[0].text  # one asked, one written: however it was named
        if text is None:
            notes.append(f"{gap.path}: no doc written for {gap.qualname}")
            continue
        placement = place(gap, text, lines, line_map)
        body = _body(gap, text, placement, head, plan)
        stale = gap.problem == "stale"
        out.append(
            Finding(
                path=gap.path,
                start_line=placement.start,
                end_line=placement.end,
                side=Side.RIGHT,
                severity=Severity.MINOR if stale else Severity.NIT,
                category="docs",
                title=(
                    f"Doc of {gap.qualname} no longer matches its code"
                    if stale
                    else f"{gap.qualname} has no doc comment"
                ),
                body=body,
                suggestion=secrets.mask_known(placement.text),
                source="model",
                task=TASK,
            )
        )
    return out


def _plain_name(name: str) -> str:
    """ "add", "`add`", "add()", "calc.py: add (function)" all name add."""
    text = name.strip().strip("`").split("(", 1)[0].strip()
    return text.rsplit(" ", 1)[-1].strip("`:")


def _body(gap: Gap, text: str, placement: Placement, head: str, plan: DocsPlan) -> str:
    """Why, and what the written doc still gets wrong when checked the same way."""
    why = "; ".join(gap.reasons)
    parts = [f"{why[:1].upper()}{why[1:]}."]
    if gap.language == "python":
        style = plan.style.style if plan.style else "google"
        parts.append(f"Suggested docstring in the repository's {style} style.")
        try:
            ast.parse(apply(head, placement))
        except SyntaxError as exc:
            parts.append(f"(Check before committing: the file would not parse: {exc.msg}.)")
    if gap.symbol is not None and gap.facts is not None and gap.kind not in ("class", "module"):
        written = _doc_of(gap, text)
        if written is not None:
            left = mismatches(written, gap.facts)
            if left:
                parts.append(f"(The written doc still differs from the code: {'; '.join(left)}.)")
    return " ".join(parts)


def _doc_of(gap: Gap, text: str) -> Documented | None:
    """The written doc read back the way the check read the old one."""
    if gap.language == "python":
        return read_python(text)
    if gap.language == "go":
        return None
    return read_tags(text)


def _take_edits(d: DocsItem, answer: EditsAnswer, edits: DocEdits, notes: list[str]) -> None:
    for e in answer.edits:
        path = e.path.strip().removeprefix("./")
        inside = any(p == path and a <= e.start_line <= e.end_line <= b for p, a, b in d.windows)
        if not inside:
            notes.append(
                f"{d.item.id}: an edit of {path} lines {e.start_line}-{e.end_line} was outside "
                "the lines shown, and left out"
            )
            continue
        if not add_edit(edits, path, e.start_line, e.end_line, e.text.rstrip("\n")):
            notes.append(f"{path} lines {e.start_line}-{e.end_line}: kept the rename there")


def _headline(plan: DocsPlan, report: RunReport) -> str | None:
    parts = []
    if plan.gaps:
        committable = sum(1 for f in report.findings if f.suggestion is not None)
        parts.append(
            f"{plural(len(plan.gaps), 'changed definition')} with a missing or stale doc of "
            f"{plan.checked} checked: {committable} committable "
            f"{'suggestion' if committable == 1 else 'suggestions'}"
        )
    if report.patch:
        files = sum(1 for line in report.patch.splitlines() if line.startswith("+++ "))
        parts.append(f"{plural(files, 'documentation file')} to update (patch)")
    if not parts and not report.summary.work_items_failed:
        checked = plural(plan.checked, "changed public definition")
        return f"Docs are up to date: {checked} checked, nothing to change."
    return "; ".join(parts) + "." if parts else None


def _summarise(
    report: RunReport, change: Change, plan: DocsPlan, failed: list[str], started: float
) -> None:
    counts = {s.value: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity.value] += 1
    sent = [c for c in report.calls if not c.cache_hit]
    unanswered = {s.path for s in report.skipped if s.reason.startswith("no docs written")}
    report.summary = Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len({f.path for f in change.files} - unanswered),
        files_skipped=len({s.path for s in report.skipped}),
        files_unreviewed=len(unanswered),
        changed_lines=change.changed_lines,
        lines_covered=sum(f.added + f.removed for f in change.files if f.path not in unanswered),
        lines_unreviewed=sum(f.added + f.removed for f in change.files if f.path in unanswered),
        work_items=len(plan.items),
        work_items_failed=len(failed),
        cache_hits=len(report.calls) - len(sent),
        findings=counts,
        tokens_in=sum(c.tokens_in for c in sent),
        tokens_out=sum(c.tokens_out for c in sent),
        cost_usd=round(sum(c.cost_usd for c in sent), 6),
        complete=not failed,
        duration_s=round(time.perf_counter() - started, 3),
    )


def _listing(checkout: Path | None, change: Change) -> list[str]:
    if checkout is not None and checkout.is_dir():
        from bot.testgen.listing import repo_files

        return repo_files(checkout)
    return [f.path for f in change.files]


def _read_bytes(change: Change, checkout: Path | None, path: str) -> bytes | None:
    """The head version: from the change where it can say, else the checkout."""
    if change.load_content is not None and change.head_sha is not None:
        text = change.load_content(path, Side.RIGHT)
        if text is not None:
            return text.encode("utf-8", "surrogateescape")
    if checkout is None:
        return None
    try:
        return (checkout / path).read_bytes()
    except OSError:
        return None
