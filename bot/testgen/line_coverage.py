"""Which lines a test run executed, where a coverage tool comes cheaply with the runner.

- Python: coverage.py, when the interpreter that runs the tests can import it; the command
  `python -m X ...` becomes `python -m coverage run -m X ...`, and `coverage json` reads the
  data afterwards (inside the same sandbox: coverage.py loads plugins named in the
  repository's own config).
- JavaScript under `node --test`: Node's own `--experimental-test-coverage` with its lcov
  reporter. vitest, jest and mocha bring their own coverage set-ups; none is assumed.
- Go: `go test -coverprofile`; the profile names files by import path, mapped back through
  go.mod's module line.
- Java: none (JaCoCo needs the build file changed).

A `Plan` says how to change the command, what to run after it, and how to read the result
into `{path relative to the checkout root: line numbers}` twice: the lines executed, and the
lines the tool counts as executable (a comment, a blank line or a docstring is neither, so a
changed comment is not a changed line the tests missed).
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.testgen.node import node_reporters

Lines = dict[str, set[int]]
Coverage = tuple[Lines, Lines]  # executed, executable


@dataclass(frozen=True)
class Plan:
    tool: str
    argv: list[str]  # the test command, with coverage on
    after: list[str] | None  # a command to run after it, in the same sandbox, or None
    read: Callable[[Path], Coverage]  # the checkout root -> executed, executable lines


def plan(argv: list[str], language: str, work: Path, project_dir: str) -> Plan | str:
    """The coverage plan for `argv`, or why there is none. `work` is a folder outside the
    checkout for the tool's files."""
    if language == "python" and len(argv) > 2 and argv[1] == "-m":
        if not _importable(argv[0], "coverage"):
            return f"coverage.py is not installed for {argv[0]}"
        data, report = work / "coverage.data", work / "coverage.json"
        run = [argv[0], "-m", "coverage", "run", f"--data-file={data}", *argv[1:]]
        after = [argv[0], "-m", "coverage", "json", "-q", f"--data-file={data}", "-o", str(report)]
        return Plan(
            "coverage.py", run, after, lambda root: _coverage_json(report, root, project_dir)
        )
    if argv and PurePosixPath(argv[0]).name == "node" and "--test" in argv:
        if not node_reporters():
            return "this node has no lcov test reporter (Node 20.11 or later has)"
        lcov = work / "lcov.info"
        at = argv.index("--test") + 1
        extra = ["--experimental-test-coverage", "--test-reporter=lcov"]
        extra.append(f"--test-reporter-destination={lcov}")
        if not any(a.startswith("--test-reporter=") for a in argv):
            # A reporter named on the command line replaces the default one on stdout.
            extra += ["--test-reporter=spec", "--test-reporter-destination=stdout"]
        run = [*argv[:at], *extra, *argv[at:]]
        return Plan("node --experimental-test-coverage", run, None,
                    lambda root: lcov_lines(_read(lcov), root, project_dir))  # fmt: skip
    if language == "go" and argv[:2] == ["go", "test"]:
        profile = work / "cover.out"
        run = [*argv[:2], f"-coverprofile={profile}", *argv[2:]]
        return Plan("go test -coverprofile", run, None,
                    lambda root: go_profile_lines(_read(profile), _go_module(root, project_dir),
                                                  project_dir))  # fmt: skip
    return f"no coverage tool for this command ({language})"


@functools.cache
def _importable(python: str, module: str) -> bool:
    try:
        done = subprocess.run(
            [python, "-c", f"import {module}"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _coverage_json(report: Path, root: Path, project_dir: str) -> Coverage:
    try:
        files = json.loads(_read(report) or "{}").get("files", {})
    except ValueError:
        return {}, {}
    executed: Lines = {}
    executable: Lines = {}
    for name, data in files.items():
        rel = _relative(name, root, project_dir)
        if rel is None:
            continue
        executed[rel] = set(data.get("executed_lines", []))
        executable[rel] = executed[rel] | set(data.get("missing_lines", []))
    return executed, executable


def lcov_lines(text: str, root: Path, project_dir: str) -> Coverage:
    """lcov's `DA:<line>,<hits>` records: every line it lists is executable."""
    executed: Lines = {}
    executable: Lines = {}
    hit: set[int] | None = None
    seen: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("SF:"):
            rel = _relative(line[3:], root, project_dir)
            if rel is None:
                hit = seen = None
                continue
            hit, seen = executed.setdefault(rel, set()), executable.setdefault(rel, set())
        elif line.startswith("DA:") and hit is not None and seen is not None:
            number, _, hits = line[3:].partition(",")
            seen.add(int(number))
            if hits.split(",")[0].strip() not in ("", "0"):
                hit.add(int(number))
    return executed, executable


_PROFILE_LINE = re.compile(r"^(?P<file>.+):(?P<start>\d+)\.\d+,(?P<end>\d+)\.\d+ \d+ (?P<n>\d+)$")


def go_profile_lines(text: str, module: str, project_dir: str) -> Coverage:
    """A cover profile's blocks: every block is executable, those with a count executed."""
    executed: Lines = {}
    executable: Lines = {}
    for line in text.splitlines():
        found = _PROFILE_LINE.match(line.strip())
        if found is None:
            continue
        name = found["file"]
        if module and name.startswith(module + "/"):
            name = name[len(module) + 1 :]
        rel = f"{project_dir}/{name}" if project_dir else name
        span = range(int(found["start"]), int(found["end"]) + 1)
        executable.setdefault(rel, set()).update(span)
        if found["n"] != "0":
            executed.setdefault(rel, set()).update(span)
    return executed, executable


def _go_module(root: Path, project_dir: str) -> str:
    found = re.search(r"^module\s+(\S+)", _read(root / project_dir / "go.mod"), re.MULTILINE)
    return found[1] if found else ""


def _relative(name: str, root: Path, project_dir: str) -> str | None:
    path = Path(name)
    if not path.is_absolute():
        path = root / project_dir / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None  # outside the checkout: the interpreter's or node's own files


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
