"""Security scanners on a change: real bandit and semgrep on the happy path (one scan per
session), fake executables for every way a tool can fail, and a planted secret that must
not appear in any output.
"""

from __future__ import annotations

import difflib
import json
import stat
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.change.checkout import CheckoutLoader
from bot.change.git_source import change_from_git
from bot.change.model import Change, Side
from bot.change.patch_source import change_from_patch
from bot.findings.model import Severity
from bot.publish.gitlab_sast import render_gitlab_sast
from bot.publish.sarif import render_sarif, sarif_data
from bot.report import RunReport, SkippedEntry
from bot.security import interpreters
from bot.security.cwe import BANDIT_CWE, scanner_severity
from bot.security.interpreters import Interpreter, find_interpreters
from bot.security.scanners import ScanResult, run_scanners
from bot.security.scanners.bandit_runner import bandit_command, run_bandit
from bot.security.scanners.semgrep_runner import semgrep_command
from tests.gitrepo import GitRepo

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"

# Built from parts so that no scanner of this repository flags this test file itself.
TOKEN = "ghp_" + "Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4V"
PASSWORD = "hunter2-" + "very-secret-pw"
SECRETS = (TOKEN, PASSWORD)

# bandit and semgrep are dependencies of the package: a missing one fails these tests.
HAS_BANDIT = bandit_command() is not None
HAS_SEMGREP = semgrep_command() is not None


DB_OLD = "import os\n\n\ndef ok():\n    return 1\n"
DB_NEW = (
    "import os\n"
    "import subprocess\n"
    "\n"
    "\n"
    "def ok():\n"
    "    return 1\n"
    "\n"
    "\n"
    "def query(cur, user):\n"
    "    cur.execute(\"SELECT * FROM t WHERE name = '%s'\" % user)\n"
    "    subprocess.call(user, shell=True)\n"
    f'    password = "{PASSWORD}"\n'
    f"    print({PASSWORD!r})\n"
)
# Nested same-quote f-string: valid from Python 3.12 on, a syntax error before.
PY312 = 'x = {"a": 1}\nprint(f"{x["a"]}")\n'
SETTINGS = f'GITHUB_TOKEN = "{TOKEN}"\n'


def make_diff(files: dict[str, tuple[str | None, str]]) -> str:
    out: list[str] = []
    for path, (old, new) in files.items():
        a = old.splitlines(keepends=True) if old is not None else []
        b = new.splitlines(keepends=True)
        out.append(f"diff --git a/{path} b/{path}\n")
        if old is None:
            out.append("new file mode 100644\n")
        out += difflib.unified_diff(a, b, "/dev/null" if old is None else f"a/{path}", f"b/{path}")
    return "".join(out)


def make_change(files: dict[str, tuple[str | None, str]], *, loader: bool = True) -> Change:
    """A change as a forge source gives it: a diff and a loader of head contents."""
    change = change_from_patch(make_diff(files), "test")
    heads = {p: new for p, (_, new) in files.items()}
    if loader:
        change.load_content = lambda path, side: heads.get(path) if side is Side.RIGHT else None
    return change


SAMPLE = {
    "app/db.py": (DB_OLD, DB_NEW),
    "app/new312.py": (None, PY312),
    "conf/settings.py": (None, SETTINGS),
}


def no_newer_python(version: tuple[int, int, int]) -> list[Interpreter]:
    return []


@cache
def _sample_scan() -> ScanResult:
    return run_scanners(make_change(SAMPLE), mode="added", interpreter_finder=no_newer_python)


@pytest.fixture
def sample_scan() -> ScanResult:
    assert HAS_BANDIT and HAS_SEMGREP, "bandit and semgrep are dependencies: install them"
    return _sample_scan()


def everything_written(scan: ScanResult) -> str:
    report = report_of(scan)
    return "\n".join(
        [
            json.dumps([f.model_dump(mode="json") for f in scan.findings]),
            json.dumps(scan.notes),
            json.dumps(scan.unreadable),
            render_sarif(report),
            render_gitlab_sast(report, scan),
        ]
    )


