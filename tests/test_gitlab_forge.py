"""The GitLab door in process, against the fake GitLab through python-gitlab: addresses,
the merge request read as a Change, positions GitLab accepts, publishing (diff notes with
suggestions, refused positions as notes, the sticky note, the status) and its refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.change.model import FileStatus, Side
from bot.errors import ConfigError, IncompleteError, InputError
from bot.findings.model import Severity
from bot.forges import registry
from bot.forges.comment_plan import LineComment
from bot.forges.contract import ChangeRequest
from bot.forges.gitlab.forge import FORGE
from bot.forges.gitlab.publisher import GitLabPublisher, GitLabPublishers
from bot.forges.gitlab.source import GitLabSource
from bot.forges.markers import reply_marker
from bot.forges.publishing import publish
from bot.jobs import Job
from bot.report import RunReport, Summary
from tests.fakes.gitlab_server import REPORTER, FakeGitLab
from tests.github_samples import APP_DIFF, BASE, HEAD, HEAD2, NEW_FILE_DIFF, finding
from tests.gitlab_samples import (
    PROJECT,
    READ_ONLY,
    RENAME_DELETE_BINARY,
    START,
    TOKEN,
    api_on,
    gitlab_with_mr,
)

DIFF = APP_DIFF + NEW_FILE_DIFF


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with gitlab_with_mr(diff=DIFF) as fake:
        yield fake
        fake.assert_no_problems()


def opened(fake: FakeGitLab, token: str = TOKEN) -> tuple[GitLabSource, ChangeRequest, Any]:
    api, clock = api_on(fake, token)
    source = GitLabSource(api, PROJECT, 7)
    _, info = source.read_change()
    return source, info, clock


def report(findings: list[Any] | None = None, **summary: Any) -> RunReport:
    base: dict[str, Any] = {"files_changed": 2, "files_reviewed": 2}
    return RunReport(findings=findings or [], summary=Summary(**{**base, **summary}))


def env(fake: FakeGitLab) -> dict[str, str]:
    return {"GITLAB_URL": fake.url, "GITLAB_TOKEN": TOKEN}


# -- addresses ------------------------------------------------------------------------------


def test_addresses_are_recognised_and_kept_to_gitlab_url() -> None:
    environ = {"GITLAB_URL": "https://git.example.com/gitlab/"}
    forge, ref = registry.recognise(
        "https://git.example.com/gitlab/acme/platform/api/-/merge_requests/7/diffs", environ
    )
    assert forge.name == "gitlab"
    assert (ref.api_url, ref.repository, ref.number, ref.label) == (
        "https://git.example.com/gitlab", "acme/platform/api", 7, "acme/platform/api!7",
    )  # fmt: skip
    assert registry.recognise("acme/api!3", {})[1].api_url == "https://gitlab.com"
    assert registry.recognise("acme/api#3", {})[0].name == "github"
    # GITLAB_TOKEN belongs to GITLAB_URL: an address elsewhere is refused, not followed.
    with pytest.raises(InputError, match=r"is not on https://gitlab\.com"):
        registry.recognise("https://evil.example/acme/api/-/merge_requests/1", {})
    for bad in ("https://gitlab.com/acme/-/merge_requests/1", "https://gitlab.com/a/b/-/issues/1"):
        with pytest.raises(InputError, match="not a merge request"):
            registry.recognise(bad, {})
    with pytest.raises(ConfigError, match="GITLAB_URL"):
        FORGE.parse_ref("acme/api!3", {"GITLAB_URL": "gitlab.example.com"})


# -- the source -----------------------------------------------------------------------------


def test_the_merge_request_is_read_as_a_change(fake: FakeGitLab) -> None:
    fake.add_mr(PROJECT, 8, base_sha=BASE, head_sha=HEAD2, start_sha=START, draft=True,
                labels=["backend"], diff=DIFF + RENAME_DELETE_BINARY)  # fmt: skip
    fake.hide_diff(PROJECT, 8, "new.py")
    fake.set_file(PROJECT, BASE, "old_name.py", "a = 1\nb = 2\n")
    fake.set_file(PROJECT, HEAD2, "new_name.py", "a = 1\nb = 3\n")
    api, _ = api_on(fake)
    change, info = GitLabSource(api, PROJECT, 8).read_change()
    by_path = {f.path: f for f in change.files}
    assert {p: f.status for p, f in by_path.items()} == {
        "app.py": FileStatus.MODIFIED,
        "new_name.py": FileStatus.RENAMED,
        "gone.py": FileStatus.DELETED,
        "logo.png": FileStatus.ADDED,
    }
    assert by_path["new_name.py"].old_path == "old_name.py"
    assert by_path["logo.png"].binary and not by_path["logo.png"].hunks
    assert [(h.old_start, h.new_start) for h in by_path["app.py"].hunks] == [(1, 1)]
    assert [(s.path, s.reason) for s in change.skipped] == [
        ("new.py", "GitLab sent no diff: too large to show")
    ]
    # Old lines are read at the merge base, new ones at the head, a rename by its old name.
    assert change.load_content is not None
    assert change.load_content("new_name.py", Side.LEFT) == "a = 1\nb = 2\n"
    assert change.load_content("new_name.py", Side.RIGHT) == "a = 1\nb = 3\n"
    assert (info.draft, info.labels, info.ref_kind, info.number) == (True, ("backend",), "mr", 8)
    assert (info.base_sha, info.head_sha, info.base_ref) == (START, HEAD2, "main")


def test_after_a_push_only_what_changed_since_is_reviewed(fake: FakeGitLab) -> None:
    source, _, _ = opened(fake)
    more = NEW_FILE_DIFF.replace("new.py", "more.py")
    fake.push(PROJECT, 7, HEAD2, DIFF + more, since_diff=more)
    assert source.changed_since(HEAD, HEAD2) == {"more.py"}
    assert source.changed_since("e" * 40, HEAD2) is None  # no version GitLab recorded
    fake.push(PROJECT, 7, "f" * 40, DIFF, force=True)
    assert source.changed_since(HEAD2, "f" * 40) is None  # not an ancestor: all again


def test_rule_files_are_read_from_the_target_branch(fake: FakeGitLab, tmp_path: Path) -> None:
    fake.set_file(PROJECT, "main", "ci/semgrep/a.yml", "rules: [a]\n")
    fake.set_file(PROJECT, "main", "ci/semgrep/deep/b.yaml", "rules: [b]\n")
    fake.set_file(PROJECT, "main", "ci/semgrep/README.md", "not a rule\n")
    fake.set_file(PROJECT, "main", "house.yml", "rules: [h]\n")
    fake.set_file(PROJECT, HEAD, "house.yml", "rules: []\n")  # the head's copy never counts
    source, _, _ = opened(fake)
    rules = ["ci/semgrep/", "house.yml", "gone.yml", "../etc/passwd"]
    fetched = source.rule_files("main", rules, tmp_path)
    assert fetched.paths == [tmp_path / "ci/semgrep", tmp_path / "house.yml"]
    assert (tmp_path / "ci/semgrep/deep/b.yaml").read_text() == "rules: [b]\n"
    assert not (tmp_path / "ci/semgrep/README.md").exists()
    assert (tmp_path / "house.yml").read_text() == "rules: [h]\n"
    assert any("gone.yml does not exist on main" in n for n in fetched.notes)
    assert any("'../etc/passwd' is not a file" in n for n in fetched.notes)


# -- publishing -----------------------------------------------------------------------------


def publisher(fake: FakeGitLab, token: str = TOKEN) -> tuple[GitLabPublisher, Any]:
    source, info, clock = opened(fake, token)
    return GitLabPublishers(source)("review", info), clock


def post(p: GitLabPublisher, *findings: Any) -> Any:
    comments = [LineComment(f, p.comment_body(f)) for f in findings]
    return p.post_review(comments, lambda posted: "")


def test_each_line_comment_is_a_diff_note_gitlab_places(fake: FakeGitLab) -> None:
    p, _ = publisher(fake)
    added = finding(start_line=2, end_line=2, suggestion="x = 1", fingerprint="fp-added")
    context = finding(start_line=4, end_line=4, fingerprint="fp-context")  # old 3, new 4
    removed = finding(start_line=2, end_line=2, side=Side.LEFT, fingerprint="fp-removed")
    ranged = finding(start_line=2, end_line=3, suggestion="x = 1\ny = 4", fingerprint="fp-range")
    out = post(p, added, context, removed, ranged)
    assert (out.error, out.refused, len(out.posted), out.moved) == (None, 0, 4, [])
    notes = [d.notes[0] for d in fake.mr(PROJECT, 7).discussions]
    where = [(n.position["old_line"], n.position["new_line"]) for n in notes]
    assert where == [(None, 2), (3, 4), (2, None), (None, 3)]
    assert notes[0].position["head_sha"] == HEAD and notes[0].position["start_sha"] == START
    assert "```suggestion:-0+0\nx = 1\n```" in notes[0].body
    assert "```suggestion:-1+0\nx = 1\ny = 4\n```" in notes[3].body  # from line 3, 1 above
    assert notes[3].position["line_range"]["start"]["type"] == "new"
    assert out.web_url == f"{fake.url}/{PROJECT}/-/merge_requests/7#note_{notes[0].id}"


def test_a_refused_position_becomes_a_note_that_names_the_line(fake: FakeGitLab) -> None:
    p, _ = publisher(fake)
    stray = finding(start_line=9, end_line=9, suggestion="z = 0", fingerprint="fp-stray")
    good = finding(start_line=2, end_line=2, fingerprint="fp-good")
    out = post(p, stray, good)
    assert (out.refused, len(out.posted), out.moved, out.error) == (1, 2, [], None)
    first, second = (d.notes[0] for d in fake.mr(PROJECT, 7).discussions)
    assert first.position is None and first.body.startswith("<!-- switchyard:fp=fp-stray -->\n")
    assert "On `app.py` line 9: GitLab would not place this comment" in first.body
    assert "suggestion:" not in first.body and "z = 0" in first.body  # shown, not committable
    assert second.position is not None
    # The next run knows both by their fingerprints: nothing is posted twice.
    assert p.read_state().fingerprints == {"fp-stray", "fp-good"}


def test_the_summary_is_one_note_edited_in_place(fake: FakeGitLab) -> None:
    p, _ = publisher(fake)
    first = publish(p, report([finding(start_line=2, end_line=2, fingerprint="fp-a")]))
    assert first.ok and first.comments_posted == 1 and first.status == "success"
    p2, _ = publisher(fake)
    fake.push(PROJECT, 7, HEAD2, DIFF, since_diff="")
    again = publish(p2, report([finding(start_line=2, end_line=2, fingerprint="fp-a")]))
    assert again.repeated == 1 and again.comments_posted == 0
    assert again.summary_comment_id == first.summary_comment_id
    mr = fake.mr(PROJECT, 7)
    assert len(mr.plain_notes) == 1 and len(mr.diff_notes) == 1
    assert fake.count("PUT", r"/notes/\d+$") == 1
    prior = GitLabPublishers(opened(fake)[0])("review", opened(fake)[1]).read_state()
    assert prior.last_head_sha == HEAD and prior.summary is not None


def test_a_persons_note_that_quotes_a_marker_is_not_the_bots(fake: FakeGitLab) -> None:
    fake.add_token("glpat-mallory", "mallory")
    fake.set_member(PROJECT, "mallory", REPORTER)
    mallory, _ = publisher(fake, "glpat-mallory")
    mallory.write_summary("<!-- switchyard:summary task=review head=" + "a" * 40 + " -->\n", None)
    p, _ = publisher(fake)
    prior = p.read_state()
    assert prior.summary is None and prior.last_head_sha is None


def test_an_answer_is_known_by_its_reply_marker_on_a_note_of_the_bots_own(
    fake: FakeGitLab,
) -> None:
    """A job run again asks whether its /ask answer is there: the bot's note with the
    delivery's marker is; the same marker quoted by a person, or another delivery, is not."""
    marker = reply_marker("ask", "d-41")
    fake.add_token("glpat-mallory", "mallory")
    fake.set_member(PROJECT, "mallory", REPORTER)
    mallory, _ = publisher(fake, "glpat-mallory")
    mallory.write_summary(f"{marker}\nquoted by a person", None)
    p, _ = publisher(fake)
    assert not p.replied("ask", "d-41")
    p.write_summary(f"{marker}\n> what does x do?\n\nIt sets x.\n", None)
    assert p.replied("ask", "d-41")
    assert not p.replied("ask", "d-42") and not p.replied("analyze", "d-41")


