"""The change-request door: a pull or merge request in; a review, a check and a summary out.

Used by `switchyard review --pr URL` and by the worker for webhook jobs, on any forge: the
forge comes as a ChangeSource and a Publisher per task (contract.py). The repository's
`.switchyard.yml` is read from the base branch, so a change cannot lower its own policy;
on a new push only the files changed since the last reviewed head are reviewed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.change.filters import apply_filters
from bot.errors import IncompleteError, SwitchyardError
from bot.forges.base_settings import load_base_settings
from bot.forges.contract import (
    ChangeRequest,
    ChangeSource,
    PriorState,
    Publisher,
    PublisherFor,
    PublishResult,
)
from bot.forges.incremental import since_last_review
from bot.forges.publishing import publish as publish_run
from bot.forges.task_runs import (
    REPLY_TASKS,
    Command,
    propose_tests,
    reply_not_done,
    run_reply_task,
    run_task,
)
from bot.forges.verdict import not_done_report
from bot.services import opened_services

if TYPE_CHECKING:
    from bot.pipeline import Progress
    from bot.report import RunReport

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChangeRun:
    info: ChangeRequest
    report: RunReport
    published: PublishResult | None


def run_change_request(
    source: ChangeSource,
    publisher_for: PublisherFor,
    *,
    tasks: Sequence[str],
    config_path: Path | None,
    environ: Mapping[str, str],
    publish: bool,
    overrides: dict[str, object] | None = None,
    only: tuple[str, ...] = (),
    no_cache: bool = False,
    progress: Progress | None = None,
    command: Command | None = None,
) -> list[ChangeRun]:
    """Each of `tasks` on the change request, in order. The change, its settings and its
    files are read once for all of them (the contents loader keeps what it read); each task
    posts its own review, check (`switchyard / <task>`) and summary as soon as it is done."""
    from bot.planning import RunContext

    # The change is read once, unfiltered: the filters are the base branch's, which only
    # the change's base ref can find.
    change, info = source.read_change()
    try:
        loaded = load_base_settings(
            source, info.base_ref, config_path=config_path, environ=environ, overrides=overrides
        )
    except SwitchyardError as exc:
        # The base's `.switchyard.yml` is refused (a key it may not set, bad YAML): no task
        # can run, and the change request says why, or its author sees nothing at all.
        if publish:
            _say_none_done(publisher_for, info, tasks, exc.message)
        raise
    settings = loaded.settings
    if no_cache:
        settings = settings.model_copy(
            update={"cache": settings.cache.model_copy(update={"enabled": False})}
        )
    kept, filtered = apply_filters(change.files, settings.filters)
    change = dataclasses.replace(change, files=kept, skipped=[*change.skipped, *filtered])
    ctx = RunContext(
        repository=info.repository, change_ref=f"{info.ref_kind}/{info.number}", labels=info.labels
    )
    runs: list[ChangeRun] = []
    failed: SwitchyardError | None = None
    with ExitStack() as stack:
        try:
            services = stack.enter_context(opened_services(loaded, settings, only, environ))
        except Exception as exc:
            # The operator's side (a ledger URL, a state folder, a key file): its text may
            # name a host, a path or a password, so the change request gets the type only.
            log.exception("services for %s #%d did not open", info.repository, info.number)
            if publish:
                reason = f"the bot's set-up could not open ({type(exc).__name__}; see its log)"
                _say_none_done(publisher_for, info, tasks, reason)
            raise
        for task in tasks:
            publisher = publisher_for(task, info)
            if task in REPLY_TASKS:
                try:
                    report = run_reply_task(
                        task, source, change, info, settings, services, ctx, progress,
                        command or Command(), publisher if publish else None, environ,
                    )  # fmt: skip
                except SwitchyardError as exc:
                    failed = failed or exc
                    if publish:
                        reply_not_done(publisher, task, exc)
                    continue
                runs.append(ChangeRun(info, report, None))
                continue
            prior = publisher.read_state() if publish else None
            if prior is not None:
                publisher.write_started(prior)
            # Each task has its own last reviewed head: the range is per task.
            task_change = (
                change
                if prior is None
                else since_last_review(source, change, info.head_sha, prior.last_head_sha)
            )
            try:
                report = run_task(
                    task, source, task_change, info, settings, services, ctx, progress, environ
                )
            except SwitchyardError as exc:
                # One task that cannot run (a review with no model) does not stop the
                # others (the scanners need none); its error is raised once they are done.
                failed = failed or exc
                if publish:
                    # Its hint is ours, never a secret's text: what to set or run instead.
                    why = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
                    _say_not_done(publisher, why, prior)
                continue
            except Exception as exc:
                # A crash: its traceback is logged here, once; the change request gets the
                # short reason (the exception's type: never its text, which may hold a
                # secret), and the job fails with it.
                log.exception("%s of %s #%d crashed", task, info.repository, info.number)
                reason = _internal(exc)
                failed = failed or IncompleteError(f"{task} could not run: {reason}")
                if publish:
                    _say_not_done(publisher, reason, prior)
                continue
            if task == "tests" and publish and report.patch and settings.tests.propose:
                propose_tests(publisher, info, report, environ)
            published = publish_run(publisher, report, prior) if publish else None
            runs.append(ChangeRun(info, report, published))
    if failed is not None:
        raise failed
    return runs


def _internal(exc: BaseException) -> str:
    """A crash as the change request is told it: the exception's type, never its text,
    which may hold a secret."""
    return f"an internal error ({type(exc).__name__})"


def _say_none_done(
    publisher_for: PublisherFor, info: ChangeRequest, tasks: Sequence[str], reason: str
) -> None:
    """Every task's check and summary say it could not run, before any of them started."""
    for task in tasks:
        try:
            publisher = publisher_for(task, info)
            prior = publisher.read_state()
        except Exception:
            log.warning("could not say on the change request that %s was not done", task)
            continue
        _say_not_done(publisher, reason, prior)


def _say_not_done(publisher: Publisher, reason: str, prior: PriorState | None) -> None:
    """The task's check and summary say it could not run and how to run it again, when the
    forge can still be written to; a failure here is logged, the task's own error stands."""
    try:
        publish_run(publisher, not_done_report(publisher.task, publisher.head_sha, reason), prior)
    except Exception:
        log.warning("could not say on the change request that %s was not done", publisher.task)
