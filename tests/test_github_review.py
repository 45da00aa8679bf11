"""The review: hidden markers, line comments as GitHub wants them, the cap, bisection on 422,
and the pacing and rate-limit waits every write goes through."""

from __future__ import annotations

from typing import Any

import pytest
from github.GithubException import GithubException

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.forges.body_fit import MAX_BODY_BYTES, utf8_len
from bot.forges.comment_plan import NOT_ON_A_LINE, comment_body, plan_review, review_body
from bot.forges.contract import ForgeUnavailable, Identity
from bot.forges.github.authorship import is_ours, marked_review_comment
from bot.forges.github.client import PACING_ENV, pacing_on
from bot.forges.github.pacing import PacedClient, rate_limit_wait
from bot.forges.github.review import PlannedComment, comment_payload
from bot.forges.github.review_writer import ReviewWriter
from bot.forges.markers import (
    fingerprint_marker,
    is_summary_for,
    parse_fingerprint_marker,
    parse_summary_marker,
    summary_marker,
)
from tests.fakeclock import FakeClock

SHA = "0123456789abcdef0123456789abcdef01234567"


def finding(**kw: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "app.py",
        "start_line": 3,
        "end_line": 3,
        "severity": Severity.MINOR,
        "category": "bug",
        "title": "A title",
        "body": "A body.",
        "fingerprint": "abc123",
    }
    return Finding(**{**base, **kw})


# -- markers ----------------------------------------------------------------------------------


def test_summary_marker_round_trip_and_only_on_the_first_line() -> None:
    marker = summary_marker("Review", SHA)
    assert marker == f"<!-- switchyard:summary task=review head={SHA} -->"
    parsed = parse_summary_marker(marker + "\n## Switchyard review\n")
    assert parsed is not None and parsed.task == "review" and parsed.head_sha == SHA
    assert parse_summary_marker("Quoting it:\n" + marker) is None
    assert parse_summary_marker(f"`{marker}`") is None
    assert is_summary_for(marker, "review") and not is_summary_for(marker, "security")


def test_marker_values_cannot_close_the_comment() -> None:
    assert summary_marker("review", "--> <script>") == "<!-- switchyard:summary task=review -->"
    assert summary_marker("x --> y", None) == "<!-- switchyard:summary task=x-y -->"
    assert fingerprint_marker("ab-->cd") is None
    assert fingerprint_marker("") is None
    assert parse_fingerprint_marker(fingerprint_marker("f00d") or "") == "f00d"


def test_a_marker_in_someone_elses_comment_is_not_ours() -> None:
    body = fingerprint_marker("f00d")
    bot = {"body": body, "user": {"login": "switchyard[bot]", "type": "Bot"}, "line": 3}
    person = {"body": body, "user": {"login": "mallory", "type": "User"}, "line": 3}
    me = Identity("switchyard[bot]", "Bot")
    assert marked_review_comment(bot, me) is not None
    assert marked_review_comment(person, me) is None
    # Login unknown (an App's token cannot read /user): bots only, never a person.
    assert is_ours(bot, Identity(None)) and not is_ours(person, Identity(None))


def test_outdated_is_read_from_line_being_null() -> None:
    me = Identity("bot")
    base = {"body": fingerprint_marker("f1"), "user": {"login": "bot"}, "path": "a.py"}
    current = marked_review_comment({**base, "line": 4, "position": None}, me)
    outdated = marked_review_comment({**base, "line": None, "original_line": 4}, me)
    assert current is not None and not current.outdated
    assert outdated is not None and outdated.outdated and outdated.original_line == 4


# -- building comments ------------------------------------------------------------------------


def test_single_line_right_comment() -> None:
    payload = comment_payload(finding())
    assert payload["path"] == "app.py"
    assert payload["line"] == 3 and payload["side"] == "RIGHT"
    assert "start_line" not in payload and "start_side" not in payload
    assert payload["body"].startswith("<!-- switchyard:fp=abc123 -->\n")


