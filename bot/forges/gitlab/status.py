"""The run's verdict on the head commit as a GitLab commit status, `switchyard/<task>`.

The conclusion is the shared verdict (bot/forges/verdict.py); GitLab's states say it as:
success -> `success`, failure -> `failed`, and the grey cases, never green: an incomplete
review -> `pending` (the next run finishes it; "pipelines must succeed" waits for it),
nothing reviewed (every file skipped) -> `skipped`.

The status joins the merge request's head pipeline when it has one for the head commit (in
CI, the pipeline running this job), so it shows with the pipeline's jobs; else GitLab
makes an external pipeline for it, on the source branch (or, for a fork, the merge
request's own ref, the only one the target project has for that commit). GitLab updates a
pending status of the same name in place and refuses to set `pending` on one that is
pending already: that refusal means the status already says it.
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
    return "pending" if not report.summary.complete else "skipped"


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
