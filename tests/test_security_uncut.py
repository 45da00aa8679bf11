"""review.max_findings limits what is posted as comments, never what the reports carry: a
run with more findings than the limit keeps every one in SARIF, GitLab SAST, Code Quality,
JSON and Markdown, and the summary comment says how many were not posted and where they are.

The security run is the real `switchyard security --no-model` (one scan for the module);
the review run goes through the forge door on the memory forge with a fake model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.findings.model import Finding, Severity
from bot.forges.door import run_change_request
from bot.publish.formats import render
from bot.report import RunReport, not_posted_text, posted_findings
from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.memory_forge import ChangeRequestState, MemoryForge, change_request

LIMIT = 3
MANY = 8  # lines each with one eval() call: more findings than LIMIT
POLICY = f"review:\n  max_findings: {LIMIT}\n"
MANY_EVALS = "def run(code):\n" + "".join(f"    eval(code + '{i}')\n" for i in range(MANY))
# A rule of the test's own, so that the count does not hang on the built-in rules.
RULE = """rules:
  - id: test-eval-call
    languages: [python]
    severity: ERROR
    message: eval() call
    pattern: eval(...)
"""
SEVERITY = re.compile(r"^\*\*(critical|major|minor|nit)\*\* · ", re.MULTILINE)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def security_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("uncut")
    repo = GitRepo.init(root / "repo").feature(
        {"app/many.py": MANY_EVALS}, base={"README.md": "demo\n", ".switchyard.yml": POLICY}
    )
    rule = root / "rule.yml"
    rule.write_text(RULE, encoding="utf-8")
    out = root / "out"
    names = ["r.json", "r.sarif", "r.md", "gl-sast-report.json", "gl-code-quality-report.json"]
    outputs = [arg for name in names for arg in ("--output", str(out / name))]
    r = switchyard(
        "security",
        "--base",
        "main",
        "--no-model",
        "-q",
        "--semgrep-config",
        str(rule),
        *outputs,
        cwd=repo.path,
        env=base_env(root),
        timeout=180,
    )
    assert r.code == 0, r.both
    return {
        "json": _json(out / "r.json"),
        "sarif": _json(out / "r.sarif"),
        "md": (out / "r.md").read_text(encoding="utf-8"),
        "sast": _json(out / "gl-sast-report.json"),
        "quality": _json(out / "gl-code-quality-report.json"),
    }


def test_a_security_run_over_the_limit_keeps_every_finding_in_every_report(
    security_reports: dict[str, Any],
) -> None:
    report = security_reports["json"]
    findings = report["findings"]
    ours = [f for f in findings if f["rule_id"] == "test-eval-call"]
    assert len(ours) == MANY  # one per line, none cut
    n = len(findings)
    assert n > LIMIT
    assert sum(report["summary"]["findings"].values()) == n
    assert report["comment_limit"] == LIMIT
    assert len(security_reports["sarif"]["runs"][0]["results"]) == n
    assert len(security_reports["sast"]["vulnerabilities"]) == n
    assert len(security_reports["quality"]) == n
    assert len(SEVERITY.findall(security_reports["md"])) == n
    assert not any("cut" in note for note in report["notes"])


# --- the review path: posted on the forge up to the limit, the rest in the reports --------

REPO, BASE, HEAD = "acme/api", "a" * 40, "b" * 40
LINES = 8
DIFF = (
    "diff --git a/many.py b/many.py\nnew file mode 100644\n--- /dev/null\n+++ b/many.py\n"
    f"@@ -0,0 +1,{LINES} @@\n" + "".join(f"+x{i} = {i}\n" for i in range(1, LINES + 1))
)


def _answer() -> dict[str, Any]:
    """A finding on each line; the last two critical, so the posted ones are not the first."""
    return {
        "summary": "Adds many lines.",
        "findings": [
            {
                "path": "many.py",
                "line": line,
                "side": "RIGHT",
                "severity": "critical" if line > LINES - 2 else "minor",
                "category": "bug",
                "title": f"problem at {line}",
                "body": "explained",
            }
            for line in range(1, LINES + 1)
        ],
    }


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(_answer())
        yield fake


def test_a_review_posts_the_most_severe_up_to_the_limit_and_says_where_the_rest_are(
    model: FakeOpenAIServer, tmp_path: Path
) -> None:
    forge = MemoryForge()
    state = ChangeRequestState(change_request(REPO, 7, base=BASE, head=HEAD), DIFF)
    state.files[("main", ".switchyard.yml")] = POLICY
    forge.states[(REPO, 7)] = state
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }
    opened = forge.open_ref(forge.parse_ref(f"memory://{REPO}!7", env), env)
    [run] = run_change_request(
        opened.source,
        opened.publisher_for,
        tasks=("review",),
        config_path=None,
        environ=env,
        publish=True,
    )
    # Posted: the limit, most severe first (both critical ones), then by place.
    assert sorted(line for _, line, _ in state.comments) == [1, 7, 8]
    [summary] = state.summaries
    assert f"{LINES - LIMIT} more findings were not posted as comments" in summary.body
    assert f"review.max_findings ({LIMIT})" in summary.body and "SARIF" in summary.body
    assert "problem at 2" not in summary.body  # not in the summary's table either
    # The run's reports: every finding.
    report = run.report
    assert len(report.findings) == LINES
    assert len(json.loads(render(report, "sarif"))["runs"][0]["results"]) == LINES
    assert len(json.loads(render(report, "json"))["findings"]) == LINES
    assert len(SEVERITY.findall(render(report, "markdown"))) == LINES


# --- the one place that decides -----------------------------------------------------------


def _finding(line: int, severity: Severity) -> Finding:
    return Finding(
        path="a.py", start_line=line, severity=severity, category="bug", title=f"t{line}", body=""
    )


def test_posted_findings_are_the_most_severe_in_report_order_and_the_rest_are_counted() -> None:
    findings = [
        _finding(1, Severity.MINOR),
        _finding(2, Severity.MAJOR),
        _finding(3, Severity.MINOR),
    ]
    report = RunReport(findings=findings, comment_limit=2)
    assert [f.start_line for f in posted_findings(report)] == [2, 1]
    text = not_posted_text(report)
    assert text is not None and text.startswith("1 more finding was not posted as comments")
    assert not_posted_text(report.model_copy(update={"comment_limit": 3})) is None
    assert len(posted_findings(report.model_copy(update={"comment_limit": None}))) == 3
