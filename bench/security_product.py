"""Score what a user gets from `switchyard security`, scanners and model together.

The corpus is staged as one change in a throw-away git repository: an empty base commit,
then a commit adding every case under a neutral name (`src/case_0001.py`), its label line
blanked, so that neither a path nor a label tells the model the answer. The product then
runs as a user runs it, as a process, with the environment's model set-up (or `--config`):
scanners, model triage (a finding judged a false positive is dropped), the model's own
security pass. Its JSON report is mapped back to the corpus cases and scored like a
scanner, so "false positives after triage" is the FP share of this run.

Without a model the run is the deterministic layer as the product combines it (semgrep,
bandit and secret detection, merged and filtered to the change).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.security_corpus import Label, strip_label
from bench.security_scans import Finding, ScanResult

# The whole corpus is one change: no cap may cut findings before they are scored.
_REPO_CONFIG = """\
review:
  max_findings: 100000
  min_severity: nit
filters:
  max_file_changed_lines: 100000
"""


@dataclass
class StagedCorpus:
    repo: Path
    base: str
    cases: dict[str, Label]  # neutral path in the repo -> its case


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout.strip()


def stage_corpus(labels: list[Label], dest: Path) -> StagedCorpus:
    """The corpus as one change in a new repository at ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    _git(dest, "init", "-q", "-b", "main")
    (dest / ".switchyard.yml").write_text(_REPO_CONFIG, encoding="utf-8")
    _git(dest, "add", ".switchyard.yml")
    _git(dest, "commit", "-q", "-m", "base")
    base = _git(dest, "rev-parse", "HEAD")
    cases: dict[str, Label] = {}
    (dest / "src").mkdir()
    for n, label in enumerate(labels, start=1):
        rel = f"src/case_{n:04d}{label.path.suffix}"
        text = strip_label(label.path.read_text(encoding="utf-8"))
        (dest / rel).write_text(text, encoding="utf-8")
        cases[rel] = label
    _git(dest, "add", "src")
    _git(dest, "commit", "-q", "-m", "the corpus as one change")
    return StagedCorpus(dest, base, cases)


@dataclass
class ProductRun:
    findings: list[dict]  # the JSON report's findings
    report: dict
    wall_s: float
    exit_code: int
    stderr: str


def run_product(
    staged: StagedCorpus,
    *,
    config: Path | None = None,
    no_model: bool = False,
    env: Mapping[str, str] | None = None,
) -> ProductRun:
    """`switchyard security` on the staged change, every finding reported (nofilter is not
    needed: every line is added). A fresh state folder, so no cached answer is reused."""
    exe = shutil.which("switchyard", path=str(Path(sys.executable).parent)) or "switchyard"
    with tempfile.TemporaryDirectory(prefix="switchyard-bench-state-") as state:
        out = Path(state) / "report.json"
        cmd = [exe, "security", "--repo", str(staged.repo), "--base", staged.base]
        cmd += ["--format", "json", "--output", str(out), "--quiet"]
        if config is not None:
            cmd += ["--config", str(config)]
        if no_model:
            cmd.append("--no-model")
        run_env = {**(env if env is not None else os.environ), "SWITCHYARD_STATE": state}
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode not in (0, 1) or not out.exists():
            raise RuntimeError(
                f"switchyard security exited {proc.returncode}: {proc.stderr[-2000:]}"
            )
        report = json.loads(out.read_text(encoding="utf-8"))
    return ProductRun(report.get("findings", []), report, wall, proc.returncode, proc.stderr)


def run_product_scan(
    labels: list[Label], config: Path | None, no_model: bool
) -> tuple[ScanResult, dict]:
    """`switchyard security` on the staged corpus, its findings mapped back to the cases."""
    with tempfile.TemporaryDirectory(prefix="switchyard-bench-corpus-") as tmp:
        staged = stage_corpus(labels, Path(tmp))
        run = run_product(staged, config=config, no_model=no_model)
    findings = []
    for f in run.findings:
        label = staged.cases.get(f["path"])
        if label is None:
            continue
        # A file-level finding covers no line: it can only count as a stray.
        start = f.get("start_line") or 0
        findings.append(
            Finding(
                scanner=f.get("source", ""),
                rule_id=f.get("rule_id") or f.get("title", ""),
                path=label.path,
                start_line=start,
                end_line=f.get("end_line") or start,
                cwe=list(f.get("cwe") or []),
                severity=f.get("severity", ""),
                message=f.get("title", ""),
            )
        )
    notes = run.report.get("notes", [])
    summary = {
        "exit_code": run.exit_code,
        "dropped_by_triage": sum("after triage" in n for n in notes),
        "model_findings": sum(f.get("source") == "model" for f in run.findings),
        "calls": len(run.report.get("calls", [])),
        "notes": notes,
    }
    return ScanResult(findings, run.wall_s, {}, []), summary
