"""`switchyard tests` end to end: real small projects in temporary git repositories, their
own test runners (pytest, node --test) run in the sandbox, and a fake model that answers
generated tests from a script: kept, repaired, dropped, timed out, proving or not."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Result, base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

OPS_BASE = "def add(a, b):\n    return a + b\n"
OPS_HEAD = OPS_BASE + (
    "\n\ndef clamp(x, lo, hi):\n"
    '    """x held within [lo, hi]."""\n'
    "    if x < lo:\n"
    "        return lo\n"
    "    if x > hi:\n"
    "        return hi\n"
    "    return x\n"
)
SECRET = "sk-" + "never-inside-a-test-run"


def _test(name: str, body: str, imports: str = "from calc.ops import clamp") -> str:
    return f"{imports}\n\n\ndef {name}():\n{body}"


# What the fake model writes, by the path it names: (first answer, repair answer or None).
GENERATED = {
    # New in the change: fails on the base (cannot import clamp), passes on the head. It
    # also fails if the model key of the bot's environment reached the run.
    "tests/test_clamp.py": _test(
        "test_clamp_low",
        "    assert clamp(-1, 0, 5) == 0\n"
        "    assert not any('never-inside' in v for v in os.environ.values())\n",
        "import os\n\nfrom calc.ops import clamp",
    ),
    # Passes before and after the change: kept, but it proves nothing.
    "tests/test_add_more.py": _test(
        "test_add_negative", "    assert add(-1, 1) == 0\n", "from calc.ops import add"
    ),
    # Wrong, then right after one repair round.
    "tests/test_clamp_high.py": _test("test_clamp_high", "    assert clamp(9, 0, 5) == 9\n"),
    # Wrong, and wrong again after its repair round.
    "tests/test_clamp_wrong.py": _test("test_clamp_wrong", "    assert clamp(3, 0, 5) == 4\n"),
}
REPAIRED = {
    "tests/test_clamp_high.py": _test("test_clamp_high", "    assert clamp(9, 0, 5) == 5\n"),
    "tests/test_clamp_wrong.py": _test("test_clamp_wrong", "    assert clamp(3, 0, 5) == 6\n"),
}


def _answer(files: dict[str, str], covers: str = "clamp") -> dict[str, Any]:
    return {
        "files": [
            {"path": p, "content": c, "covers": ["add" if "add" in p else covers]}
            for p, c in files.items()
        ]
    }


def _scripted(req: dict[str, Any]) -> Reply:
    user = req["messages"][-1]["content"]
    if "failing test file: " in user:
        path = user.split("failing test file: ", 1)[1].split(" ", 1)[0]
        return Reply(_answer({path: REPAIRED[path]}))
    return Reply(_answer(GENERATED))


def _python_project(repo: GitRepo) -> GitRepo:
    return repo.feature(
        {"calc/ops.py": OPS_HEAD},
        base={
            "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
            "calc/__init__.py": "",
            "calc/ops.py": OPS_BASE,
            "tests/test_ops.py": _test(
                "test_add", "    assert add(1, 2) == 3\n", "from calc.ops import add"
            ),
        },
    )


@dataclass
class Run:
    result: Result
    report: dict[str, Any]
    fake: FakeOpenAIServer
    repo: GitRepo
    state: Path


@pytest.fixture(scope="module")
def python_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One run over the Python project, shared: each sandboxed pytest run costs ~1 s."""
    home = tmp_path_factory.mktemp("home")
    repo = _python_project(GitRepo.init(tmp_path_factory.mktemp("py")))
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = _scripted
        env = {
            **base_env(home),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
            "OPENAI_API_KEY": SECRET,
        }
        r = switchyard(
            "tests", "--base", "main", "--format", "json", "--write",
            cwd=repo.path, env=env, timeout=240,
        )  # fmt: skip
        yield Run(r, json.loads(r.out), fake, repo, home / "state")


