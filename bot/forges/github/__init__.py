"""GitHub: a PyGithub client, pull requests as Changes, settings from the base branch."""

from bot.forges.github.client import github_app_client, github_client, github_error
from bot.forges.github.pr_url import PullRequestRef, parse_pr_ref
from bot.forges.github.source import change_from_github, repo_config_from_base

__all__ = [
    "PullRequestRef",
    "change_from_github",
    "github_app_client",
    "github_client",
    "github_error",
    "parse_pr_ref",
    "repo_config_from_base",
]
