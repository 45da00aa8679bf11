"""A merge request that proposes a branch the bot pushed (the tests task's kept tests) into
the merge request's own source branch. Never a push or a merge into that branch: its
author decides."""

from __future__ import annotations

from gitlab.exceptions import GitlabError

from bot.forges.contract import PublishRefused
from bot.forges.gitlab.client import error_text
from bot.forges.gitlab.source import GitLabSource


def open_merge_request(
    source: GitLabSource, *, branch: str, target: str, title: str, body: str
) -> str:
    """The new merge request's address. PublishRefused with GitLab's words when it says no
    (a branch it does not have, one open for it already, the token may not)."""
    try:
        created = source.project().mergerequests.create(
            {
                "source_branch": branch,
                "target_branch": target,
                "title": title,
                "description": body,
                "remove_source_branch": True,
            }
        )
    except GitlabError as exc:
        raise PublishRefused(error_text(exc)) from None
    return str(getattr(created, "web_url", "") or "")