def test_a_passing_test_is_kept_and_the_patch_adds_it(python_run: Run) -> None:
    assert python_run.result.code == 0, python_run.result.both
    patch = python_run.report["patch"]
    assert "+++ b/tests/test_clamp.py" in patch and "+    assert clamp(-1, 0, 5) == 0" in patch
    assert "new file mode 100644" in patch
    # --write put the kept files in the working tree, as the patch has them.
    written = python_run.repo.path / "tests" / "test_clamp.py"
    assert written.read_text() == GENERATED["tests/test_clamp.py"]
    assert "written: tests/test_clamp.py" in python_run.report["notes"]


def test_proving_tests_come_first_and_one_passing_on_both_is_kept_unlisted_as_proof(
    python_run: Run,
) -> None:
    kept = [n for n in python_run.report["notes"] if n.startswith("kept tests/")]
    assert [k.split(":")[0] for k in kept] == [
        "kept tests/test_clamp.py",
        "kept tests/test_clamp_high.py (after a repair round)",
        "kept tests/test_add_more.py",
    ]
    assert "covers clamp; proves the change: fails on the base" in kept[0]
    assert "covers add; passes on the base and the head: does not prove the change" in kept[2]
    notes = python_run.report["notes"]
    assert "kept 3 generated test files that passed on the head (2 prove the change)" in notes
    assert python_run.report["headline"] == (
        "Generated 4 test files for 1 changed function: 3 kept after passing on the head "
        "(2 of them prove the change), 1 dropped."
    )
    # coverage.py is installed with the tests: the added lines the kept tests run, together
    # (clamp's low and high branches, not its last return), out of the 6 of the 9 added
    # lines that can run at all (not the blank lines, not the docstring).
    [run] = [n for n in notes if n.startswith("the kept tests run ")]
    assert run.endswith("of the 6 executable added lines of the files they test")
    assert "run 0 of" not in run


def test_failing_tests_get_one_repair_round_then_are_dropped(python_run: Run) -> None:
    notes = python_run.report["notes"]
    assert "dropped 1 generated test file: 1 failed" in notes
    [wrong] = [n for n in notes if n.startswith("dropped tests/test_clamp_wrong.py")]
    assert "(covers clamp): failed after 1 repair round (fails on the head: " in wrong
    assert "test_clamp_wrong" not in python_run.report["patch"]
    # One generation, and a repair for each failing file.
    repairs = [
        r["messages"][-1]["content"]
        for r in python_run.fake.chat_requests()
        if "failing test file: " in r["messages"][-1]["content"]
    ]
    assert len(python_run.fake.chat_requests()) == 3 and len(repairs) == 2
    # The failing file and the end of its output travel as data, inside the boundaries.
    [wrong] = [r for r in repairs if "test_clamp_wrong.py" in r]
    mark = next(ln for ln in wrong.splitlines() if ln.startswith("=== CODE-DATA "))
    inside = wrong.split(mark)[1]
    assert "assert clamp(3, 0, 5) == 4" in inside and "AssertionError" in inside


def test_every_model_call_is_in_the_ledger(python_run: Run) -> None:
    ledger = sqlite3.connect(python_run.state / "ledger.sqlite3")
    rows = ledger.execute("select task, item, outcome from calls order by id").fetchall()
    assert rows == [
        ("tests", "tests-1", "ok"),
        ("tests", "tests-repair-1", "ok"),
        ("tests", "tests-repair-2", "ok"),
    ]
    assert len(python_run.report["calls"]) == 3


