"""bench/testgen_eval.py end to end on one public change: the upstream test, replayed as
the model's answer, is kept, proves the change and runs the changed lines; the report's
figures reach the harness's outcome."""

from __future__ import annotations

from pathlib import Path

from bench.testgen_eval import load_cases, run_case, totals


def test_the_harness_measures_one_public_change_end_to_end(tmp_path: Path) -> None:
    [case] = load_cases(["humanize-natural-list-empty"])
    outcome = run_case(case, "replay", 20, tmp_path)
    assert outcome.exit_code == 0, outcome.notes
    assert outcome.changed_functions == ["src/humanize/lists.py:natural_list"]
    assert outcome.covered_functions == outcome.changed_functions
    assert (outcome.kept, outcome.proving, outcome.repaired) == (1, 1, 0)
    # `if not items: return ""`: both added lines run under coverage.py.
    assert (outcome.lines_run, outcome.lines_coverable) == (2, 2)
    assert outcome.calls == 1 and outcome.tokens_in > 0 and outcome.tokens_out > 0
    t = totals([outcome])
    assert t["share_functions_with_kept_test"] == 1.0 and t["share_kept_proving"] == 1.0
    assert t["tokens_per_kept"] == outcome.tokens_in + outcome.tokens_out
