"""The GitLab SAST report: valid against GitLab's published schema (15.0.7, vendored in
fixtures/gitlab/, see its README), and carrying what GitLab's security widget shows."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.change.model import Side
from bot.change.patch_source import change_from_patch
from bot.findings.model import Finding, Severity
from bot.publish.gitlab_sast import (
    SCHEMA_VERSION,
    gitlab_sast_data,
    render_gitlab_sast,
)
from bot.report import RunReport, SkippedEntry, Summary
from bot.security.scanners import run_scanners
from bot.security.scanners.base import ScannerRun, ScanResult

SCHEMA = Path(__file__).parent / "fixtures" / "gitlab" / "sast-report-format-15.0.7.json"
TOKEN = "ghp_" + "Zx9Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4V"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(data: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def bandit_sql(**update: Any) -> Finding:
    base = Finding(
        path="app/db.py",
        start_line=10,
        end_line=10,
        severity=Severity.MINOR,
        category="security",
        title="Possible SQL injection vector (bandit B608)",
        body="Possible SQL injection vector.\n\nCWE-89: SQL Injection",
        source="bandit",
        task="security",
        confidence=0.3,
        fingerprint="fp-sql",
        rule_id="B608",
        cwe=["CWE-89"],
        help_uri="https://bandit.readthedocs.io/en/latest/plugins/b608.html",
    )
    return base.model_copy(update=update)


def semgrep_cmd() -> Finding:
    return bandit_sql(
        source="semgrep",
        rule_id="switchyard.python.command-injection.shell-with-input",
        cwe=["CWE-78"],
        severity=Severity.CRITICAL,
        title="A shell command is run with request-controlled text (semgrep shell-with-input)",
        fingerprint="fp-cmd",
        start_line=11,
        end_line=12,
        help_uri=None,
    )


def model_finding() -> Finding:
    return Finding(
        path="app/views.py",
        start_line=None,
        severity=Severity.MAJOR,
        category="Security",
        title="Missing authorization check",
        body="The new endpoint does not check the caller's role.",
        anchor_note="cited line 80, which is not part of the diff",
        fingerprint="fp-model",
    )


def review_nit() -> Finding:
    return Finding(
        path="README.md",
        start_line=3,
        severity=Severity.NIT,
        category="docs",
        title="Typo",
        body="teh",
        task="review",
    )


def report(**kw: Any) -> RunReport:
    return RunReport(task="security", summary=Summary(duration_s=12.5), **kw)


def test_empty_report_is_valid() -> None:
    data = gitlab_sast_data(report())
    assert_valid(data)
    assert data["version"] == SCHEMA_VERSION
    assert data["vulnerabilities"] == []
    assert data["scan"]["type"] == "sast" and data["scan"]["status"] == "success"


def test_times_are_gitlab_format_and_span_the_run() -> None:
    data = gitlab_sast_data(report())
    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
    start, end = data["scan"]["start_time"], data["scan"]["end_time"]
    assert pattern.match(start) and pattern.match(end)
    seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    assert 12 <= seconds <= 13


def test_vulnerabilities_with_identifiers_and_severities() -> None:
    data = gitlab_sast_data(report(findings=[bandit_sql(), semgrep_cmd(), review_nit()]))
    assert_valid(data)
    vulns = data["vulnerabilities"]
    assert len(vulns) == 2  # the review nit is no vulnerability
    sql, cmd = vulns
    assert sql["identifiers"][0] == {
        "type": "bandit_test_id",
        "name": "bandit B608",
        "value": "B608",
    }
    assert sql["identifiers"][1] == {
        "type": "cwe",
        "name": "CWE-89: SQL Injection",
        "value": "89",
        "url": "https://cwe.mitre.org/data/definitions/89.html",
    }
    assert sql["severity"] == "Medium" and cmd["severity"] == "Critical"
    assert cmd["identifiers"][0]["type"] == "semgrep_id"
    assert cmd["location"] == {"file": "app/db.py", "start_line": 11, "end_line": 12}
    assert sql["links"] == [{"url": "https://bandit.readthedocs.io/en/latest/plugins/b608.html"}]
    assert "category" not in sql  # dropped in schema 15
    assert uuid.UUID(sql["id"]).version == 5


def test_ids_are_stable_across_runs_and_distinct() -> None:
    first = gitlab_sast_data(report(findings=[bandit_sql(), semgrep_cmd()]))
    moved = gitlab_sast_data(report(findings=[bandit_sql(start_line=40), semgrep_cmd()]))
    assert [v["id"] for v in first["vulnerabilities"]] == [
        v["id"] for v in moved["vulnerabilities"]
    ]
    assert len({v["id"] for v in first["vulnerabilities"]}) == 2


def test_model_security_finding_without_rule_gets_a_category_identifier() -> None:
    data = gitlab_sast_data(report(findings=[model_finding()]))
    assert_valid(data)
    [vuln] = data["vulnerabilities"]
    assert vuln["identifiers"] == [
        {"type": "switchyard_category", "name": "Security", "value": "review/security"}
    ]
    assert vuln["location"] == {"file": "app/views.py"}
    assert "not part of the diff" in vuln["description"]


def test_base_side_finding_has_no_head_lines() -> None:
    data = gitlab_sast_data(report(findings=[bandit_sql(side=Side.LEFT)]))
    assert_valid(data)
    assert data["vulnerabilities"][0]["location"] == {"file": "app/db.py"}


def test_unscanned_files_and_notes_become_messages() -> None:
    rep = report(
        skipped=[SkippedEntry(path="new.py", reason="bandit could not read it: syntax error")],
        notes=["3 scanner finding(s) outside the added lines were left out"],
    )
    data = gitlab_sast_data(rep)
    assert_valid(data)
    messages = data["scan"]["messages"]
    assert {
        "level": "warn",
        "value": "Not scanned: new.py (bandit could not read it: syntax error)",
    } in messages
    assert any(m["level"] == "info" and "left out" in m["value"] for m in messages)


def test_scan_result_gives_versions_times_and_status() -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    finished = datetime(2026, 1, 2, 3, 5, 6, tzinfo=UTC)
    scan = ScanResult(
        scanners=[
            ScannerRun(name="bandit", status="ok", version="1.9.4"),
            ScannerRun(name="semgrep", status="unavailable"),
        ],
        started_at=started,
        finished_at=finished,
    )
    data = gitlab_sast_data(report(findings=[bandit_sql()]), scan)
    assert_valid(data)
    assert data["scan"]["start_time"] == "2026-01-02T03:04:05"
    assert data["scan"]["end_time"] == "2026-01-02T03:05:06"
    assert data["scan"]["scanner"]["version"] == "bandit 1.9.4, semgrep unknown"
    assert {"level": "warn", "value": "semgrep did not scan (unavailable)"} in data["scan"][
        "messages"
    ]
    assert data["scan"]["status"] == "success"

    every_tool_failed = ScanResult(scanners=[ScannerRun(name="bandit", status="timeout")])
    assert gitlab_sast_data(report(), every_tool_failed)["scan"]["status"] == "failure"


def test_long_names_are_cut_to_the_schema_limit() -> None:
    data = gitlab_sast_data(report(findings=[bandit_sql(title="x" * 400)]))
    assert_valid(data)
    assert len(data["vulnerabilities"][0]["name"]) == 255


def test_planted_secret_is_masked_in_the_report() -> None:
    files = {"conf/settings.py": f'API_TOKEN = "{TOKEN}"\nprint("{TOKEN}")\n'}
    diff = (
        "diff --git a/conf/settings.py b/conf/settings.py\nnew file mode 100644\n"
        "--- /dev/null\n+++ b/conf/settings.py\n@@ -0,0 +1,2 @@\n"
        + "".join(f"+{line}\n" for line in files["conf/settings.py"].splitlines())
    )
    change = change_from_patch(diff, "test")
    change.load_content = lambda path, side: files.get(path)
    scan = run_scanners(change, scanners=("secrets",))
    assert scan.findings
    text = render_gitlab_sast(report(findings=scan.findings, notes=scan.notes), scan)
    assert_valid(json.loads(text))
    assert TOKEN not in text
    assert "GitHub token" in text


@pytest.mark.parametrize("severity", list(Severity))
def test_every_severity_maps_to_a_schema_value(severity: Severity) -> None:
    assert_valid(gitlab_sast_data(report(findings=[bandit_sql(severity=severity)])))
