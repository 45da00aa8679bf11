"""SARIF output: valid against the SARIF 2.1.0 schema, and right for code scanning tools.

The schema in fixtures/sarif-schema-2.1.0.json is vendored unchanged from the npm package
@microsoft/sarif-multitool-linux@5.7.0 (file sarif-2.1.0.json, sha256 1c49a0f2b604...d798c),
the schema Microsoft's SARIF Multitool validates against. See docs/sarif-validation.md.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from bot.publish import render, render_sarif
from bot.publish.sarif import FINGERPRINT_KEY, rule_id, slug
from bot.report import RunReport, Summary
from tests.report_samples import (
    docs_nit,
    failed_cloud_call,
    file_level_note,
    finding,
    off_by_one,
    removed_validation,
    run_report,
    skipped_files,
)
from tests.tools import node_package

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(log: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def sample_report() -> RunReport:
    return run_report(
        walkthrough="Adds a loop.",
        findings=[
            off_by_one(
                suggestion="for i in range(n + 1):\n    total += i\n",
                fingerprint="fp-right",
                confidence=0.8,
            ),
            removed_validation(category="Security", fingerprint="fp-left"),
            file_level_note(
                path="src/my util.py",
                category="Error Handling",
                title="Swallowed exception",
                suggestion="raise",
                fingerprint="fp-file",
            ),
            docs_nit(
                title="Pipe | and <!-- in title",
                body="```\nunclosed fence <details>",
                fingerprint="fp-nit",
            ),
            finding(start_line=20, suggestion="", fingerprint="fp-delete"),
        ],
        skipped=skipped_files(),
        calls=[failed_cloud_call()],
        notes=["review-2 fell back to local."],
        summary=Summary(files_changed=5, work_items=2, work_items_failed=1, complete=False),
    )


def _run(report: RunReport) -> dict[str, Any]:
    log = json.loads(render_sarif(report))
    assert len(log["runs"]) == 1
    return log["runs"][0]


def _by_title(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["message"]["text"].split("\n", 1)[0]: r for r in run["results"]}


def test_sample_validates_against_schema() -> None:
    log = json.loads(render(sample_report(), "sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert_valid(log)


def test_empty_report_validates() -> None:
    log = json.loads(render_sarif(RunReport()))
    assert_valid(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_schema_catches_broken_logs() -> None:
    # Guards against a schema file that accepts anything.
    log = json.loads(render_sarif(sample_report()))
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    errors = list(_validator().iter_errors(log))
    assert len(errors) >= 2


def test_driver_and_rules() -> None:
    run = _run(sample_report())
    driver = run["tool"]["driver"]
    assert driver["name"] == "switchyard"
    assert driver["version"] == sample_report().version
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(set(ids))
    assert "switchyard/review/error-handling" in ids
    assert "switchyard/review/security" in ids
    security = next(r for r in driver["rules"] if r["id"] == "switchyard/review/security")
    assert "security" in security["properties"]["tags"]
    assert security["shortDescription"]["text"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_mapped_from_severity() -> None:
    results = _by_title(_run(sample_report()))
    assert results["Removed input validation"]["level"] == "error"  # critical
    assert results["Off-by-one in loop bound"]["level"] == "error"  # major
    assert results["Swallowed exception"]["level"] == "warning"  # minor
    assert results["Pipe | and <!-- in title"]["level"] == "note"  # nit


def test_fingerprints_present() -> None:
    for result in _run(sample_report())["results"]:
        assert result["partialFingerprints"][FINGERPRINT_KEY].startswith("fp-")


def test_empty_fingerprint_left_out() -> None:
    run = _run(RunReport(findings=[finding(start_line=1)]))
    assert "partialFingerprints" not in run["results"][0]


def test_right_side_region_and_fix() -> None:
    result = _by_title(_run(sample_report()))["Off-by-one in loop bound"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 10, "endLine": 12}
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "src/app.py"
    (replacement,) = change["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 10, "endLine": 12}
    assert replacement["insertedContent"]["text"] == "for i in range(n + 1):\n    total += i"


def test_deleting_suggestion_removes_whole_lines() -> None:
    result = next(
        r
        for r in _run(sample_report())["results"]
        if r["partialFingerprints"][FINGERPRINT_KEY] == "fp-delete"
    )
    (replacement,) = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {
        "startLine": 20,
        "startColumn": 1,
        "endLine": 21,
        "endColumn": 1,
    }
    assert replacement["insertedContent"]["text"] == ""


def test_left_side_finding_is_file_level_with_base_lines() -> None:
    result = _by_title(_run(sample_report()))["Removed input validation"]
    location = result["locations"][0]["physicalLocation"]
    assert "region" not in location
    assert location["artifactLocation"]["uri"] == "src/app.py"
    props = result["properties"]
    assert props["side"] == "LEFT"
    assert (props["baseStartLine"], props["baseEndLine"]) == (4, 4)
    assert "On base line 4" in result["message"]["text"]
    # Not applicable to the head file: no fix, the suggestion stays readable in the message.
    assert "fixes" not in result
    assert "validate(path)" in result["message"]["text"]


def test_file_level_note_has_no_region_or_fix() -> None:
    result = _by_title(_run(sample_report()))["Swallowed exception"]
    location = result["locations"][0]["physicalLocation"]
    assert "region" not in location
    assert location["artifactLocation"]["uri"] == "src/my%20util.py"
    assert "fixes" not in result
    assert "line 99 is not part of the diff" in result["message"]["text"]


def test_fixes_only_on_anchored_right_side() -> None:
    for result in _run(sample_report())["results"]:
        if "fixes" in result:
            assert "region" in result["locations"][0]["physicalLocation"]
            assert result["properties"]["side"] == "RIGHT"


def test_invocation_reports_incomplete_run_and_skipped_files() -> None:
    (invocation,) = _run(sample_report())["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    skipped = [n for n in notes if n["descriptor"]["id"] == "switchyard/not-reviewed"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in skipped] == [
        "package-lock.json",
        "vendor/big.js",
    ]
    assert "lockfile" in skipped[0]["message"]["text"]
    texts = " ".join(n["message"]["text"] for n in notes)
    assert "fell back to local" in texts
    assert "timeout" in texts
    assert "1 of 2 work items" in texts


def test_run_properties_carry_summary() -> None:
    props = _run(sample_report())["properties"]
    assert props["summary"]["files_changed"] == 5
    assert props["headSha"].startswith("2222")


def test_slug() -> None:
    assert slug("Error Handling") == "error-handling"
    assert slug("  ") == "general"
    assert rule_id(finding(task="Docs Check", category="a/b")) == "switchyard/docs-check/a-b"


def _multitool() -> str:
    """Microsoft's validator: SARIF_MULTITOOL, else the self-contained binary that the npm
    package @microsoft/sarif-multitool (pinned in package.json) brings; skipped without it
    (failed under CI)."""
    return os.environ.get("SARIF_MULTITOOL") or str(
        node_package("@microsoft/sarif-multitool-linux", "Sarif.Multitool")
    )


def test_sarif_multitool_reports_no_errors(tmp_path: Path) -> None:
    tool = _multitool()
    sarif = tmp_path / "report.sarif"
    sarif.write_text(render_sarif(sample_report()), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    subprocess.run(
        [tool, "validate", str(sarif), "-o", str(out)],
        check=False,
        capture_output=True,
        timeout=60,
    )
    # The Multitool exits 0 even when the log breaks the schema: read its verdicts instead.
    results = json.loads(out.read_text(encoding="utf-8"))["runs"][0].get("results", [])
    errors = [r for r in results if r.get("level") == "error"]
    assert not errors, [r["message"] for r in errors]