def test_a_javascript_project_runs_its_node_tests_and_a_hanging_one_is_killed(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    if shutil.which("node") is None:
        pytest.fail("node is needed (Node.js 20+, as the npm tools are)")
    head = "function slug(s) {\n  return s.trim().toLowerCase().replace(/\\s+/g, '-');\n}\n"
    repo = git_repo.feature(
        {"lib/text.js": head + "module.exports = { slug };\n"},
        base={
            "package.json": '{"name": "demo", "scripts": {"test": "node --test"}}\n',
            "lib/text.js": "module.exports = {};\n",
            "test/text.test.js": "const test = require('node:test');\n",
        },
    )
    generated = (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const { slug } = require('../lib/text.js');\n\n"
        "test('slug joins words with dashes', () => {\n"
        "  assert.strictEqual(slug(' Hello  World '), 'hello-world');\n});\n"
    )
    # Never ends: killed at the timeout, and not worth a repair round.
    hang = (
        "const test = require('node:test');\n\n"
        "test('waits', () => new Promise((done) => setTimeout(done, 120000)));\n"
    )
    answer = {
        "files": [
            {"path": "test/slug.test.js", "content": generated, "covers": ["slug"]},
            {"path": "test/hang.test.js", "content": hang, "covers": ["slug"]},
        ]
    }
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(answer)
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        r = switchyard(
            "tests", "--base", "main", "--timeout", "2", "--format", "json",
            cwd=repo.path, env=env, timeout=120,
        )  # fmt: skip
        user = fake.chat_requests()[0]["messages"][-1]["content"]
        assert len(fake.chat_requests()) == 1  # no repair round for a hang
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert "+++ b/test/slug.test.js" in data["patch"] and "hang" not in data["patch"]
    assert any(n.startswith("kept test/slug.test.js: covers slug; proves") for n in data["notes"])
    assert "dropped 1 generated test file: 1 timed out" in data["notes"]
    # The prompt named the runner the repository uses and showed its test as the style.
    assert "framework: node:test" in user and "test/text.test.js" in user


def test_a_project_with_no_test_command_says_what_to_configure(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    # Go tests need a module: without go.mod there is nothing `go test` could run.
    repo = git_repo.feature({"app/app.go": "package app\n\nfunc One() int {\n\treturn 1\n}\n"})
    with FakeOpenAIServer(models=["qwen"]) as fake:
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        r = switchyard("tests", "--base", "main", "--format", "json", cwd=repo.path, env=env)
        assert fake.chat_requests() == []
    assert r.code == 3, r.both  # nothing could be tested: incomplete, not "no findings"
    [note] = [n for n in json.loads(r.out)["notes"] if "no test command detected" in n]
    assert "tests.command.go" in note and ".switchyard.yml" in note


def test_restricted_code_never_reaches_a_cloud_model(git_repo: GitRepo, tmp_path: Path) -> None:
    repo = _python_project(git_repo)
    org = tmp_path / "org.yml"
    org.write_text(
        "providers:\n  openai:\n    model: qwen\n"
        "data_classes:\n  paths:\n    - glob: 'calc/**'\n      class: restricted\n"
        "routing:\n  restricted_wait_s: 0\n"
    )
    with FakeOpenAIServer("cloud", models=["qwen"]) as fake:
        env = {**base_env(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url}
        r = switchyard(
            "tests", "--base", "main", "--format", "json", "--config", str(org),
            cwd=repo.path, env=env,
        )  # fmt: skip
        assert fake.chat_requests() == []
        assert "def clamp" not in json.dumps(fake.requests)
    assert r.code == 3, r.both
    data = json.loads(r.out)
    assert data["patch"] is None
    [why] = [n for n in data["notes"] if n.startswith("tests-1 (calc/ops.py)")]
    assert "restricted code stays on premises" in why


def test_dry_run_shows_the_plan_and_sends_nothing(git_repo: GitRepo, tmp_path: Path) -> None:
    repo = _python_project(git_repo)
    with FakeOpenAIServer(models=["qwen"]) as fake:
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        r = switchyard("tests", "--base", "main", "--dry-run", cwd=repo.path, env=env)
        assert fake.requests == []
    assert r.code == 0, r.both
    assert "tests-1: calc/ops.py (clamp) → tests/test_ops_generated.py with pytest" in r.out


def test_a_patch_is_refused_with_what_to_do_instead(git_repo: GitRepo, tmp_path: Path) -> None:
    repo = _python_project(git_repo)
    r = switchyard("tests", "--diff", "-", cwd=repo.path, env=base_env(tmp_path), stdin="")
    assert r.code == 2 and "not a patch (--diff)" in r.err