def test_left_side_comment_for_a_removed_line() -> None:
    payload = comment_payload(finding(side=Side.LEFT, start_line=5, end_line=5))
    assert payload["side"] == "LEFT" and payload["line"] == 5


def test_multi_line_comment_has_start_line_and_start_side() -> None:
    payload = comment_payload(finding(start_line=3, end_line=6, side=Side.LEFT))
    assert payload["start_line"] == 3 and payload["line"] == 6
    assert payload["start_side"] == "LEFT" and payload["side"] == "LEFT"


def test_suggestion_is_committable_only_on_the_head_side() -> None:
    right = comment_body(finding(start_line=3, end_line=4, suggestion="a = 1\nb = 2\n"))
    assert "```suggestion\na = 1\nb = 2\n```" in right
    left = comment_body(finding(side=Side.LEFT, suggestion="a = 1"))
    assert "```suggestion" not in left and "Suggested change" in left


def test_suggestion_fence_outlasts_backticks_in_the_code() -> None:
    body = comment_body(finding(suggestion='s = """```"""\n'))
    assert '````suggestion\ns = """```"""\n````' in body


def test_empty_suggestion_deletes_the_lines() -> None:
    assert "```suggestion\n```" in comment_body(finding(suggestion=""))


def test_model_text_is_escaped_and_cannot_forge_a_marker() -> None:
    evil = finding(
        title="<!-- switchyard:fp=zzz --> <img src=x>",
        body="<!-- switchyard:summary task=review -->\n# Heading\n<script>alert(1)</script>",
        category="</details>",
    )
    body = comment_body(evil)
    assert body.count("<!--") == 1  # ours, on the first line
    assert "<script>" not in body and "<img" not in body and "</details>" not in body
    assert "\\# Heading" in body
    assert parse_fingerprint_marker(body) == "abc123"


def test_bidi_and_control_characters_are_shown_not_obeyed() -> None:
    body = comment_body(finding(title="safe\u202eevil", body="a\x1b[31mb"))
    assert "\u202e" not in body and "[U+202E]" in body and "\x1b" not in body


def test_long_body_is_cut_under_githubs_limit() -> None:
    huge = finding(body=("<x> " * 40_000) + "\n```\nunclosed fence", suggestion="y = 1\n")
    body = comment_body(huge)
    assert utf8_len(body) <= MAX_BODY_BYTES < 65_536
    assert "Truncated" in body
    assert "```suggestion\ny = 1\n```" in body  # a short suggestion survives the cut


def test_an_oversized_suggestion_is_dropped_not_cut() -> None:
    body = comment_body(finding(suggestion="x = 1\n" * 20_000))
    assert utf8_len(body) <= MAX_BODY_BYTES
    assert "```suggestion" not in body and "too long" in body


def test_multibyte_text_fits_in_bytes() -> None:
    body = comment_body(finding(body="é漢😀" * 30_000))
    assert utf8_len(body) <= MAX_BODY_BYTES
    body.encode("utf-8")  # no half characters


# -- planning ---------------------------------------------------------------------------------


def test_plan_moves_file_level_notes_and_skips_what_was_posted() -> None:
    note = finding(start_line=None, end_line=None, fingerprint="n1")
    old = finding(fingerprint="old")
    new = finding(fingerprint="new")
    twin = finding(fingerprint="new", title="same finding twice")
    plan = plan_review([note, old, new, twin], posted_before={"old"})
    assert [p.finding for p in plan.comments] == [new]
    assert [(m.finding, m.reason) for m in plan.moved] == [(note, NOT_ON_A_LINE)]
    assert plan.repeated == [old]


def test_plan_keeps_the_most_severe_within_the_cap() -> None:
    findings = [
        finding(severity=sev, start_line=i + 1, end_line=i + 1, fingerprint=f"f{i}")
        for i, sev in enumerate([Severity.NIT] * 5 + [Severity.CRITICAL, Severity.MAJOR])
    ]
    plan = plan_review(findings, max_comments=3)
    kept = [p.finding.severity for p in plan.comments]
    assert kept == [Severity.CRITICAL, Severity.MAJOR, Severity.NIT]
    assert len(plan.moved) == 4 and all("limit of 3" in m.reason for m in plan.moved)


