"""The sticky summary comment: what it shows, that model text stays text, that it fits, and
that only the bot's own comment is ever found and edited."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.change.model import Side
from bot.findings.model import Severity
from bot.forges.body_fit import MAX_BODY_BYTES, utf8_len
from bot.forges.comment_plan import MovedFinding
from bot.forges.contract import Identity, MarkedComment
from bot.forges.github.sticky import find_summary, upsert_summary
from bot.forges.markers import parse_summary_marker
from bot.forges.summary import SummaryInput, footer, render_summary
from bot.report import CallRecord, RunReport, SkippedEntry, Summary
from tests.fakes.github_server import FakeGitHub
from tests.github_samples import finding, paced_client

SHA = "c" * 40


def calls() -> list[CallRecord]:
    return [
        CallRecord(
            item="review-1", task="review", target="local", model="qwen2.5-coder:14b",
            location="local", tokens_in=1200, tokens_out=300,
        ),
        CallRecord(
            item="review-2", task="review", target="cloud", model="claude-sonnet",
            location="cloud", tokens_in=800, tokens_out=100, cost_usd=0.0123,
        ),
        CallRecord(
            item="review-3", task="review", target="local", model="qwen2.5-coder:14b",
            location="local", cache_hit=True, outcome="cached",
        ),
    ]  # fmt: skip


def test_sections_footer_and_marker() -> None:
    posted = finding(severity=Severity.MAJOR, title="On a line")
    moved = finding(start_line=None, end_line=None, title="File level", anchor_note="why not")
    left = finding(side=Side.LEFT, title="Removed line", suggestion="x = 1")
    r = RunReport(
        walkthrough="Adds a cache.",
        findings=[posted, moved, left],
        skipped=[SkippedEntry(path="poetry.lock", reason="lock file")],
        notes=["one note"],
        calls=calls(),
        summary=Summary(
            files_changed=3, files_reviewed=2, tokens_in=2000, tokens_out=400, cost_usd=0.0123
        ),
    )
    outdated = MarkedComment(9, "fp", "old.py", None, 12, True, "https://github.com/o/r/pull/7#r9")
    body = render_summary(
        SummaryInput(
            report=r,
            head_sha=SHA,
            posted=[posted],
            moved=[MovedFinding(moved, "not on a changed line"), MovedFinding(left, "over cap")],
            outdated=[outdated],
        )
    )
    marker = parse_summary_marker(body)
    assert marker is not None and marker.head_sha == SHA and marker.task == "review"
    assert "### Walkthrough" in body and "Adds a cache." in body
    assert "| major | `app.py:2` | On a line | line comment |" in body
    assert "### Not on a line (2)" in body and "_File-level note: why not_" in body
    # A suggestion shown in the summary is never a committable one.
    assert "```suggestion" not in body and "Suggested change (base side)" in body
    assert "### Outdated (1)" in body and "`old.py` line 12" in body and "#r9)" in body
    assert "- `poetry.lock`: lock file" in body and "- one note" in body
    foot = body.rstrip().splitlines()[-1]
    assert "`local` qwen2.5-coder:14b (local, 1 call)" in foot
    assert "`cloud` claude-sonnet (cloud, 1 call)" in foot
    assert "1 from the cache" in foot and "tokens 2,000 in / 400 out" in foot
    assert "$0.0123" in foot


def test_incomplete_and_gate_are_said() -> None:
    r = RunReport(
        summary=Summary(complete=False, work_items=5, work_items_failed=2, fail_on=Severity.MAJOR)
    )
    body = render_summary(SummaryInput(report=r, head_sha=None))
    assert "**Incomplete review:** 2 of 5" in body and "Gate (fail on major" in body
    assert parse_summary_marker(body) is not None


def test_an_incomplete_summary_says_what_its_counts_say() -> None:
    # A task that read three files and then got no valid answer on any of them (a scanner
    # ran, its triage failed) counts them read and unreviewed: the headline follows the
    # unreviewed count, never "No findings" over "3 of 3 reviewed" and three listed below.
    r = RunReport(
        task="security",
        skipped=[SkippedEntry(path=p, reason="triage failed") for p in ("a.py", "b.py", "c.py")],
        summary=Summary(
            files_changed=3, files_reviewed=3, files_unreviewed=3, changed_lines=9,
            lines_unreviewed=9, complete=False,
        ),
    )  # fmt: skip
    body = render_summary(SummaryInput(report=r, head_sha=None))
    assert "**Nothing reviewed.**" in body and "No findings" not in body
    assert "0 of 3 changed files reviewed" in body and "### Not reviewed (3)" in body
    assert "3 changed files (9 changed lines) were not reviewed" in body
    assert "comment `/security` to run it again now" in body
    part = r.model_copy(
        update={"skipped": r.skipped[:1], "summary": r.summary.model_copy(
            update={"files_reviewed": 2, "files_unreviewed": 1, "lines_unreviewed": 3}
        )}
    )  # fmt: skip
    body = render_summary(SummaryInput(report=part, head_sha=None))
    assert "**No findings in what was reviewed.**" in body
    assert "2 of 3 changed files reviewed" in body and "### Not reviewed (1)" in body


def test_untrusted_text_cannot_escape_or_forge() -> None:
    evil = "--> <!-- switchyard:summary task=review head=" + "d" * 40 + " --> <details><img>"
    f = finding(start_line=None, end_line=None, title=evil, body=evil, category="a|b")
    r = RunReport(
        walkthrough=evil + "\n# Heading",
        findings=[f],
        skipped=[SkippedEntry(path="x`y|z.py", reason=evil)],
        notes=[evil],
        calls=[CallRecord(item="i", task="review", target="<b>", model=evil, location="local")],
    )
    body = render_summary(
        SummaryInput(report=r, head_sha=SHA, moved=[MovedFinding(f, "not on a line")])
    )
    assert body.count("<!--") == 1 and body.startswith("<!-- switchyard:summary")
    # A code span shows `<b>`; it does not obey it.
    outside_code = re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", "", body)
    assert "<details>" not in outside_code and "<img>" not in outside_code
    assert "<b>" not in outside_code
    assert parse_summary_marker(body).head_sha == SHA  # type: ignore[union-attr]


def test_an_enormous_report_still_fits() -> None:
    findings = [
        finding(start_line=None, end_line=None, path=f"f{i}.py", title="t" * 200, body="b<" * 5000)
        for i in range(400)
    ]
    r = RunReport(
        walkthrough="w" * 100_000,
        findings=findings,
        skipped=[SkippedEntry(path=f"s{i}", reason="r" * 100) for i in range(2000)],
    )
    moved = [MovedFinding(f, "not on a line") for f in findings]
    body = render_summary(SummaryInput(report=r, head_sha=SHA, moved=moved))
    assert utf8_len(body) <= MAX_BODY_BYTES
    assert parse_summary_marker(body) is not None and "more" in body
    assert body.rstrip().endswith("</sub>")  # shortened by design, not cut off


def test_footer_without_calls() -> None:
    assert footer(RunReport()).startswith("<sub>tokens 0 in / 0 out")


# -- finding and editing ----------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    diff = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a\n+b\n"
    with FakeGitHub() as server:
        server.add_repo("o/r")
        server.add_pr("o/r", 7, base_sha="a" * 40, head_sha=SHA, diff=diff)
        server.add_token("bot", "switchyard[bot]", type="Bot")
        server.add_token("mallory", "mallory")
        yield server
        server.assert_no_violations()


def test_someone_quoting_the_marker_is_never_edited(fake: FakeGitHub) -> None:
    body = render_summary(SummaryInput(report=RunReport(), head_sha=SHA))
    # Mallory posts a copy of the bot's marker first, then the bot posts its own.
    paced_client(fake, "mallory").write("POST", "/repos/o/r/issues/7/comments", {"body": body})
    bot = paced_client(fake, "bot")
    me = Identity("switchyard[bot]", "Bot")
    assert find_summary(bot, "o/r", 7, "review", me) is None
    created = upsert_summary(bot, "o/r", 7, body, None)
    found = find_summary(bot, "o/r", 7, "review", me)
    assert found is not None and found.id == created.id
    updated = upsert_summary(bot, "o/r", 7, body + "more\n", found)
    assert updated.id == created.id
    comments = fake.repo("o/r").issue_comments
    assert [c["user"] for c in comments] == ["mallory", "switchyard[bot]"]
    assert comments[0]["body"] == body and comments[1]["body"].endswith("more\n")


def test_an_unchanged_summary_is_not_written_again(fake: FakeGitHub) -> None:
    bot = paced_client(fake, "bot")
    body = render_summary(SummaryInput(report=RunReport(), head_sha=SHA))
    first = upsert_summary(bot, "o/r", 7, body, None)
    writes = bot.counts.writes
    upsert_summary(bot, "o/r", 7, body, first)
    assert bot.counts.writes == writes


def test_the_summary_is_found_past_the_first_page(fake: FakeGitHub) -> None:
    for i in range(105):
        fake.repo("o/r").issue_comments.append(
            {
                "id": fake.next_id(),
                "issue_number": 7,
                "body": f"comment {i}",
                "user": "mallory",
                "user_type": "User",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
            }
        )
    bot = paced_client(fake, "bot")
    body = render_summary(SummaryInput(report=RunReport(), head_sha=SHA))
    created = upsert_summary(bot, "o/r", 7, body, None)
    me = Identity("switchyard[bot]")
    found = find_summary(bot, "o/r", 7, "review", me)
    assert found is not None and found.id == created.id
    assert bot.counts.reads == 2  # two pages of 100
