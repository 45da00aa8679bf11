"""A pull request as the door's source and publishers, and the door run on it.

The run itself is the forge-neutral one (bot/forges/door.py); here is only what makes it
GitHub's: a PyGithub client, and one publisher per task that learns the bot's login from
the first and hands it to the next (an App's token may not ask GitHub who it is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.forges.door import ChangeRun, run_change_request
from bot.forges.github.change_source import GitHubSource
from bot.forges.github.publisher import GitHubPublisher

if TYPE_CHECKING:
    from github import Github

    from bot.forges.contract import ChangeRequest


class GitHubPublishers:
    """The publisher for each task of one run on one pull request."""

    def __init__(self, gh: Github, *, login: str | None = None) -> None:
        self.gh = gh
        self.login = login
        self._last: GitHubPublisher | None = None

    def __call__(self, task: str, info: ChangeRequest) -> GitHubPublisher:
        if self._last is not None:
            self.login = self.login or self._last.login  # the next task need not ask
        self._last = GitHubPublisher(
            self.gh, info.repository, info.number, info.head_sha, task=task, login=self.login
        )
        return self._last


def run_pull_request(
    gh: Github, repository: str, number: int, *, login: str | None = None, **options: Any
) -> list[ChangeRun]:
    """The door on pull request `repository#number`; `options` are run_change_request's
    (tasks, config_path, environ, publish, ...)."""
    return run_change_request(
        GitHubSource(gh, repository, number), GitHubPublishers(gh, login=login), **options
    )
