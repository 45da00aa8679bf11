"""The tests task's planning and loop, without a model or a sandbox: items packed from
subjects, answers placed in the repository, failing files repaired once, the rest dropped
with their reasons, proving tests first."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.testgen.answer import GeneratedFile, GenerationAnswer
from bot.testgen.loop import Candidate, Checked, run_loop
from bot.testgen.prompt import Shown
from bot.testgen.task import Subject, TestItem, TestsTask, numbered
from bot.tokens.counting import estimate_tokens


def _shown(name: str, lines: int = 3) -> Shown:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 1))
    return Shown(name, "function", 1, lines, f"def {name}():\n{body}")


def _subject(*names: str, lines: int = 3, example: str | None = None) -> Subject:
    return Subject(
        path="pkg/calc.py",
        language="python",
        framework="pytest",
        test_path="tests/test_calc.py",
        symbols=[_shown(n, lines) for n in names],
        callees=["def helper(x: int) -> int"],
        example=("tests/test_old.py", example) if example is not None else None,
        import_hint="from pkg.calc import ...",
    )


def test_one_item_per_file_carries_code_callees_example_and_where_the_file_goes() -> None:
    example = "import pytest\n\n\ndef test_old():\n    assert True\n"
    plan = TestsTask().plan([_subject("add", "sub", example=example)], 8000, estimate_tokens, 4096)
    [t] = plan.items
    user = t.item.messages[1].content
    assert "changed: add (function, pkg/calc.py lines 1-3)" in user
    assert "changed: sub" in user and "def helper(x: int) -> int" in user
    assert "tests/test_old.py" in user and "def test_old" in user
    assert "new test file: tests/test_calc.py" in user
    # The code sits between two identical boundary lines the code could not predict.
    [mark] = {ln for ln in user.splitlines() if ln.startswith("=== CODE-DATA ")}
    assert user.count(mark) == 2 and mark in t.item.messages[0].content
    assert t.reads == ["pkg/calc.py", "tests/test_old.py"]
    assert t.item.files == ["pkg/calc.py"] and t.item.schema_name == "tests"
    assert t.item.prompt_tokens >= estimate_tokens(user)


def test_a_big_file_is_split_between_functions_each_part_with_its_own_test_file() -> None:
    subject = _subject(*(f"f{i}" for i in range(12)), lines=40)
    plan = TestsTask().plan([subject], 2500, estimate_tokens, 1024)
    assert len(plan.items) > 1
    assert all(t.item.prompt_tokens <= 2500 for t in plan.items)
    shown = [s.qualname for t in plan.items for s in t.symbols]
    assert shown == [f"f{i}" for i in range(12)]
    paths = [t.test_path for t in plan.items]
    assert paths[0] == "tests/test_calc.py" and len(set(paths)) == len(paths)


def test_a_function_too_long_for_the_budget_is_listed_not_sent() -> None:
    subject = _subject("small")
    subject.symbols.append(_shown("huge", 2000))
    plan = TestsTask().plan([subject], 3000, estimate_tokens, 1024)
    [t] = plan.items
    assert [s.qualname for s in t.symbols] == ["small"]
    [skip] = plan.skipped
    assert skip.path == "pkg/calc.py" and "huge" in skip.reason and "too long" in skip.reason


def test_a_long_example_is_cut_to_its_first_lines() -> None:
    example = "".join(f"def test_{i}():\n    assert {i} == {i}\n\n" for i in range(2000))
    [t] = TestsTask().plan([_subject("add", example=example)], 6000, estimate_tokens, 1024).items
    user = t.item.messages[1].content
    assert "def test_0()" in user and "more lines not shown" in user
    assert t.item.prompt_tokens <= 6000


@pytest.mark.parametrize(
    ("path", "k", "expected"),
    [
        ("tests/test_a.py", 2, "tests/test_a_2.py"),
        ("pkg/a_test.go", 3, "pkg/a_3_test.go"),
        ("src/test/java/FooTest.java", 2, "src/test/java/Foo2Test.java"),
        ("test/a.test.js", 2, "test/a_2.test.js"),
        ("tests/test_a.py", 1, "tests/test_a.py"),
    ],
)
def test_numbered_paths_stay_test_files(path: str, k: int, expected: str) -> None:
    assert numbered(path, k) == expected


@pytest.mark.parametrize("path", ["../x.py", "/etc/passwd", ".git/hooks/pre-commit", " "])
def test_a_path_outside_the_repository_does_not_validate(path: str) -> None:
    with pytest.raises(ValidationError):
        GeneratedFile(path=path, content="x", covers=[])


def _items(*names: str) -> list[TestItem]:
    return TestsTask().plan([_subject(*names)], 8000, estimate_tokens, 2048).items


def _answer(path: str, content: str, *covers: str) -> GenerationAnswer:
    return GenerationAnswer(files=[GeneratedFile(path=path, content=content, covers=list(covers))])


def test_the_loop_repairs_a_failing_file_once_and_lists_proving_tests_first() -> None:
    items = _items("add", "sub")
    answers = {
        "tests-1": _answer(
            "tests/test_calc.py", "BROKEN", "add"
        ),  # fails, then a repair that passes
    }
    asked: list[list[str]] = []

    def ask(batch: list[TestItem]) -> list[tuple[GenerationAnswer | None, str]]:
        asked.append([t.item.id for t in batch])
        out: list[tuple[GenerationAnswer | None, str]] = []
        for t in batch:
            if t.item.id.startswith("tests-repair"):
                assert "BROKEN" in t.item.messages[1].content  # the failing file, as data
                assert "AssertionError: 1 != 2" in t.item.messages[1].content
                out.append((_answer("tests/elsewhere.py", "FIXED", "sub"), ""))
            else:
                out.append((answers[t.item.id], ""))
        return out

    def verify(c: Candidate) -> Checked:
        if c.content == "BROKEN\n":
            return Checked(False, "failed")
        return Checked(True, "passed", proves_change=True)

    def repair(c: Candidate, v: Checked, n: int) -> TestItem:
        return TestsTask().repair(
            c.item, n, c.path, c.content, v.outcome, "AssertionError: 1 != 2", estimate_tokens
        )

    result = run_loop(items, ask, verify, repair, lambda p: False)
    assert asked == [["tests-1"], ["tests-repair-1"]]
    [kept] = result.kept
    # The repair keeps the failed file's path and says what it covers.
    assert (kept.candidate.path, kept.candidate.content, kept.candidate.round) == (
        "tests/test_calc.py",
        "FIXED\n",
        1,
    )
    assert kept.candidate.covers == ["sub"]
    assert result.repairs == 1 and not result.dropped


def test_hanging_and_flaky_files_are_dropped_without_a_repair_and_counted() -> None:
    items = _items("add")
    files = GenerationAnswer(
        files=[
            GeneratedFile(path="tests/test_a.py", content="HANG", covers=["add"]),
            GeneratedFile(path="tests/test_b.py", content="FLAKY", covers=["nothing"]),
            GeneratedFile(path="tests/test_c.py", content="BASE-TOO", covers=["add"]),
            GeneratedFile(path="tests/test_d.py", content="PROVES", covers=["add"]),
            GeneratedFile(path="tests/test_e.py", content="FAILS", covers=["add"]),
        ]
    )
    verdicts = {
        "HANG\n": Checked(False, "timed out"),
        "FLAKY\n": Checked(False, "flaky"),
        "BASE-TOO\n": Checked(True, "passed"),
        "PROVES\n": Checked(True, "passed", proves_change=True),
        "FAILS\n": Checked(False, "failed"),
    }
    repaired: list[str] = []

    def repair(c: Candidate, v: Checked, n: int) -> TestItem:
        repaired.append(c.path)
        return TestsTask().repair(c.item, n, c.path, c.content, v.outcome, "", estimate_tokens)

    result = run_loop(
        items,
        lambda batch: [(files, "")] if batch[0].item.id == "tests-1" else [(None, "no target")],
        lambda c: verdicts[c.content],
        repair,
        lambda p: False,
    )
    assert repaired == ["tests/test_e.py"]  # only the failing file was worth a round
    assert [o.candidate.path for o in result.kept] == ["tests/test_d.py", "tests/test_c.py"]
    assert result.dropped_counts() == {"timed out": 1, "flaky": 1, "failed": 1}
    # Names the item did not show are kept as the model gave them, never made into a claim
    # about a changed function.
    assert [o.candidate.covers for o in result.dropped][1] == ["nothing"]
    assert [why for _, why in result.unanswered] == ["no target"]


def test_a_generated_file_never_replaces_one_in_the_repository() -> None:
    items = _items("add")
    existing = {"tests/test_calc.py", "pkg/calc.py"}
    answer = GenerationAnswer(
        files=[
            GeneratedFile(path="pkg/calc.py", content="A", covers=[]),  # the source itself
            GeneratedFile(path="tests/test_new.py", content="B", covers=[]),
        ]
    )
    result = run_loop(
        items,
        lambda batch: [(answer, "")],
        lambda c: Checked(True, "passed"),
        lambda c, v, n: c.item,
        existing.__contains__,
        is_test_path=lambda p, lang: p.split("/")[-1].startswith("test_"),
    )
    assert [o.candidate.path for o in result.kept] == ["tests/test_new.py"]
    assert result.refused == [("pkg/calc.py", "a file is already at that path")]
