"""Run one test file in a throwaway checkout, with a clean environment, no network where
Linux allows it, and a timeout that takes every process of the run down with it.

The checkout is a detached git worktree at the revision asked for (or a copy of a plain
folder); the generated file is written into it; the command comes from the `Framework`.
Python gets the checkout on PYTHONPATH; JavaScript gets the original checkout's
node_modules linked in (nothing is installed). The output is kept to its tail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bot.testgen import environment, isolation, junit, line_coverage
from bot.testgen.checkout import CheckoutError, checkout
from bot.testgen.framework_types import Framework
from bot.testgen.junit import TestOutcome

OUTPUT_TAIL = 8_000
_COULD_NOT_START = (126, 127)
# unittest before 3.12 exits 0 when a file holds no TestCase; node --test says "tests 0".
_NO_TESTS = re.compile(
    r"^Ran 0 tests in |^# tests 0$|^ℹ tests 0$", re.MULTILINE
)  # the shell's "not executable" and "not found"


@dataclass(frozen=True)
class RunResult:
    status: str  # passed | failed | timeout | error (could not start: see note)
    exit_code: int | None  # None on timeout or when nothing started
    output_tail: str  # stdout and stderr together, the last OUTPUT_TAIL characters
    seconds: float
    network_isolated: bool
    command: list[str]  # as rendered, before the isolation wrapper
    tests: tuple[TestOutcome, ...] = ()  # per test, when the runner wrote a JUnit report
    note: str = ""  # why an error, no network isolation, no coverage...
    # Executed lines per file (relative to the checkout root), when coverage was asked for
    # and a tool ran; None otherwise (the note says why).
    covered: Mapping[str, frozenset[int]] | None = field(default=None)
    coverage_tool: str | None = None
    # The lines the tool counts as executable, per file it saw; a file it never loaded is
    # missing, and then every changed line of it counts.
    executable: Mapping[str, frozenset[int]] | None = field(default=None)


def run_test_file(
    repo: Path,
    rev: str | None,
    test_file: str,
    content: str,
    framework: Framework,
    *,
    timeout_s: float = 60.0,
    python: str = sys.executable,
    coverage: bool = False,
    parent_env: Mapping[str, str] | None = None,
    isolate: bool = True,
) -> RunResult:
    """Run `content`, written to `test_file` (relative to the checkout root), in `repo` at
    `rev` (None: a copy of the folder as it is)."""
    isolated = isolate and isolation.available()
    if not _inside(test_file):
        return _error(f"{test_file} is not a relative path inside the checkout", isolated)
    work = Path(tempfile.mkdtemp(prefix="switchyard-test-"))
    try:
        with checkout(repo, rev, work) as root:
            target = root / test_file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            _link_node_modules(repo, root, framework)
            return _run(root, work, test_file, framework, timeout_s, python, coverage,
                        parent_env if parent_env is not None else os.environ, isolated)  # fmt: skip
    except CheckoutError as failed:
        return _error(f"could not check out {rev or repo}: {failed}", isolated)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(
    root: Path,
    work: Path,
    test_file: str,
    framework: Framework,
    timeout_s: float,
    python: str,
    want_coverage: bool,
    parent_env: Mapping[str, str],
    isolated: bool,
) -> RunResult:
    report = work / "junit.xml"
    argv = framework.render(test_file, python=python, junit=str(report))
    if not argv:
        return _error(f"no command to run {framework.language} tests", isolated)
    for folder in ("home", "tmp"):
        (work / folder).mkdir()
    env = environment.build(parent_env, home=work / "home", tmp=work / "tmp", real_home=_home())
    if framework.language == "python":
        env["PYTHONPATH"] = os.pathsep.join(_python_path(root, framework.project_dir))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    notes = []
    if not isolated:
        why = "turned off" if isolation.available() else "unshare cannot make namespaces here"
        notes.append(f"no network isolation: {why}")
    plan = line_coverage.plan(argv, framework.language, work, framework.project_dir)
    if want_coverage and isinstance(plan, str):
        notes.append(plan)
    use = plan if want_coverage and not isinstance(plan, str) else None
    cwd = root / framework.project_dir
    log = work / "output.log"
    started = time.monotonic()
    exit_code = _call(use.argv if use else argv, cwd, env, log, timeout_s, isolated)
    seconds = time.monotonic() - started
    tail = _tail(log)
    if exit_code is None:
        notes.insert(0, f"killed after {timeout_s:g} s")
        return RunResult("timeout", None, tail, seconds, isolated, argv, note="; ".join(notes))
    reports = [report, *(p for pattern in framework.reports for p in sorted(cwd.glob(pattern)))]
    tests = junit.read(reports)
    status = "passed" if exit_code == 0 else "failed"
    if exit_code in _COULD_NOT_START or _missing_module(argv, tail):
        status = "error"
        notes.insert(0, f"could not start {' '.join(argv[:3])}")
    elif status == "passed" and (tests == () or _NO_TESTS.search(tail)):
        status = "failed"
        notes.insert(0, "the runner found no tests in the file")
    covered = executable = None
    if use is not None:
        if use.after:
            _call(use.after, cwd, env, work / "after.log", 60.0, isolated)
        ran, can_run = use.read(root)
        covered = {k: frozenset(v) for k, v in ran.items()}
        executable = {k: frozenset(v) for k, v in can_run.items()}
    return RunResult(status, exit_code, tail, seconds, isolated, argv, tests or (),
                     "; ".join(notes), covered, use.tool if use else None,
                     executable)  # fmt: skip


def _call(
    argv: list[str], cwd: Path, env: dict[str, str], log: Path, timeout_s: float, isolated: bool
) -> int | None:
    """The exit code, or None when the run was killed at the timeout; 127 when the program
    could not be found."""
    command = isolation.wrap(argv) if isolated else argv
    with log.open("wb") as out:
        try:
            child = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as failed:
            out.write(f"{failed}\n".encode())
            return 127
        try:
            return child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None
        finally:
            # Whatever the run left behind in its process group goes too.
            _kill_group(child.pid)
            child.wait()


def _missing_module(argv: list[str], tail: str) -> bool:
    """`python -m pytest` where the interpreter has no pytest: nothing ran."""
    return len(argv) > 2 and argv[1] == "-m" and f"No module named {argv[2]}" in tail


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _python_path(root: Path, project_dir: str) -> list[str]:
    project = root / project_dir
    paths = [project, project / "src"] if (project / "src").is_dir() else [project]
    if project != root:
        paths.append(root)
    return [str(p) for p in paths]


def _link_node_modules(repo: Path, root: Path, framework: Framework) -> None:
    if framework.language not in ("javascript", "typescript"):
        return
    folder = PurePosixPath(framework.project_dir or ".")
    while True:
        original = repo / folder / "node_modules"
        copy = root / folder / "node_modules"
        if original.is_dir() and (root / folder).is_dir() and not copy.exists():
            copy.symlink_to(original.resolve(), target_is_directory=True)
        if folder == PurePosixPath("."):
            return
        folder = folder.parent


def _inside(test_file: str) -> bool:
    path = PurePosixPath(test_file)
    return bool(test_file) and not path.is_absolute() and ".." not in path.parts


def _tail(log: Path) -> str:
    with log.open("rb") as read:
        read.seek(0, os.SEEK_END)
        read.seek(max(0, read.tell() - OUTPUT_TAIL * 4))
        text = read.read().decode("utf-8", "replace")
    return text[-OUTPUT_TAIL:]


def _home() -> Path | None:
    try:
        return Path.home()
    except RuntimeError:
        return None


def _error(note: str, isolated: bool) -> RunResult:
    return RunResult("error", None, "", 0.0, isolated, [], note=note)
