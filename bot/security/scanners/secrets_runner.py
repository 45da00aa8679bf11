"""Secrets in the head versions of the changed files: detect-secrets' plugins, gitleaks'
and Microsoft's pinned rules and Switchyard's own patterns, through bot.secrets. Findings
say what kind of secret sits on which line, never the value; the values found are handed
back so that every other output can be scrubbed of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.findings.model import Severity
from bot.secrets import SecretHit
from bot.secrets import allow as allowlist
from bot.secrets.detect import find_secrets_and_allowed
from bot.secrets.gitleaks import GITLEAKS_VERSION
from bot.secrets.microsoft import SECURITY_UTILITIES_VERSION
from bot.secrets.redact import hit_values
from bot.security.cwe import cwe_title, cwe_url
from bot.security.scanners.base import ScanFinding, ScannerRun, Stopwatch

NAME = "secrets"
VERSION = (
    f"switchyard+detect-secrets+gitleaks-rules-{GITLEAKS_VERSION}"
    f"+security-utilities-{SECURITY_UTILITIES_VERSION}"
)
# Kinds found by a name or by randomness rather than by a fixed format: likelier to be a
# test value or a false positive, so one step less severe.
_INFERRED = {"password assignment", "secret assignment", "high-entropy string", "password in URL"}


@dataclass(slots=True)
class SecretsRun:
    run: ScannerRun
    # The values found, for scrubbing other tools' messages; never written anywhere.
    values: set[str] = field(default_factory=set)
    # What the operator's allow-list (`secrets.allow`) let through: files by their path,
    # lines by their value's fingerprint. Other scanners' reports of a hard-coded secret
    # there are left out too, or the allow-list would not hold in the security scan.
    allowed_paths: set[str] = field(default_factory=set)
    allowed_lines: set[tuple[str, int]] = field(default_factory=set)


# Hard-coded password (259), cryptographic key (321), credentials (798): the weaknesses
# this scanner reports, and bandit's and semgrep's reports of them.
HARD_CODED_SECRET = frozenset({259, 321, 798})


def _cwes(hit: SecretHit) -> tuple[int, ...]:
    """The precise weakness first, then hard-coded credentials (798), which the others
    specialise: bandit's and semgrep's reports of the same line then merge with this one."""
    if hit.kind == "private key":
        return (321, 798)
    if hit.kind.startswith("password"):
        return (259, 798)
    return (798,)


def run_secrets(contents: Mapping[str, str], *, timeout_s: float = 120.0) -> SecretsRun:
    """Scans each file's head text; files left when time runs out are listed as unread."""
    out = SecretsRun(ScannerRun(name=NAME, version=VERSION))
    clock = Stopwatch()
    items = list(contents.items())
    for index, (path, text) in enumerate(items):
        if clock.elapsed > timeout_s:
            rest = [p for p, _ in items[index:]]
            out.run.unreadable += [
                (p, f"not scanned for secrets: the {timeout_s:g}s limit was reached") for p in rest
            ]
            out.run.notes.append(
                f"secret scan stopped at its {timeout_s:g}s limit: {len(rest)} file(s) not scanned"
            )
            out.run.status = "timeout"
            break
        if allowlist.current().path_allowed(path):
            out.allowed_paths.add(path)
        hits, allowed = find_secrets_and_allowed(text, path)
        for hit in allowed:
            out.allowed_lines.update((path, n) for n in range(hit.line, hit.end_line + 1))
        for hit in hits:
            out.values |= hit_values(hit, text)
            out.run.findings.append(_finding(path, hit))
        out.run.scanned += 1
    out.run.duration_s = clock.elapsed
    return out


# A path a pull request's author named goes into a comment's code span: one with a
# backtick, a quote or a space could close it and write markdown of its own.
_PLAIN_PATH = re.compile(r"[\w./@+-]+")


def _target(path: str, line: int) -> str:
    return f"{path}:{line}" if _PLAIN_PATH.fullmatch(path) else f"PATH:{line}"


def _finding(path: str, hit: SecretHit) -> ScanFinding:
    cwes = _cwes(hit)
    where = f"line {hit.line}" if hit.line == hit.end_line else f"lines {hit.line}-{hit.end_line}"
    message = (
        f"A secret ({hit.kind}) is written into the code on {where}; its value is not shown. "
        "Anyone who can read the repository can use it: remove it, rotate it, and load it "
        "from the environment or a secret store instead. If it is no secret (a published "
        "test key), an operator can let it through everywhere: `switchyard secrets "
        f"fingerprint {_target(path, hit.line)}` prints what to add to the server's "
        "secrets.allow."
    )
    return ScanFinding(
        scanner=NAME,
        rule_id=hit.slug,
        path=path,
        start_line=hit.line,
        end_line=hit.end_line,
        title=f"Hard-coded secret: {hit.kind}",
        message=f"{message}\n\nDetector: {hit.detector}. {cwe_title(cwes[0])} ({cwe_url(cwes[0])})",
        severity=Severity.MAJOR if hit.kind in _INFERRED else Severity.CRITICAL,
        scanner_severity="HIGH",
        confidence="MEDIUM" if hit.kind in _INFERRED else "HIGH",
        cwe=cwes,
        help_uri=cwe_url(cwes[0]),
    )
