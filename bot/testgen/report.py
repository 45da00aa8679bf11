"""The tests task's RunReport: the kept files as a patch, what each covers and whether it
proves the change, every file dropped with its reason, and the figures.

Pure: the loop's result in, the report filled in place.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

from bot.change.model import Change
from bot.pipeline import UNREVIEWED
from bot.report import RunReport, SkippedEntry, Summary, plural
from bot.secrets.markers import markers_in
from bot.testgen.loop import LoopResult, Outcome
from bot.testgen.subjects import Found
from bot.testgen.task import TestItem

PROVES = "proves the change: fails on the base, passes on the head"
PASSES_BOTH = "passes on the base and the head: does not prove the change"
NETWORKED = (
    "generated tests ran with network access: this machine cannot give a run a network of "
    "its own (unshare with user namespaces); they still ran without the bot's secrets"
)


def tests_report(
    report: RunReport,
    change: Change,
    found: Found,
    items: Sequence[TestItem],
    result: LoopResult,
    started: float,
) -> None:
    report.patch = patch_of([(o.candidate.path, o.candidate.content) for o in result.kept]) or None
    report.headline = headline(items, result)
    if any(o.verdict.networked for o in [*result.kept, *result.dropped]):
        report.notes.append(NETWORKED)
    report.notes.extend(kept_lines(result.kept))
    added = coverage_line(result.kept)
    if added:
        report.notes.append(added)
    report.notes.extend(dropped_lines(result))
    unanswered: dict[str, list[str]] = {}
    for t, why in result.unanswered:
        unanswered.setdefault(t.subject.path, []).append(why)
        report.notes.append(f"{t.item.id} ({t.subject.path}) {UNREVIEWED}: {why}")
    for path, whys in unanswered.items():
        why = "; ".join(dict.fromkeys(whys))
        report.skipped.append(SkippedEntry(path=path, reason=f"no tests generated: {why}"))
    if not items and not found.undetected:
        report.notes.append(
            f"nothing to test: no changed function in {', '.join(found_languages(found))}"
            if found.symbols
            else "nothing to test: the change adds no function, method or class in a "
            "language tests are generated for"
        )
    subjects = {t.subject.path: t for t in items}
    sent = [c for c in report.calls if not c.cache_hit]
    item_ids = {c.item for c in sent}
    failed_items = {t.item.id for t, _ in result.unanswered}
    undetected = sum(1 for s in report.skipped if "test command detected" in s.reason)
    changed = {f.path: f.added + f.removed for f in change.files}
    left = set(unanswered) | {s.path for s in report.skipped if "test command" in s.reason}
    report.summary = Summary(
        files_changed=len(change.files) + len(change.skipped),
        files_reviewed=len(set(subjects) - set(unanswered)),
        files_skipped=len({s.path for s in report.skipped}),
        files_unreviewed=len(left),
        changed_lines=change.changed_lines,
        lines_covered=sum(changed.get(p, 0) for p in set(subjects) - set(unanswered)),
        lines_unreviewed=sum(changed.get(p, 0) for p in left),
        work_items=len(item_ids),
        work_items_failed=len(failed_items),
        findings={},
        tokens_in=sum(c.tokens_in for c in sent),
        tokens_out=sum(c.tokens_out for c in sent),
        cost_usd=round(sum(c.cost_usd for c in sent), 6),
        complete=not failed_items and not undetected,
        duration_s=round(time.perf_counter() - started, 3),
    )


def headline(items: Sequence[TestItem], result: LoopResult) -> str | None:
    """The run in one sentence, for the top of a report: what was generated, what stayed."""
    made = len(result.kept) + len(result.dropped) + len(result.refused)
    if not made:
        return None
    functions = len({(t.subject.path, s.qualname) for t in items for s in t.symbols})
    proving = sum(1 for o in result.kept if o.verdict.proves_change)
    dropped = made - len(result.kept)
    return (
        f"Generated {plural(made, 'test file')} for {plural(functions, 'changed function')}: "
        f"{len(result.kept)} kept after passing on the head ({proving} of them "
        f"{'proves' if proving == 1 else 'prove'} the change), {dropped} dropped."
    )


def found_languages(found: Found) -> list[str]:
    return sorted({s.language for s in found.subjects}) or ["the changed files"]


def kept_lines(kept: Sequence[Outcome]) -> list[str]:
    if not kept:
        return []
    proving = sum(1 for o in kept if o.verdict.proves_change)
    lines = [
        f"kept {plural(len(kept), 'generated test file')} that passed on the head "
        f"({proving} {'proves' if proving == 1 else 'prove'} the change)"
    ]
    for o in kept:
        c = o.candidate
        how = PROVES if o.verdict.proves_change else PASSES_BOTH
        repaired = " (after a repair round)" if c.round else ""
        run = f"; {o.verdict.coverage}" if o.verdict.coverage else ""
        # (the model quoted a secret, masked in its answer: the test ran with the mask)
        masked = "; it holds a masked secret, `[REDACTED:…]`" if markers_in(c.content) else ""
        lines.append(f"kept {c.path}{repaired}: covers {', '.join(c.covers)}; {how}{run}{masked}")
    return lines


def coverage_line(kept: Sequence[Outcome]) -> str:
    """The changed lines the kept tests run together, where a coverage tool said."""
    covered = frozenset().union(*(o.verdict.covered for o in kept))
    coverable = frozenset().union(*(o.verdict.coverable for o in kept))
    if not coverable:
        return ""
    return (
        f"the kept tests run {len(covered)} of the "
        f"{plural(len(coverable), 'executable added line')} of the files they test"
    )


def dropped_lines(result: LoopResult) -> list[str]:
    lines: list[str] = []
    counts: Counter[str] = result.dropped_counts()
    counts.update("refused" for _ in result.refused)
    if counts:
        total = sum(counts.values())
        parts = ", ".join(f"{n} {why}" for why, n in counts.most_common())
        lines.append(f"dropped {plural(total, 'generated test file')}: {parts}")
    for o in result.dropped:
        c = o.candidate
        after = f" after {plural(c.round, 'repair round')}" if c.round else ""
        said = f" ({o.verdict.detail})" if o.verdict.detail else ""
        covers = ", ".join(c.covers)
        lines.append(f"dropped {c.path} (covers {covers}): {o.verdict.outcome}{after}{said}")
    lines += [f"dropped {path}: {why}" for path, why in result.refused]
    return lines


def patch_of(files: Sequence[tuple[str, str]]) -> str:
    """A unified diff that adds `files` (path, text), as `git diff` writes new files:
    `git apply` takes it."""
    out: list[str] = []
    for path, text in files:
        # split, not splitlines: a form feed or a lone \r inside a line stays in it.
        lines = (text[:-1] if text.endswith("\n") else text).split("\n")
        out += [
            f"diff --git a/{path} b/{path}",
            "new file mode 100644",
            "--- /dev/null",
            f"+++ b/{path}",
            f"@@ -0,0 +1,{len(lines)} @@" if len(lines) != 1 else "@@ -0,0 +1 @@",
            *(f"+{line}" for line in lines),
        ]
        if not text.endswith("\n"):
            out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n" if out else ""
