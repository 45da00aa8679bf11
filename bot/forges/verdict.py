"""The run's verdict, the same on every forge: what its check run or commit status says.

Conclusions (a run that did not review everything never shows as a green success):
- the task could not run at all (not_done_report): `failure`, with the reason;
- the `--fail-on` gate failed: `failure`;
- some work items got no valid answer: `failure` when a gate was asked for (branch
  protection counts `neutral` as passing, so a gated, partial review must not pass), else
  `neutral`;
- changed files, none reviewed (all skipped): `neutral`;
- otherwise `success`, findings or not: without a gate, findings are advice.

Each forge maps the conclusion onto the states it has (GitHub's commit status has no
`neutral` and says `error`; GitLab's says `pending` or `success`, see its status.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.publish.markdown import counts_text
from bot.report import RunReport, Summary, incomplete_text, plural


@dataclass(frozen=True, slots=True)
class Verdict:
    conclusion: str  # a check run conclusion: success | failure | neutral
    title: str


# The one note of a task that could not run at all (no model, a budget, a scanner, a crash).
NOT_DONE = "Not done: "


def not_done_report(task: str, head_sha: str, reason: str) -> RunReport:
    """What a task that could not run publishes in place of its report: nothing reviewed,
    incomplete, and the reason (short, user-facing: never a traceback) as its one note."""
    return RunReport(
        task=task, head_sha=head_sha, notes=[NOT_DONE + reason], summary=Summary(complete=False)
    )


def not_done_reason(report: RunReport) -> str | None:
    """The reason, for a not_done_report; None for a run that ran."""
    s, notes = report.summary, report.notes
    if s.complete or s.work_items or s.files_changed or not notes:
        return None
    return notes[0].removeprefix(NOT_DONE) if notes[0].startswith(NOT_DONE) else None


def verdict(report: RunReport) -> Verdict:
    s = report.summary
    reason = not_done_reason(report)
    if reason is not None:
        return Verdict("failure", f"{NOT_DONE}{reason}")
    if s.gate_failed:
        worst = s.fail_on.value if s.fail_on else "the gate's severity"
        return Verdict("failure", f"Failed: findings at {worst} or worse")
    if not s.complete:
        conclusion = "failure" if s.fail_on is not None else "neutral"
        return Verdict(conclusion, f"Incomplete review: {incomplete_text(s)}")
    if s.files_changed and not s.files_reviewed:
        skipped = plural(s.files_changed, "changed file")
        return Verdict("neutral", f"Nothing reviewed: {skipped} skipped")
    if report.findings:
        return Verdict("success", counts_text(report.findings).capitalize())
    return Verdict("success", "No findings")
