"""The GitLab Secret Detection report: valid against GitLab's published schema (15.0.7,
fixtures/gitlab/, see its README), holding the secret detector's findings without their
values, and taking them out of the SAST report written beside it so that GitLab does not
list a secret twice."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.findings.model import Severity
from bot.publish.gitlab_secret_detection import NO_COMMIT, gitlab_secret_detection_data
from bot.report import RunReport, Summary
from tests.cli import base_env, switchyard
from tests.gitrepo import GitRepo
from tests.test_gitlab_sast import bandit_sql

SCHEMA = (
    Path(__file__).parent / "fixtures" / "gitlab" / "secret-detection-report-format-15.0.7.json"
)
# Built at run time so that no secret-looking literal sits in this repository.
TOKEN = "ghp_" + "Wq7RmX3pLs5TnY8vB2cK" + "d4FhJ9sG6uA1eQ0z"
VULNERABLE = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def assert_valid(data: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_asks_for_the_commit_a_secret_was_found_at() -> None:
    """The vendored schema is GitLab's for this report type, not SAST's: a vulnerability
    without `location.commit.sha` is refused, and the scan's type must be secret_detection."""
    finding = {"id": "x", "identifiers": [{"type": "t", "name": "n", "value": "v"}]}
    data = gitlab_secret_detection_data(RunReport(task="security", summary=Summary()))
    data["vulnerabilities"] = [{**finding, "location": {"file": "a.py"}}]
    assert list(_validator().iter_errors(data))
    data["vulnerabilities"] = [{**finding, "location": {"file": "a.py", "commit": {"sha": "1"}}}]
    assert_valid(data)
    data["scan"]["type"] = "sast"
    assert list(_validator().iter_errors(data))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("secret-detection")
    repo = GitRepo.init(root / "repo").feature(
        {"deploy/ci.py": f'GITHUB_TOKEN = "{TOKEN}"\n', "app/run.py": VULNERABLE}
    )
    out = root / "out"
    names = ("gl-secret-detection-report.json", "gl-sast-report.json")
    outputs = [arg for name in names for arg in ("--output", str(out / name))]
    env = base_env(root)
    both = switchyard(
        "security", "--base", "main", "--no-model", "-q", *outputs, cwd=repo.path, env=env
    )
    assert both.code == 0, both.both
    sast = str(root / "gl-sast-report.json")
    alone = switchyard(
        "security", "--base", "main", "--no-model", "-q", "--output", sast, cwd=repo.path, env=env
    )
    assert alone.code == 0, alone.both
    texts = {name: (out / name).read_text(encoding="utf-8") for name in names}
    texts["sast alone"] = (root / "gl-sast-report.json").read_text(encoding="utf-8")
    return {"texts": texts, "head": repo.sha("HEAD")}


def test_the_secret_is_reported_at_its_commit_and_its_value_is_not(
    reports: dict[str, Any],
) -> None:
    text = reports["texts"]["gl-secret-detection-report.json"]
    data = json.loads(text)
    assert_valid(data)
    assert data["scan"]["type"] == "secret_detection"
    assert "security-utilities" in data["scan"]["scanner"]["version"]
    (vuln,) = data["vulnerabilities"]
    assert vuln["name"] == "Hard-coded secret: GitHub token"
    assert vuln["severity"] == "Critical"
    assert vuln["location"] == {
        "file": "deploy/ci.py",
        "start_line": 1,
        "end_line": 1,
        "commit": {"sha": reports["head"]},
    }
    assert vuln["identifiers"][0]["type"] == "switchyard_secret"
    assert TOKEN not in text and "raw_source_code_extract" not in vuln


def test_beside_it_the_sast_report_leaves_the_secret_out(reports: dict[str, Any]) -> None:
    beside = json.loads(reports["texts"]["gl-sast-report.json"])
    alone = json.loads(reports["texts"]["sast alone"])
    names = [v["name"] for v in beside["vulnerabilities"]]
    assert names and not any("secret" in n.lower() for n in names)  # the injection stays
    assert any(v["name"] == "Hard-coded secret: GitHub token" for v in alone["vulnerabilities"])
    assert len(alone["vulnerabilities"]) == len(names) + 1


def test_a_change_without_a_head_commit_says_so_as_gitlab_does() -> None:
    finding = bandit_sql(
        path="conf/app.env",
        severity=Severity.CRITICAL,
        title="Hard-coded secret: Azure OpenAI key",
        body="A secret (Azure OpenAI key) is written into the code on line 10.",
        source="secrets",
        fingerprint="fp-azure",
        rule_id="azure-openai-key",
        cwe=["CWE-798"],
    )
    other = bandit_sql()
    data = gitlab_secret_detection_data(
        RunReport(task="security", summary=Summary(), findings=[finding, other])
    )
    assert_valid(data)
    assert [v["location"]["commit"]["sha"] for v in data["vulnerabilities"]] == [NO_COMMIT]


def test_the_format_is_offered_by_name_and_by_file_name(tmp_path: Path) -> None:
    help_text = switchyard("security", "--help", cwd=tmp_path, env=base_env(tmp_path)).out
    assert "gitlab-secret-detection" in help_text
    assert "gl-secret-detection-report.json" in help_text


def test_by_format_name_the_report_renders_and_the_sast_report_can_leave_secrets_out() -> None:
    from bot.publish.formats import render

    secret = bandit_sql(source="secrets", rule_id="github-token", fingerprint="fp-token")
    report = RunReport(task="security", summary=Summary(), findings=[secret, bandit_sql()])
    data = json.loads(render(report, "gitlab-secret-detection"))
    assert_valid(data)
    assert [v["identifiers"][0]["value"] for v in data["vulnerabilities"]] == ["github-token"]
    sast = json.loads(render(report, "gitlab-sast", secrets_apart=True))
    assert [v["identifiers"][0]["value"] for v in sast["vulnerabilities"]] == ["B608"]
    whole = json.loads(render(report, "gitlab-sast"))
    assert len(whole["vulnerabilities"]) == 2
