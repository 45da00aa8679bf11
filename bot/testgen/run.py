"""The tests task, top to bottom: changed functions → work items → model → run → keep.

`run_tests_task` is what every door calls: it finds the changed functions of the change
with bot/structure's parser, asks for tests through `Execution` (routing, data classes,
the egress gate, metering and the ledger, as a review), runs each generated file on the
head and the base in the sandbox (bot/testgen/verify.py), repairs a failing one once, and
reports the kept files as a patch.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.change.model import Change
from bot.classify.data_class import classify_change
from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.errors import InputError
from bot.execution import Progress, Services
from bot.pipeline import why_unanswered
from bot.planning import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_OUTPUT_TOKENS,
    PlannedItem,
    RunContext,
    targets_of,
)
from bot.report import RunReport, SkippedEntry, plural
from bot.routing import Target
from bot.tasks.routed import new_report, require_targets, routed_item, start_run
from bot.testgen.answer import GenerationAnswer
from bot.testgen.loop import Candidate, Checked, run_loop
from bot.testgen.report import tests_report
from bot.testgen.subjects import Found, find_subjects
from bot.testgen.task import TASK, TestItem, TestsTask
from bot.tokens.counting import estimate_tokens

if TYPE_CHECKING:
    from bot.testgen.verify import Verdict

# Headroom for the difference between our count and the server's chat template.
_SAFETY = 0.95

# Runs one candidate on the head and the base: the sandbox's verdict, in the loop's words.
VerifyOne = Callable[[Candidate], Checked]


@dataclass(slots=True)
class TestsPlan:
    """What a run would send where: `--dry-run` shows it, a run sends it."""

    __test__ = False

    found: Found
    items: list[PlannedItem] = field(default_factory=list)
    tests: list[TestItem] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    data_class: DataClass = DataClass.INTERNAL  # the highest of the change's files


def plan_tests(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    checkout: Path,
    ctx: RunContext | None = None,
    discover: bool = True,
) -> TestsPlan:
    """Subjects, work items and routes; nothing is sent (without `discover`, nothing at all:
    the self-hosted runners are not even asked their context)."""
    ctx = ctx or RunContext()
    found = find_subjects(change, settings.tests, checkout)
    targets = targets_of(settings, services.providers, discover=discover)
    first = targets[0] if targets else None
    context = first.context_tokens if first else DEFAULT_CONTEXT_TOKENS
    max_out = first.max_output_tokens if first else DEFAULT_OUTPUT_TOKENS
    budget = int((context - max_out) * _SAFETY)
    task = TestsTask(settings.prompts_dir, settings.review.instructions)
    packed = task.plan(found.subjects, budget, estimate_tokens, max_out)
    classes = classify_change(
        change,
        settings.data_classes,
        settings.data_class,
        ctx.repository,
        extra_context=settings.review.extra_context_lines,
    )
    plan = TestsPlan(found, targets=targets)
    plan.skipped = [SkippedEntry(path=s.path, reason=s.reason) for s in packed.skipped]
    plan.data_class = classes.highest[0]
    for t in packed.items:
        plan.tests.append(t)
        # Every file whose text the prompt carries decides where it may go: the source,
        # the style example, the files its callees' signatures came from.
        plan.items.append(routed_item(t.item, t.reads, classes, ctx, targets, settings))
    return plan


def run_tests_task(
    change: Change,
    settings: Settings,
    services: Services,
    *,
    checkout: Path,
    ctx: RunContext | None = None,
    progress: Progress | None = None,
    timeout_s: float | None = None,
    write: bool = False,
    verify: VerifyOne | None = None,
) -> RunReport:
    """The tests task on `change`, whose head is checked out (or reachable) at `checkout`.
    `timeout_s` overrides tests.timeout_s; `write` puts the kept files into the working
    tree at `checkout`; `verify` replaces the sandbox (tests)."""
    started = time.perf_counter()
    if change.head_sha is None:
        raise InputError(
            "the tests task runs generated tests at the change's head commit, and this "
            "change has none (a patch)",
            hint="run it on a branch in a checkout: switchyard tests --base REF",
        )
    ctx = ctx or RunContext()
    plan = plan_tests(change, settings, services, checkout=checkout, ctx=ctx)
    require_targets(bool(plan.items), plan.targets)
    report = new_report(TASK, change, plan.targets)
    report.skipped += plan.found.skipped + plan.skipped
    report.notes.extend(plan.found.notes)
    run = start_run(
        report, settings, services, plan.targets, ctx, source=change.source,
        data_class=plan.data_class,
    )  # fmt: skip
    task = TestsTask(settings.prompts_dir, settings.review.instructions)
    routes = {p.item.id: p for p in plan.items}

    def ask(batch: list[TestItem]) -> list[tuple[GenerationAnswer | None, str]]:
        planned = [routes.get(t.item.id) or _again(routes, t) for t in batch]
        out: list[tuple[GenerationAnswer | None, str]] = []
        for p, result in zip(planned, run.dispatch(planned, progress), strict=True):
            run.record(p, result, report)
            done = result.answered_by
            parsed = done.completion.parsed if done and done.completion else None
            if isinstance(parsed, GenerationAnswer):
                out.append((parsed, ""))
            else:
                out.append((None, why_unanswered(p, result)))
        return out

    def repair(c: Candidate, v: Checked, n: int) -> TestItem:
        return task.repair(c.item, n, c.path, c.content, v.outcome, v.output, estimate_tokens)

    if verify is None:
        verify = sandbox_verifier(change, checkout, timeout_s or settings.tests.timeout_s)
    result = run_loop(
        plan.tests,
        ask,
        verify,
        repair,
        lambda p: (checkout / p).exists(),
        rounds=settings.tests.repair_rounds,
        is_test_path=_is_test_path,
    )
    tests_report(report, change, plan.found, plan.tests, result, started)
    if write:
        report.notes += write_kept(
            [(o.candidate.path, o.candidate.content) for o in result.kept], checkout
        )
    run.finish(report)
    return report


def _again(routes: dict[str, PlannedItem], t: TestItem) -> PlannedItem:
    """A repair item goes where its first item's route said: the same code, the same
    class, the same targets."""
    first = routes[t.origin]
    planned = PlannedItem(t.item, first.route, first.data_class, first.class_reason, first.withheld)
    routes[t.item.id] = planned
    return planned


def write_kept(files: list[tuple[str, str]], checkout: Path) -> list[str]:
    """Each kept file written into the working tree; never over a file already there (one
    may have appeared since the run checked), never through a link out of the checkout."""
    from bot.change.repo_paths import resolve_inside

    notes: list[str] = []
    for path, content in files:
        target = resolve_inside(checkout, path)
        if target is None or target.is_symlink():
            notes.append(f"not written: {path}: it leads outside the repository")
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8", newline="") as out:
                out.write(content)
        except FileExistsError:
            notes.append(f"not written: {path}: a file is already there")
            continue
        except OSError as exc:
            notes.append(f"not written: {path}: {exc.strerror}")
            continue
        notes.append(f"written: {path}")
    return notes


def _is_test_path(path: str, language: str) -> bool:
    from bot.testgen.testfiles import is_test_file

    return is_test_file(path, language)


def sandbox_verifier(change: Change, checkout: Path, timeout_s: float) -> VerifyOne:
    """Each candidate run by bot/testgen/verify.py in a throwaway worktree of `checkout` at
    the change's head (twice) and base."""
    from bot.testgen.verify import verify as verify_file

    def one(c: Candidate) -> Checked:
        subject = c.item.subject
        assert subject.runner is not None and change.head_sha is not None  # planned so
        verdict = verify_file(
            c.path,
            c.content,
            checkout,
            change.head_sha,
            change.base_sha,
            subject.runner,
            timeout_s,
            changed_lines={subject.path: subject.changed_lines},
        )
        return checked(verdict)

    return one


