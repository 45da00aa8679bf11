"""Security scanners on a change: bandit, semgrep and secret detection on the head versions
of the changed files, filtered to the change and turned into report findings.

The secret scan runs first: every value it finds is scrubbed from what the other tools
print, since bandit and semgrep quote source code in their messages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bot.change.model import Change, Side
from bot.findings.fingerprint import fingerprint
from bot.findings.model import Finding
from bot.security.cwe import CONFIDENCE_SCORE, cwe_label
from bot.security.filtering import FilterMode, filter_findings, parse_mode
from bot.security.interpreters import InterpreterFinder
from bot.security.scanners.bandit_runner import run_bandit
from bot.security.scanners.base import ScanFinding, ScannerRun, ScanResult, scrub
from bot.security.scanners.coverage import coverage
from bot.security.scanners.head_tree import HeadTree, write_head_tree
from bot.security.scanners.secrets_runner import HARD_CODED_SECRET, SecretsRun, run_secrets
from bot.security.scanners.semgrep_runner import run_semgrep

__all__ = [
    "ALL_SCANNERS",
    "ScanFinding",
    "ScanResult",
    "ScannerRun",
    "run_scanners",
    "to_finding",
]

TASK = "security"
CATEGORY = "security"
ALL_SCANNERS = ("secrets", "bandit", "semgrep")

_MODE_WORDS = {
    FilterMode.ADDED: "outside the added lines",
    FilterMode.DIFF_CONTEXT: "outside the diff's hunks",
    FilterMode.FILE: "outside the changed files",
}


def run_scanners(
    change: Change,
    *,
    semgrep_configs: list[Path] | None = None,
    timeout_s: float = 120,
    mode: str = "added",
    builtin_rules: bool = True,
    bandit_args: Sequence[str] = (),
    semgrep_args: Sequence[str] = (),
    scanners: Sequence[str] = ALL_SCANNERS,
    executables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    interpreter_finder: InterpreterFinder | None = None,
) -> ScanResult:
    """Runs the scanners on the head versions of `change`'s files.

    `semgrep_configs`: the user's own rule files or folders, run besides Switchyard's
    rules (`builtin_rules=False` runs only theirs). `timeout_s` bounds each scanner.
    `mode` is reviewdog's filter (added, diff_context, file, nofilter). `executables`
    maps a scanner name to the command to run (tests; odd installs); `env` replaces the
    environment the tools see; `interpreter_finder` lists newer Pythons for bandit.
    """
    filter_mode = parse_mode(mode)
    unknown = [s for s in scanners if s not in ALL_SCANNERS]
    if unknown:
        raise ValueError(f"unknown scanner(s) {unknown}: choose from {list(ALL_SCANNERS)}")
    executables = executables or {}
    result = ScanResult(mode=filter_mode.value, started_at=_now())
    with tempfile.TemporaryDirectory(prefix="switchyard-scan-") as scratch:
        tree = write_head_tree(change, Path(scratch))
        result.unreadable.extend(tree.unreadable)
        known: set[str] = set()
        runs: list[ScannerRun] = []
        secrets: SecretsRun | None = None
        if "secrets" in scanners:
            secrets = run_secrets(tree.contents, timeout_s=timeout_s)
            known = secrets.values
            runs.append(secrets.run)
        runs += _tools(
            tree,
            scanners,
            timeout_s,
            semgrep_configs or [],
            builtin_rules,
            bandit_args,
            semgrep_args,
            executables,
            env,
            interpreter_finder,
            known,
        )
    result.scanners = runs
    found: list[ScanFinding] = []
    for run in runs:
        found += run.findings
        result.unreadable += [(p, scrub(why, known)) for p, why in run.unreadable]
        result.notes += [scrub(n, known) for n in run.notes]
    if secrets is not None:
        found = _allow_listed_left_out(found, secrets, result.notes)
    covered = coverage(tree, runs)
    result.unscanned = [(p, scrub(why, known)) for p, why in covered.unscanned]
    result.notes += [scrub(n, known) for n in covered.notes]
    filtered = filter_findings(change, found, filter_mode)
    result.filtered_out = len(filtered.dropped)
    if filtered.dropped:
        result.notes.append(
            f"{len(filtered.dropped)} scanner finding(s) {_MODE_WORDS[filter_mode]} were left "
            f"out (mode {filter_mode.value}; mode nofilter shows everything)"
        )
    result.findings = [to_finding(f, tree, known) for f in _ordered(filtered.kept)]
    result.scanned = _scanned(tree, result.unscanned)
    result.finished_at = _now()
    return result


def _allow_listed_left_out(
    found: list[ScanFinding], secrets: SecretsRun, notes: list[str]
) -> list[ScanFinding]:
    """Other scanners' reports of a hard-coded secret where the operator's allow-list let
    the secret detector's through (bandit's B105, semgrep's literal-secret): one value
    allowed is allowed in the security scan too."""
    if not (secrets.allowed_paths or secrets.allowed_lines):
        return found

    def allowed(f: ScanFinding) -> bool:
        if f.scanner == secrets.run.name or not HARD_CODED_SECRET.intersection(f.cwe):
            return False
        lines = range(f.start_line, max(f.start_line, f.end_line) + 1)
        return f.path in secrets.allowed_paths or any(
            (f.path, n) in secrets.allowed_lines for n in lines
        )

    kept = [f for f in found if not allowed(f)]
    if len(kept) < len(found):
        notes.append(
            f"{len(found) - len(kept)} report(s) of a hard-coded secret left out: the value "
            "or its file is on the server's allow-list (secrets.allow)"
        )
    return kept


def _tools(
    tree: HeadTree,
    scanners: Sequence[str],
    timeout_s: float,
    extra_configs: list[Path],
    builtin_rules: bool,
    bandit_args: Sequence[str],
    semgrep_args: Sequence[str],
    executables: Mapping[str, str],
    env: Mapping[str, str] | None,
    finder: InterpreterFinder | None,
    known: set[str],
) -> list[ScannerRun]:
    """bandit and semgrep side by side: both wait on a subprocess."""
    jobs = []
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="scanner") as pool:
        if "bandit" in scanners:
            jobs.append(
                pool.submit(
                    run_bandit,
                    tree.root,
                    tree.python_paths(),
                    timeout_s=timeout_s,
                    bandit_args=bandit_args,
                    executable=executables.get("bandit"),
                    env=env,
                    interpreter_finder=finder,
                    known_secrets=known,
                )
            )
        if "semgrep" in scanners:
            jobs.append(
                pool.submit(
                    run_semgrep,
                    tree.root,
                    tree.paths,
                    configs=None if builtin_rules else [],
                    extra_configs=extra_configs,
                    timeout_s=timeout_s,
                    semgrep_args=semgrep_args,
                    executable=executables.get("semgrep"),
                    env=env,
                    known_secrets=known,
                )
            )
        return [job.result() for job in jobs]


def _scanned(tree: HeadTree, unscanned: list[tuple[str, str]]) -> int:
    """Changed files the scan covered: read by an engine for their language."""
    gaps = {p for p, _ in unscanned}
    return sum(1 for p in tree.contents if p not in gaps)


def _ordered(found: list[ScanFinding]) -> list[ScanFinding]:
    return sorted(found, key=lambda f: (f.path, f.start_line, f.scanner, f.rule_id))


def to_finding(
    f: ScanFinding, tree: HeadTree | None = None, known: set[str] | None = None
) -> Finding:
    """A scanner's finding as a report finding; texts scrubbed once more on the way."""
    known = known or set()
    finding = Finding(
        path=f.path,
        start_line=f.start_line,
        end_line=f.end_line,
        side=Side.RIGHT,
        severity=f.severity,
        category=CATEGORY,
        title=scrub(f.title, known),
        body=scrub(f.message, known),
        source=f.scanner,
        task=TASK,
        confidence=CONFIDENCE_SCORE.get(f.confidence or ""),
        rule_id=f.rule_id,
        cwe=[cwe_label(n) for n in f.cwe],
        help_uri=f.help_uri,
    )
    cited = _cited(tree, f) if tree is not None else ""
    finding.fingerprint = fingerprint(finding, scrub(cited, known))
    return finding


def _cited(tree: HeadTree, f: ScanFinding) -> str:
    text = tree.contents.get(f.path)
    if text is None:
        return ""
    lines = text.splitlines()[f.start_line - 1 : f.end_line]
    return "\n".join(line.strip() for line in lines)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
