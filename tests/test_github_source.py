"""Pull requests as Changes, settings from the base branch, the client and PR addresses."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from github import Github

from bot.change.filters import apply_filters
from bot.change.model import Change, FileStatus, Side, SkippedFile
from bot.change.parse import parse_diff
from bot.config.model import FilterConfig
from bot.errors import ConfigError, IncompleteError, InputError
from bot.forges.github import (
    change_from_github,
    github_client,
    parse_pr_ref,
    repo_config_from_base,
)
from tests.fakes.github_server import FakeGitHub
from tests.fakes.http_base import unused_port
from tests.test_fake_github import BASE, DIFF, HEAD, many_files_diff

REPO = "acme/api"


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo(REPO)
        server.add_token("tok", "bot")
        server.add_pr(REPO, 42, base_sha=BASE, head_sha=HEAD, diff=DIFF, title="Fix", body="b")
        yield server


def gh_for(fake: FakeGitHub, token: str = "tok") -> Github:
    return github_client(token, fake.base_url, pace=False, max_wait_s=5)


def shape(change: Change) -> list[tuple[str, str | None, FileStatus, list[object]]]:
    return [(f.path, f.old_path, f.status, f.hunks) for f in change.files]


def expected(
    diff: str, filters: FilterConfig | None = None
) -> tuple[list[tuple[str, str | None, FileStatus, list[object]]], list[SkippedFile]]:
    kept, skipped = apply_filters(parse_diff(diff, "patch"), filters or FilterConfig())
    return [(f.path, f.old_path, f.status, f.hunks) for f in kept], skipped


def test_change_matches_parse_diff_of_the_same_diff(fake: FakeGitHub) -> None:
    change, info = change_from_github(gh_for(fake), REPO, 42, FilterConfig())
    files, skipped = expected(DIFF)
    assert shape(change) == files
    assert change.skipped == skipped
    assert change.source == "github acme/api#42"
    assert (change.base_sha, change.head_sha) == (BASE, HEAD)
    assert (info.title, info.body, info.author, info.fork) == ("Fix", "b", "alice", False)
    renamed = next(f for f in change.files if f.path == "new.txt")
    assert (renamed.status, renamed.old_path) == (FileStatus.RENAMED, "old.txt")
    assert any(s.path == "logo.png" and s.reason == "binary file" for s in change.skipped)
    fake.assert_no_violations()


def test_content_is_loaded_lazily_at_merge_base_and_head(fake: FakeGitHub) -> None:
    fake.set_file(REPO, HEAD, "new.txt", "b\n")
    fake.set_file(REPO, BASE, "old.txt", "a\n")
    change, _ = change_from_github(gh_for(fake), REPO, 42, FilterConfig())
    before = fake.count("GET", "/contents/")
    assert before == 0
    assert change.load_content is not None
    assert change.load_content("new.txt", Side.RIGHT) == "b\n"
    assert change.load_content("new.txt", Side.LEFT) == "a\n"  # read by its old name
    assert change.load_content("new.txt", Side.LEFT) == "a\n"
    assert change.load_content("src/app.py", Side.RIGHT) is None  # absent
    assert fake.count("GET", "/contents/") == 3  # cached
    fake.assert_no_violations()


def test_fork_pull_request(fake: FakeGitHub) -> None:
    fake.add_pr(
        REPO, 5, base_sha=BASE, head_sha="c" * 40, diff=DIFF, user="mallory", fork=True,
        labels=["bug"], draft=True,
    )  # fmt: skip
    _, info = change_from_github(gh_for(fake), REPO, 5, FilterConfig())
    assert info.fork is True
    assert info.head_repo == "mallory/api"
    assert (info.labels, info.draft, info.author) == (("bug",), True, "mallory")


@pytest.mark.parametrize(("files", "lines"), [(320, 2), (3, 7000)])
def test_too_large_diff_falls_back_to_the_files_list(
    fake: FakeGitHub, files: int, lines: int
) -> None:
    diff = many_files_diff(files, lines)
    fake.add_pr(REPO, 7, base_sha=BASE, head_sha="c" * 40, diff=diff)
    filters = FilterConfig(max_file_changed_lines=10**6)
    change, _ = change_from_github(gh_for(fake), REPO, 7, filters)
    assert shape(change) == expected(diff, filters)[0]
    assert fake.count("GET", r"/pulls/7/files") == -(-files // 100)
    fake.assert_no_violations()


def test_fallback_lists_renames_and_files_without_patch(fake: FakeGitHub) -> None:
    diff = DIFF + many_files_diff(301)
    fake.add_pr(REPO, 8, base_sha=BASE, head_sha="c" * 40, diff=diff)
    change, _ = change_from_github(gh_for(fake), REPO, 8, FilterConfig())
    by_path = {f.path: f for f in change.files}
    assert (by_path["new.txt"].status, by_path["new.txt"].old_path) == (
        FileStatus.RENAMED,
        "old.txt",
    )
    assert by_path["src/app.py"].hunks == parse_diff(DIFF, "p")[0].hunks
    reasons = {s.path: s.reason for s in change.skipped}
    assert "binary" in reasons["logo.png"]
    assert len(change.files) == 303


def test_config_is_read_from_the_base_branch(fake: FakeGitHub) -> None:
    fake.set_file(REPO, "main", ".switchyard.yml", "fail_on: high\n")
    # The PR's head loosens the policy; it must not count.
    fake.set_file(REPO, HEAD, ".switchyard.yml", "fail_on: none\n")
    fake.set_file(REPO, "feature", ".switchyard.yml", "fail_on: none\n")
    gh = gh_for(fake)
    _, info = change_from_github(gh, REPO, 42, FilterConfig())
    assert repo_config_from_base(gh, REPO, info.base_ref) == {"fail_on": "high"}
    assert all(r.query.get("ref") == "main" for r in fake.gh_requests() if "/contents/" in r.path)


def test_config_absent_both_names_and_invalid(fake: FakeGitHub) -> None:
    gh = gh_for(fake)
    assert repo_config_from_base(gh, REPO, "main") is None
    fake.set_file(REPO, "main", ".switchyard.yaml", "a: 1\na: 2\n")
    with pytest.raises(ConfigError, match=r"\.switchyard\.yaml \(acme/api@main\):2:1"):
        repo_config_from_base(gh, REPO, "main")
    fake.set_file(REPO, "main", ".switchyard.yml", "{}\n")
    with pytest.raises(ConfigError, match="keep one"):
        repo_config_from_base(gh, REPO, "main")


def test_missing_pull_request_is_a_clear_error(fake: FakeGitHub) -> None:
    with pytest.raises(InputError) as caught:
        change_from_github(gh_for(fake), REPO, 999, FilterConfig())
    assert "acme/api#999" in caught.value.message
    assert "404" in (caught.value.hint or "")


def test_bad_token_and_forbidden(fake: FakeGitHub) -> None:
    with pytest.raises(ConfigError, match="rejected the GitHub token"):
        change_from_github(gh_for(fake, "wrong"), REPO, 42, FilterConfig())
    fake.fail_next("GET", r"/pulls/42$", 403, INTEGRATION_FORBIDDEN_BODY)
    with pytest.raises(ConfigError) as caught:
        change_from_github(gh_for(fake), REPO, 42, FilterConfig())
    assert "Pull requests: read" in (caught.value.hint or "")


INTEGRATION_FORBIDDEN_BODY = {"message": "Resource not accessible by integration"}


def test_network_failure_is_incomplete() -> None:
    gh = github_client("tok", f"http://127.0.0.1:{unused_port()}", pace=False, retries=0)
    with pytest.raises(IncompleteError, match="did not answer"):
        change_from_github(gh, REPO, 1, FilterConfig())


def test_secondary_rate_limit_is_waited_out(fake: FakeGitHub) -> None:
    fake.fail_secondary_rate_limit("GET", r"/pulls/42$", retry_after=1)
    start = time.monotonic()
    change, _ = change_from_github(gh_for(fake), REPO, 42, FilterConfig())
    assert time.monotonic() - start >= 0.9
    assert change.files


def test_rate_limit_wait_beyond_the_bound_gives_up(fake: FakeGitHub) -> None:
    fake.fail_secondary_rate_limit("GET", r"/pulls/42$", retry_after=3600)
    with pytest.raises(IncompleteError, match="rate limit"):
        change_from_github(gh_for(fake), REPO, 42, FilterConfig())


def test_writes_are_not_resent_after_a_server_error(fake: FakeGitHub) -> None:
    fake.set_permission(REPO, "bot", "write")
    fake.fail_next("POST", r"/issues/42/comments$", 502)
    pr = gh_for(fake).get_repo(REPO).get_pull(42)
    with pytest.raises(Exception, match="502"):
        pr.create_issue_comment("once")
    assert fake.count("POST", r"/issues/42/comments$") == 1


def test_ghes_base_url() -> None:
    with FakeGitHub(api_prefix="/api/v3") as fake:
        fake.add_token("tok", "bot")
        fake.add_pr(REPO, 3, base_sha=BASE, head_sha=HEAD, diff=DIFF)
        fake.set_file(REPO, "main", ".switchyard.yml", "fail_on: low\n")
        gh = gh_for(fake)
        change, info = change_from_github(gh, REPO, 3, FilterConfig())
        assert info.head_sha == HEAD and change.files
        assert repo_config_from_base(gh, REPO, "main") == {"fail_on": "low"}
        fake.assert_no_violations()


@pytest.mark.parametrize(
    ("text", "api", "repo", "number"),
    [
        ("https://github.com/acme/api/pull/42", "https://api.github.com", REPO, 42),
        ("https://github.com/acme/api/pull/42/files#diff-1", "https://api.github.com", REPO, 42),
        ("https://ghe.example.com/acme/api/pull/7", "https://ghe.example.com/api/v3", REPO, 7),
        ("https://octo.ghe.com/acme/api/pull/7", "https://api.octo.ghe.com", REPO, 7),
        ("https://api.github.com/repos/acme/api/pulls/9", "https://api.github.com", REPO, 9),
        ("acme/my.repo#12", "https://api.github.com", "acme/my.repo", 12),
    ],
)
def test_pr_addresses(text: str, api: str, repo: str, number: int) -> None:
    assert tuple(parse_pr_ref(text)) == (api, repo, number)


@pytest.mark.parametrize(
    "text", ["", "acme/api", "acme/api#x", "https://github.com/acme/api", "ftp://x/a/b/pull/1"]
)
def test_bad_pr_addresses(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_pr_ref(text)
    assert "OWNER/REPO" in (caught.value.hint or "")


def test_issue_address_is_named_as_such() -> None:
    with pytest.raises(InputError, match="is an issue"):
        parse_pr_ref("https://github.com/acme/api/issues/3")


def test_empty_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no GitHub token"):
        github_client("  ")
