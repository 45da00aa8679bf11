"""A merge request's description on GitLab: read, Switchyard's block replaced
(bot/describe/body.py), written back with one PUT (labels added in the same request).

Needs a token with the api scope and the Developer role (or the merge request's author).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gitlab.exceptions import GitlabError

from bot.describe.publish import EditResult, Limits, plan_edit
from bot.forges.gitlab.client import NETWORK_ERRORS, GitLabAPI, gitlab_error

if TYPE_CHECKING:
    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description

# GitLab refuses a description past 1,048,576 characters and a title past 255 (400).
LIMITS = Limits("GitLab", 1_048_576, 255)


def edit_gitlab_description(
    api: GitLabAPI, project: str, iid: int, description: Description, cfg: DescribeConfig
) -> EditResult:
    path = f"/projects/{quote(project, safe='')}/merge_requests/{iid}"
    try:
        mr: Any = api.gl.http_get(path)
        planned = plan_edit(
            str(mr.get("description") or ""),
            str(mr.get("title") or ""),
            [str(x) for x in mr.get("labels") or []],
            description,
            cfg,
            LIMITS,
            str(mr.get("web_url") or ""),
        )
        payload = {
            "description": planned.body,
            "title": planned.title,
            "add_labels": ",".join(planned.add_labels) or None,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        if payload:
            api.gl.http_put(path, post_data=payload)
        return planned.result
    except (GitlabError, *NETWORK_ERRORS) as exc:
        action = f"update the description of {project}!{iid}"
        need = "the api scope and the Developer role"
        raise gitlab_error(exc, action, url=api.url, need=need) from None
