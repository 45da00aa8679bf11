"""What every scanner runner returns, and the one way they start a tool.

A runner never raises for the tool's sake: a tool that is missing, crashes, hangs or
prints something unreadable becomes a `status` and a note, so a report can say what was
not checked instead of looking clean.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from bot.findings.model import Finding, Severity
from bot.secrets import mask_values

ScannerStatus = Literal["ok", "partial", "unavailable", "failed", "timeout", "skipped"]

# How much of a tool's stderr a note quotes: enough to see the error, not a whole trace.
_QUOTE_CHARS = 300
_SHORT_LINE = 40  # a last line this short quotes the one before it too


@dataclass(frozen=True, slots=True)
class ScanFinding:
    """One result of one scanner, on the head version of a changed file.

    `message` and `title` are already masked: nothing here echoes a secret value."""

    scanner: str  # "bandit" | "semgrep" | "secrets"
    rule_id: str  # "B608", "switchyard.python.sql-injection.format", "github-token"
    path: str  # repository-relative, as in the Change
    start_line: int
    end_line: int
    title: str
    message: str
    severity: Severity
    scanner_severity: str  # the tool's own word: "HIGH", "ERROR", ...
    confidence: str | None = None  # "HIGH" | "MEDIUM" | "LOW" when the tool says
    cwe: tuple[int, ...] = ()
    help_uri: str | None = None


@dataclass(slots=True)
class ScannerRun:
    """What one scanner did on this change."""

    name: str
    status: ScannerStatus = "ok"
    version: str | None = None
    findings: list[ScanFinding] = field(default_factory=list)
    # Files this scanner could not read, with the reason; never dropped silently.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scanned: int = 0  # files it read
    duration_s: float = 0.0


@dataclass(slots=True)
class ScanResult:
    """The scanners' findings on a change, filtered to it, as report findings."""

    findings: list[Finding] = field(default_factory=list)
    # Every gap, by each scanner: a file one scanner could not read, with why.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    # The gaps that leave a file unscanned: no engine for its language read it, or the
    # secret scan missed it (coverage.py). What makes a run incomplete.
    unscanned: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scanners: list[ScannerRun] = field(default_factory=list)
    scanned: int = 0  # changed files at least one scanner read
    filtered_out: int = 0  # findings outside the change for the filter mode
    mode: str = "added"
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def complete(self) -> bool:
        """Every scanner ran and read every file."""
        return not self.unreadable and all(s.status in ("ok", "skipped") for s in self.scanners)


@dataclass(frozen=True, slots=True)
class ToolRun:
    """A finished (or abandoned) tool process."""

    argv: tuple[str, ...]
    returncode: int | None  # None: it did not start or did not finish
    stdout: str = ""
    stderr: str = ""
    error: str | None = None  # why it did not start or finish, for a note
    timed_out: bool = False
    missing: bool = False


def run_tool(
    argv: Sequence[str],
    *,
    timeout_s: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> ToolRun:
    """Runs a tool with list arguments and a hard deadline; never raises for the tool."""
    args = tuple(str(a) for a in argv)
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            # Its own process group, so a timeout also ends what it started (semgrep-core).
            start_new_session=True,
        )
    except FileNotFoundError:
        return ToolRun(args, None, error=f"{args[0]} not found", missing=True)
    except PermissionError:
        return ToolRun(args, None, error=f"{args[0]} is not executable", missing=True)
    except OSError as exc:
        return ToolRun(args, None, error=f"{args[0]} could not start: {exc.strerror or exc}")
    try:
        out, err = proc.communicate(timeout=max(timeout_s, 0.001))
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = _drain(proc)
        return ToolRun(
            args,
            None,
            out,
            err,
            error=f"did not finish within {timeout_s:g}s",
            timed_out=True,
        )
    return ToolRun(args, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _drain(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        return "", ""
    return out or "", err or ""


def quote_output(text: str, known: Iterable[str] = ()) -> str:
    """The end of a tool's output for a note: masked, one line, bounded. Tools say what
    went wrong last (a usage error after the usage text, an exception after its
    traceback): the last line, and the one before when the last is short."""
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    kept = lines[-2:] if lines and len(lines[-1]) < _SHORT_LINE else lines[-1:]
    tail = " ".join(kept)
    if len(tail) > _QUOTE_CHARS:
        tail = "..." + tail[-(_QUOTE_CHARS - 3) :]
    return scrub(tail, known) if tail else "(no output)"


def scrub(text: str, known: Iterable[str] = ()) -> str:
    """`text` without secret values: masked by detection, and every value a secret scan
    of the head found replaced wherever it turns up (a tool may quote it out of context)."""
    return mask_values(text, known)


class Stopwatch:
    def __init__(self) -> None:
        self._start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._start


_TOOL_PATH = re.compile(r"[^\s'\"]*?/switchyard-scan-[^/\s'\"]+/")


def relativize(text: str) -> str:
    """Tool messages name the temporary head tree; readers know the repository paths."""
    return _TOOL_PATH.sub("", text)


def find_command(
    name: str, executable: str | None = None, env: Mapping[str, str] | None = None
) -> list[str] | None:
    """How to start the tool `name` (or `executable`), or None when it is not installed.

    With no explicit environment, one beside this interpreter (a virtualenv run without
    activating it) counts too; with one, its PATH decides alone."""
    chosen = executable or name
    if "/" in chosen:
        return [chosen] if Path(chosen).exists() else None
    found = shutil.which(chosen, path=env.get("PATH", "") if env is not None else None)
    if found:
        return [found]
    if env is None and executable is None:
        sibling = Path(sys.executable).parent / name
        if sibling.is_file():
            return [str(sibling)]
    return None


def not_installed(
    run: ScannerRun, paths: Sequence[str], shown: str, files: str = "file(s)"
) -> ScannerRun:
    """`run` marked unavailable: its tool is missing, so none of `paths` was checked."""
    name = run.name
    run.status = "unavailable"
    run.notes.append(
        f"{name} is not installed ({shown} not found): {len(paths)} {files} were "
        f"not checked by {name}; install it with `pip install {name}`"
    )
    run.unreadable = [(p, f"not scanned by {name}: {name} is not installed") for p in paths]
    return run


def not_json(tool: ToolRun, name: str, known: Iterable[str] = ()) -> str:
    """Why a tool's output could not be used: its exit status and the tail of what it said."""
    detail = quote_output(relativize(tool.stderr or tool.stdout), known)
    return f"failed (exit {tool.returncode}, output not {name}'s JSON): {detail}"


def json_object(text: str, *, after_preamble: bool = False) -> dict[str, Any] | None:
    """The JSON object a tool printed, or None. With `after_preamble`, output that starts
    with other lines (some plugins print before the report) yields its last top-level
    object."""
    text = text.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        start = text.find("\n{") if after_preamble else -1
        if start < 0:
            return None
        try:
            data = json.loads(text[start + 1 :])
        except json.JSONDecodeError:
            return None
    return data if isinstance(data, dict) else None