def test_review_body_is_marked_and_never_approves() -> None:
    body = review_body("review", SHA, [finding()], more_in_summary=True)
    assert body.startswith(f"<!-- switchyard:review task=review head={SHA} -->")
    assert "1 finding" in body and "in the summary comment" in body
    assert "summary" not in review_body("review", SHA, [finding()], more_in_summary=False)


# -- posting and bisection --------------------------------------------------------------------


class ScriptedClient:
    """Stands in for PacedClient, with GitHub's rules for reviews: a review holding a comment
    on a bad path is refused whole (422); a review without `event` is pending, one per user,
    and blocks any other review until it is deleted or submitted."""

    def __init__(self, bad_paths: set[str], status: int = 422) -> None:
        self.bad_paths = bad_paths
        self.status = status
        self.reviews: dict[int, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []  # review bodies GitHub accepted (any state)
        self.refused = 0
        self.log: list[str] = []  # every write: "POST", "POST pending", "DELETE", "SUBMIT"
        self.ids = iter(range(101, 10_000))

    @property
    def submitted(self) -> list[dict[str, Any]]:
        return [r for r in self.reviews.values() if r["state"] == "COMMENTED"]

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [r for r in self.reviews.values() if r["state"] == "PENDING"]

    @property
    def writes(self) -> int:
        return len(self.log)

    def answer(self, review: dict[str, Any]) -> dict[str, Any]:
        return {"id": review["id"], "html_url": "https://github.com/o/r/pull/7", **review}

    def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        base = "/repos/o/r/pulls/7/reviews"
        assert path.startswith(base)
        if method == "DELETE":
            self.log.append("DELETE")
            review = self.reviews.get(int(path.rsplit("/", 1)[1]))
            if review is None:
                raise GithubException(404, {"message": "Not Found"}, {})
            assert review["state"] == "PENDING", "only a pending review can be deleted"
            del self.reviews[review["id"]]
            return self.answer(review)
        assert method == "POST"
        if path.endswith("/events"):
            self.log.append("SUBMIT")
            review = self.reviews.get(int(path.split("/")[-2]))
            if review is None:
                raise GithubException(404, {"message": "Not Found"}, {})
            assert review["state"] == "PENDING" and body["event"] == "COMMENT"
            review.update(state="COMMENTED", body=body.get("body") or review["body"])
            return self.answer(review)
        assert path == base
        event = body.get("event")
        assert event in ("COMMENT", None)
        self.log.append("POST" if event else "POST pending")
        if self.pending:
            data = {"message": "Unprocessable Entity", "errors": [ONE_PENDING]}
            raise GithubException(422, data, {})
        if any(c["path"] in self.bad_paths for c in body["comments"]):
            self.refused += 1
            data = {"message": "Unprocessable Entity", "errors": ["Path could not be resolved"]}
            raise GithubException(self.status, data, {})
        self.posts.append(body)
        review = {
            "id": next(self.ids),
            "state": "COMMENTED" if event else "PENDING",
            "body": body["body"],
            "comments": body["comments"],
        }
        self.reviews[review["id"]] = review
        return self.answer(review)

    def paginate(self, path: str) -> Any:
        assert path == "/repos/o/r/pulls/7/reviews"
        self.log.append("GET")  # a read: taken out of `writes` below
        return [self.answer(r) for r in self.reviews.values()]


ONE_PENDING = "User can only have one pending review per pull request"


def planned(paths: list[str]) -> list[PlannedComment]:
    out = []
    for i, path in enumerate(paths):
        f = finding(path=path, start_line=i + 1, end_line=i + 1, fingerprint=f"f{i}")
        out.append(PlannedComment(f, comment_payload(f)))
    return out


def writer(client: ScriptedClient, **kw: Any) -> ReviewWriter:
    return ReviewWriter(client, "o/r", 7, SHA, **kw)  # type: ignore[arg-type]


def body_for(findings: list[Finding]) -> str:
    return review_body("review", SHA, findings, False)


def lines_of(review: dict[str, Any]) -> list[int]:
    return [c["line"] for c in review["comments"]]


def test_one_request_when_github_accepts() -> None:
    client = ScriptedClient(set())
    out = writer(client).post(planned(["a.py"] * 10), body_for)
    assert client.log == ["POST"] and len(out.posted) == 10 and out.review_id == 101
    assert out.moved == [] and out.error is None and out.attempts == 1


def test_bisection_isolates_the_refused_comment_and_posts_the_others_in_one_review() -> None:
    paths = ["a.py"] * 30
    paths[17] = "gone.py"
    client = ScriptedClient({"gone.py"})
    out = writer(client).post(planned(paths), body_for)
    assert [m.finding.path for m in out.moved] == ["gone.py"]
    assert "Path could not be resolved" in out.moved[0].reason
    assert len(out.posted) == 29 and out.error is None
    # What the pull request shows: one review, with every good comment once, in order.
    [review] = client.submitted
    assert client.pending == []
    assert lines_of(review) == [n for n in range(1, 31) if n != 18]
    assert out.review_id == review["id"] and "29 findings" in review["body"]
    # Halving, not 30 requests: ~log2(30) tries, each one GitHub accepts deleted after.
    assert client.writes <= 13 and out.attempts <= 8
    assert client.log[0] == "POST" and client.log[-1] == "SUBMIT"


@pytest.mark.parametrize("bad", [0, 1, 14, 15, 28, 29])
def test_wherever_the_refused_comment_sits(bad: int) -> None:
    paths = ["a.py"] * 30
    paths[bad] = "gone.py"
    client = ScriptedClient({"gone.py"})
    out = writer(client).post(planned(paths), body_for)
    [review] = client.submitted
    assert lines_of(review) == [n for n in range(1, 31) if n != bad + 1]
    assert client.pending == [] and [m.finding.path for m in out.moved] == ["gone.py"]
    assert client.writes <= 14 and out.error is None


def test_bisection_with_several_refused_comments() -> None:
    paths = ["a.py", "bad.py", "a.py", "a.py", "bad.py", "a.py", "a.py", "bad.py"]
    client = ScriptedClient({"bad.py"})
    out = writer(client).post(planned(paths), body_for)
    assert sorted(m.finding.path for m in out.moved) == ["bad.py"] * 3
    assert len(out.posted) == 5
    [review] = client.submitted
    assert lines_of(review) == [1, 3, 4, 6, 7] and client.pending == []


def test_all_refused_moves_everything() -> None:
    client = ScriptedClient({"bad.py"})
    out = writer(client).post(planned(["bad.py"] * 3), body_for)
    assert out.posted == [] and len(out.moved) == 3 and out.error
    assert client.reviews == {}


def test_a_spent_budget_still_posts_what_github_accepted() -> None:
    paths = ["a.py"] * 16
    paths[9] = paths[14] = "bad.py"
    client = ScriptedClient({"bad.py"})
    # The whole, then tries: 1-8 accepted, 9-12 refused; one attempt is left, for the review.
    out = writer(client, max_attempts=4).post(planned(paths), body_for)
    assert out.error == "too many refused attempts" and out.attempts == 4
    [review] = client.submitted
    assert client.pending == [] and lines_of(review) == list(range(1, 9))
    assert [f.start_line for f in out.posted] == list(range(1, 9))
    assert [m.finding.start_line for m in out.moved] == list(range(9, 17))
    assert all(m.reason == "not posted: too many refused attempts" for m in out.moved)


def test_a_budget_spent_while_a_try_is_pending_submits_that_try() -> None:
    paths = ["a.py"] * 16
    paths[9] = "bad.py"
    client = ScriptedClient({"bad.py"})
    out = writer(client, max_attempts=3).post(planned(paths), body_for)
    assert client.log == ["POST", "POST pending", "SUBMIT"] and out.attempts == 2
    [review] = client.submitted
    assert lines_of(review) == list(range(1, 9)) and out.error == "too many refused attempts"


def test_a_refusal_that_is_not_422_is_not_bisected() -> None:
    client = ScriptedClient({"a.py"}, status=403)
    out = writer(client).post(planned(["a.py"] * 8), body_for)
    assert client.refused == 1 and len(out.moved) == 8 and out.error
    assert all(m.reason.startswith("not posted") for m in out.moved)


def test_a_422_about_the_commit_is_not_bisected() -> None:
    class StaleHead(ScriptedClient):
        def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
            self.refused += 1
            data = {"message": "Unprocessable Entity", "errors": ["The commitOID is not part"]}
            raise GithubException(422, data, {})

    client = StaleHead(set())
    out = writer(client).post(planned(["a.py"] * 8), body_for)
    assert client.refused == 1 and len(out.moved) == 8


def test_a_failure_while_bisecting_leaves_no_pending_review() -> None:
    class Flaky(ScriptedClient):
        def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
            if self.log.count("POST pending") == 2 and method == "POST":
                self.log.append("POST pending")
                raise GithubException(502, {"message": "Bad Gateway"}, {})
            return super().write(method, path, body)

    paths = ["a.py"] * 8
    paths[6] = "bad.py"
    client = Flaky({"bad.py"})
    out = writer(client).post(planned(paths), body_for)
    assert client.reviews == {} and out.posted == [] and out.error == "Bad Gateway"
    assert all(m.reason == "not posted: Bad Gateway" for m in out.moved) and len(out.moved) == 8


def test_a_crash_at_the_submit_still_deletes_the_try() -> None:
    class Broken(ScriptedClient):
        def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
            if self.pending and method == "POST":
                raise ConnectionError("connection reset")
            return super().write(method, path, body)

    paths = ["a.py"] * 8
    paths[6] = "bad.py"
    client = Broken({"bad.py"})
    with pytest.raises(ConnectionError):
        writer(client).post(planned(paths), body_for)
    assert client.reviews == {} and client.log[-1] == "DELETE"


def test_a_pending_review_left_by_an_earlier_run_is_cleared() -> None:
    client = ScriptedClient(set())
    left = {"id": 99, "state": "PENDING", "body": body_for([]), "comments": []}
    client.reviews[99] = left
    out = writer(client).post(planned(["a.py"] * 3), body_for)
    assert client.log == ["POST", "GET", "DELETE", "POST"]
    [review] = client.submitted
    assert client.pending == [] and len(review["comments"]) == 3 and out.error is None


def test_a_persons_own_draft_is_never_deleted() -> None:
    client = ScriptedClient(set())  # the token is a person's, who has a review in progress
    client.reviews[99] = {"id": 99, "state": "PENDING", "body": "my notes", "comments": []}
    out = writer(client).post(planned(["a.py"] * 3), body_for)
    assert client.log == ["POST", "GET"] and client.reviews[99]["state"] == "PENDING"
    assert out.posted == [] and ONE_PENDING in (out.error or "")
    assert all(m.reason.startswith("not posted") for m in out.moved)


def test_a_try_deleted_under_us_is_posted_anew() -> None:
    class Racing(ScriptedClient):
        def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
            if path.endswith("/events"):  # another run cleared it as a leftover
                self.reviews = {k: r for k, r in self.reviews.items() if r["state"] != "PENDING"}
            return super().write(method, path, body)

    paths = ["a.py"] * 4
    paths[1] = "bad.py"
    client = Racing({"bad.py"})
    out = writer(client).post(planned(paths), body_for)
    [review] = client.submitted
    assert lines_of(review) == [1, 3, 4] and out.error is None and client.log[-1] == "POST"


# -- pacing and rate limits -------------------------------------------------------------------


def exc(status: int, message: str = "", headers: dict[str, str] | None = None) -> Any:
    return GithubException(status, {"message": message}, headers or {})


def test_rate_limit_waits() -> None:
    now = 1_700_000_000.0
    assert rate_limit_wait(exc(403, "x", {"Retry-After": "7"}), 0, now) == 7
    assert rate_limit_wait(exc(429, "", {"retry-after": "3"}), 0, now) == 3
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 30)}
    assert rate_limit_wait(exc(403, "API rate limit exceeded", reset), 0, now) == 31
    secondary = exc(403, "You have exceeded a secondary rate limit.")
    assert rate_limit_wait(secondary, 0, now) == 60
    assert rate_limit_wait(secondary, 2, now) == 240  # growing on each repeat
    assert rate_limit_wait(exc(403, "Resource not accessible by integration"), 0, now) is None
    assert rate_limit_wait(exc(422, "Validation failed"), 0, now) is None
    assert rate_limit_wait(exc(404, "Not Found", {"Retry-After": "5"}), 0, now) is None