def report_of(scan: ScanResult) -> RunReport:
    return RunReport(
        task="security",
        findings=scan.findings,
        skipped=[SkippedEntry(path=p, reason=f"not scanned: {why}") for p, why in scan.unreadable],
        notes=scan.notes,
    )


def by_rule(scan: ScanResult, source: str, rule: str) -> list[Any]:
    return [f for f in scan.findings if f.source == source and f.rule_id == rule]


# --- the happy path, with the real tools --------------------------------------------------


def test_bandit_finds_sql_injection_with_its_cwe(sample_scan: ScanResult) -> None:
    [sql] = by_rule(sample_scan, "bandit", "B608")
    assert sql.path == "app/db.py" and sql.start_line == 10
    assert sql.cwe == ["CWE-89"]
    assert sql.task == "security" and sql.category == "security"
    assert "CWE-89" in sql.body and "SQL Injection" in sql.body
    assert sql.help_uri and sql.help_uri.startswith("https://bandit.readthedocs.io")
    assert sql.fingerprint
    [shell] = by_rule(sample_scan, "bandit", "B602")
    assert shell.severity is Severity.CRITICAL  # HIGH, HIGH confidence, CWE-78
    assert shell.confidence == pytest.approx(0.9)


def test_semgrep_findings_carry_rule_metadata(sample_scan: ScanResult) -> None:
    semgrep = [f for f in sample_scan.findings if f.source == "semgrep"]
    assert semgrep, sample_scan.notes
    for f in semgrep:
        # semgrep's folder prefix is undone: the id is the one written in the rule file
        assert f.rule_id and not f.rule_id.startswith(("work.", "tmp.", "bot."))
        assert f.cwe and all(c.startswith("CWE-") for c in f.cwe)
    assert any("CWE-89" in f.cwe for f in semgrep)


def test_secret_is_found_and_never_echoed(sample_scan: ScanResult) -> None:
    [token] = by_rule(sample_scan, "secrets", "github-token")
    assert token.severity is Severity.CRITICAL
    assert token.cwe == ["CWE-798"]
    written = everything_written(sample_scan)
    for value in SECRETS:
        assert value not in written
    # bandit quotes the password it flags; the quote is masked, the finding kept
    [b105] = by_rule(sample_scan, "bandit", "B105")[:1] or [None]
    assert b105 is not None and "[REDACTED" in b105.title


def test_python_312_syntax_is_listed_with_the_interpreter_version(
    sample_scan: ScanResult,
) -> None:
    reasons = dict(sample_scan.unreadable)
    reason = reasons["app/new312.py"]
    here = ".".join(map(str, sys.version_info[:2]))
    if sys.version_info < (3, 12):
        assert f"syntax error under Python {here}" in reason
        assert "no newer Python with bandit" in reason
    else:
        assert "app/new312.py" not in reasons
    # the file was still read by semgrep and the secret scan
    assert sample_scan.scanned == 3


def test_only_added_lines_count_by_default(sample_scan: ScanResult) -> None:
    # "import os" (line 1) is context; subprocess import (line 2) is added
    assert all(f.start_line != 1 or f.path != "app/db.py" for f in sample_scan.findings)
    assert by_rule(sample_scan, "bandit", "B404")


