"""The GitLab SAST report (`gl-sast-report.json`), in GitLab's security report format 15.0.7.

GitLab reads it from a job's `artifacts:reports:sast` and shows the vulnerabilities in the
merge request's security widget. Shape, per the schema (tests/fixtures/gitlab/):
- `scan`: analyzer (Switchyard) and scanner (the tools that ran), start and end times as
  `yyyy-mm-ddThh:mm:ss` UTC, `status`, and `messages` for what the reader must know:
  files a scanner could not read, tools that failed.
- `vulnerabilities`: security findings only (a scanner's, or one about a CWE or in the
  security category). Each has a stable UUID derived from its fingerprint, so GitLab
  tracks it across pipelines; the primary identifier is the tool's rule (bandit_test_id,
  semgrep_id, switchyard_secret), then one `cwe` identifier per CWE.
Schema 15 dropped `category`, `message`, `cve`, `confidence` and per-vulnerability
`scanner`; they are not written.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.findings.fingerprint import identity
from bot.findings.model import Finding
from bot.publish.sarif import slug
from bot.report import RunReport
from bot.security.cwe import GITLAB_SEVERITY, cwe_number, cwe_title, cwe_url

if TYPE_CHECKING:
    from bot.security.scanners.base import ScannerRun, ScanResult

SCHEMA_VERSION = "15.0.7"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
FILENAME = "gl-sast-report.json"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
VENDOR = {"name": "Switchyard"}
# The secret detector's findings' source (bot/security/scanners/secrets_runner.py).
SECRETS_SOURCE = "secrets"
# Identifier types GitLab's own analyzers use for these tools' rules.
_ID_TYPES = {
    "bandit": "bandit_test_id",
    "semgrep": "semgrep_id",
    SECRETS_SOURCE: "switchyard_secret",
}
_ID_NAMESPACE = uuid.UUID("6f1b8a52-3c2e-5d4f-9a1b-0c7e2d9f4a61")
_NAME_CHARS = 255
_DESCRIPTION_CHARS = 1_048_576


def is_security(finding: Finding) -> bool:
    return (
        finding.task == "security"
        or bool(finding.cwe)
        or slug(finding.category) == "security"
        or finding.source in _ID_TYPES
    )


def gitlab_sast_data(
    report: RunReport, scan: ScanResult | None = None, *, secrets: bool = True
) -> dict[str, Any]:
    """The report as plain data. `scan` adds the tools' versions, the scan's real times
    and per-tool messages; without it the report's own duration and notes are used.
    `secrets=False` leaves the secret detector's findings to the Secret Detection report
    written beside it, so that GitLab does not list each twice."""
    end = (scan.finished_at if scan and scan.finished_at else None) or now()
    start = (scan.started_at if scan and scan.started_at else None) or (
        end - timedelta(seconds=max(report.summary.duration_s, 0.0))
    )
    runs = scan.scanners if scan else []
    vulns = [
        vulnerability(f)
        for f in report.findings
        if is_security(f) and (secrets or f.source != SECRETS_SOURCE)
    ]
    status = (
        "failure"
        if runs and all(r.status in ("failed", "timeout", "unavailable") for r in runs)
        else "success"
    )
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": analyzer_of(report),
            "scanner": scanner_of(report, runs),
            "type": "sast",
            "start_time": utc(start).strftime(TIME_FORMAT),
            "end_time": utc(end).strftime(TIME_FORMAT),
            "status": status,
            "messages": messages_of(report, runs),
        },
        "vulnerabilities": vulns,
    }


def render_gitlab_sast(
    report: RunReport, scan: ScanResult | None = None, *, secrets: bool = True
) -> str:
    data = gitlab_sast_data(report, scan, secrets=secrets)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def analyzer_of(report: RunReport) -> dict[str, Any]:
    return {
        "id": "switchyard",
        "name": "Switchyard",
        "version": report.version or __version__,
        "vendor": VENDOR,
    }


def scanner_of(report: RunReport, runs: Sequence[ScannerRun]) -> dict[str, Any]:
    used = [r for r in runs if r.status != "skipped"]
    if used:
        names = ", ".join(r.name for r in used)
        version = ", ".join(f"{r.name} {r.version or 'unknown'}" for r in used)
    else:
        sources = sorted({f.source for f in report.findings if is_security(f)}) or ["switchyard"]
        names = ", ".join(sources)
        version = report.version or __version__
    return {
        "id": "switchyard-security",
        "name": f"Switchyard security ({names})",
        "version": version,
        "vendor": VENDOR,
    }


def messages_of(report: RunReport, runs: Sequence[ScannerRun]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for r in runs:
        if r.status in ("failed", "timeout", "unavailable"):
            out.append({"level": "warn", "value": f"{r.name} did not scan ({r.status})"})
    for entry in report.skipped:
        out.append({"level": "warn", "value": f"Not scanned: {entry.path} ({entry.reason})"})
    out += [{"level": "info", "value": note} for note in report.notes if note.strip()]
    return out


def vulnerability(f: Finding) -> dict[str, Any]:
    vuln: dict[str, Any] = {
        "id": str(uuid.uuid5(_ID_NAMESPACE, identity(f))),
        "name": _cut(f.title.strip() or f.category, _NAME_CHARS),
        "description": _cut(_description(f), _DESCRIPTION_CHARS),
        "severity": GITLAB_SEVERITY[f.severity],
        "identifiers": _identifiers(f),
        "location": _location(f),
    }
    if f.suggestion:
        vuln["solution"] = _cut(f"Suggested change:\n{f.suggestion}", 7000)
    links = [{"url": f.help_uri}] if f.help_uri and f.help_uri.startswith("http") else []
    if links:
        vuln["links"] = links
    return vuln


def _description(f: Finding) -> str:
    parts = [f.body.strip() or f.title.strip()]
    if not f.anchored and f.anchor_note:
        parts.append(f"(File-level: {f.anchor_note})")
    return "\n\n".join(parts)


def _identifiers(f: Finding) -> list[dict[str, str]]:
    ids: list[dict[str, str]] = []
    if f.rule_id:
        kind = _ID_TYPES.get(f.source, f"{slug(f.source).replace('-', '_')}_rule")
        ids.append({"type": kind, "name": f"{f.source} {f.rule_id}", "value": f.rule_id})
    for cwe in f.cwe:
        number = cwe_number(cwe)
        if number is None:
            continue
        ids.append(
            {"type": "cwe", "name": cwe_title(number), "value": str(number), "url": cwe_url(number)}
        )
    if not ids:
        # A model finding has no rule: its task and category identify the kind of issue.
        value = f"{slug(f.task)}/{slug(f.category)}"
        ids.append(
            {"type": "switchyard_category", "name": f.category or "security", "value": value}
        )
    return ids


def _location(f: Finding) -> dict[str, Any]:
    loc: dict[str, Any] = {"file": f.path}
    if f.start_line is not None and f.side.value == "RIGHT":
        loc["start_line"] = f.start_line
        loc["end_line"] = max(f.end_line or f.start_line, f.start_line)
    return loc


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment


def now() -> datetime:
    return datetime.now(UTC)
