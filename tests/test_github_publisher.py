"""The publisher end to end: PyGithub for real against FakeGitHub, every request checked
against GitHub's OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from github import Auth, Github

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.forges.contract import PublishResult
from bot.forges.github.publisher import GitHubPublisher, read_state
from bot.forges.markers import parse_summary_marker, reply_marker
from bot.report import CallRecord, RunReport, SkippedEntry, Summary
from tests.fakeclock import FakeClock
from tests.fakes.github_server import INTEGRATION_FORBIDDEN, FakeGitHub
from tests.github_samples import APP_DIFF, BASE, HEAD, HEAD2, NEW_FILE_DIFF
from tests.github_samples import finding as sample_finding

REPO = "o/r"
BOT = "switchyard[bot]"

DIFF = (
    APP_DIFF
    + """diff --git a/util.py b/util.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/util.py
@@ -0,0 +1,3 @@
+def g():
+    return 1
+
"""
)

DIFF2 = DIFF + NEW_FILE_DIFF


def finding(fp: str, **kw: Any) -> Finding:
    return sample_finding(**{"title": f"Finding {fp}", "body": "Because.", "fingerprint": fp, **kw})


def typical_findings() -> list[Finding]:
    return [
        finding("f1", start_line=2, end_line=3, severity=Severity.MAJOR, suggestion="x = 1\n"),
        finding("f2", side=Side.LEFT, start_line=2, end_line=2, title="Removed a default"),
        finding("f3", path="util.py", start_line=1, end_line=2, severity=Severity.NIT),
        finding("f4", path="util.py", start_line=None, end_line=None, title="File-level note"),
    ]


def run_report(findings: list[Finding], head: str = HEAD, **summary: Any) -> RunReport:
    base: dict[str, Any] = {
        "files_changed": 2,
        "files_reviewed": 2,
        "tokens_in": 1000,
        "tokens_out": 200,
        "cost_usd": 0.01,
    }
    return RunReport(
        base_sha=BASE,
        head_sha=head,
        walkthrough="Changes x and adds util.g.",
        findings=findings,
        skipped=[SkippedEntry(path="poetry.lock", reason="lock file")],
        calls=[
            CallRecord(
                item="review-1", task="review", target="local", model="qwen", location="local"
            )
        ],
        summary=Summary(**{**base, **summary}),
    )


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo(REPO)
        server.add_pr(REPO, 7, base_sha=BASE, head_sha=HEAD, diff=DIFF)
        server.add_token("app", BOT, type="Bot")
        server.add_token("nochecks", BOT, type="Bot", checks_write=False)
        server.add_token("pat", "alice", type="User", checks_write=False)
        server.set_permission(REPO, BOT, "write")
        server.set_permission(REPO, "alice", "write")
        yield server
        assert server.violations == []
        server.assert_no_violations()


def github(fake: FakeGitHub, token: str = "app") -> Github:
    # PyGithub's own retries and spacing off: the publisher's are under test.
    return Github(
        auth=Auth.Token(token),
        base_url=fake.base_url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def publisher(
    fake: FakeGitHub, clock: FakeClock, head: str = HEAD, token: str = "app", **kw: Any
) -> GitHubPublisher:
    return GitHubPublisher(github(fake, token), REPO, 7, head, sleep=clock.sleep, clock=clock, **kw)


def test_a_typical_run(fake: FakeGitHub) -> None:
    clock = FakeClock()
    result = publisher(fake, clock).publish(run_report(typical_findings()))

    pr = fake.pr(7)
    repo = fake.repo(REPO)
    assert len(pr.reviews) == 1 and len(repo.check_runs) == 1
    assert len(repo.issue_comments) == 1 and repo.statuses == []
    [review] = pr.reviews
    assert review["event"] == "COMMENT" and review["commit_id"] == HEAD
    by_path = {(c["path"], c["side"], c["line"]): c for c in review["comments"]}
    assert set(by_path) == {("app.py", "RIGHT", 3), ("app.py", "LEFT", 2), ("util.py", "RIGHT", 2)}
    multi = by_path[("app.py", "RIGHT", 3)]
    assert multi["start_line"] == 2 and multi["start_side"] == "RIGHT"
    assert "```suggestion\nx = 1\n```" in multi["body"]

    [comment] = repo.issue_comments
    marker = parse_summary_marker(comment["body"])
    assert marker is not None and marker.head_sha == HEAD
    assert "File-level note" in comment["body"] and "poetry.lock" in comment["body"]
    assert "3 as [line comments](" in comment["body"]  # links to the review
    [run] = repo.check_runs.values()
    assert run["name"] == "switchyard / review" and run["conclusion"] == "success"
    assert run["details_url"].endswith(f"#issuecomment-{comment['id']}")
    assert len(run["annotations"]) == 2  # head-side lines only: not the removed one

    assert result == PublishResult(
        review_id=review["id"],
        comments_posted=3,
        moved_to_summary=1,
        repeated=0,
        refused=0,
        check_run_id=run["id"],
        status=None,
        conclusion="success",
        summary_comment_id=comment["id"],
        reads=3,
        writes=3,
        requests=result.requests,
    )
    # The figures a benchmark reports: what was sent, as the fake saw it.
    assert (len(fake.reads()), len(fake.writes())) == (result.reads, result.writes)
    # Writes a second apart; reads not paced.
    assert clock.slept == [1.0, 1.0]


def test_a_second_run_edits_the_summary_and_repeats_nothing(fake: FakeGitHub) -> None:
    clock = FakeClock()
    first = publisher(fake, clock).publish(run_report(typical_findings()))
    second = publisher(fake, clock).publish(run_report(typical_findings()))

    repo = fake.repo(REPO)
    assert len(fake.pr(7).reviews) == 1  # nothing new to say on a line: no second review
    assert len(repo.issue_comments) == 1
    assert second.summary_comment_id == first.summary_comment_id
    assert second.review_id is None and second.comments_posted == 0 and second.repeated == 3
    assert fake.count("PATCH", r"/issues/comments/\d+$") == 1
    assert "already commented by an earlier run" in repo.issue_comments[0]["body"]


def test_incremental_run_after_a_push(fake: FakeGitHub) -> None:
    clock = FakeClock()
    publisher(fake, clock).publish(run_report(typical_findings()))
    fake.push(7, HEAD2, DIFF2)
    # The code under one earlier comment changed: GitHub nulls its line.
    stale = next(c for c in fake.pr(7).review_comments if c["path"] == "util.py")
    stale["line"] = None

    prior = read_state(github(fake), REPO, 7)
    assert prior.last_head_sha == HEAD
    assert prior.fingerprints == {"f1", "f2", "f3"}
    assert [c.fingerprint for c in prior.outdated] == ["f3"]
    assert prior.identity.login == BOT

    findings = [finding("f1", start_line=2, end_line=3), finding("n1", path="new.py")]
    result = publisher(fake, clock, head=HEAD2).publish(
        run_report(findings, head=HEAD2), prior=prior
    )
    assert result.comments_posted == 1 and result.repeated == 1
    assert result.reads == prior.reads == 3
    new_review = fake.pr(7).reviews[-1]
    assert [c["path"] for c in new_review["comments"]] == ["new.py"]
    body = fake.repo(REPO).issue_comments[0]["body"]
    assert parse_summary_marker(body).head_sha == HEAD2  # type: ignore[union-attr]
    outdated = body.split("### Outdated (1)", 1)[1].split("###", 1)[0]
    assert "`util.py`" in outdated and "#discussion_r" in outdated


def test_an_incomplete_run_keeps_the_last_reviewed_head(fake: FakeGitHub) -> None:
    clock = FakeClock()
    publisher(fake, clock).publish(run_report([]))
    fake.push(7, HEAD2, DIFF2)
    result = publisher(fake, clock, head=HEAD2).publish(
        run_report([], head=HEAD2, complete=False, work_items=3, work_items_failed=1)
    )
    body = fake.repo(REPO).issue_comments[0]["body"]
    assert parse_summary_marker(body).head_sha == HEAD  # type: ignore[union-attr]
    assert result.conclusion == "neutral"
    runs = list(fake.repo(REPO).check_runs.values())
    assert runs[-1]["conclusion"] == "neutral" and runs[-1]["head_sha"] == HEAD2


def test_a_refused_comment_keeps_the_others(fake: FakeGitHub) -> None:
    clock = FakeClock()
    findings = typical_findings()
    # Line 5 of util.py is not in the diff: GitHub refuses the whole review for it.
    findings.append(finding("bad", path="util.py", start_line=5, end_line=5, title="Off diff"))
    result = publisher(fake, clock).publish(run_report(findings))

    pr = fake.pr(7)
    # One review, with every comment GitHub accepts; no try left behind.
    [review] = pr.submitted_reviews
    assert pr.pending_reviews == [] and len(pr.reviews) == 1
    posted = review["comments"]
    assert len(posted) == 3 and all(c["path"] != "util.py" or c["line"] != 5 for c in posted)
    assert result.comments_posted == 3 and result.refused == 1 and result.moved_to_summary == 2
    assert result.errors == [] and result.review_id == review["id"]
    assert "3 findings" in review["body"] and "in the summary comment" in review["body"]
    body = fake.repo(REPO).issue_comments[0]["body"]
    assert "Off diff" in body and "GitHub refused the line comment" in body
    assert "must be part of the diff" in body
    assert f"#pullrequestreview-{review['id']}" in body  # the summary links the one review
    # The whole, then pending tries (each one GitHub accepts deleted before the next), and
    # the last accepted try submitted as the review.
    reviews = r"/pulls/7/reviews"
    assert fake.count("POST", reviews + "$") == 4
    assert fake.count("DELETE", reviews + r"/\d+$") == 1
    assert fake.count("POST", reviews + r"/\d+/events$") == 1


def test_one_review_when_github_refuses_one_comment_of_many(fake: FakeGitHub) -> None:
    clock = FakeClock()
    places = [("app.py", 1), ("util.py", 3)]  # a context line and an added one
    good = [
        finding(f"g{i}", path=path, start_line=line, end_line=line)
        for i in range(11)
        for path, line in [places[i % 2]]
    ]
    bad = finding("bad", path="gone.py", start_line=1, end_line=1, title="Not in this PR")
    findings = [*good[:7], bad, *good[7:]]
    result = publisher(fake, clock).publish(run_report(findings))

    pr = fake.pr(7)
    [review] = pr.submitted_reviews
    assert pr.pending_reviews == []
    marks = sorted(c["body"].split(" -->", 1)[0] for c in review["comments"])
    assert marks == sorted(f"<!-- switchyard:fp=g{i}" for i in range(11))
    assert result.comments_posted == 11 and result.refused == 1 and result.review_id is not None
    summary = fake.repo(REPO).issue_comments[0]["body"]
    assert "Not in this PR" in summary and "Path could not be resolved" in summary
    # Only the bot saw the tries: a person listing the reviews finds the one review.
    fake.add_token("carol-token", "carol")
    listed = list(github(fake, "carol-token").get_repo(REPO).get_pull(7).get_reviews())
    assert [r.id for r in listed] == [review["id"]]
    assert result.writes <= 12  # 1 refused whole, ~log2(12) tries, 1 submit; summary, check


def test_a_pending_review_left_by_a_stopped_run_is_cleared(fake: FakeGitHub) -> None:
    clock = FakeClock()
    # A run killed while bisecting left its try: it blocks every review by the bot.
    pr = github(fake).get_repo(REPO).get_pull(7)
    pr.create_review(body="<!-- switchyard:review task=review head=" + HEAD + " -->\n")
    assert len(fake.pr(7).pending_reviews) == 1
    result = publisher(fake, clock).publish(run_report(typical_findings()))
    [review] = fake.pr(7).reviews
    assert review["state"] == "COMMENTED" and len(review["comments"]) == 3
    assert result.errors == [] and result.comments_posted == 3
    assert fake.count("DELETE", r"/pulls/7/reviews/\d+$") == 1


def test_a_secondary_rate_limit_is_waited_out(fake: FakeGitHub) -> None:
    clock = FakeClock()
    fake.fail_secondary_rate_limit("POST", r"/pulls/7/reviews$", retry_after=30)
    result = publisher(fake, clock).publish(run_report(typical_findings()))
    assert 30 in clock.slept and result.retries == 1 and result.waited_s == 30
    assert len(fake.pr(7).reviews) == 1 and result.errors == []
    assert fake.count("POST", r"/pulls/7/reviews$") == 2


def test_a_token_that_cannot_write_checks_gets_a_commit_status(fake: FakeGitHub) -> None:
    clock = FakeClock()
    report = run_report([finding("f1", severity=Severity.MAJOR)])
    report.summary.fail_on = Severity.MAJOR
    report.summary.gate_failed = True
    result = publisher(fake, clock, token="nochecks").publish(report)
    assert result.check_run_id is None and result.status == "failure"
    [status] = fake.repo(REPO).statuses
    assert status["context"] == "switchyard / review" and status["sha"] == HEAD
    assert result.errors == []


def test_a_personal_token_is_not_asked_to_write_checks(fake: FakeGitHub) -> None:
    clock = FakeClock()
    result = publisher(fake, clock, token="pat").publish(run_report([]))
    assert result.status == "success" and fake.count("POST", r"/check-runs") == 0


def test_an_installation_token_finds_its_summary_without_a_login(fake: FakeGitHub) -> None:
    clock = FakeClock()
    publisher(fake, clock).publish(run_report(typical_findings()))
    # As for an App's installation token: /user is refused, the login is unknown.
    fake.fail_next("GET", r"^/user$", 403, INTEGRATION_FORBIDDEN)
    second = publisher(fake, clock).publish(run_report(typical_findings()))
    assert len(fake.repo(REPO).issue_comments) == 1 and second.repeated == 3


def test_an_explicit_login_saves_the_user_lookup(fake: FakeGitHub) -> None:
    clock = FakeClock()
    result = publisher(fake, clock, login=BOT).publish(run_report(typical_findings()))
    assert fake.count("GET", r"^/user$") == 0 and result.reads == 2


def test_more_findings_than_the_cap_go_to_the_summary(fake: FakeGitHub) -> None:
    clock = FakeClock()
    findings = [
        finding(f"c{i}", path="util.py", start_line=1 + i % 2, end_line=1 + i % 2)
        for i in range(12)
    ]
    findings[7].severity = Severity.CRITICAL
    result = publisher(fake, clock, max_comments=5).publish(run_report(findings))
    [review] = fake.pr(7).reviews
    assert len(review["comments"]) == 5 and result.moved_to_summary == 7
    assert any("Finding c7" in c["body"] for c in review["comments"])
    assert "over the limit of 5 line comments" in fake.repo(REPO).issue_comments[0]["body"]


def test_github_enterprise_base_url() -> None:
    with FakeGitHub(api_prefix="/api/v3") as server:
        server.add_pr(REPO, 7, base_sha=BASE, head_sha=HEAD, diff=DIFF)
        server.add_token("app", BOT, type="Bot")
        server.set_permission(REPO, BOT, "write")
        for _ in range(2):
            result = publisher(server, FakeClock()).publish(run_report(typical_findings()))
        assert result.errors == [] and result.repeated == 3
        assert len(server.repo(REPO).issue_comments) == 1
        server.assert_no_violations()


def test_an_answer_is_known_by_its_reply_marker_on_a_comment_of_the_bots_own(
    fake: FakeGitHub,
) -> None:
    """A job run again asks whether its /ask answer is there: the bot's comment with the
    delivery's marker is; the same marker quoted by a person, or another delivery, is not."""
    marker = reply_marker("ask", "d-41")
    clock = FakeClock()
    fake.add_token("alice-token", "alice")
    people = GitHubPublisher(
        github(fake, "alice-token"), REPO, 7, HEAD, sleep=clock.sleep, clock=clock
    )
    people.write_summary(f"{marker}\nquoted by a person", None)
    bot = publisher(fake, clock)
    assert not bot.replied("ask", "d-41")
    bot.write_summary(f"{marker}\n> what does x do?\n\nIt sets x.\n", None)
    assert bot.replied("ask", "d-41")
    assert not bot.replied("ask", "d-42") and not bot.replied("analyze", "d-41")
