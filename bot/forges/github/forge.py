"""GitHub as the registry knows it (bot/forges/forge.py): its addresses, its credentials,
its webhook.

Credentials come from the environment: for `review --pr`, GITHUB_TOKEN (or GH_TOKEN); for
the worker, a GitHub App (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, an installation token
per job) or a plain GITHUB_TOKEN. A slash command runs only for someone with write access
to the repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.errors import ConfigError
from bot.forges.forge import ChangeRef, Opened
from bot.forges.github import pr_url
from bot.forges.github.webhook import SECRET_ENV, GitHubWebhook
from bot.jobs import Job

if TYPE_CHECKING:
    from github import Github

    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description
    from bot.describe.publish import EditResult
    from bot.forges.contract import ChangeSource


NAME = "github"
_NO_WORKER_CREDENTIALS = (
    "neither GITHUB_APP_ID/GITHUB_APP_PRIVATE_KEY nor GITHUB_TOKEN is set: "
    "workers will not be able to reach GitHub"
)


class GitHubForge:
    name = NAME
    address_example = pr_url.EXAMPLE
    webhook_secret_env = SECRET_ENV

    def claims(self, address: str) -> bool:
        return pr_url.claims(address)

    def parse_ref(self, address: str, environ: Mapping[str, str]) -> ChangeRef:
        default_api = environ.get("GITHUB_API_URL") or pr_url.DEFAULT_API_URL
        ref = pr_url.parse_pr_ref(address, api_url=default_api)
        return ChangeRef(NAME, ref.api_url, ref.repository, ref.number)

    def open_ref(self, ref: ChangeRef, environ: Mapping[str, str]) -> Opened:
        from bot.forges.github.client import github_client

        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN")
        if not token:
            raise ConfigError(
                "reading a pull request needs a token",
                hint="set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})",
            )
        return _opened(github_client(token, ref.api_url), ref.repository, ref.number)

    def open_job(self, job: Job, environ: Mapping[str, str]) -> Opened | None:
        from bot.forges.github.app_auth import token_source_from_environ
        from bot.forges.github.client import github_client
        from bot.forges.github.permissions import CommandGuard

        tokens = token_source_from_environ(environ)
        if tokens is None:
            raise ConfigError(
                "the worker has no GitHub credentials",
                hint="set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
            )
        if job.trigger == "comment" and not CommandGuard(tokens).allowed(job):
            return None  # logged and answered on the pull request (permissions.py)
        gh = github_client(tokens.token(job.installation_id), job.api_url)
        return _opened(gh, job.repository, job.number)

    def webhook(self, environ: Mapping[str, str]) -> GitHubWebhook | None:
        if not environ.get(SECRET_ENV):
            return None
        return GitHubWebhook.from_environ(environ)

    def credentials_problem(self, environ: Mapping[str, str]) -> str | None:
        from bot.forges.github.app_auth import token_source_from_environ

        # The server itself never calls GitHub, but a bad key should stop it now rather
        # than every job in the worker later.
        return _NO_WORKER_CREDENTIALS if token_source_from_environ(environ) is None else None

    def edit_description(
        self, source: ChangeSource, description: Description, cfg: DescribeConfig
    ) -> EditResult:
        from bot.forges.github.change_source import GitHubSource
        from bot.forges.github.description import edit_github_description

        if not isinstance(source, GitHubSource):
            raise TypeError(f"not a GitHub pull request: {type(source).__name__}")
        return edit_github_description(
            source.gh, source.repository, source.number, description, cfg
        )


def _opened(gh: Github, repository: str, number: int) -> Opened:
    from bot.forges.github.change_source import GitHubSource
    from bot.forges.github.door import GitHubPublishers

    return Opened(GitHubSource(gh, repository, number), GitHubPublishers(gh))


FORGE = GitHubForge()