def test_sarif_is_valid_and_ready_for_code_scanning(sample_scan: ScanResult) -> None:
    log = sarif_data(report_of(sample_scan))
    assert_valid_sarif(log)
    driver = log["runs"][0]["tool"]["driver"]
    rule = next(r for r in driver["rules"] if r["id"] == "bandit/B608")
    assert "security" in rule["properties"]["tags"]
    assert "external/cwe/cwe-89" in rule["properties"]["tags"]
    severity = rule["properties"]["security-severity"]
    assert isinstance(severity, str) and 0.0 < float(severity) <= 10.0
    assert rule["help"]["text"] and "CWE-89" in rule["help"]["markdown"]
    assert rule["helpUri"].startswith("https://")
    results = log["runs"][0]["results"]
    sql = next(r for r in results if r["ruleId"] == "bandit/B608")
    assert sql["partialFingerprints"]
    assert sql["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    assert sql["properties"]["cwe"] == ["CWE-89"]


def test_scanners_run_on_a_git_change(tmp_path: Path) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("svc.py", "def f():\n    return 1\n")
    base = repo.commit("base")
    repo.write("svc.py", "def f(x):\n    return eval(x)\n")
    repo.commit("head")
    change = change_from_git(repo.path, base, "HEAD")
    scan = run_scanners(change, scanners=("bandit",))
    assert HAS_BANDIT, "bandit is a dependency: install it"
    [found] = [f for f in scan.findings if f.rule_id == "B307"]
    # bandit files eval under OS command injection (78); the report names the weakness.
    assert found.start_line == 2 and found.cwe == ["CWE-95"]


# --- where head contents come from --------------------------------------------------------


def test_patch_without_checkout_lists_modified_files_and_rebuilds_added_ones() -> None:
    change = make_change(
        {"m.py": ("a = 1\n", "a = 2\n"), "n.py": (None, f'TOKEN = "{TOKEN}"\n')}, loader=False
    )
    scan = run_scanners(change, scanners=("secrets",))
    assert [p for p, _ in scan.unreadable] == ["m.py"]
    assert "--base" in scan.unreadable[0][1]  # says what to do instead
    assert [f.path for f in scan.findings] == ["n.py"]


def test_patch_with_a_checkout_reads_it(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(f'a = 2\nKEY = "{TOKEN}"\n', encoding="utf-8")
    change = make_change({"m.py": ("a = 1\n", f'a = 2\nKEY = "{TOKEN}"\n')}, loader=False)
    change.load_content = CheckoutLoader(tmp_path, change.files)
    scan = run_scanners(change, scanners=("secrets",))
    assert scan.unreadable == []
    assert [f.start_line for f in scan.findings] == [2]


def test_a_failing_loader_is_a_reason_not_a_crash() -> None:
    change = make_change({"m.py": ("a = 1\n", "a = 2\n")})

    def broken(path: str, side: Side) -> str | None:
        raise OSError("forge said 502")

    change.load_content = broken
    scan = run_scanners(change, scanners=("secrets",))
    assert scan.unreadable == [("m.py", "loading it failed (OSError: forge said 502)")]


# --- failing tools --------------------------------------------------------------------------


def fake_tool(tmp_path: Path, name: str, body: str) -> Path:
    """A shell script standing in for a scanner; `--version` answers quickly."""
    script = tmp_path / name
    script.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "fake 0.0"; exit 0; fi\n' + body + "\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


SMALL = {"a.py": ("x = 1\n", "x = 2\n"), "b.py": (None, "y = 3\n")}
Runner = Callable[..., Any]


def _run(tool: str, tmp_path: Path, **kwargs: Any) -> ScanResult:
    return run_scanners(make_change(SMALL), scanners=(tool,), **kwargs)


def _assert_clear_gap(scan: ScanResult, tool: str, words: str) -> None:
    [run] = scan.scanners
    assert run.findings == []
    text = " ".join(scan.notes)
    assert tool in text and words in text, scan.notes
    assert "Traceback" not in text
    # every file the tool was given is listed as not scanned by it
    assert sorted(p for p, _ in scan.unreadable) == ["a.py", "b.py"]
    assert all(tool in why for _, why in scan.unreadable)
    assert not scan.complete


@pytest.mark.parametrize("tool", ["bandit", "semgrep"])
def test_missing_executable_is_a_note(tool: str, tmp_path: Path) -> None:
    scan = _run(tool, tmp_path, executables={tool: "no-such-scanner-xyz"})
    assert scan.scanners[0].status == "unavailable"
    _assert_clear_gap(scan, tool, "not installed")


@pytest.mark.parametrize("tool", ["bandit", "semgrep"])
def test_path_without_the_tool_is_a_note(tool: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    scan = _run(tool, tmp_path, env={"PATH": str(empty), "HOME": str(tmp_path)})
    assert scan.scanners[0].status == "unavailable"
    _assert_clear_gap(scan, tool, "not installed")


@pytest.mark.parametrize("tool", ["bandit", "semgrep"])
def test_crash_with_garbage_is_a_note(tool: str, tmp_path: Path) -> None:
    script = fake_tool(
        tmp_path, f"{tool}-crash", 'echo "Segmentation fault (core dumped) #%$@"; exit 3'
    )
    scan = _run(tool, tmp_path, executables={tool: str(script)})
    assert scan.scanners[0].status == "failed"
    _assert_clear_gap(scan, tool, "exit 3")
    assert "Segmentation fault" in " ".join(scan.notes)


def test_a_refused_option_is_quoted_by_its_error_line_not_the_usage_text(
    tmp_path: Path,
) -> None:
    usage = "usage: bandit [-h] [-r] " + " ".join(f"[--opt{i} X]" for i in range(40))
    script = fake_tool(
        tmp_path,
        "bandit-usage",
        f'echo "{usage}" >&2; echo "bandit: error: unrecognized arguments: --bogus" >&2; exit 2',
    )
    scan = _run("bandit", tmp_path, executables={"bandit": str(script)})
    reasons = dict(scan.unreadable)
    assert reasons["a.py"].endswith("bandit: error: unrecognized arguments: --bogus")
    assert "usage:" not in reasons["a.py"]


@pytest.mark.parametrize("tool", ["bandit", "semgrep"])
def test_unparsable_output_is_a_note(tool: str, tmp_path: Path) -> None:
    script = fake_tool(tmp_path, f"{tool}-text", 'echo "all good, no issues"; exit 0')
    scan = _run(tool, tmp_path, executables={tool: str(script)})
    assert scan.scanners[0].status == "failed"
    _assert_clear_gap(scan, tool, "not")
    assert "JSON" in " ".join(scan.notes)


@pytest.mark.parametrize("tool", ["bandit", "semgrep"])
def test_hang_is_cut_at_the_timeout(tool: str, tmp_path: Path) -> None:
    script = fake_tool(tmp_path, f"{tool}-hang", "sleep 30")
    scan = _run(tool, tmp_path, executables={tool: str(script)}, timeout_s=1)
    assert scan.scanners[0].status == "timeout"
    assert scan.scanners[0].duration_s < 10
    _assert_clear_gap(scan, tool, "1s limit")


def test_tool_output_quoting_a_secret_is_masked(tmp_path: Path) -> None:
    script = fake_tool(tmp_path, "semgrep-leak", f'echo "bad token {TOKEN} in rule"; exit 2')
    change = make_change({"k.py": (None, f'KEY = "{TOKEN}"\n')})
    scan = run_scanners(
        change, scanners=("secrets", "semgrep"), executables={"semgrep": str(script)}
    )
    assert "bad token" in " ".join(scan.notes)
    assert TOKEN not in everything_written(scan)


def test_semgrep_errors_list_files_it_could_not_parse(tmp_path: Path) -> None:
    report = {
        "version": "9.9.9",
        "results": [],
        "errors": [
            {
                "code": 3,
                "level": "warn",
                "type": ["PartialParsing", []],
                "message": f"Syntax error at line a.py:1:\n `x = {TOKEN}` was unexpected",
                "path": "a.py",
            },
            {"code": 2, "level": "warn", "type": "Timeout", "message": "Timeout", "path": "b.py"},
            {"code": 7, "level": "error", "type": "InvalidRuleSchemaError", "message": "bad rule"},
        ],
        "paths": {"scanned": ["a.py", "b.py"]},
    }
    out = tmp_path / "out.json"
    out.write_text(json.dumps(report), encoding="utf-8")
    script = fake_tool(tmp_path, "semgrep-errors", f'cat "{out}"; exit 2')
    scan = _run("semgrep", tmp_path, executables={"semgrep": str(script)})
    reasons = dict(scan.unreadable)
    # Parsed in part: the rules ran on the rest, so a note, not a file left unscanned.
    assert "a.py" not in reasons
    assert any("a.py parsed in part" in n for n in scan.notes)
    assert TOKEN not in " ".join(scan.notes)
    assert "Timeout" in reasons["b.py"]
    assert any("InvalidRuleSchemaError" in n for n in scan.notes)
    assert scan.scanners[0].version == "9.9.9"


def test_no_rule_files_is_a_note(tmp_path: Path) -> None:
    scan = run_scanners(
        make_change(SMALL),
        scanners=("semgrep",),
        builtin_rules=False,
        semgrep_configs=[tmp_path / "missing.yml"],
    )
    assert any("does not exist" in n for n in scan.notes)
    assert scan.scanners[0].status == "skipped"
    assert len(scan.unreadable) == 2


def test_users_own_semgrep_rules_run(tmp_path: Path) -> None:
    rule = tmp_path / "team.yml"
    rule.write_text(
        "rules:\n"
        "  - id: team.no-print\n"
        "    languages: [python]\n"
        "    severity: WARNING\n"
        "    message: print() in library code\n"
        "    metadata: {cwe: ['CWE-532: Insertion of Sensitive Information into Log File']}\n"
        "    pattern: print(...)\n",
        encoding="utf-8",
    )
    change = make_change({"lib.py": (None, "print('hi')\n")})
    scan = run_scanners(change, scanners=("semgrep",), semgrep_configs=[rule], builtin_rules=False)
    [f] = scan.findings
    assert f.rule_id == "team.no-print" and f.cwe == ["CWE-532"]
    assert f.severity is Severity.MINOR


BAD_RULE = "rules:\n  - id: broken\n    languages: [python]\n    pattern: print(\n"
EVAL_CHANGE = {"svc.py": (None, "def f(x):\n    return eval(x)\n")}


GOOD_RULE = (
    "rules:\n  - id: team.no-print\n    languages: [python]\n    severity: WARNING\n"
    "    message: print() in library code\n    pattern: print(...)\n"
)


def test_a_repositorys_invalid_rule_does_not_stop_the_other_rules(tmp_path: Path) -> None:
    # semgrep's fast command line runs every rule it can read and names the one it cannot.
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_RULE, encoding="utf-8")
    good = tmp_path / "good.yml"
    good.write_text(GOOD_RULE, encoding="utf-8")
    change = make_change({"svc.py": (None, "def f(x):\n    print(x)\n    return eval(x)\n")})
    scan = run_scanners(change, scanners=("semgrep",), semgrep_configs=[bad, good])
    assert any("CWE-95" in f.cwe for f in scan.findings)  # a built-in rule found eval
    assert any(f.rule_id == "team.no-print" for f in scan.findings)  # the good file's rule
    assert scan.unreadable == []
    [note] = [n for n in scan.notes if "refused the repository's rule broken" in n]
    assert "bad.yml" in note and "Invalid pattern for Python" in note
    assert "the other rules were" in note
    assert scan.scanners[0].status == "partial"


def _semgrep_without_the_fast_command_line(tmp_path: Path) -> Path:
    """The installed semgrep behind a shim that refuses `--experimental` as a semgrep
    without it does (click's usage error, exit 2)."""
    [real] = semgrep_command() or [""]
    return fake_tool(
        tmp_path,
        "old-semgrep",
        'for a in "$@"; do if [ "$a" = --experimental ]; then\n'
        '  echo "Error: No such option: --experimental" >&2; exit 2; fi; done\n'
        f'exec "{real}" "$@"',
    )


def test_a_semgrep_without_the_fast_command_line_scans_on_the_standard_one(
    tmp_path: Path,
) -> None:
    old = _semgrep_without_the_fast_command_line(tmp_path)
    scan = run_scanners(
        make_change(EVAL_CHANGE), scanners=("semgrep",), executables={"semgrep": str(old)}
    )
    assert any("CWE-95" in f.cwe for f in scan.findings)
    assert scan.unreadable == []
    [note] = [n for n in scan.notes if "fast command line did not run" in n]
    assert "No such option: --experimental" in note and "the standard one did" in note
    assert scan.scanners[0].status == "ok"


def test_on_the_standard_command_line_an_invalid_rule_file_is_left_out(tmp_path: Path) -> None:
    # The standard command line refuses a whole run for one invalid rule file: it runs
    # again without the repository's rules.
    old = _semgrep_without_the_fast_command_line(tmp_path)
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_RULE, encoding="utf-8")
    scan = run_scanners(
        make_change(EVAL_CHANGE),
        scanners=("semgrep",),
        semgrep_configs=[bad],
        executables={"semgrep": str(old)},
    )
    assert any("CWE-95" in f.cwe for f in scan.findings)  # a built-in rule found eval
    assert scan.unreadable == []
    [note] = [n for n in scan.notes if "refused the repository's rules" in n]
    assert "bad.yml" in note and "InvalidRuleSchemaError" in note
    assert scan.scanners[0].status == "partial"


def test_a_semgrep_run_that_checked_nothing_leaves_every_file_unscanned(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_RULE, encoding="utf-8")
    scan = run_scanners(
        make_change(SMALL), scanners=("semgrep",), semgrep_configs=[bad], builtin_rules=False
    )
    reasons = dict(scan.unreadable)
    assert set(reasons) == {"a.py", "b.py"}
    assert all("not scanned by semgrep: semgrep exited 7" in r for r in reasons.values())
    assert scan.scanners[0].status == "failed"


# --- bandit and newer Python syntax --------------------------------------------------------


def _bandit_312(tmp_path: Path, finder: Callable[..., list[Interpreter]]) -> Any:
    (tmp_path / "new.py").write_text(PY312 + "exec(x)\n", encoding="utf-8")
    (tmp_path / "old.py").write_text("eval(input())\n", encoding="utf-8")
    return run_bandit(tmp_path, ["new.py", "old.py"], interpreter_finder=finder)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.12 grammar parses it here")
def test_unparsable_file_without_newer_python_is_listed(tmp_path: Path) -> None:
    run = _bandit_312(tmp_path, no_newer_python)
    [(path, why)] = run.unreadable
    assert path == "new.py"
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in why
    assert "no newer Python with bandit" in why
    assert [f.rule_id for f in run.findings] == ["B307"]  # old.py was still scanned
    assert run.status == "partial"


def fake_python(tmp_path: Path, version: str, *, parses: bool) -> Path:
    """A 'newer Python' without bandit: answers the parse probe by echoing the paths."""
    body = 'shift; shift; for p in "$@"; do echo "$p"; done' if parses else "exit 1"
    script = tmp_path / f"python{version}"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.12 grammar parses it here")
def test_newer_python_without_bandit_gets_an_install_hint(tmp_path: Path) -> None:
    exe = fake_python(tmp_path, "3.99", parses=True)
    newer = Interpreter(path=exe, version=(3, 99, 0), has_bandit=False)
    run = _bandit_312(tmp_path, lambda version: [newer])
    [(_, why)] = run.unreadable
    assert "parses under Python 3.99.0" in why
    assert f"{exe} -m pip install bandit" in why


@pytest.fixture(scope="session")
def newer_python_with_bandit(tmp_path_factory: pytest.TempPathFactory) -> Interpreter:
    """A real newer Python that can run the installed bandit: a venv of it whose path
    reaches this venv's site-packages (bandit and its dependencies are pure Python)."""
    here = sys.version_info[:2]
    newer = find_interpreters(newer_than=here)
    if not newer:
        pytest.skip("no Python newer than this one on this machine")
    if bandit_command() is None:
        pytest.skip("bandit is a test dependency")
    chosen = newer[-1]  # the oldest newer one: likeliest to run these packages
    target = tmp_path_factory.mktemp("newer-python") / "venv"
    done = interpreters.subprocess.run(
        [str(chosen.path), "-m", "venv", "--without-pip", str(target)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"could not make a venv with {chosen.path}")
    import bandit

    site = Path(bandit.__file__).resolve().parent.parent
    major, minor = chosen.version[:2]
    packages = target / "lib" / f"python{major}.{minor}" / "site-packages"
    (packages / "host.pth").write_text(f"{site}\n", encoding="utf-8")
    probed = interpreters.probe(target / "bin" / "python3")
    if probed is None or not probed.has_bandit:
        pytest.skip("the newer Python cannot import bandit")
    check = interpreters.subprocess.run(
        [str(probed.path), "-m", "bandit", "--version"], capture_output=True, timeout=60
    )
    if check.returncode != 0:
        pytest.skip("bandit does not run under the newer Python")
    return probed


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.12 grammar parses it here")
def test_unparsable_file_is_retried_with_newer_python(
    tmp_path: Path, newer_python_with_bandit: Interpreter
) -> None:
    run = _bandit_312(tmp_path, lambda version: [newer_python_with_bandit])
    assert run.unreadable == []
    assert sorted((f.path, f.rule_id) for f in run.findings) == [
        ("new.py", "B102"),
        ("old.py", "B307"),
    ]
    assert any(newer_python_with_bandit.label in n for n in run.notes)
    assert run.status == "ok"


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.12 grammar parses it here")
def test_retry_still_failing_names_both_pythons(tmp_path: Path) -> None:
    crash = fake_tool(tmp_path, "python3.99", 'echo "{not json"; exit 1')
    newer = Interpreter(path=crash, version=(3, 99, 0), has_bandit=True)
    run = _bandit_312(tmp_path, lambda version: [newer])
    [(path, why)] = run.unreadable
    assert path == "new.py" and "Python 3.99.0" in why and "syntax error under Python 3." in why


# --- finding Pythons ----------------------------------------------------------------------


def test_interpreters_found_in_pyenv_and_uv_folders_and_shims_ignored(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def python(folder: Path, answer: str) -> None:
        exe = folder / "bin" / "python3"
        exe.parent.mkdir(parents=True)
        exe.write_text(f"#!/bin/sh\necho '{answer}'\n", encoding="utf-8")
        exe.chmod(0o755)

    python(home / ".pyenv" / "versions" / "3.13.1", "3.13.1 True")
    python(home / ".pyenv" / "versions" / "3.10.4", "3.10.4 True")
    python(
        home / ".local" / "share" / "uv" / "python" / "cpython-3.14.0-linux-x86_64-gnu",
        "3.14.0 False",
    )
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3.12"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    env = {"PATH": str(shims), "HOME": str(home)}
    found = find_interpreters(env=env, home=home, newer_than=(3, 11))
    assert [(i.version, i.has_bandit) for i in found] == [((3, 14, 0), False), ((3, 13, 1), True)]


# --- tables -------------------------------------------------------------------------------


def test_bandit_cwe_table_matches_installed_bandit() -> None:
    from bandit.blacklists import calls, imports

    for gen in (calls.gen_blacklist, imports.gen_blacklist):
        for entries in gen().values():
            for entry in entries:
                cwe = entry["cwe"]
                number = cwe.id if hasattr(cwe, "id") else int(cwe)
                assert BANDIT_CWE.get(entry["id"]) == number, entry["id"]


def test_severity_mapping() -> None:
    assert scanner_severity("HIGH", "HIGH", (78,)) is Severity.CRITICAL
    assert scanner_severity("HIGH", "HIGH", (703,)) is Severity.MAJOR
    assert scanner_severity("MEDIUM", "LOW", (89,)) is Severity.NIT
    assert scanner_severity("MEDIUM", "MEDIUM", ()) is Severity.MINOR
    assert scanner_severity("LOW", "HIGH", ()) is Severity.NIT


# --- helpers --------------------------------------------------------------------------------


@cache
def _sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(_sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
