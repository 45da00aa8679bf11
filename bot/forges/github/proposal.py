"""A pull request that proposes a branch the bot pushed (the tests task's kept tests) into
the pull request's own head branch. Never a push or a merge into that branch: its author
decides."""

from __future__ import annotations

from github.GithubException import GithubException

from bot.forges.contract import PublishRefused
from bot.forges.github.client import error_text
from bot.forges.github.pacing import PacedClient


def open_pull_request(
    client: PacedClient, repository: str, *, branch: str, base: str, title: str, body: str
) -> str:
    """The new pull request's address. PublishRefused with GitHub's words when it says no
    (the branch is unknown to it, one is open for it already, the token may not)."""
    try:
        created = client.write(
            "POST",
            f"/repos/{repository}/pulls",
            {"title": title, "head": branch, "base": base, "body": body},
        )
    except GithubException as exc:
        raise PublishRefused(error_text(exc)) from None
    return str(created.get("html_url") or created.get("url") or "")
