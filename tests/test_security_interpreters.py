"""Code in newer Python than the interpreter: a file in 3.12 syntax scanned under 3.11 is still
scanned by semgrep, the run is complete, and bandit's parse failure is a note. The real
`switchyard security --no-model` on a real repository, with no newer Python to be found;
then the coverage rule itself on scanner runs made up for each way an engine can miss."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.change.patch_source import change_from_patch
from bot.security.scanners import ScanResult, run_scanners
from bot.security.scanners.base import ScannerRun
from bot.security.scanners.coverage import coverage
from bot.security.scanners.head_tree import HeadTree
from tests.cli import base_env, switchyard
from tests.gitrepo import GitRepo

# Valid from Python 3.12 on (PEP 701: quotes nested in an f-string), a syntax error before.
NEW_SYNTAX = 'def show(x, code):\n    print(f"{x["k"]}")\n    return eval(code)\n'
# bandit's weak-hash test (B324) is on by default; its sink tests (eval's B307) are not.
OLD_SYNTAX = "import hashlib\n\n\ndef run(code):\n    hashlib.md5(code)\n    return eval(code)\n"
# A rule of the test's own, so that what it proves does not hang on the built-in rules.
RULE = """rules:
  - id: test-eval-call
    languages: [python]
    severity: ERROR
    message: eval() call
    pattern: eval(...)
"""


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One scan of a branch adding a 3.12-syntax file and a 3.11 one, with only the tools it
    needs on PATH and an empty HOME: no newer Python (with bandit or not) for bandit to retry
    with, whatever this machine has installed."""
    root = tmp_path_factory.mktemp("py312")
    repo = GitRepo.init(root / "repo").feature({"new.py": NEW_SYNTAX, "old.py": OLD_SYNTAX})
    rule = root / "rule.yml"
    rule.write_text(RULE, encoding="utf-8")
    tools = root / "bin"
    tools.mkdir()
    for tool in ("git", "uname"):  # semgrep runs `uname -s`
        found = shutil.which(tool)
        assert found is not None, tool
        os.symlink(found, tools / tool)
    env = {**base_env(root), "PATH": str(tools)}
    r = switchyard(
        "security",
        "--base",
        "main",
        "--no-model",
        "--format",
        "json",
        "--semgrep-config",
        str(rule),
        cwd=repo.path,
        env=env,
        timeout=180,
    )
    return {"code": r.code, "err": r.err, "report": json.loads(r.out) if r.out else {}}


def test_the_file_in_newer_syntax_is_scanned_and_the_run_is_complete(
    scanned: dict[str, Any],
) -> None:
    assert scanned["code"] == 0, scanned["err"]
    report = scanned["report"]
    assert report["summary"]["complete"] is True
    assert report["summary"]["files_reviewed"] == 2
    assert report["skipped"] == []
    found = {(f["path"], f["source"], f["rule_id"]) for f in report["findings"]}
    # semgrep parsed the 3.12 file: its rule fired on line 3 there, as on the old file.
    assert ("new.py", "semgrep", "test-eval-call") in found
    # bandit still scanned what it can parse.
    assert ("old.py", "bandit", "B324") in found or any(
        f["path"] == "old.py" and "B324" in f["body"] for f in report["findings"]
    )


def test_bandit_not_reading_it_is_a_note_naming_the_interpreter(scanned: dict[str, Any]) -> None:
    notes = scanned["report"]["notes"]
    [note] = [n for n in notes if n.startswith("new.py")]
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if sys.version_info < (3, 12):
        assert "scanned by semgrep, not by bandit" in note
        assert f"syntax error under Python {here}" in note
        assert "no newer Python with bandit was found" in note
    assert "could not be reviewed" not in " ".join(notes)


# --- the coverage rule, on scanner runs made up for each case -----------------------------


def tree(*paths: str) -> HeadTree:
    return HeadTree(root=Path("/nonexistent"), contents=dict.fromkeys(paths, ""))


def missed(name: str, paths: list[str], why: str, status: str = "partial") -> ScannerRun:
    return ScannerRun(name=name, status=status, unreadable=[(p, why) for p in paths])  # type: ignore[arg-type]


def test_a_python_file_bandit_missed_and_semgrep_read_is_covered() -> None:
    runs = [
        missed("bandit", ["a.py"], "bandit could not read it: syntax error"),
        missed("semgrep", [], ""),
    ]
    got = coverage(tree("a.py", "b.py"), runs)
    assert got.unscanned == []
    [note] = got.notes
    assert note.startswith("a.py was scanned by semgrep, not by bandit (bandit could not read")


