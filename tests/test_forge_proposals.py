"""A branch of generated tests proposed into the reviewed branch: the pull request GitHub
opens and the merge request GitLab opens, and what each refuses, on the fakes that check
as the services do."""

from __future__ import annotations

import pytest

from bot.forges.contract import PublishRefused
from bot.forges.github.publisher import GitHubPublisher
from bot.forges.gitlab.publisher import GitLabPublishers
from bot.forges.gitlab.source import GitLabSource
from tests.fakes.github_server import FakeGitHub
from tests.github_samples import APP_DIFF, BASE, HEAD
from tests.gitlab_samples import PROJECT, api_on, gitlab_with_mr
from tests.test_github_publisher import BOT, REPO, github

BRANCH = "switchyard/tests/7-" + HEAD[:12]
PUSHED = "c" * 40


def test_github_opens_a_pull_request_into_the_reviewed_branch() -> None:
    with FakeGitHub() as fake:
        fake.add_repo(REPO)
        fake.add_pr(REPO, 7, base_sha=BASE, head_sha=HEAD, diff=APP_DIFF, head_ref="feature")
        fake.add_token("app", BOT, type="Bot")
        fake.set_permission(REPO, BOT, "write")
        publisher = GitHubPublisher(github(fake), REPO, 7, HEAD)
        # GitHub knows only branches pushed to it: one it has not seen is `head invalid`.
        with pytest.raises(PublishRefused, match="invalid"):
            publisher.propose(BRANCH, "feature", "Generated tests for #7", "body")
        fake.repo(REPO).branches[BRANCH] = PUSHED
        url = publisher.propose(BRANCH, "feature", "Generated tests for #7", "Tests for #7.")
        created = fake.repo(REPO).pulls[8]
        assert url.endswith(f"/{REPO}/pull/8")
        assert (created.head_ref, created.base_ref, created.head_sha) == (
            BRANCH,
            "feature",
            PUSHED,
        )
        with pytest.raises(PublishRefused, match="already exists"):
            publisher.propose(BRANCH, "feature", "Generated tests for #7", "again")
        fake.assert_no_violations()


def test_gitlab_opens_a_merge_request_into_the_reviewed_branch() -> None:
    with gitlab_with_mr() as fake:
        api, _ = api_on(fake)
        source = GitLabSource(api, PROJECT, 7)
        _, info = source.read_change()
        publisher = GitLabPublishers(source)("tests", info)
        with pytest.raises(PublishRefused, match="does not exist"):
            publisher.propose(BRANCH, info.head_ref, "Generated tests for !7", "body")
        fake.project(PROJECT).branches[BRANCH] = PUSHED
        url = publisher.propose(BRANCH, info.head_ref, "Generated tests for !7", "Tests.")
        [created] = [mr for mr in fake.project(PROJECT).mrs.values() if mr.iid != 7]
        assert (created.source_branch, created.target_branch) == (BRANCH, info.head_ref)
        assert url == created_url(fake, created.iid)
        with pytest.raises(PublishRefused, match="already exists"):
            publisher.propose(BRANCH, info.head_ref, "Generated tests for !7", "again")
        fake.assert_no_problems()


def created_url(fake: object, iid: int) -> str:
    return f"{fake.url}/{PROJECT}/-/merge_requests/{iid}"  # type: ignore[attr-defined]
