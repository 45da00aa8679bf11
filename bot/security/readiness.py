"""Are the security task's scanners ready: what `switchyard doctor` says about them.

Each check runs the tool as a scan would (the same command lookup, offline for semgrep)
and says what is missing and how to get it, before a scan lists every file as unread.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.security.interpreters import (
    current_version,
    default_finder,
    install_hint,
    parse_version,
    version_text,
)
from bot.security.scanners.bandit_runner import bandit_command
from bot.security.scanners.base import quote_output, run_tool
from bot.security.scanners.semgrep_runner import FAST_ENGINE, OFFLINE_ENV, semgrep_command

_VERSION_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class ScannerReadiness:
    name: str
    ok: bool
    detail: str  # the version, or what is wrong
    hint: str | None = None  # what to do about it, or a note


def check_scanners(env: Mapping[str, str] | None = None) -> list[ScannerReadiness]:
    # The two tools start at once: each check is mostly a process starting (semgrep's
    # `--version` alone takes ~1.5 s), and they share nothing.
    with ThreadPoolExecutor(max_workers=2) as pool:
        bandit = pool.submit(_bandit, env)
        semgrep = pool.submit(_semgrep, env)
        return [bandit.result(), semgrep.result(), _secrets()]


def _bandit(env: Mapping[str, str] | None) -> ScannerReadiness:
    command = bandit_command(env=env)
    if command is None:
        return ScannerReadiness(
            "bandit", False, "not installed", "pip install bandit (it comes with switchyard)"
        )
    run = run_tool([*command, "--version"], timeout_s=_VERSION_TIMEOUT_S, cwd=Path.cwd(), env=env)
    if run.returncode != 0:
        return ScannerReadiness("bandit", False, f"does not run: {quote_output(run.stderr)}")
    first = run.stdout.strip().splitlines()[0] if run.stdout.strip() else "bandit"
    python = parse_version(run.stdout.split("python version", 1)[-1]) or current_version()
    detail = f"{first} (Python {version_text(python)})"
    newer = default_finder(python)
    if any(i.has_bandit for i in newer):
        best = next(i for i in newer if i.has_bandit)
        return ScannerReadiness("bandit", True, detail, f"newer syntax: {best.label} has bandit")
    if newer:
        hint = (
            f"files using syntax newer than Python {version_text(python)} are scanned by "
            f"semgrep alone; {install_hint(newer[0])} lets bandit read them too"
        )
        return ScannerReadiness("bandit", True, detail, hint)
    return ScannerReadiness("bandit", True, detail)


def _semgrep(env: Mapping[str, str] | None) -> ScannerReadiness:
    command = semgrep_command(env=env)
    if command is None:
        return ScannerReadiness(
            "semgrep", False, "not installed", "pip install semgrep (it comes with switchyard)"
        )
    # As a scan runs it: no version check, no metrics (`--version` takes no --metrics), on
    # the fast command line first (0.3 s where the standard one takes 1.5-3 s).
    offline = {**(os.environ if env is None else env), **OFFLINE_ENV}
    for engine in (FAST_ENGINE, ()):
        run = run_tool(
            [*command, *engine, "--version", "--disable-version-check"],
            timeout_s=_VERSION_TIMEOUT_S,
            cwd=Path.cwd(),
            env=offline,
        )
        if run.returncode == 0:
            break
    if run.returncode != 0:
        why = quote_output(run.stderr or run.stdout) if run.returncode is not None else run.error
        return ScannerReadiness("semgrep", False, f"does not run: {why}")
    from bot.security.rules_index import rule_metadata

    version = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "?"
    how = ", standard command line only (each scan takes ~2 s more)" if not engine else ""
    return ScannerReadiness(
        "semgrep", True, f"semgrep {version}, offline{how}, {len(rule_metadata())} built-in rules"
    )


def _secrets() -> ScannerReadiness:
    from bot.secrets.gitleaks import GITLEAKS_VERSION
    from bot.secrets.microsoft import SECURITY_UTILITIES_VERSION

    # gitleaks' and Microsoft's rules run in-process from pinned copies, whatever is installed.
    rules = (
        f"gitleaks' rules {GITLEAKS_VERSION}, Microsoft's identifiable key formats "
        f"{SECURITY_UTILITIES_VERSION} (both pinned) and Switchyard's patterns"
    )
    try:
        from importlib.metadata import version

        found = version("detect-secrets")
    except Exception:  # not installed, or metadata unreadable: the other layers still run
        return ScannerReadiness(
            "secrets",
            True,
            rules,
            "pip install detect-secrets adds its plugins (it comes with switchyard)",
        )
    return ScannerReadiness("secrets", True, f"detect-secrets {found}, {rules}")
