"""The GitLab Code Quality report: the fields GitLab's "Code Quality report format" names
(checked with a schema written from that page), one issue per finding with a fingerprint
that is unique in the report and stays put when lines move, and chosen by its file name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from bot.cli.report_output import output_targets
from bot.findings.model import Severity
from bot.publish import render
from bot.publish.codequality import codequality_data
from tests.report_samples import (
    docs_nit,
    file_level_note,
    finding,
    off_by_one,
    removed_validation,
    run_report,
)

# What GitLab reads from each issue (docs.gitlab.com/ci/testing/code_quality, "Code Quality
# report format"): all required, the severity one of five names, a line number from 1.
SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/.]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def _issues(*findings: Any) -> list[dict[str, Any]]:
    data = codequality_data(run_report(findings=list(findings)))
    jsonschema.validate(data, SCHEMA)
    return data


def test_every_finding_is_an_issue_gitlab_can_place() -> None:
    issues = _issues(
        off_by_one(fingerprint="fp-1"),
        removed_validation(fingerprint="fp-2", category="security"),
        file_level_note(fingerprint="fp-3"),
        docs_nit(title="Typo", fingerprint="fp-4"),
    )
    assert [(i["severity"], i["location"]["lines"]) for i in issues] == [
        ("major", {"begin": 10, "end": 12}),
        # Not on a head line: GitLab requires one, and the first names no unrelated code.
        ("critical", {"begin": 1}),
        ("minor", {"begin": 1}),
        ("info", {"begin": 3, "end": 3}),
    ]
    assert issues[0]["check_name"] == "switchyard/review/correctness"
    assert issues[0]["description"] == "Off-by-one in loop bound"
    assert issues[1]["description"] == "Removed input validation (on removed line 4)"
    assert issues[1]["categories"] == ["Security"]
    assert issues[2]["description"] == "A title (file-level: line 99 is not part of the diff)"
    assert issues[3]["categories"] == ["Style"] and issues[3]["type"] == "issue"


def test_fingerprints_stay_when_lines_move_and_are_unique_in_a_report() -> None:
    before = _issues(finding(fingerprint="fp-1", start_line=10))
    moved = _issues(finding(fingerprint="fp-1", start_line=40))
    assert before[0]["fingerprint"] == moved[0]["fingerprint"]
    # The same issue twice (or two without a fingerprint at one place): GitLab would show
    # only the first of a fingerprint.
    twice = _issues(off_by_one(fingerprint="fp-1"), off_by_one(fingerprint="fp-1"))
    unfingerprinted = _issues(finding(title="x"), finding(title="x"))
    for pair in (twice, unfingerprinted):
        assert len({issue["fingerprint"] for issue in pair}) == 2


def test_a_scanner_finding_keeps_its_rule_and_paths_are_relative() -> None:
    [issue] = _issues(
        finding(
            path="./app/db.py",
            start_line=7,
            source="bandit",
            rule_id="B608",
            cwe=["CWE-89"],
            severity=Severity.CRITICAL,
            title="Possible SQL injection",
        )
    )
    assert issue["check_name"] == "bandit/B608"
    assert issue["location"]["path"] == "app/db.py"
    assert issue["categories"] == ["Security"]


def test_an_empty_run_is_an_empty_list() -> None:
    assert json.loads(render(run_report(), "gitlab-codequality")) == []


def test_the_file_name_gitlab_uses_chooses_the_format() -> None:
    got = output_targets(("gl-code-quality-report.json", "ci/gl-code-quality-report.json"), None)
    assert [kind for _, kind in got] == ["gitlab-codequality", "gitlab-codequality"]
    named = output_targets(("quality.json",), "gitlab-codequality")
    assert named == [(Path("quality.json"), "gitlab-codequality")]