class FlakyRequester:
    def __init__(self, failures: list[GithubException]) -> None:
        self.failures = failures
        self.calls: list[tuple[str, str]] = []

    def requestJsonAndCheck(self, method: str, url: str, **_: Any) -> tuple[dict[str, Any], Any]:
        self.calls.append((method, url))
        if self.failures:
            raise self.failures.pop(0)
        return {}, {"id": 1}


def paced(failures: list[GithubException], clock: FakeClock, **kw: Any) -> PacedClient:
    class Gh:
        requester = FlakyRequester(failures)

    return PacedClient(Gh(), sleep=clock.sleep, clock=clock, **kw)  # type: ignore[arg-type]


def test_writes_are_spaced_a_second_apart_reads_are_not() -> None:
    clock = FakeClock()
    client = paced([], clock)
    client.get("/user")
    client.write("POST", "/a", {})
    client.get("/user")
    clock.advance(0.25)
    client.write("POST", "/b", {})
    client.write("POST", "/c", {})
    assert clock.slept == [0.75, 1.0]
    assert (client.counts.reads, client.counts.writes) == (2, 3)


def test_pacing_is_off_only_when_the_environment_says_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert pacing_on({}) and pacing_on({PACING_ENV: "0"}) and pacing_on({PACING_ENV: ""})
    assert not pacing_on({PACING_ENV: " Off "})
    monkeypatch.setenv(PACING_ENV, "off")
    clock = FakeClock()
    client = paced([], clock)
    client.write("POST", "/a", {})
    client.write("POST", "/b", {})
    assert clock.slept == [] and client.counts.writes == 2


def test_secondary_limit_is_waited_out_then_retried() -> None:
    clock = FakeClock()
    limit = exc(403, "You have exceeded a secondary rate limit.", {"Retry-After": "42"})
    client = paced([limit], clock)
    assert client.write("POST", "/a", {}) == {"id": 1}
    assert 42 in clock.slept and client.counts.retries == 1 and client.counts.writes == 2


def test_retries_are_bounded() -> None:
    clock = FakeClock()
    limits = [exc(429, "", {"Retry-After": "1"}) for _ in range(10)]
    client = paced(limits, clock, max_retries=2)
    # A rate limit that held may pass: the job is run again later, when GitHub said.
    with pytest.raises(ForgeUnavailable) as raised:
        client.write("POST", "/a", {})
    assert client.counts.writes == 3 and raised.value.retry_after == 1


def test_a_wait_longer_than_the_cap_is_not_waited() -> None:
    clock = FakeClock()
    client = paced([exc(403, "x", {"Retry-After": "3600"})], clock, max_wait_s=600)
    with pytest.raises(ForgeUnavailable) as raised:
        client.write("POST", "/a", {})
    assert 3600 not in clock.slept and raised.value.retry_after == 3600
