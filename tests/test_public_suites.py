"""The public suites' loaders, their split and the OWASP-style scorer (bench/public_suites)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.public_suites import PUBLIC, Case, load_all, loader_names, split_of
from bench.public_suites.python_owasp import sample
from bench.public_suites.run import stage
from bench.public_suites.score import average, score_cases

CASES = load_all()


def test_every_loader_is_discovered_and_python_has_one() -> None:
    names = loader_names()
    assert "python_owasp" in names
    assert all(
        n.split("_", 1)[0] in {"python", "java", "javascript", "js", "ts", "go"} for n in names
    )


@pytest.mark.parametrize("suite", sorted({c.suite for c in CASES}))
def test_each_suite_has_cases_in_both_splits_and_both_verdicts(suite: str) -> None:
    cases = [c for c in CASES if c.suite == suite]
    assert {c.split for c in cases} == {"tune", "holdout"}
    assert {c.vulnerable for c in cases} == {True, False}


@pytest.mark.parametrize("suite", sorted({c.suite for c in CASES}))
def test_each_suite_records_origin_and_licence(suite: str) -> None:
    folder = PUBLIC / suite
    assert (folder / "ORIGIN.md").is_file()
    assert any(p.name.startswith(("LICENSE", "LICENCE", "COPYING")) for p in folder.iterdir())


def test_every_case_file_exists_and_ids_are_unique() -> None:
    assert all(c.path.is_file() for c in CASES)
    ids = Counter((c.suite, c.case_id) for c in CASES)
    assert [k for k, n in ids.items() if n > 1] == []


def test_split_depends_on_the_case_identity_only() -> None:
    # Fixed values: a change to split_of would move cases between tune and holdout.
    assert split_of("owasp-benchmark-python", "BenchmarkTest00001") == split_of(
        "owasp-benchmark-python", "BenchmarkTest00001"
    )
    splits = Counter(split_of("s", f"case{n}") for n in range(2000))
    assert 900 < splits["tune"] < 1100
    python = [c for c in CASES if c.suite == "owasp-benchmark-python"]
    seen = {c.case_id: c.split for c in python}
    assert seen["BenchmarkTest00155"] == "tune"
    assert all(split_of(c.suite, c.case_id) == c.split for c in python)


def test_python_subset_is_balanced_per_category() -> None:
    python = [c for c in CASES if c.suite == "owasp-benchmark-python"]
    per_category = Counter(c.category for c in python)
    assert len(per_category) == 14
    assert max(per_category.values()) <= 50
    assert all(c.language == "python" and c.path.suffix == ".py" for c in python)


def test_sample_takes_half_of_each_verdict_and_fills_from_the_other() -> None:
    rows = [[f"T{n:03d}", "big", "true", "1"] for n in range(40)]
    rows += [[f"F{n:03d}", "big", "false", "1"] for n in range(40)]
    rows += [[f"S{n:03d}", "small", "true", "2"] for n in range(3)]
    rows += [[f"U{n:03d}", "small", "false", "2"] for n in range(30)]
    chosen = sample(rows, per_category=10)
    got = Counter((r[1], r[2]) for r in chosen)
    assert got == {
        ("big", "true"): 5,
        ("big", "false"): 5,
        ("small", "true"): 3,
        ("small", "false"): 7,
    }
    assert sample(rows, per_category=10) == chosen


def _case(tmp: Path, n: int, category: str, cwe: int, vulnerable: bool) -> Case:
    path = tmp / f"c{n}.py"
    path.write_text("pass\n", encoding="utf-8")
    return Case("s", f"c{n}", path, "python", cwe, vulnerable, category)


def test_scorer_on_a_known_example(tmp_path: Path) -> None:
    cases = [
        _case(tmp_path, 1, "sqli", 89, True),  # found (564 is an equivalent CWE)
        _case(tmp_path, 2, "sqli", 89, True),  # missed: only an unrelated CWE
        _case(tmp_path, 3, "sqli", 89, False),  # flagged: a false positive
        _case(tmp_path, 4, "sqli", 89, False),  # clean
        _case(tmp_path, 5, "weakrand", 330, True),  # found as 338
        _case(tmp_path, 6, "weakrand", 330, False),  # clean
    ]
    found = {
        cases[0].path: [564],
        cases[1].path: [79],
        cases[2].path: [89],
        cases[4].path: [338],
    }
    scores = score_cases(cases, found)
    sqli, rand = scores["sqli"], scores["weakrand"]
    assert (sqli.tp, sqli.fn, sqli.fp, sqli.tn) == (1, 1, 1, 1)
    assert (sqli.tpr, sqli.fpr, sqli.score) == (0.5, 0.5, 0.0)
    assert (rand.tpr, rand.fpr, rand.score) == (1.0, 0.0, 1.0)
    assert average(scores) == 0.5


def test_stage_copies_cases_under_neutral_names(tmp_path: Path) -> None:
    cases = [_case(tmp_path, n, "x", 1, True) for n in (1, 2)]
    names = stage(cases, tmp_path / "staged")
    assert sorted(names) == ["case_0001.py", "case_0002.py"]
    assert names["case_0002.py"] is cases[1]
    assert (tmp_path / "staged" / "case_0001.py").read_text() == "pass\n"