@pytest.mark.parametrize(
    ("summary", "state"),
    [
        ({}, "success"),
        ({"fail_on": Severity.MINOR, "gate_failed": True}, "failed"),
        ({"complete": False}, "canceled"),
        ({"files_reviewed": 0}, "success"),
    ],
)
def test_the_status_says_the_verdict(fake: FakeGitLab, summary: dict[str, Any], state: str) -> None:
    p, _ = publisher(fake)
    prior = p.read_state()
    out = p.write_status(report(**summary), "http://x/#note_1", prior)
    assert (out.status_state, out.errors) == (state, [])
    [status] = fake.project(PROJECT).statuses
    assert (status.name, status.status, status.sha, status.ref) == (
        "switchyard/review", state, HEAD, "feature",
    )  # fmt: skip
    assert status.target_url == "http://x/#note_1"


@pytest.mark.parametrize(
    ("summary", "state", "title"),
    [
        ({}, "success", "No findings"),
        ({"fail_on": Severity.MINOR, "gate_failed": True}, "failed", "Failed"),
        ({"complete": False}, "canceled", "Incomplete review"),
        ({"files_reviewed": 0}, "success", "Nothing reviewed"),
    ],
)
def test_a_started_status_moves_on_to_the_verdict_in_place(
    fake: FakeGitLab, summary: dict[str, Any], state: str, title: str
) -> None:
    """GitLab lets a running status become success, failed or canceled only: the outcome
    must be one of those, or the status says "Running" for ever (issue 12)."""
    p, _ = publisher(fake)
    prior = p.read_state()
    p.write_started(prior)
    p.write_started(prior)  # a job run again: GitLab refuses to run it twice
    out = p.write_status(report(**summary), None, prior)
    assert (out.status_state, out.errors) == (state, [])
    [status] = fake.project(PROJECT).statuses
    assert status.status == state and status.description.startswith(title)


