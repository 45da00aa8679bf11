"""The verdict on the commit: check run conclusions, annotations 50 per request, and the
commit status written instead where the token cannot write checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.forges.github.checks import (
    MAX_STATUS_DESCRIPTION,
    CheckWriter,
    annotation,
    annotations,
    batches,
    check_name,
    verdict,
)
from bot.report import RunReport, Summary
from tests.fakes.github_server import FakeGitHub
from tests.github_samples import finding, paced_client

SHA = "b" * 40
DIFF = """diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,2 +1,3 @@
 import os
-x = 1
+x = 2
+y = 3
"""


def report(findings: list[Finding] | None = None, **summary: Any) -> RunReport:
    base: dict[str, Any] = {"files_changed": 1, "files_reviewed": 1}
    return RunReport(findings=findings or [], summary=Summary(**{**base, **summary}))


# -- verdicts ---------------------------------------------------------------------------------


def test_a_complete_run_succeeds_findings_or_not() -> None:
    assert verdict(report()).conclusion == "success"
    v = verdict(report([finding(severity=Severity.MAJOR)]))
    assert v.conclusion == "success" and "1 finding" in v.title


def test_a_failed_gate_fails() -> None:
    v = verdict(report([finding()], fail_on=Severity.MINOR, gate_failed=True))
    assert v.conclusion == "failure" and "minor" in v.title and v.status_state == "failure"


def test_an_incomplete_run_is_never_green() -> None:
    no_gate = verdict(report(complete=False, work_items=4, work_items_failed=1))
    assert no_gate.conclusion == "neutral" and "1 of 4" in no_gate.title
    # The title says what was missed in the words every report uses, in agreeing numbers.
    files = verdict(report(complete=False, files_unreviewed=1, lines_unreviewed=40))
    assert files.title == "Incomplete review: 1 changed file (40 changed lines) was not reviewed"
    # Branch protection counts neutral as passing: with a gate, incomplete must fail.
    gated = verdict(report(complete=False, fail_on=Severity.MAJOR, work_items_failed=1))
    assert gated.conclusion == "failure"
    # A status has no neutral: the grey cases are errors, not successes.
    assert no_gate.status_state == "error"


def test_nothing_reviewed_is_not_a_success() -> None:
    v = verdict(report(files_changed=3, files_reviewed=0, files_skipped=3))
    assert v.conclusion == "neutral" and v.status_state == "error"


# -- annotations ------------------------------------------------------------------------------


def test_annotation_levels_and_lines() -> None:
    levels = {
        sev: annotation(finding(severity=sev))["annotation_level"]  # type: ignore[index]
        for sev in Severity
    }
    assert levels == {
        Severity.CRITICAL: "failure",
        Severity.MAJOR: "failure",
        Severity.MINOR: "warning",
        Severity.NIT: "notice",
    }
    a = annotation(finding(start_line=2, end_line=5))
    assert a is not None and (a["start_line"], a["end_line"]) == (2, 5)


def test_no_annotation_where_the_head_has_no_such_line() -> None:
    assert annotation(finding(side=Side.LEFT)) is None
    assert annotation(finding(start_line=None, end_line=None)) is None


def test_annotation_text_is_bounded_and_plain() -> None:
    a = annotation(finding(title="t" * 1000, body="b\u202e" * 40_000, suggestion="x = 1"))
    assert a is not None
    assert len(a["title"]) <= 255 and len(a["message"]) <= 16_000
    assert "\u202e" not in a["message"] and "x = 1" in a["raw_details"]


def test_batches_of_fifty() -> None:
    items = annotations([finding(start_line=i % 3 + 1, end_line=i % 3 + 1) for i in range(120)])
    assert [len(b) for b in batches(items)] == [50, 50, 20]
    assert batches([]) == [[]]


# -- against the fake -------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo("o/r")
        server.add_pr("o/r", 7, base_sha="a" * 40, head_sha=SHA, diff=DIFF)
        server.add_token("app", "switchyard[bot]", type="Bot")
        server.add_token("nochecks", "switchyard[bot]", type="Bot", checks_write=False)
        server.add_token("pat", "alice", type="User", checks_write=False)
        for login in ("switchyard[bot]", "alice"):
            server.set_permission("o/r", login, "write")
        yield server
        server.assert_no_violations()


def test_120_findings_make_a_check_run_and_two_updates(fake: FakeGitHub) -> None:
    findings = [finding(start_line=2 + i % 2, end_line=2 + i % 2) for i in range(120)]
    out = CheckWriter(paced_client(fake, "app"), "o/r", SHA, "review").publish(report(findings))
    assert out.errors == [] and out.annotations == 120
    assert fake.count("POST", r"/check-runs$") == 1
    assert fake.count("PATCH", r"/check-runs/\d+$") == 2
    run = fake.repo("o/r").check_runs[out.check_run_id]  # type: ignore[index]
    assert run["name"] == check_name("review") == "switchyard / review"
    assert run["conclusion"] == "success" and len(run["annotations"]) == 120


def test_a_token_refused_checks_writes_a_status(fake: FakeGitHub) -> None:
    r = report([finding()], fail_on=Severity.MINOR, gate_failed=True)
    out = CheckWriter(paced_client(fake, "nochecks"), "o/r", SHA, "review").publish(
        r, details_url="https://github.com/o/r/pull/7#issuecomment-1"
    )
    assert out.check_run_id is None and out.status_state == "failure" and out.errors == []
    [status] = fake.repo("o/r").statuses
    assert status["context"] == "switchyard / review" and status["state"] == "failure"
    assert status["target_url"].endswith("#issuecomment-1")


def test_a_users_token_goes_straight_to_a_status(fake: FakeGitHub) -> None:
    c = paced_client(fake, "pat")
    out = CheckWriter(c, "o/r", SHA, "review").publish(
        report(complete=False, work_items=2, work_items_failed=1), checks_allowed=False
    )
    assert fake.count("POST", r"/check-runs") == 0 and c.counts.writes == 1
    assert out.status_state == "error"
    [status] = fake.repo("o/r").statuses
    assert status["state"] == "error"  # incomplete: never green
    assert len(status["description"]) <= MAX_STATUS_DESCRIPTION


def test_a_secondary_limit_on_checks_is_not_mistaken_for_no_permission(
    fake: FakeGitHub,
) -> None:
    fake.fail_secondary_rate_limit("POST", r"/check-runs$", retry_after=5)
    c = paced_client(fake, "app")
    out = CheckWriter(c, "o/r", SHA, "review").publish(report())
    assert out.check_run_id is not None and out.status_state is None
    assert c.counts.retries == 1 and c.counts.waited_s == 5
