"""Each tool over a list of public suite cases: which CWEs it reports in which case file.

Every tool sees the cases copied under neutral names (``case_0001.py``) into a fresh
folder, so neither a path (``tests/``, a suite's name, ``BenchmarkTest``) nor an ignore
file decides what is scanned; the findings are mapped back to the case files.

- ``product``:  ``switchyard security --no-model`` on the cases staged as changes of at most
  100 files each, with
  the default settings a repository without a ``.switchyard.yml`` gets
  (bench/security_product.py's staging, without its raised report limits).
- ``semgrep``:  semgrep with the shipped rules alone.
- ``bandit``:   bandit alone, every test on (Python only).
- ``registry``: semgrep with the public registry's rules for the language, from a local
  copy (never bundled: the registry's licence carries the Commons Clause).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.public_suites import Case
from bench.security_product import _git
from bot.security.cwe import bandit_cwes, cwe_number
from bot.security.rules_index import rules_dir

TOOLS = ("product", "semgrep", "bandit", "registry")
PUBLIC_TOOLS = ("bandit", "registry")
REGISTRY_MIRROR = Path("/work/.mirror/semgrep+semgrep-rules/repo")
# The registry's folders for each language this project claims.
REGISTRY_FOLDERS = {
    "python": ["python"],
    "java": ["java"],
    "javascript": ["javascript", "typescript"],
    "go": ["go"],
}
_CWE = re.compile(r"CWE-(\d+)")


@dataclass
class ToolRun:
    tool: str
    cwes_by_file: dict[Path, set[int]] = field(default_factory=dict)
    wall_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    available: bool = True


def _exe(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def stage(cases: list[Case], dest: Path) -> dict[str, Case]:
    """The cases' files under neutral names in ``dest``: relative name -> case."""
    dest.mkdir(parents=True, exist_ok=True)
    names: dict[str, Case] = {}
    for n, case in enumerate(cases, start=1):
        rel = f"case_{n:04d}{case.path.suffix}"
        shutil.copyfile(case.path, dest / rel)
        names[rel] = case
    return names


def _collect(names: dict[str, Case], pairs: Iterable[tuple[str, Iterable[int]]]) -> dict:
    out: dict[Path, set[int]] = {}
    for rel, cwes in pairs:
        case = names.get(rel)
        if case is not None:
            out.setdefault(case.path.resolve(), set()).update(cwes)
    return out


def _semgrep(cases: list[Case], configs: list[Path], tool: str) -> ToolRun:
    with tempfile.TemporaryDirectory(prefix=f"switchyard-public-{tool}-") as tmp:
        root = Path(tmp)
        names = stage(cases, root)
        cmd = [_exe("semgrep"), "scan", "--json", "--metrics=off", "--disable-version-check"]
        cmd += ["--no-git-ignore", "--quiet", "--timeout", "30", "--project-root", str(root)]
        for c in configs:
            cmd += ["--config", str(c)]
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, "."], capture_output=True, text=True, cwd=root, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{tool}: semgrep exited {proc.returncode}: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    pairs = [
        (
            r["path"].removeprefix("./"),
            [int(n) for n in _CWE.findall(" ".join(r["extra"].get("metadata", {}).get("cwe", [])))],
        )
        for r in doc.get("results", [])
    ]
    notes = [f"{len(doc.get('errors', []))} semgrep errors"] if doc.get("errors") else []
    return ToolRun(tool, _collect(names, pairs), wall, notes)


def run_semgrep_rules(cases: list[Case]) -> ToolRun:
    return _semgrep(cases, [rules_dir()], "semgrep")


def run_registry(cases: list[Case], rules: Path | None) -> ToolRun:
    if rules is None or not rules.is_dir():
        return ToolRun("registry", available=False, notes=["not available here"])
    return _semgrep(cases, [rules], "registry")


def run_bandit(cases: list[Case]) -> ToolRun:
    cases = [c for c in cases if c.language == "python"]
    if not cases:
        return ToolRun("bandit", available=False, notes=["Python only"])
    with tempfile.TemporaryDirectory(prefix="switchyard-public-bandit-") as tmp:
        root = Path(tmp)
        names = stage(cases, root)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [_exe("bandit"), "-r", ".", "-f", "json", "-q"],
            capture_output=True,
            text=True,
            cwd=root,
            check=False,
        )
        wall = time.perf_counter() - t0
    doc = json.loads(proc.stdout or "{}")
    pairs = [
        (
            r["filename"].removeprefix("./"),
            bandit_cwes(r["test_id"], (r.get("issue_cwe") or {}).get("id")),
        )
        for r in doc.get("results", [])
    ]
    errors = doc.get("errors", [])
    return ToolRun(
        "bandit",
        _collect(names, pairs),
        wall,
        [f"{len(errors)} files bandit could not parse"] if errors else [],
    )


