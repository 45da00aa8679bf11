"""Whether a generated test is kept: it must pass on the head, twice; then it is run on the
base to see whether it proves the change.

- Two runs on the head, the second only when the first passed (a failing test is dropped
  either way): a test whose outcome differs between them is flaky, and dropped.
- One run on the base, when the head passed: a test that fails there and passes on the
  head proves the change. Failing to import what it tests counts as failing (the symbol is
  new in the change), and the verdict says so. A test that passes on both is kept, but it
  does not prove the change.
- Coverage, when changed lines are given and a tool comes with the runner
  (bot/testgen/line_coverage.py): how many of the change's head lines the first head run
  executed. The first run carries the coverage tool; a test whose outcome depends on that
  shows up as flaky.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.testgen.framework_types import Framework
from bot.testgen.sandbox import RunResult, run_test_file

# What a run prints when the thing it tests does not exist (yet): Python, Node, Go, Java.
_MISSING_SYMBOL = re.compile(
    r"ImportError|ModuleNotFoundError|cannot import name|NameError"
    r"|does not provide an export named|Cannot find module|ERR_MODULE_NOT_FOUND"
    r"|is not a function|undefined: |cannot find symbol"
)


@dataclass(frozen=True)
class CoverageDelta:
    tool: str | None  # None: no coverage tool for this runner (see note)
    covered: int  # changed lines the test executed
    total: int  # changed lines asked about
    covered_lines: tuple[tuple[str, int], ...]
    missed_lines: tuple[tuple[str, int], ...]
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    kept: bool  # passed on the head, both times
    reason: str  # in words, for the report
    proves_change: bool  # kept, and failed on the base
    flaky: bool  # the two head runs disagreed
    head: tuple[RunResult, ...]  # the head runs, in order (one when the first did not pass)
    base: RunResult | None  # None: not run (head failed, or no base given)
    coverage: CoverageDelta | None  # None: no changed lines given
    base_missing_symbol: bool = False  # the base failed because what the test uses is new


def verify(
    test_file: str,
    content: str,
    repo: Path,
    head_sha: str,
    base_sha: str | None,
    framework: Framework,
    timeout_s: float,
    *,
    changed_lines: Mapping[str, Iterable[int]] | None = None,
    python: str = sys.executable,
    parent_env: Mapping[str, str] | None = None,
) -> Verdict:
    """Run the generated `content` as `test_file` on the head, twice, then on the base."""

    def run(rev: str, coverage: bool = False) -> RunResult:
        return run_test_file(repo, rev, test_file, content, framework, timeout_s=timeout_s,
                             python=python, coverage=coverage, parent_env=parent_env)  # fmt: skip

    first = run(head_sha, coverage=changed_lines is not None)
    coverage = _coverage(first, changed_lines) if changed_lines is not None else None
    if first.status == "error":
        return Verdict(
            False, f"could not run: {first.note}", False, False, (first,), None, coverage
        )
    if first.status != "passed":
        return Verdict(False, _failure(first), False, False, (first,), None, coverage)
    second = run(head_sha)
    head = (first, second)
    if _outcomes(first) != _outcomes(second):
        why = f"flaky: passed once, then {_failure(second)}"
        return Verdict(False, why, False, True, head, None, coverage)
    if base_sha is None:
        return Verdict(True, "passes on the head (no base to compare)", False, False, head,
                       None, coverage)  # fmt: skip
    base = run(base_sha)
    if base.status == "passed":
        why = "passes on the head and on the base: kept, but it does not prove the change"
        return Verdict(True, why, False, False, head, base, coverage)
    if base.status == "error":
        why = f"passes on the head; could not run on the base: {base.note}"
        return Verdict(True, why, False, False, head, base, coverage)
    missing = base.status == "failed" and bool(_MISSING_SYMBOL.search(base.output_tail))
    how = (
        "fails on the base because what it tests does not exist there (import error)"
        if missing
        else _failure(base, "the base")
    )
    why = f"passes on the head, {how}: proves the change"
    return Verdict(True, why, True, False, head, base, coverage, base_missing_symbol=missing)


def _outcomes(result: RunResult) -> tuple[str, tuple[tuple[str, str], ...]]:
    return result.status, tuple(sorted((t.name, t.status) for t in result.tests))


def _failure(result: RunResult, where: str = "the head") -> str:
    if result.status == "timeout":
        return f"times out on {where} ({result.note})"
    failed = next((t for t in result.tests if t.status in ("failed", "error")), None)
    if failed is not None:
        first_line = (failed.message.splitlines() or [""])[0]
        return f"fails on {where}: {failed.name}: {first_line}"
    if result.note:
        return f"fails on {where}: {result.note}"
    return f"fails on {where} (exit {result.exit_code})"


def _coverage(result: RunResult, changed: Mapping[str, Iterable[int]]) -> CoverageDelta:
    executable = result.executable or {}
    wanted = sorted(
        (path, line)
        for path, lines in changed.items()
        for line in set(lines)
        if path not in executable or line in executable[path]
    )
    if result.covered is None:
        note = result.note or "no coverage"
        return CoverageDelta(None, 0, len(wanted), (), tuple(wanted), note)
    hit = tuple(p for p in wanted if p[1] in result.covered.get(p[0], frozenset()))
    missed = tuple(p for p in wanted if p not in hit)
    return CoverageDelta(result.coverage_tool, len(hit), len(wanted), hit, missed)