def test_the_status_joins_the_head_pipeline(fake: FakeGitLab) -> None:
    pipeline = fake.add_pipeline(PROJECT, HEAD, "feature", source="merge_request_event")
    p, _ = publisher(fake)
    p.write_status(report(), None, p.read_state())
    [status] = fake.project(PROJECT).statuses
    assert status.pipeline_id == pipeline


def test_a_read_only_token_reviews_and_posts_nothing(fake: FakeGitLab) -> None:
    p, _ = publisher(fake, READ_ONLY)
    result = publish(p, report([finding(start_line=2, end_line=2, fingerprint="fp-a")]))
    assert isinstance(result.failure, ConfigError)
    assert "not allowed to" in result.failure.message and "insufficient_scope" in (
        result.failure.message
    )
    assert "api scope" in (result.failure.hint or "")
    assert result.moved_to_summary == 1 and result.status is None
    assert fake.writes() and len(fake.writes()) == 1  # the first refusal stops the others
    assert fake.mr(PROJECT, 7).discussions == []


def test_a_rate_limit_is_waited_out_or_reported(fake: FakeGitLab) -> None:
    fake.rate_limit("POST", r"/discussions$", retry_after=7)
    p, clock = publisher(fake)
    out = post(p, finding(start_line=2, end_line=2))
    assert len(out.posted) == 1 and clock.slept == [7.0] and p.counts.retries == 1
    fake.rate_limit("POST", r"/notes$", retry_after=5, times=4)
    p2, clock2 = publisher(fake)
    result = publish(p2, report())
    assert isinstance(result.failure, IncompleteError)
    assert "rate limit held after 4 tries" in result.failure.message
    assert clock2.slept == [5.0, 5.0, 5.0] and result.status is None
    fake.rate_limit("POST", r"/notes$", retry_after=3600)
    p3, clock3 = publisher(fake)
    assert isinstance(publish(p3, report()).failure, IncompleteError)
    assert clock3.slept == []  # longer than a run waits: reported at once


# -- the forge ------------------------------------------------------------------------------


def test_a_job_opens_through_the_forge_and_commands_need_a_developer(fake: FakeGitLab) -> None:
    environ = env(fake)
    job = Job("gitlab", PROJECT, 7, head_sha=HEAD, api_url=fake.url)
    assert FORGE.open_job(job, environ) is not None
    elsewhere = Job("gitlab", PROJECT, 7, head_sha=HEAD)  # Job's default is GitHub's API
    assert FORGE.open_job(elsewhere, environ) is None
    fake.set_member(PROJECT, "rita", REPORTER)
    command = Job("gitlab", PROJECT, 7, head_sha=HEAD, trigger="comment", requester="rita",
                  api_url=fake.url, extra={"user_id": fake.user("rita").id})  # fmt: skip
    assert FORGE.open_job(command, environ) is None
    assert FORGE.credentials_problem(environ) is None
    assert "GITLAB_TOKEN" in (FORGE.credentials_problem({}) or "")
    assert FORGE.webhook({}) is None
