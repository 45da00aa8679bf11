"""semgrep and bandit, each run once over the labelled corpus, their findings in one
shape for scoring (bench/security_eval.py) and the rule tests."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bench.security_corpus import CORPUS, ROOT
from bot.security.cwe import bandit_cwes, cwe_label
from bot.security.scanners.rule_choice import write_json
from bot.security.scanners.semgrep_runner import FAST_ENGINE, default_rule_files


@dataclass
class Finding:
    scanner: str
    rule_id: str
    path: Path
    start_line: int
    end_line: int
    cwe: list[str] = field(default_factory=list)
    severity: str = ""
    message: str = ""

    def covers(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


@dataclass
class ScanResult:
    findings: list[Finding]
    wall_s: float
    file_times_s: dict[Path, float]
    errors: list[str]


_CWE_ID = re.compile(r"CWE-\d+")


@cache
def _shipped_rules() -> Path:
    """The shipped rule files as the scanner hands them to semgrep (one JSON document,
    rule_choice.as_json), written once for this process."""
    folder = tempfile.mkdtemp(prefix="switchyard-bench-rules-")
    atexit.register(shutil.rmtree, folder, True)
    return write_json(default_rule_files(), Path(folder) / "switchyard-rules.json")


def semgrep_command(targets: Iterable[Path], *, time_stats: bool = True) -> list[str]:
    """The offline semgrep invocation over ``targets`` with the shipped rules only, on the
    command line and with the rules as the scanner runs them."""
    exe = shutil.which("semgrep", path=str(Path(sys.executable).parent)) or "semgrep"
    cmd = [
        exe,
        "scan",
        *FAST_ENGINE,
        "--config",
        str(_shipped_rules()),
        "--json",
        "--metrics=off",
        "--disable-version-check",
        "--no-git-ignore",
        "--no-rewrite-rule-ids",
        "--quiet",
    ]
    if time_stats:
        cmd.append("--time")
    return [*cmd, *(str(t) for t in targets)]


def run_semgrep(root: Path = CORPUS) -> ScanResult:
    """One semgrep run over ``root``. The project root is set to ``root`` so that
    semgrep's default ignores (which skip tests/ folders) do not hide the corpus."""
    cmd = semgrep_command([root])
    cmd[2:2] = ["--project-root", str(root)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"semgrep exited {proc.returncode}: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    findings = [
        Finding(
            scanner="semgrep",
            rule_id=r["check_id"],
            path=(ROOT / r["path"]).resolve(),
            start_line=r["start"]["line"],
            end_line=r["end"]["line"],
            cwe=_CWE_ID.findall(" ".join(r["extra"].get("metadata", {}).get("cwe", []))),
            severity=r["extra"].get("severity", ""),
            message=r["extra"].get("message", ""),
        )
        for r in doc.get("results", [])
    ]
    times = {
        (ROOT / t["path"]).resolve(): float(t.get("run_time", 0.0))
        for t in (doc.get("time") or {}).get("targets", [])
    }
    errors = [f"{e.get('type')}: {e.get('message', '')[:300]}" for e in doc.get("errors", [])]
    return ScanResult(findings, wall, times, errors)


def run_bandit(root: Path = CORPUS) -> ScanResult:
    """Bandit over the Python part of the corpus, for comparison."""
    exe = shutil.which("bandit", path=str(Path(sys.executable).parent)) or "bandit"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [exe, "-r", str(root / "python"), "-f", "json", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    doc = json.loads(proc.stdout or "{}")
    findings = []
    for r in doc.get("results", []):
        # The product's mapping: bandit's own CWEs are often the family, not the weakness.
        cwes = bandit_cwes(r["test_id"], (r.get("issue_cwe") or {}).get("id"))
        lines = r.get("line_range") or [r["line_number"]]
        findings.append(
            Finding(
                "bandit",
                r["test_id"],
                Path(r["filename"]).resolve(),
                min(lines),
                max(lines),
                [cwe_label(n) for n in cwes],
                r.get("issue_severity", ""),
                r.get("issue_text", ""),
            )
        )
    return ScanResult(findings, wall, {}, [str(e) for e in doc.get("errors", [])])
