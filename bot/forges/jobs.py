"""Runs a queued job: the worker's handler (`switchyard worker`), for every forge.

The job names its forge; the registry's forge opens it (credentials, and who may command)
and the door runs it. When the forge could not take the results for a cause that may pass
(down, a rate limit that held), each report is logged whole and TransientError is raised,
so the worker runs the job again later; a refusal no retry changes is logged, not raised.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.errors import TransientError
from bot.forges import registry
from bot.forges.door import Command, run_change_request
from bot.jobs import Job

log = logging.getLogger(__name__)

# Tasks a job can run; any other word a slash command parsed is logged and skipped.
RUNNABLE = ("review", "security", "tests", "docs", "describe", "ask", "impact", "analyze")


def handle(job: Job) -> None:
    environ = os.environ
    opened = registry.forge(job.forge).open_job(job, environ)
    if opened is None:
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
    runs = run_change_request(
        opened.source,
        opened.publisher_for,
        tasks=runnable,
        config_path=Path(config) if config else None,
        environ=environ,
        publish=True,
        command=Command(job.forge, job.argument, job.requester, job.delivery),
    )
    unavailable: TransientError | None = None
    for task, run in zip(runnable, runs, strict=True):
        log.info(
            "%s of %s#%d at %s: %d findings, complete=%s",
            task,
            job.repository,
            job.number,
            run.info.head_sha[:12],
            len(run.report.findings),
            run.report.summary.complete,
        )
        failure = run.published.failure if run.published else None
        if failure is None:
            continue
        # Publishing stopped: the model's work is kept here, whole, before anything else.
        log.warning(
            "%s of %s#%d not published (%s); its report: %s",
            task,
            job.repository,
            job.number,
            failure.message,
            run.report.model_dump_json(),
        )
        if isinstance(failure, TransientError):
            unavailable = unavailable or failure
    if unavailable is not None:
        # The forge may answer later: the worker runs the job again, with backoff.
        raise unavailable