# Cases per staged change: pull-request sized. Hundreds of files as one change run semgrep
# past the scanner's time limit on a 2-core machine, and no pull request is like that.
PRODUCT_CHUNK = 100


def run_product(cases: list[Case], repo_config: Path | None = None) -> ToolRun:
    """``switchyard security --no-model`` on the cases, staged as changes of at most
    PRODUCT_CHUNK files: default settings, or ``repo_config`` as the repository's
    ``.switchyard.yml`` (to measure a setting)."""
    merged = ToolRun("product")
    for start in range(0, len(cases), PRODUCT_CHUNK):
        run = _product_once(cases[start : start + PRODUCT_CHUNK], repo_config)
        for path, cwes in run.cwes_by_file.items():
            merged.cwes_by_file.setdefault(path, set()).update(cwes)
        merged.wall_s += run.wall_s
        merged.notes += run.notes
    return merged


def _product_once(cases: list[Case], repo_config: Path | None) -> ToolRun:
    with tempfile.TemporaryDirectory(prefix="switchyard-public-product-") as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        _git(repo, "init", "-q", "-b", "main")
        if repo_config is not None:
            shutil.copyfile(repo_config, repo / ".switchyard.yml")
            _git(repo, "add", ".switchyard.yml")
        _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
        base = _git(repo, "rev-parse", "HEAD")
        names = {f"src/{k}": v for k, v in stage(cases, repo / "src").items()}
        _git(repo, "add", "src")
        _git(repo, "commit", "-q", "-m", "the cases as one change")
        out = Path(tmp) / "report.json"
        state = Path(tmp) / "state"
        cmd = [_exe("switchyard"), "security", "--repo", str(repo), "--base", base]
        cmd += ["--format", "json", "--output", str(out), "--quiet", "--no-model"]
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            env={**os.environ, "SWITCHYARD_STATE": str(state)},
            check=False,
        )
        wall = time.perf_counter() - t0
        if not out.exists():
            raise RuntimeError(
                f"switchyard security exited {proc.returncode}: {proc.stderr[-2000:]}"
            )
        report = json.loads(out.read_text(encoding="utf-8"))
    pairs = [
        (f["path"], [n for n in (cwe_number(c) for c in f.get("cwe") or []) if n])
        for f in report.get("findings", [])
    ]
    notes = [n for n in report.get("notes", []) if "cut" in n]
    if proc.returncode not in (0, 1):
        # 3: incomplete (e.g. a file bandit cannot parse); the report still holds the rest.
        notes.append(f"exit {proc.returncode}: {proc.stderr.count(chr(10))} lines on stderr")
    return ToolRun("product", _collect(names, pairs), wall, notes)


def extract_registry(language: str, dest: Path, mirror: Path = REGISTRY_MIRROR) -> Path | None:
    """The registry's rule files for ``language`` from the local mirror into ``dest`` (once);
    None when there is no mirror here."""
    if not mirror.is_dir():
        return None
    target = dest / language
    if target.is_dir():
        return target
    target.mkdir(parents=True)
    for folder in REGISTRY_FOLDERS.get(language, [language]):
        archive = subprocess.run(
            ["git", "--git-dir", str(mirror), "archive", "HEAD", folder],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            continue
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    # Only the rules: the registry keeps each rule's test file next to it.
    for p in list(target.rglob("*")):
        if p.is_file() and not (p.suffix in {".yaml", ".yml"} and ".test." not in p.name):
            p.unlink()
    return target


def run_tool(
    tool: str,
    cases: list[Case],
    registry_rules: Path | None = None,
    repo_config: Path | None = None,
) -> ToolRun:
    if tool == "product":
        return run_product(cases, repo_config)
    if tool == "semgrep":
        return run_semgrep_rules(cases)
    if tool == "bandit":
        return run_bandit(cases)
    if tool == "registry":
        return run_registry(cases, registry_rules)
    raise ValueError(f"unknown tool {tool!r}")
