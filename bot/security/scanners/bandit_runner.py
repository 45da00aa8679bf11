"""bandit on the head versions of the changed Python files.

Bandit parses each file with its own interpreter's grammar. Files it cannot parse are
retried with a newer Python that has bandit installed; what stays unparsed is listed with
the Python versions tried, and, where a newer Python without bandit exists, how to let
Switchyard use it.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bot.secrets.markers import marker
from bot.security.cwe import (
    CONFIDENCE_SCORE,
    bandit_cwes,
    cwe_title,
    cwe_url,
    scanner_severity,
)
from bot.security.interpreters import (
    Interpreter,
    InterpreterFinder,
    Version,
    default_finder,
    install_hint,
    parse_version,
    version_text,
)
from bot.security.scanners.base import (
    ScanFinding,
    ScannerRun,
    Stopwatch,
    find_command,
    json_object,
    not_installed,
    not_json,
    run_tool,
    scrub,
)

NAME = "bandit"
_VERSION_TIMEOUT_S = 15.0
# "Possible hardcoded password: 'hunter2'": bandit quotes the value it flags.
_QUOTED_VALUE = re.compile(r"""(hardcoded password:\s*)(['"]).*?\2""", re.IGNORECASE)
_PY_VERSION = re.compile(r"python version\s*=\s*(\d+\.\d+\.\d+)")
_SYNTAX = "syntax error"


@dataclass(frozen=True, slots=True)
class _Batch:
    results: list[dict[str, Any]]
    errors: dict[str, str]  # path -> bandit's reason


def bandit_command(
    executable: str | None = None, env: Mapping[str, str] | None = None
) -> list[str] | None:
    """How to start bandit, or None when it is not installed.

    With no explicit environment, a bandit beside this interpreter (a virtualenv run
    without activating it) counts too; with one, its PATH decides alone."""
    command = find_command(NAME, executable, env)
    if command is None and env is None and executable is None and find_spec("bandit") is not None:
        return [sys.executable, "-m", "bandit"]
    return command


def run_bandit(
    root: Path,
    paths: Sequence[str],
    *,
    timeout_s: float = 120.0,
    bandit_args: Sequence[str] = (),
    executable: str | None = None,
    env: Mapping[str, str] | None = None,
    interpreter_finder: InterpreterFinder | None = None,
    known_secrets: Iterable[str] = (),
) -> ScannerRun:
    """Scans `paths` (relative to `root`) with bandit; never raises for bandit's sake."""
    if not paths:
        return ScannerRun(name=NAME, status="skipped")
    run = ScannerRun(name=NAME)
    clock = Stopwatch()
    known = list(known_secrets)
    command = bandit_command(executable, env)
    if command is None:
        return not_installed(run, paths, executable or NAME, "Python file(s)")

    version_run = run_tool(
        [*command, "--version"], timeout_s=min(_VERSION_TIMEOUT_S, timeout_s), cwd=root, env=env
    )
    run.version, py_version = _versions(version_run.stdout)

    left = timeout_s - clock.elapsed
    batch, failure = _scan(command, root, paths, bandit_args, left, env, known, timeout_s)
    if batch is None:
        timed_out = "did not finish" in failure or "no time left" in failure
        run.status = "timeout" if timed_out else "failed"
        run.notes.append(f"bandit {failure}; {len(paths)} Python file(s) were not checked")
        run.unreadable = [(p, f"not scanned by bandit: {failure}") for p in paths]
        run.duration_s = clock.elapsed
        return run

    run.findings = [f for r in batch.results if (f := _finding(r, root, known)) is not None]
    errors = dict(batch.errors)
    syntax = [p for p, why in errors.items() if _SYNTAX in why.lower()]
    if syntax:
        tried = py_version or _fallback_version()
        retried, notes = _retry_newer(
            syntax,
            tried,
            root,
            bandit_args,
            timeout_s - clock.elapsed,
            env,
            interpreter_finder or default_finder,
            known,
        )
        run.notes.extend(notes)
        for path, outcome in retried.items():
            if isinstance(outcome, list):
                errors.pop(path, None)
                run.findings.extend(outcome)
            else:
                errors[path] = outcome
    for path, why in sorted(errors.items()):
        run.unreadable.append((path, f"bandit could not read it: {scrub(why, known)}"))
    run.scanned = len(paths) - len(errors)
    run.status = "partial" if errors else "ok"
    run.duration_s = clock.elapsed
    return run


def _versions(text: str) -> tuple[str | None, Version | None]:
    first = text.strip().splitlines()[0] if text.strip() else ""
    bandit_version = parse_version(first)
    m = _PY_VERSION.search(text)
    py = parse_version(m.group(1)) if m else None
    return (version_text(bandit_version) if bandit_version else None), py


def _fallback_version() -> Version:
    v = sys.version_info
    return (v.major, v.minor, v.micro)


def _scan(
    command: Sequence[str],
    root: Path,
    paths: Sequence[str],
    bandit_args: Sequence[str],
    timeout_s: float,
    env: Mapping[str, str] | None,
    known: list[str],
    limit_s: float | None = None,
) -> tuple[_Batch | None, str]:
    """bandit's parsed report, or None and what went wrong."""
    limit = f"its {limit_s if limit_s is not None else timeout_s:g}s limit"
    if timeout_s <= 0:
        return None, f"had no time left within {limit}"
    argv = [*command, "-f", "json", "-q", *bandit_args, "--", *paths]
    tool = run_tool(argv, timeout_s=timeout_s, cwd=root, env=env)
    if tool.timed_out:
        return None, f"did not finish within {limit}"
    if tool.returncode is None:
        return None, tool.error or "did not run"
    # bandit exits 1 when it found issues; anything else with no report is a crash.
    data = json_object(tool.stdout, after_preamble=True)
    if data is None or not isinstance(data.get("results"), list):
        return None, not_json(tool, NAME, known)
    errors = {
        _rel(str(e.get("filename", "")), root): str(e.get("reason", "unknown error"))
        for e in data.get("errors") or []
        if isinstance(e, dict)
    }
    results = [r for r in data["results"] if isinstance(r, dict)]
    return _Batch(results, errors), ""


def _rel(filename: str, root: Path) -> str:
    p = Path(filename)
    if p.is_absolute():
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            try:
                return p.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return p.as_posix()
    return p.as_posix().removeprefix("./")


def _finding(r: dict[str, Any], root: Path, known: list[str]) -> ScanFinding | None:
    path = _rel(str(r.get("filename", "")), root)
    line = r.get("line_number")
    if not path or not isinstance(line, int):
        return None
    line_range = [n for n in r.get("line_range") or [] if isinstance(n, int)]
    end = max([line, *line_range])
    test_id = str(r.get("test_id", "B000"))
    test_name = str(r.get("test_name", ""))
    reported = r.get("issue_cwe") if isinstance(r.get("issue_cwe"), dict) else {}
    cwes = bandit_cwes(test_id, _int(reported.get("id")))
    level = str(r.get("issue_severity", "MEDIUM")).upper()
    confidence = str(r.get("issue_confidence", "MEDIUM")).upper()
    text = _QUOTED_VALUE.sub(r"\1" + marker("password"), str(r.get("issue_text", "")).strip())
    text = scrub(text, known)
    title = f"{text.rstrip('.')} (bandit {test_id})"
    body_parts = [text, f"bandit {test_id} {test_name}: severity {level}, confidence {confidence}."]
    body_parts.extend(f"{cwe_title(cwe)} ({cwe_url(cwe)})" for cwe in cwes)
    more = r.get("more_info")
    help_uri = str(more) if isinstance(more, str) and more.startswith("http") else None
    return ScanFinding(
        scanner=NAME,
        rule_id=test_id,
        path=path,
        start_line=line,
        end_line=end,
        title=title,
        message="\n\n".join(body_parts),
        severity=scanner_severity(level, confidence, cwes),
        scanner_severity=level,
        confidence=confidence if confidence in CONFIDENCE_SCORE else None,
        cwe=cwes,
        help_uri=help_uri,
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _retry_newer(
    paths: list[str],
    tried: Version,
    root: Path,
    bandit_args: Sequence[str],
    timeout_s: float,
    env: Mapping[str, str] | None,
    finder: InterpreterFinder,
    known: list[str],
) -> tuple[dict[str, list[ScanFinding] | str], list[str]]:
    """For each path: its findings under a newer Python, or why it stays unread."""
    notes: list[str] = []
    here = f"Python {version_text(tried)}"
    detail = {p: _parse_error(root / p, tried) for p in paths}
    newer = [i for i in finder(tried) if i.version[:2] > tried[:2]]
    with_bandit = [i for i in newer if i.has_bandit]
    if not with_bandit:
        return _explain(paths, here, detail, newer, root, timeout_s), notes

    chosen = with_bandit[0]
    there = chosen.label
    command = [str(chosen.path), "-m", "bandit"]
    batch, failure = _scan(command, root, paths, bandit_args, timeout_s, env, known)
    if batch is None:
        notes.append(f"bandit under {there} ({chosen.path}) {failure}")
        return {p: f"syntax error under {here}{detail[p]}; {there} {failure}" for p in paths}, notes
    notes.append(
        f"bandit read {len(paths) - len(batch.errors)} of {len(paths)} file(s) that "
        f"{here} cannot parse with {there} ({chosen.path})"
    )
    out: dict[str, list[ScanFinding] | str] = {p: [] for p in paths}
    for r in batch.results:
        f = _finding(r, root, known)
        if f is not None and isinstance(out.get(f.path), list):
            out[f.path].append(f)  # type: ignore[union-attr]
    for p, why in batch.errors.items():
        out[p] = f"{why} under {here}{detail.get(p, '')} and under {there}"
    return out, notes


def _explain(
    paths: list[str],
    here: str,
    detail: dict[str, str],
    newer: list[Interpreter],
    root: Path,
    timeout_s: float,
) -> dict[str, list[ScanFinding] | str]:
    """Why each file stays unread when no newer Python has bandit: newer syntax (and
    which Python parses it) or a plain syntax error."""
    parses = _parses_with(newer[0], root, paths, timeout_s) if newer else set()
    out: dict[str, list[ScanFinding] | str] = {}
    for p in paths:
        reason = f"syntax error under {here}{detail[p]}"
        if p in parses:
            reason += (
                f"; it parses under {newer[0].label} ({newer[0].path}), which has no bandit: "
                f"{install_hint(newer[0])} lets Switchyard scan it"
            )
        elif newer:
            reason += f" (and under {newer[0].label})"
        else:
            reason += "; no newer Python with bandit was found to retry it"
        out[p] = reason
    return out


def _parse_error(path: Path, version: Version) -> str:
    """ ": invalid syntax (line 3)" when this process has bandit's grammar, else ""."""
    if sys.version_info[:2] != version[:2]:
        return ""
    try:
        source = path.read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings for odd escapes are noise here
            ast.parse(source, filename=path.name)
    except SyntaxError as exc:
        return f": {exc.msg} (line {exc.lineno})"
    except (OSError, ValueError):
        return ""
    return ""


_PARSE_PROBE = (
    "import ast, sys\n"
    "for p in sys.argv[1:]:\n"
    "    try:\n"
    "        ast.parse(open(p, 'rb').read())\n"
    "    except (SyntaxError, ValueError):\n"
    "        continue\n"
    "    print(p)\n"
)


def _parses_with(interp: Interpreter, root: Path, paths: list[str], timeout_s: float) -> set[str]:
    if timeout_s <= 0:
        return set()
    tool = run_tool(
        [str(interp.path), "-c", _PARSE_PROBE, *paths], timeout_s=min(timeout_s, 30), cwd=root
    )
    if tool.returncode != 0:
        return set()
    return {line.strip() for line in tool.stdout.splitlines() if line.strip()}
