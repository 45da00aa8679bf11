"""The tests task's parts around the loop: which changed files become subjects (and why the
others do not), what the prompt learns of the callees, the patch `git apply` takes, and the
patch's place in the Markdown report."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import ValidationError

from bot.change.filters import UNFILTERED
from bot.change.git_source import change_from_git
from bot.config.model import Settings, TestsConfig
from bot.publish.markdown import render_markdown
from bot.report import RunReport
from bot.testgen.loop import Candidate, Checked, Outcome
from bot.testgen.report import kept_lines, patch_of
from bot.testgen.run import checked, write_kept
from bot.testgen.sandbox import RunResult
from bot.testgen.subjects import _import_hint, find_subjects
from bot.testgen.verify import CoverageDelta, Verdict
from tests.gitrepo import GitRepo

UTIL = "def helper(x: int) -> int:\n    return x * 2\n"
CALC_BASE = "from .util import helper\n\n\ndef total(xs):\n    return sum(xs)\n"
CALC_HEAD = (
    "from .util import helper\n\n\n"
    "def total(xs):\n    return sum(xs)\n\n\n"
    "def doubled_total(xs: list[int]) -> int:\n    return helper(total(xs))\n\n\n"
    "def also(xs):\n    return len(xs)\n"
)


def _repo(git_repo: GitRepo) -> GitRepo:
    return git_repo.feature(
        {
            "pkg/calc.py": CALC_HEAD,
            "README.md": "more words\n",
            "tests/test_calc.py": "from pkg.calc import total\n\n\ndef test_t():\n"
            "    assert total([1]) == 1\n",
        },
        base={
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "pkg/__init__.py": "",
            "pkg/util.py": UTIL,
            "pkg/calc.py": CALC_BASE,
            "tests/test_calc.py": "from pkg.calc import total\n",
        },
    )


def test_changed_functions_become_subjects_with_their_callees_and_the_rest_say_why(
    git_repo: GitRepo,
) -> None:
    repo = _repo(git_repo)
    change = change_from_git(repo.path, "main", "HEAD", UNFILTERED)
    found = find_subjects(change, TestsConfig(), repo.path)
    [subject] = found.subjects
    assert [s.qualname for s in subject.symbols] == ["doubled_total", "also"]
    assert subject.symbols[0].code.startswith("def doubled_total(xs: list[int]) -> int:")
    # What it calls, from the same file and from the module it imports.
    assert "def helper(x: int) -> int" in subject.callees
    assert "def total(xs)" in subject.callees
    assert subject.read == ["pkg/util.py"]
    assert subject.framework == "pytest" and subject.example is not None
    assert subject.example[0] == "tests/test_calc.py"
    assert subject.import_hint == "the module is pkg.calc"
    assert subject.changed_lines and min(subject.changed_lines) >= 6
    why = {s.path: s.reason for s in found.skipped}
    assert why["README.md"] == "not source code tests are generated for"
    assert why["tests/test_calc.py"] == "a test file itself"


def test_max_symbols_limits_the_run_and_says_so(git_repo: GitRepo) -> None:
    repo = _repo(git_repo)
    change = change_from_git(repo.path, "main", "HEAD", UNFILTERED)
    found = find_subjects(change, TestsConfig(max_symbols=1), repo.path)
    assert [s.qualname for s in found.subjects[0].symbols] == ["doubled_total"]
    assert "pkg/calc.py: tests for 1 of its 2 changed functions only" in found.notes[0]


def test_a_language_left_out_of_tests_languages_is_listed(git_repo: GitRepo) -> None:
    repo = _repo(git_repo)
    change = change_from_git(repo.path, "main", "HEAD", UNFILTERED)
    found = find_subjects(change, TestsConfig(languages=["go"]), repo.path)
    assert not found.subjects
    assert {s.path: s.reason for s in found.skipped}["pkg/calc.py"] == (
        "python is not in tests.languages"
    )


def test_import_hints_name_the_module_or_the_relative_path() -> None:
    assert _import_hint("src/shop/cart.py", "tests/test_cart.py", "python") == (
        "the module is shop.cart"
    )
    assert _import_hint("lib/text.js", "test/text.test.js", "javascript") == (
        "from the test file the source is ../lib/text.js"
    )
    assert _import_hint("lib/text.js", "lib/text.test.js", "javascript") == (
        "from the test file the source is ./text.js"
    )


def test_the_patch_is_what_git_apply_takes(git_repo: GitRepo) -> None:
    git_repo.feature({})
    files = [
        ("tests/test_a.py", "def test_a():\n    assert True\n"),
        ("test/b.test.js", "// one line\n"),
    ]
    patch = patch_of(files)
    done = subprocess.run(
        ["git", "apply", "-"], cwd=git_repo.path, input=patch, text=True, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    for path, text in files:
        assert (git_repo.path / path).read_text() == text


def test_the_markdown_report_holds_the_patch_collapsed_and_fenced(tmp_path: Path) -> None:
    # A test file with a fence in a string cannot close the block around the patch.
    patch = patch_of([("tests/test_md.py", 's = "```\\n# not a heading"\n')])
    text = render_markdown(RunReport(task="tests", patch=patch))
    assert "<details>\n<summary>Patch: 1 test file (git apply)</summary>" in text
    start = text.index("````diff\n")
    end = text.index("\n````\n", start)
    assert '+s = "```' in text[start:end] and "</details>" in text[end:]
    assert RunReport(task="review").patch is None
    assert "Patch:" not in render_markdown(RunReport(task="review"))


def test_a_repository_file_may_set_the_test_command_but_not_the_timeout() -> None:
    from bot.config.layers import Layer
    from bot.config.policy import lock_problems

    repo = Layer(
        label=".switchyard.yml",
        data={
            "tests": {
                "command": {"python": "python -m pytest -x {file}"},
                "framework": {"javascript": "vitest"},
                "languages": ["python"],
                "timeout_s": 900,
            }
        },
        from_repo=True,
    )
    [problem] = lock_problems([repo])
    assert "tests.timeout_s" in problem and "how long the server runs generated tests" in problem
    # Pushing a branch and opening a request with the bot's token: never the repository's.
    pushy = Layer(label=".switchyard.yml", data={"tests": {"propose": True}}, from_repo=True)
    [problem] = lock_problems([pushy])
    assert "tests.propose" in problem and "push branches" in problem
    with pytest.raises(ValidationError, match="a command needs the program to run"):
        Settings.model_validate({"tests": {"command": {"go": " "}}})


def _run(status: str, output: str = "", isolated: bool = True) -> RunResult:
    return RunResult(status, None if status == "timeout" else 1, output, 0.5, isolated, ["x"])


@pytest.mark.parametrize(
    ("head", "flaky", "outcome"),
    [
        ((_run("timeout"), _run("timeout")), False, "timed out"),
        ((_run("failed", "E   assert 1 == 2"), _run("failed")), False, "failed"),
        ((_run("failed", "SyntaxError: invalid syntax"), _run("failed")), False, "did not compile"),
        ((_run("failed", "[build failed]"), _run("failed")), False, "did not compile"),
        ((_run("passed"), _run("failed")), True, "flaky"),
        ((_run("error"),), False, "could not run"),
    ],
)
def test_a_verdict_is_named_in_the_loops_words(
    head: tuple[RunResult, ...], flaky: bool, outcome: str
) -> None:
    verdict = Verdict(False, "the verifier's words", False, flaky, head, None, None)
    got = checked(verdict)
    assert (got.kept, got.outcome, got.detail) == (False, outcome, "the verifier's words")
    assert got.output == head[0].output_tail  # what a repair round is shown


def test_a_kept_verdict_carries_its_coverage_and_whether_the_run_had_network() -> None:
    coverage = CoverageDelta("coverage.py", 1, 3, (("a.py", 2),), (("a.py", 3), ("a.py", 4)))
    head = (_run("passed", isolated=False), _run("passed", isolated=False))
    got = checked(Verdict(True, "proves", True, False, head, _run("failed"), coverage))
    assert (got.kept, got.outcome, got.proves_change, got.networked) == (True, "passed", True, True)
    assert got.coverage == "1 of 3 executable changed lines run (coverage.py)"
    assert got.covered == {("a.py", 2)} and len(got.coverable) == 3


def test_a_javascript_subject_reads_its_callee_from_the_module_it_imports(
    git_repo: GitRepo,
) -> None:
    head = (
        "import { pad } from './util.js';\n\n"
        "export function label(x) {\n  return pad(String(x), 4);\n}\n"
    )
    repo = git_repo.feature(
        {"lib/main.js": head},
        base={
            "package.json": '{"type": "module", "scripts": {"test": "node --test"}}\n',
            "lib/util.js": "export function pad(s, n) {\n  return s.padStart(n);\n}\n",
            "lib/main.js": "import { pad } from './util.js';\n",
        },
    )
    change = change_from_git(repo.path, "main", "HEAD", UNFILTERED)
    [subject] = find_subjects(change, TestsConfig(), repo.path).subjects
    assert [s.qualname for s in subject.symbols] == ["label"]
    assert subject.callees == ["export function pad(s, n)"] and subject.read == ["lib/util.js"]
    assert subject.import_hint == "from the test file the source is ./main.js"


def test_written_files_never_replace_a_file_or_follow_a_link_out(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "outside"
    (root / "tests").mkdir(parents=True)
    outside.mkdir()
    (root / "tests" / "test_old.py").write_text("kept\n")
    (root / "linked").symlink_to(outside)
    notes = write_kept(
        [
            ("tests/test_new.py", "new\n"),
            ("tests/test_old.py", "replaced?\n"),
            ("linked/test_x.py", "escaped?\n"),
        ],
        root,
    )
    assert notes == [
        "written: tests/test_new.py",
        "not written: tests/test_old.py: a file is already there",
        "not written: linked/test_x.py: it leads outside the repository",
    ]
    assert (root / "tests" / "test_old.py").read_text() == "kept\n"
    assert list(outside.iterdir()) == []


def test_a_kept_file_holding_a_masked_secret_says_so() -> None:
    """The model quoted a secret, masked in its answer: the kept test holds the mask (it
    ran with it), and the report says why a reader will find `[REDACTED:…]` in it."""

    def kept(content: str) -> Outcome:
        candidate = Candidate("tests/test_db.py", content, ["connect"], cast(Any, None))
        return Outcome(candidate, Checked(kept=True, outcome="passed", proves_change=True))

    masked = kept('def test_connect():\n    assert connect("[REDACTED:secret]")\n')
    plain = kept("def test_connect():\n    assert connect()\n")
    lines = kept_lines([masked, plain])
    assert lines[1].endswith("it holds a masked secret, `[REDACTED:…]`")
    assert "masked" not in lines[2]
