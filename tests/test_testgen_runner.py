"""Generated tests run for real: pytest and `node --test` in subprocesses, in worktrees of
real git repositories, with the sandbox's timeout, environment and network isolation."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from bot.testgen import isolation
from bot.testgen.frameworks import Framework, detect
from bot.testgen.sandbox import RunResult, run_test_file
from bot.testgen.verify import Verdict, verify
from tests.gitrepo import GitRepo

BUGGY = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"
CONFTEST = {"conftest.py": "", "calc.py": BUGGY}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    """main: a buggy add; feature: add fixed and mul new."""
    return GitRepo.init(tmp_path_factory.mktemp("calc")).feature({"calc.py": FIXED}, CONFTEST)


@pytest.fixture(scope="module")
def pytest_fw(repo: GitRepo) -> Framework:
    found = detect(repo.path, "python")
    assert isinstance(found, Framework) and found.name == "pytest"
    return found


@pytest.fixture(scope="module")
def unittest_fw(repo: GitRepo) -> Framework:
    """unittest starts in a quarter of pytest's time: for the tests of what is not pytest's."""
    found = detect(repo.path, "python", settings={"python": {"framework": "unittest"}})
    assert isinstance(found, Framework) and found.name == "unittest"
    return found


def _run(repo: GitRepo, fw: Framework, content: str, **kw: object) -> RunResult:
    return run_test_file(repo.path, repo.sha(), "tests/test_calc.py", content, fw, **kw)


def _case(*body: str, imports: str = "") -> str:
    """A unittest file with one test method whose body is `body`, one line a string."""
    lines = "".join(f"        {line}\n" for line in body)
    head = f"import unittest\n{imports}\n\nclass T(unittest.TestCase):\n"
    return f"{head}    def test_it(self):\n{lines}"


def test_a_run_reports_each_test_and_the_failure(repo: GitRepo, pytest_fw: Framework) -> None:
    content = (
        "from calc import add\n\ndef test_add():\n    assert add(2, 2) == 4\n\n"
        "def test_wrong():\n    assert add(2, 2) == 5\n"
    )
    result = _run(repo, pytest_fw, content, timeout_s=30)
    assert result.status == "failed"
    assert result.exit_code == 1
    assert "assert 4 == 5" in result.output_tail
    assert [(t.name, t.status) for t in result.tests] == [
        ("tests.test_calc::test_add", "passed"),
        ("tests.test_calc::test_wrong", "failed"),
    ]
    assert result.tests[1].message.startswith("assert 4 == 5")
    assert result.network_isolated == isolation.available()
    assert repo.git("worktree", "list").count("\n") == 0  # the worktree is gone


def _stray(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "process-group"])
def test_a_test_that_never_ends_is_killed_with_its_children(
    repo: GitRepo, unittest_fw: Framework, isolate: bool
) -> None:
    marker = f"98765.{int(isolate)}"
    content = _case(
        f"subprocess.Popen(['sleep', '{marker}'])", "time.sleep(3600)",
        imports="import subprocess, time",
    )  # fmt: skip
    result = _run(repo, unittest_fw, content, timeout_s=2, isolate=isolate)
    # Without user namespaces the isolated case falls back to the process group: same result.
    assert result.network_isolated == (isolate and isolation.available())
    assert result.status == "timeout"
    assert result.exit_code is None
    assert "killed after 2 s" in result.note
    assert _stray(marker) == []


def test_the_environment_is_an_allow_list(
    repo: GitRepo, unittest_fw: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-not-for-tests-0123456789")
    monkeypatch.setenv("SWITCHYARD_LOCAL_BASE_URL", "http://10.0.0.1:8080/v1")
    monkeypatch.setenv("DEPLOY_PASSWORD", "hunter2")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    seen = tmp_path / "env.json"
    content = _case(
        f"seen = {{'env': dict(os.environ), 'bot': os.path.exists('/proc/{os.getpid()}'),",
        "        'uid': os.getuid()}",
        f"json.dump(seen, open({str(seen)!r}, 'w'))",
        imports="import json, os",
    )
    result = _run(repo, unittest_fw, content, timeout_s=30)
    assert result.status == "passed", result.output_tail
    inside = json.loads(seen.read_text())
    env = inside["env"]
    assert "sk-proj-not-for-tests" not in json.dumps(env)
    assert not {"OPENAI_API_KEY", "SWITCHYARD_LOCAL_BASE_URL", "DEPLOY_PASSWORD"} & set(env)
    assert env["LC_ALL"] == "C.UTF-8" and env["PATH"] == os.environ["PATH"]
    assert env["HOME"] != str(Path.home())
    assert inside["uid"] == os.getuid()  # not root inside a namespace: permissions as in CI
    if result.network_isolated:
        # The bot's own process is not there to read /proc/<pid>/environ from.
        assert inside["bot"] is False


def test_the_network_is_cut_where_isolated(repo: GitRepo, unittest_fw: Framework) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    content = _case(
        f"socket.create_connection(('127.0.0.1', {port}), timeout=5).close()",
        imports="import socket",
    )
    try:
        open_run = _run(repo, unittest_fw, content, timeout_s=30, isolate=False)
        cut_run = _run(repo, unittest_fw, content, timeout_s=30)
    finally:
        server.close()
    assert open_run.status == "passed", open_run.output_tail  # the test can pass
    assert not open_run.network_isolated
    if not isolation.available():
        # A machine without user namespaces: the run says it had the network.
        assert not cut_run.network_isolated and cut_run.status == "passed"
        assert "no network isolation: unshare cannot make namespaces here" in cut_run.note
        return
    assert "no network isolation: turned off" in open_run.note
    assert cut_run.network_isolated
    assert cut_run.status == "failed"
    assert "ConnectionRefusedError" in cut_run.output_tail


def test_a_file_with_no_tests_does_not_pass(repo: GitRepo, unittest_fw: Framework) -> None:
    result = _run(repo, unittest_fw, "def test_plain():\n    pass\n", timeout_s=30)
    assert result.status == "failed"
    assert "no tests" in result.note


def test_a_plain_folder_runs_as_a_copy(tmp_path: Path, unittest_fw: Framework) -> None:
    (tmp_path / "calc.py").write_text(FIXED)
    content = _case("self.assertEqual(mul(2, 3), 6)", imports="from calc import mul")
    result = run_test_file(tmp_path, None, "test_calc.py", content, unittest_fw, timeout_s=30)
    assert result.status == "passed", result.output_tail
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calc.py"]  # the original untouched


def test_a_path_outside_the_checkout_is_refused(repo: GitRepo, unittest_fw: Framework) -> None:
    result = run_test_file(repo.path, repo.sha(), "../x.py", "", unittest_fw, timeout_s=30)
    assert result.status == "error" and "not a relative path inside" in result.note


def test_a_missing_runner_is_an_error_not_a_failure(repo: GitRepo, pytest_fw: Framework) -> None:
    broken = Framework(**{**pytest_fw.__dict__, "command": ["no-such-runner-xyz", "{file}"]})
    result = _run(repo, broken, "def test_x():\n    pass\n", timeout_s=30)
    assert result.status == "error"
    assert "could not start no-such-runner-xyz" in result.note


def _verify(repo: GitRepo, fw: Framework, content: str, **kw: object) -> Verdict:
    base = kw.pop("base", repo.sha("main"))
    return verify("tests/test_calc.py", content, repo.path, repo.sha(), base, fw, 30, **kw)


def test_verify_keeps_a_test_that_proves_the_change(repo: GitRepo, pytest_fw: Framework) -> None:
    content = "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    verdict = _verify(repo, pytest_fw, content, changed_lines={"calc.py": [2, 3, 6]})
    assert verdict.kept and verdict.proves_change and not verdict.flaky
    assert [r.status for r in verdict.head] == ["passed", "passed"]
    assert verdict.base is not None and verdict.base.status == "failed"
    assert not verdict.base_missing_symbol
    assert "proves the change" in verdict.reason and "assert -1 == 5" in verdict.reason
    coverage = verdict.coverage
    assert coverage is not None and coverage.tool == "coverage.py"
    # Line 2 (add's body) ran, line 6 (mul's body) did not; line 3 is blank, so it is no
    # line a test could have run.
    assert (coverage.covered, coverage.total) == (1, 2)
    assert coverage.missed_lines == (("calc.py", 6),)


def test_verify_counts_an_import_error_on_the_base(repo: GitRepo, unittest_fw: Framework) -> None:
    content = _case("self.assertEqual(mul(2, 3), 6)", imports="from calc import mul")
    verdict = _verify(repo, unittest_fw, content)
    assert verdict.kept and verdict.proves_change and verdict.base_missing_symbol
    assert "does not exist there (import error)" in verdict.reason
    assert verdict.coverage is None


def test_verify_keeps_a_test_passing_on_both_without_proof(
    repo: GitRepo, unittest_fw: Framework
) -> None:
    content = _case("self.assertEqual(add(0, 0), 0)", imports="from calc import add")
    verdict = _verify(repo, unittest_fw, content)
    assert verdict.kept and not verdict.proves_change
    assert verdict.base is not None and verdict.base.status == "passed"
    assert "does not prove the change" in verdict.reason


def test_verify_drops_a_flaky_test(repo: GitRepo, unittest_fw: Framework, tmp_path: Path) -> None:
    counter = tmp_path / "runs"  # outside the worktree, so it survives between runs
    content = _case(
        f"counter = Path({str(counter)!r})",
        "n = int(counter.read_text()) if counter.exists() else 0",
        "counter.write_text(str(n + 1))",
        "self.assertEqual(n % 2, 0)",
        imports="from pathlib import Path",
    )
    verdict = _verify(repo, unittest_fw, content)
    assert verdict.flaky and not verdict.kept and not verdict.proves_change
    assert [r.status for r in verdict.head] == ["passed", "failed"]
    assert verdict.base is None
    assert verdict.reason.startswith("flaky: passed once, then fails on the head")


def test_verify_drops_a_test_failing_on_the_head(repo: GitRepo, pytest_fw: Framework) -> None:
    content = "from calc import add\n\ndef test_add():\n    assert add(1, 1) == 3\n"
    verdict = _verify(repo, pytest_fw, content, base=None)
    assert not verdict.kept and not verdict.flaky
    assert [r.status for r in verdict.head] == ["failed"]
    assert verdict.reason.startswith("fails on the head: tests.test_calc::test_add: assert 2 == 3")


@pytest.fixture(scope="module")
def node_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    lib = "function slug(s) {\n  return s.trim().toLowerCase();\n}\nmodule.exports = { slug };\n"
    repo = GitRepo.init(tmp_path_factory.mktemp("node"))
    return repo.feature({"lib/slug.js": lib}, {"package.json": '{"name": "demo"}\n'})


def test_node_test_runs_with_outcomes_and_coverage(node_repo: GitRepo) -> None:
    fw = detect(node_repo.path, "javascript", source="lib/slug.js")
    assert isinstance(fw, Framework) and fw.name == "node:test"
    content = (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const { slug } = require('./slug');\n"
        "test('trims', () => assert.strictEqual(slug(' A '), 'a'));\n"
        "test('wrong', () => assert.strictEqual(slug('B'), 'B'));\n"
    )
    result = run_test_file(node_repo.path, node_repo.sha(), "lib/slug.test.js", content, fw,
                           timeout_s=30, coverage=True)  # fmt: skip
    assert result.status == "failed"
    assert sorted((t.name, t.status) for t in result.tests) == [
        ("test::trims", "passed"),
        ("test::wrong", "failed"),
    ]
    assert "wrong" in result.output_tail  # the spec reporter still writes the log
    assert result.coverage_tool == "node --experimental-test-coverage"
    assert result.covered is not None and result.covered["lib/slug.js"] >= {1, 2}


def test_node_modules_are_linked_not_installed(node_repo: GitRepo, tmp_path: Path) -> None:
    # A package only the original checkout has (node_modules is never committed).
    package = node_repo.path / "node_modules" / "left-pad-local"
    package.mkdir(parents=True)
    (package / "index.js").write_text("module.exports = (s) => ' ' + s;\n")
    fw = detect(node_repo.path, "javascript")
    assert isinstance(fw, Framework)
    content = (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('pads', () => assert.strictEqual(require('left-pad-local')('x'), ' x'));\n"
    )
    result = run_test_file(node_repo.path, node_repo.sha(), "test/pad.test.js", content, fw,
                           timeout_s=30)  # fmt: skip
    assert result.status == "passed", result.output_tail
    status = subprocess.run(["git", "-C", str(node_repo.path), "status", "--porcelain"],
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert status.stdout == "?? node_modules/\n"