# What a run prints when the test file itself does not parse or build.
_COMPILE_ERRORS = re.compile(
    r"SyntaxError|IndentationError|TabError|\[build failed\]|\[setup failed\]"
    r"|COMPILATION ERROR|error: cannot find symbol|TS\d{4}:"
)


def checked(verdict: Verdict) -> Checked:
    """bot/testgen/verify.py's Verdict in the loop's words."""
    first = verdict.head[0] if verdict.head else None
    output = first.output_tail if first is not None else ""
    if verdict.kept:
        outcome = "passed"
    elif verdict.flaky:
        outcome = "flaky"
    elif first is None or first.status == "error":
        outcome = "could not run"
    elif first.status == "timeout":
        outcome = "timed out"
    elif _COMPILE_ERRORS.search(output):
        outcome = "did not compile"
    else:
        outcome = "failed"
    networked = first is not None and first.status != "error" and not first.network_isolated
    base = Checked(verdict.kept, outcome, verdict.proves_change, verdict.reason, output)
    cov = verdict.coverage
    if cov is None or cov.tool is None or not cov.total:
        return replace(base, networked=networked)
    return replace(
        base,
        coverage=f"{cov.covered} of {plural(cov.total, 'executable changed line')} run "
        f"({cov.tool})",
        networked=networked,
        covered=frozenset(cov.covered_lines),
        coverable=frozenset(cov.covered_lines) | frozenset(cov.missed_lines),
    )