def test_a_file_no_engine_read_is_unscanned_with_each_reason() -> None:
    runs = [
        missed("bandit", ["a.py"], "bandit could not read it: syntax error"),
        missed("semgrep", ["a.py"], "semgrep: Syntax error at line 1"),
    ]
    got = coverage(tree("a.py"), runs)
    assert got.unscanned == [
        ("a.py", "bandit could not read it: syntax error"),
        ("a.py", "semgrep: Syntax error at line 1"),
    ]
    assert got.notes == []


def test_bandit_absent_leaves_python_to_semgrep_with_one_note() -> None:
    bandit = missed("bandit", ["a.py", "b.py"], "not scanned by bandit: bandit is not installed")
    bandit.status = "unavailable"
    got = coverage(tree("a.py", "b.py"), [bandit, missed("semgrep", [], "")])
    assert got.unscanned == []
    assert got.notes == [
        "2 file(s) bandit did not scan were scanned by semgrep: they count as scanned, "
        "without bandit's rules"
    ]


def test_semgrep_absent_leaves_only_what_bandit_reads() -> None:
    why = "not scanned by semgrep: semgrep is not installed"
    semgrep = missed("semgrep", ["a.py", "app.js"], why, status="unavailable")
    got = coverage(tree("a.py", "app.js"), [missed("bandit", [], ""), semgrep])
    # bandit reads no JavaScript: that file is a gap, the Python one is covered.
    assert got.unscanned == [("app.js", why)]
    assert len(got.notes) == 1 and "scanned by bandit" in got.notes[0]


def test_a_file_the_secret_scan_missed_stays_a_gap_whoever_else_read_it() -> None:
    secrets = missed("secrets", ["a.py"], "not scanned for secrets: the 1s limit was reached")
    got = coverage(tree("a.py"), [secrets, missed("bandit", [], ""), missed("semgrep", [], "")])
    assert got.unscanned == [("a.py", "not scanned for secrets: the 1s limit was reached")]


def test_a_file_the_head_tree_could_not_write_is_unscanned() -> None:
    t = tree("a.py")
    t.unreadable.append(("gone.py", "no head version to scan"))
    got = coverage(t, [missed("semgrep", [], "")])
    assert got.unscanned == [("gone.py", "no head version to scan")]


# --- one engine absent or failing, the other there: run_scanners end to end ---------------


def added(files: dict[str, str]) -> str:
    """A patch adding `files`: their whole text is in the hunks, no checkout needed."""
    out = []
    for path, text in files.items():
        lines = text.splitlines()
        out.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
        )
    return "".join(out)


CHANGE = {"a.py": OLD_SYNTAX, "app.js": "eval(location.hash)\n"}


def fake(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def scan_with(tmp_path: Path, **executables: str) -> ScanResult:
    return run_scanners(
        change_from_patch(added(CHANGE), "test"),
        scanners=("bandit", "semgrep"),
        executables=executables,
        # This interpreter's bin first: its bandit, whether or not the venv is activated.
        env={
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            "HOME": str(tmp_path),
        },
    )


def semgrep_reading_all(tmp_path: Path) -> str:
    """A semgrep that reads every file and finds nothing: fast, and enough here."""
    data = json.dumps({"version": "0.0", "results": [], "errors": [], "paths": {"scanned": []}})
    return fake(tmp_path, "semgrep-ok", f"echo '{data}'")


def test_bandit_absent_is_a_note_and_python_counts_as_scanned_by_semgrep(tmp_path: Path) -> None:
    scan = scan_with(tmp_path, bandit="no-such-bandit", semgrep=semgrep_reading_all(tmp_path))
    assert scan.unscanned == []
    assert scan.scanned == 2
    notes = " ".join(scan.notes)
    assert "bandit is not installed (no-such-bandit not found)" in notes
    assert "1 file(s) bandit did not scan were scanned by semgrep" in notes


def test_semgrep_crashing_leaves_what_only_it_reads_unscanned(tmp_path: Path) -> None:
    crash = fake(tmp_path, "semgrep-crash", 'echo "Fatal error: out of memory" >&2; exit 2')
    scan = scan_with(tmp_path, semgrep=crash)
    notes = " ".join(scan.notes)
    assert "semgrep failed (exit 2" in notes and "out of memory" in notes
    # bandit read the Python file; nothing else reads JavaScript.
    assert [p for p, _ in scan.unscanned] == ["app.js"]
    assert "1 file(s) semgrep did not scan were scanned by bandit" in notes
    assert any(f.source == "bandit" and f.path == "a.py" for f in scan.findings)


def test_both_engines_absent_leave_every_file_unscanned(tmp_path: Path) -> None:
    scan = scan_with(tmp_path, bandit="no-such-bandit", semgrep="no-such-semgrep")
    assert sorted({p for p, _ in scan.unscanned}) == ["a.py", "app.js"]
    notes = " ".join(scan.notes)
    assert "bandit is not installed" in notes and "semgrep is not installed" in notes
