"""The run's verdict on the head commit as a GitLab commit status, `switchyard/<task>`.

A run shows itself `running` when it starts (Publisher.write_started), and its outcome
moves that status on, in place. GitLab's state machine allows a running status to become
`success`, `failed` or `canceled` only (not `pending`, not `skipped`), so the shared
verdict (bot/forges/verdict.py) is said as: success -> `success`; failure -> `failed`; an
incomplete review -> `canceled` (grey, never green: "pipelines must succeed" waits for the
next run, which finishes it); nothing reviewed (every file skipped) -> `success`, its
description saying so, as GitHub counts `neutral` as passing.

The status joins the merge request's head pipeline when it has one for the head commit (in
CI, the pipeline running this job), so it shows with the pipeline's jobs; else GitLab
makes an external pipeline for it, on the source branch (or, for a fork, the merge
request's own ref, the only one the target project has for that commit). GitLab refuses to
set `running` on a status that runs already (a job run again after its worker died): that
refusal means the status already says it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.forges.gitlab.source import MergeRequestFacts
from bot.forges.markers import task_slug
from bot.forges.verdict import Verdict
from bot.report import RunReport

MAX_DESCRIPTION = 140
_STATES = {"success": "success", "failure": "failed"}
_ALREADY = re.compile(r"Cannot transition status via :(enqueue|run) from :(pending|running)")


def status_name(task: str) -> str:
    return f"switchyard/{task_slug(task)}"


def status_state(report: RunReport, v: Verdict) -> str:
    if v.conclusion in _STATES:
        return _STATES[v.conclusion]
    return "canceled" if not report.summary.complete else "success"


def status_request(
    facts: MergeRequestFacts, task: str, state: str, title: str, target_url: str | None
) -> dict[str, Any]:
    """The body of POST /projects/:id/statuses/:sha for the head commit."""
    description = title if len(title) <= MAX_DESCRIPTION else title[: MAX_DESCRIPTION - 1] + "…"
    body: dict[str, Any] = {"state": state, "name": status_name(task), "description": description}
    if target_url:
        body["target_url"] = target_url
    pipeline = facts.head_pipeline
    if pipeline is not None and pipeline[1] == facts.refs.head_sha:
        body["pipeline_id"] = pipeline[0]
    elif facts.fork:
        body["ref"] = f"refs/merge-requests/{facts.iid}/head"
    else:
        body["ref"] = facts.source_branch
    return body


def already_set(message: str, state: str) -> bool:
    """Whether GitLab's 400 says the status is in `state` already."""
    found = _ALREADY.search(message)
    return found is not None and found.group(2) == state
