"""The change-request door: a pull or merge request in; a review, a check and a summary out.

Used by `switchyard review --pr URL` and by the worker for webhook jobs, on any forge: the
forge comes as a ChangeSource and a Publisher per task (contract.py). The repository's
`.switchyard.yml` is read from the base branch, so a change cannot lower its own policy;
on a new push only the files changed since the last reviewed head are reviewed.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.change.filters import apply_filters
from bot.errors import IncompleteError, InputError, SwitchyardError
from bot.forges.base_settings import load_base_settings
from bot.forges.body_fit import MAX_BODY_BYTES, fit_text
from bot.forges.contract import (
    ChangeRequest,
    ChangeSource,
    PriorState,
    Publisher,
    PublisherFor,
    PublishRefused,
    PublishResult,
)
from bot.forges.incremental import since_last_review
from bot.forges.publishing import publish as publish_run
from bot.forges.verdict import not_done_report
from bot.publish.markdown import inline
from bot.services import opened_services

if TYPE_CHECKING:
    from bot.change.model import Change
    from bot.config.model import Settings
    from bot.execution import Services
    from bot.pipeline import Progress
    from bot.planning import RunContext
    from bot.report import RunReport

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ChangeRun:
    info: ChangeRequest
    report: RunReport
    published: PublishResult | None


@dataclass(frozen=True, slots=True)
class Command:
    """Who asked for the run, on which forge, and what followed the command word (/ask's
    question). The question is the change request's text: untrusted data, never
    instructions."""

    forge: str = ""
    argument: str = ""
    requester: str = ""


# Tasks whose result is a reply, not a review: a description edited in place, an answer
# posted under the question. They get no check run and no sticky summary, and they look at
# the whole change, not the range since their last run.
REPLY_TASKS = frozenset({"describe", "ask", "analyze"})


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
                    report = _run_reply_task(
                        task, source, change, info, settings, services, ctx, progress,
                        command or Command(), publisher if publish else None, environ,
                    )  # fmt: skip
                except SwitchyardError as exc:
                    failed = failed or exc
                    if publish:
                        _reply_not_done(publisher, task, exc)
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
                report = _run_task(
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
                _propose_tests(publisher, info, report, environ)
            published = publish_run(publisher, report, prior) if publish else None
            runs.append(ChangeRun(info, report, published))
    if failed is not None:
        raise failed
    return runs


def _run_reply_task(
    task: str,
    source: ChangeSource,
    change: Change,
    info: ChangeRequest,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
    command: Command,
    publisher: Publisher | None,
    environ: Mapping[str, str],
) -> RunReport:
    """describe edits the change request's description (the author's text kept); ask posts
    the answer under the question. Without `publisher` (not publishing) only the report."""
    if task == "analyze":
        return _analyze(info, settings, services, ctx, progress, environ, publisher)
    if task == "describe":
        from bot.describe.publish import publish_description
        from bot.describe.run import run_describe_task

        report, description = run_describe_task(
            change, info, settings, services, ctx=ctx, progress=progress
        )
        if publisher is not None:
            edited = publish_description(command.forge, source, description, settings.describe)
            report.notes.append(edited.line(f"{info.ref_kind} {info.number}"))
        return report
    from bot.ask.comment import answer_comment_body
    from bot.ask.run import run_ask_task

    if not command.argument.strip():
        raise InputError("/ask needs a question after it", hint="comment `/ask <question>`")
    report = run_ask_task(change, command.argument, settings, services, ctx=ctx, progress=progress)
    if publisher is not None:
        # A new comment, not the sticky one: each question gets its own answer.
        publisher.write_summary(
            answer_comment_body(command.argument, report, command.requester), None
        )
    return report


def _analyze(
    info: ChangeRequest,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
    environ: Mapping[str, str],
    publisher: Publisher | None,
) -> RunReport:
    """/analyze: the repository at the change's head, from the job's checkout; the report
    (which route it took, and why) posted as one new comment."""
    from bot.analyze.render import to_markdown
    from bot.analyze.run import run_analyze
    from bot.forges.checkout import checkout_for
    from bot.ledger.location import resolve_state_dir
    from bot.repomap import FactsCache
    from bot.report import RunReport

    checkout = checkout_for(info.head_sha, None, environ)
    analysis = run_analyze(
        settings,
        services,
        checkout=checkout,
        ref=info.head_sha,
        ctx=ctx,
        cache=FactsCache.in_state_dir(resolve_state_dir(settings, environ)),
        progress=progress,
    )
    body = to_markdown(analysis)
    if publisher is not None:
        # Rendered from escaped parts already: only its length is cut here.
        publisher.write_summary(fit_text(lambda text: text, body, MAX_BODY_BYTES), None)
    report = RunReport(task="analyze", head_sha=info.head_sha, notes=list(analysis.notes))
    report.headline = (
        f"analyzed {info.repository} at {info.head_sha[:12]}: {analysis.route} ({analysis.why})"
    )
    return report


def _reply_not_done(publisher: Publisher, task: str, exc: SwitchyardError) -> None:
    """A reply task that could not run says so in one comment, with what to do."""
    why = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
    try:
        publisher.write_summary(f"Switchyard could not run `/{task}`: {inline(why)}.\n", None)
    except Exception:
        log.warning("could not say on the change request that %s was not done", task)


def _propose_tests(
    publisher: Publisher, info: ChangeRequest, report: RunReport, environ: Mapping[str, str]
) -> None:
    """The kept tests on a new branch, proposed as a pull or merge request into the change's
    own head branch (`tests.propose`); what happened is a note of the report and summary.
    The reviewed branch itself is never pushed to."""
    from bot.forges.checkout import checkout_for
    from bot.testgen.deliver import (
        ProposeError,
        basic_auth_header,
        branch_name,
        files_of_patch,
        push_branch,
    )

    not_proposed = "the kept tests were not proposed as a pull request"
    propose = getattr(publisher, "propose", None)
    if info.fork or info.head_repo is None:
        report.notes.append(
            f"{not_proposed}: the change comes from a fork, whose branch the bot does not "
            "push to; the patch applies"
        )
        return
    if propose is None:
        report.notes.append(f"{not_proposed}: this forge cannot open one")
        return
    files = files_of_patch(report.patch or "")
    token = environ.get("SWITCHYARD_PUSH_TOKEN")
    auth = basic_auth_header("x-access-token", token) if token else None
    title = f"Generated tests for #{info.number} ({info.head_ref})"
    body = "\n\n".join(
        [
            f"Tests Switchyard generated for #{info.number}; each ran twice on "
            f"`{info.head_sha[:12]}` and passed.",
            report.headline or "",
            *(f"- {n}" for n in report.notes if n.startswith("kept ")),
        ]
    )
    try:
        checkout = checkout_for(info.head_sha, None, environ)
        pushed = push_branch(
            checkout,
            info.head_sha,
            files,
            branch_name(info.number, info.head_sha),
            f"test: add generated tests for #{info.number}",
            auth_header=auth,
        )
        url = propose(pushed.branch, info.head_ref, title, body)
    except (ProposeError, PublishRefused, IncompleteError) as exc:
        report.notes.append(f"{not_proposed}: {exc}")
        return
    report.notes.append(
        f"proposed the kept tests in {url or pushed.branch} (branch {pushed.branch} into "
        f"{info.head_ref}; nothing was pushed to {info.head_ref})"
    )


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


def _run_task(
    task: str,
    source: ChangeSource,
    change: Change,
    info: ChangeRequest,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
    environ: Mapping[str, str],
) -> RunReport:
    """Runs one task. The security task gets the repository's own semgrep rules as the
    base branch has them (there is no checkout): a change must not alter the rules it is
    scanned under, as it must not alter its settings. The tests task runs code, so it needs
    a checkout: the CI job's own, or one the operator names (bot/forges/checkout.py)."""
    if task == "tests":
        from bot.forges.checkout import checkout_for
        from bot.testgen.run import run_tests_task

        checkout = checkout_for(info.head_sha, change.base_sha, environ)
        return run_tests_task(
            change, settings, services, checkout=checkout, ctx=ctx, progress=progress
        )
    if task == "impact":
        from bot.forges.checkout import checkout_for
        from bot.impact.links import web_repo_of_change
        from bot.impact.run import run_impact
        from bot.ledger.location import resolve_state_dir
        from bot.repomap import FactsCache

        # Callers outside the diff are found in the job's checkout; notes on them link to
        # the head on the forge, and never become line comments outside the diff.
        checkout = checkout_for(info.head_sha, None, environ)
        return run_impact(
            change,
            settings,
            services,
            checkout=checkout,
            ctx=ctx,
            cache=FactsCache.in_state_dir(resolve_state_dir(settings, environ)),
            progress=progress,
            web=web_repo_of_change(info.web_url or ""),
        )
    if task == "docs":
        from bot.docs_task.run import run_docs_task
        from bot.forges.checkout import checkout_for

        # The README and docs/ are read from a checkout when the job has one; without it
        # the changed files' own doc comments are still checked.
        try:
            found: Path | None = checkout_for(info.head_sha, None, environ)
        except IncompleteError:
            found = None
        return run_docs_task(change, settings, services, checkout=found, ctx=ctx, progress=progress)
    if task != "security":
        from bot.pipeline import run_review

        return run_review(
            change, settings, services, ctx=ctx, fail_on=settings.fail_on, progress=progress
        )
    from bot.security.run import run_security
    from bot.security.scanners.semgrep_runner import FETCHED_RULES_PREFIX

    named = settings.security.semgrep_rules
    with tempfile.TemporaryDirectory(prefix=FETCHED_RULES_PREFIX) as tmp:
        fetched = source.rule_files(info.base_ref, named, Path(tmp)) if named else None
        report = run_security(
            change,
            settings,
            services,
            ctx=ctx,
            fail_on=settings.fail_on,
            progress=progress,
            repo_rules=fetched.paths if fetched is not None else None,
        )
    if fetched is not None:
        report.notes[:0] = fetched.notes
    return report
