"""The run's verdict, the same on every forge: what its check run or commit status says.

Conclusions (a run that did not review everything never shows as a green success):
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
from bot.report import RunReport, incomplete_text, plural


@dataclass(frozen=True, slots=True)
class Verdict:
    conclusion: str  # a check run conclusion: success | failure | neutral
    title: str


def verdict(report: RunReport) -> Verdict:
    s = report.summary
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
