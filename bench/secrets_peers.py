"""Other secret detectors scored beside Switchyard in bench/secrets_eval.py (issue 14).

- credsweeper: Samsung's CredSweeper (MIT), with its defaults: ML validation on at the
  `medium` threshold, no `--depth`/`--doc` deep scan. Its dependencies (onnxruntime, numpy
  pins) stay out of the product's venv: it runs from its own, `.venv-peers` at the
  repository root (`python3 -m venv .venv-peers && .venv-peers/bin/pip install
  credsweeper`), or the executable named by $CREDSWEEPER.
- semgrep-registry: semgrep with the public semgrep-rules secret rules
  (`generic/secrets/**/*.yaml`), extracted from the same checkout or mirror as the
  semgrep-rules-secrets suite into a temporary folder; their licence (Commons Clause)
  forbids bundling them. On the semgrep-rules-secrets suite these rules meet their own
  tests, so a score near 1.0 there says nothing; elsewhere the peer is independent.
- kingfisher: MongoDB's Kingfisher (Apache-2.0), the pip wheel `kingfisher-bin` (a Rust
  binary: its own rules, Betterleaks' (gitleaks' successor) and Google's Veles detectors),
  in the same `.venv-peers` or named by $KINGFISHER; run with its defaults (`medium`
  confidence, its parsers' context checks) but offline: `--no-validate` (no secret is sent
  to its service to be tried), `--no-update-check`, and `--no-dedup`, so that a value
  written in two case files is reported in both. On the kingfisher-rules suite it meets
  its own rules' examples.
- secretlint: secretlint (MIT, npm) with its recommended preset
  (`@secretlint/secretlint-rule-preset-recommend`), installed outside the product's
  node_modules in `.peers-node` (`mkdir .peers-node && cd .peers-node && npm init -y &&
  npm install secretlint @secretlint/secretlint-rule-preset-recommend`) or named by
  $SECRETLINT. On the secretlint-rules suite it meets its own rules' tests.

Each peer runs once per suite over a temporary folder holding one file per one-line case
(under the case's own path when it has one) and each whole file of the file cases, so that
both see file names and types as in a repository. A one-line case counts as flagged when
anything is reported in its file, a line of a whole file when a finding covers that line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.secrets_eval import SecretCase

ROOT = Path(__file__).resolve().parent.parent
PEERS = ("credsweeper", "semgrep-registry", "kingfisher", "secretlint")
PEER_VENV = ROOT / ".venv-peers"
INSTALL_HINT = (
    "python3 -m venv .venv-peers && .venv-peers/bin/pip install credsweeper kingfisher-bin "
    "(in the repository root; or set $CREDSWEEPER / $KINGFISHER to the executable)"
)

PEER_NODE = ROOT / ".peers-node"
SECRETLINT_HINT = (
    "mkdir .peers-node && cd .peers-node && npm init -y && npm install secretlint "
    "@secretlint/secretlint-rule-preset-recommend (in the repository root; or set $SECRETLINT)"
)
_SECRETLINT_RC = '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}'

# (case file relative to the scanned folder, line) for each line a finding covers.
Hits = set[tuple[Path, int]]


def peer_executable(name: str) -> Path:
    """A peer installed in PEER_VENV (or named by $<NAME>), or a clear exit saying how to
    install it."""
    named = os.environ.get(name.upper())
    if named:
        exe = Path(named)
    elif name == "secretlint":
        exe = PEER_NODE / "node_modules" / ".bin" / name
    else:
        exe = PEER_VENV / "bin" / name
    if not exe.is_file() or not os.access(exe, os.X_OK):
        hint = SECRETLINT_HINT if name == "secretlint" else INSTALL_HINT
        raise SystemExit(f"--peer {name}: {exe} not found; install it with {hint}")
    return exe


def peer_version(name: str) -> str:
    if name in ("credsweeper", "kingfisher", "secretlint"):
        cmd = [str(peer_executable(name)), "--version"]
    else:  # without the flag semgrep waits a minute and more for the unreachable registry
        cmd = [_semgrep(), "--version", "--disable-version-check"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "?"


def peer_detector(
    name: str, cases: list[SecretCase], semgrep_rules: Path
) -> Callable[[SecretCase], bool]:
    """Runs peer `name` once over all `cases` and answers per case from its findings."""
    with tempfile.TemporaryDirectory(prefix="secrets-peers-") as tmp:
        target = Path(tmp) / "cases"
        where = _write_cases(cases, target)
        started = time.perf_counter()
        hits = peer_hits(name, target, Path(tmp), semgrep_rules)
    written = len(set(where.values()))
    print(f"  ({name}: {written} files in {time.perf_counter() - started:.0f} s)")
    files = {path for path, _ in hits}

    def flagged(case: SecretCase) -> bool:
        path = where[case.case_id]
        if case.file_text is None or case.line is None:
            return path in files
        return (path, case.line) in hits

    return flagged


def peer_hits(name: str, target: Path, work: Path, semgrep_rules: Path | None = None) -> Hits:
    """(file relative to `target`, line) of each line peer `name`'s findings in the folder
    `target` cover; `work` is a scratch folder beside it."""
    if name == "credsweeper":
        return _credsweeper(target, work / "report.json")
    if name == "kingfisher":
        return _kingfisher(target, work / "report.json")
    if name == "secretlint":
        return _secretlint(target, work / "report.json")
    if semgrep_rules is None:
        raise SystemExit("--peer semgrep-registry needs a semgrep-rules checkout")
    return _semgrep_registry(target, work / "rules", semgrep_rules)


def _write_cases(cases: Iterable[SecretCase], target: Path) -> dict[str, Path]:
    """case id -> the file (relative to `target`) that holds it."""
    where: dict[str, Path] = {}
    for number, case in enumerate(cases):
        if case.file_text is not None:
            rel = Path("files") / safe_path(case.path or case.case_id)
            text = case.file_text
        else:
            rel = Path(f"c{number}") / safe_path(case.path or "case")
            text = case.text if case.text.endswith("\n") else case.text + "\n"
        where[case.case_id] = rel
        out = target / rel
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
    return where


def safe_path(path: str) -> Path:
    parts = [p for p in PurePosixPath(path).parts if p not in ("/", "..", ".")]
    return Path(*parts) if parts else Path("case")


def _credsweeper(target: Path, report: Path) -> Hits:
    cmd = [
        str(peer_executable("credsweeper")),
        "--path",
        str(target),
        "--save-json",
        str(report),
        "--no-stdout",
        "--log",
        "error",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not report.is_file():
        raise SystemExit(f"credsweeper exited {proc.returncode}: {proc.stderr[-2000:]}")
    return {
        (_relative(Path(data["path"]), target), int(data["line_num"]))
        for candidate in json.loads(report.read_text(encoding="utf-8"))
        for data in candidate["line_data_list"]
    }


def _kingfisher(target: Path, report: Path) -> Hits:
    cmd = [
        str(peer_executable("kingfisher")),
        "scan",
        str(target),
        "--no-validate",
        "--no-update-check",
        "--no-dedup",
        "--format",
        "json",
        "--output",
        str(report),
        "--quiet",
    ]
    # Its exit status says whether it found anything (200 and up), not whether it failed.
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=target)
    if not report.is_file():
        raise SystemExit(f"kingfisher exited {proc.returncode}: {proc.stderr[-2000:]}")
    hits: Hits = set()
    texts: dict[Path, str] = {}
    for item in json.loads(report.read_text(encoding="utf-8").splitlines()[0])["findings"]:
        found = item["finding"]
        path = _relative(Path(found["path"]), target)
        first, snippet = int(found["line"]), found["snippet"]
        # A finding in what it decoded (a private key inside a base64 value) has a snippet
        # of the decoded lines, which are not the file's: only its line counts.
        if path not in texts:
            texts[path] = (target / path).read_text(encoding="utf-8", errors="replace")
        spanned = snippet.count("\n") + 1 if snippet in texts[path] else 1
        hits.update((path, first + n) for n in range(spanned))
    return hits


def _secretlint(target: Path, report: Path) -> Hits:
    cmd = [
        str(peer_executable("secretlint")),
        "**/*",
        "--secretlintrcJSON",
        _SECRETLINT_RC,
        "--format",
        "json",
        "--output",
        str(report),
        "--no-gitignore",
        "--no-color",
    ]
    # It exits 1 when it found something, 2 when it could not run.
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=target)
    if proc.returncode not in (0, 1) or not report.is_file():
        raise SystemExit(f"secretlint exited {proc.returncode}: {proc.stderr[-2000:]}")
    hits: Hits = set()
    for result in json.loads(report.read_text(encoding="utf-8")):
        path = _relative(Path(result["filePath"]), target)
        for message in result["messages"]:
            first, last = message["loc"]["start"]["line"], message["loc"]["end"]["line"]
            hits.update((path, line) for line in range(first, last + 1))
    return hits


def _semgrep() -> str:
    return shutil.which("semgrep", path=str(Path(sys.executable).parent)) or "semgrep"


def _semgrep_registry(target: Path, rules: Path, semgrep_rules: Path) -> Hits:
    _extract_secret_rules(semgrep_rules, rules)
    cmd = [
        _semgrep(),
        "scan",
        "--metrics=off",
        "--disable-version-check",
        "--config",
        str(rules),
        "--json",
        "--quiet",
        # Every case file is a target: semgrep's default ignores (tests/ folders, .gitignore)
        # would otherwise judge the temporary folder's layout, not the detector.
        "--no-git-ignore",
        "--project-root",
        str(target),
        str(target),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"semgrep exited {proc.returncode}: {proc.stderr[-2000:]}")
    doc = json.loads(proc.stdout)
    if doc.get("errors"):
        print(f"  (semgrep-registry: {len(doc['errors'])} errors, first: {doc['errors'][0]})")
    unscanned = sum(1 for f in target.rglob("*") if f.is_file()) - len(doc["paths"]["scanned"])
    if unscanned:
        # e.g. a one-line case starting "MZ" (a Discord token), which semgrep takes for a
        # Windows executable
        print(f"  (semgrep-registry: {unscanned} case files not scanned, taken for binaries)")
    hits: Hits = set()
    for r in doc["results"]:
        path = _relative(Path(r["path"]), target)
        hits.update((path, line) for line in range(r["start"]["line"], r["end"]["line"] + 1))
    return hits


def _relative(path: Path, target: Path) -> Path:
    return (
        (path if path.is_absolute() else Path.cwd() / path).resolve().relative_to(target.resolve())
    )


def _extract_secret_rules(root: Path, into: Path) -> None:
    """semgrep-rules' generic/secrets rule files from a checkout or a bare mirror."""
    if not (root / "generic").is_dir():
        if not (root / "HEAD").is_file():
            raise SystemExit(
                f"--peer semgrep-registry: semgrep-rules not found at {root}: clone github.com/"
                "semgrep/semgrep-rules and pass --semgrep-rules PATH (or set SEMGREP_RULES)"
            )
        archive = subprocess.run(
            ["git", f"--git-dir={root}", "archive", "HEAD", "generic/secrets"],
            capture_output=True,
            check=True,
        )
        root = into.parent / "semgrep-rules"
        root.mkdir()
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    into.mkdir()
    # Only the rules: the test files beside them are the semgrep-rules-secrets suite.
    for rule in (root / "generic" / "secrets").rglob("*.y*ml"):
        shutil.copy(rule, into / f"{rule.parent.name}-{rule.name}")
