"""A pull request's description on GitHub: the body read, Switchyard's block replaced
(bot/describe/body.py), written back with one PATCH, labels added from the allowed set.

Needs `Pull requests: write` (the body and title) and, for labels, `Issues: write`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from github.GithubException import GithubException

from bot.describe.publish import EditResult, Limits, plan_edit
from bot.forges.github.client import github_error
from bot.forges.github.pacing import PacedClient

if TYPE_CHECKING:
    from github import Github

    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description

# GitHub refuses a pull request body past 65,536 characters and a title past 256 (422).
LIMITS = Limits("GitHub", 65536, 256)
_PERMISSION = "Pull requests: write (and Issues: write to add labels)"


def edit_github_description(
    gh: Github, repository: str, number: int, description: Description, cfg: DescribeConfig
) -> EditResult:
    client = PacedClient(gh)
    path = f"/repos/{repository}/pulls/{number}"
    try:
        pr = client.get(path)
        have = [str(x.get("name")) for x in pr.get("labels") or [] if isinstance(x, dict)]
        planned = plan_edit(
            str(pr.get("body") or ""),
            str(pr.get("title") or ""),
            have,
            description,
            cfg,
            LIMITS,
            str(pr.get("html_url") or ""),
        )
        payload = {"body": planned.body, "title": planned.title}
        payload = {k: v for k, v in payload.items() if v is not None}
        if payload:
            client.write("PATCH", path, payload)
        if planned.add_labels:
            labels = {"labels": planned.add_labels}
            client.write("POST", f"/repos/{repository}/issues/{number}/labels", labels)
        return planned.result
    except GithubException as exc:
        action = f"update the description of {repository}#{number}"
        raise github_error(exc, action, permission=_PERMISSION) from None
