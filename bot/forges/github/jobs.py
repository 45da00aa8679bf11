"""Runs a queued GitHub job: the worker's handler (`switchyard worker`).

Authentication comes from the environment: a GitHub App (GITHUB_APP_ID and
GITHUB_APP_PRIVATE_KEY, an installation token per job) or a plain GITHUB_TOKEN. A slash
command runs only for someone with write access to the repository.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.errors import ConfigError
from bot.jobs import Job

log = logging.getLogger(__name__)

# Tasks a job can run today; the others are parsed from slash commands and logged.
RUNNABLE = ("review", "security")


def handle(job: Job) -> None:
    from bot.forges.github.app_auth import token_source_from_environ
    from bot.forges.github.client import github_client
    from bot.forges.github.door import run_pull_request
    from bot.server.permissions import CommandGuard

    environ = os.environ
    tokens = token_source_from_environ(environ)
    if tokens is None:
        raise ConfigError(
            "the worker has no GitHub credentials",
            hint="set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
        )
    if job.trigger == "comment" and not CommandGuard(tokens).allowed(job):
        log.info(
            "ignored /%s on %s#%d from %s: no write access",
            ",".join(job.tasks),
            job.repository,
            job.number,
            job.requester or "unknown",
        )
        return
    runnable = [t for t in job.tasks if t in RUNNABLE]
    for task in job.tasks:
        if task not in RUNNABLE:
            log.info(
                "task %s is not available yet: skipped %s#%d", task, job.repository, job.number
            )
    if not runnable:
        return
    config = environ.get("SWITCHYARD_CONFIG")
    runs = run_pull_request(
        github_client(tokens.token(job.installation_id), job.api_url),
        job.repository,
        job.number,
        tasks=runnable,
        config_path=Path(config) if config else None,
        environ=environ,
        publish=True,
    )
    for task, run in zip(runnable, runs, strict=True):
        summary = run.report.summary
        log.info(
            "%s of %s#%d at %s: %d findings, complete=%s",
            task,
            job.repository,
            job.number,
            run.info.head_sha[:12],
            len(run.report.findings),
            summary.complete,
        )
