"""What each task of a change request runs, once the door has read the change and its
settings: the review and the scanners (publish findings), the tests task (in a checkout,
optionally proposed as a request of its own), the docs task, the repository-scope tasks
(impact, analyze) and the tasks whose result is a reply (describe, ask, analyze).

door.py decides the order, the state read back, and what is published; this module decides
how each task runs and which of the forge's writes a reply task makes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import IncompleteError, InputError, SwitchyardError
from bot.forges.body_fit import MAX_BODY_BYTES, fit_text
from bot.forges.contract import ChangeRequest, ChangeSource, Publisher, PublishRefused
from bot.forges.markers import reply_marker
from bot.publish.markdown import inline

if TYPE_CHECKING:
    from bot.change.model import Change
    from bot.config.model import Settings
    from bot.execution import Services
    from bot.pipeline import Progress
    from bot.planning import RunContext
    from bot.repomap import FactsCache
    from bot.report import RunReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Command:
    """Who asked for the run, on which forge, and what followed the command word (/ask's
    question). The question is the change request's text: untrusted data, never
    instructions."""

    forge: str = ""
    argument: str = ""
    requester: str = ""
    # The command's delivery (the webhook's id): the same for a job run again, so its answer
    # is posted once (markers.reply_marker). Empty for a run no webhook started.
    key: str = ""


# Tasks whose result is a reply, not a review: a description edited in place, an answer
# posted under the question. They get no check run and no sticky summary, and they look at
# the whole change, not the range since their last run.
REPLY_TASKS = frozenset({"describe", "ask", "analyze"})


def run_reply_task(
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
        return _analyze(info, settings, services, ctx, progress, environ, publisher, command)
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
        body = answer_comment_body(command.argument, report, command.requester)
        _post_reply(publisher, "ask", command, body, report)
    return report


def _analyze(
    info: ChangeRequest,
    settings: Settings,
    services: Services,
    ctx: RunContext,
    progress: Progress | None,
    environ: Mapping[str, str],
    publisher: Publisher | None,
    command: Command,
) -> RunReport:
    """/analyze: the repository at the change's head, from the job's checkout; the report
    (which route it took, and why) posted as one new comment."""
    from bot.analyze.render import to_markdown
    from bot.analyze.run import run_analyze
    from bot.forges.checkout import checkout_for
    from bot.report import RunReport

    checkout = checkout_for(info.head_sha, None, environ)
    analysis = run_analyze(
        settings,
        services,
        checkout=checkout,
        ref=info.head_sha,
        ctx=ctx,
        cache=_map_cache(settings, environ),
        progress=progress,
    )
    body = to_markdown(analysis)
    report = RunReport(task="analyze", head_sha=info.head_sha, notes=list(analysis.notes))
    if publisher is not None:
        # Rendered from escaped parts already: only its length is cut here.
        fitted = fit_text(lambda text: text, body, MAX_BODY_BYTES)
        _post_reply(publisher, "analyze", command, fitted, report)
    report.headline = (
        f"analyzed {info.repository} at {info.head_sha[:12]}: {analysis.route} ({analysis.why})"
    )
    return report


def _post_reply(
    publisher: Publisher, task: str, command: Command, body: str, report: RunReport
) -> None:
    """Posts the answer as a new comment, once per command: a job run again after it posted
    (a crash before its lease was given back) finds its marker and posts nothing."""
    if not command.key:
        publisher.write_summary(body, None)
        return
    if publisher.replied(task, command.key):
        report.notes.append(f"the answer to this /{task} was already posted: not posted again")
        return
    publisher.write_summary(f"{reply_marker(task, command.key)}\n{body}", None)


def reply_not_done(publisher: Publisher, task: str, exc: SwitchyardError) -> None:
    """A reply task that could not run says so in one comment, with what to do."""
    why = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
    try:
        publisher.write_summary(f"Switchyard could not run `/{task}`: {inline(why)}.\n", None)
    except Exception:
        log.warning("could not say on the change request that %s was not done", task)


def propose_tests(
    publisher: Publisher, info: ChangeRequest, report: RunReport, environ: Mapping[str, str]
) -> None:
    """The kept tests on a new branch, proposed as a pull or merge request into the change's
    own head branch (`tests.propose`); what happened is a note of the report and summary.
    The reviewed branch itself is never pushed to."""
    from bot.forges.checkout import checkout_for
    from bot.testgen.deliver import (
        ProposeError,
        Pushed,
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
    pushed: Pushed | None = None
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
    except PublishRefused as exc:
        # A run of the same head again: the branch was pushed before, and the forge says
        # whether its request is open already (then nothing new is posted).
        again = pushed is not None and not pushed.commit
        report.notes.append(
            f"{not_proposed}{' again (its branch exists already)' if again else ''}: {exc}"
        )
        return
    except (ProposeError, IncompleteError) as exc:
        report.notes.append(f"{not_proposed}: {exc}")
        return
    report.notes.append(
        f"proposed the kept tests in {url or pushed.branch} (branch {pushed.branch} into "
        f"{info.head_ref}; nothing was pushed to {info.head_ref})"
    )


def run_task(
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

        # Callers outside the diff are found in the job's checkout; notes on them link to
        # the head on the forge, and never become line comments outside the diff.
        checkout = checkout_for(info.head_sha, None, environ)
        return run_impact(
            change,
            settings,
            services,
            checkout=checkout,
            ctx=ctx,
            cache=_map_cache(settings, environ),
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
    from bot.security.scanners.semgrep_refusals import FETCHED_RULES_PREFIX

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


def _map_cache(settings: Settings, environ: Mapping[str, str]) -> FactsCache:
    """The repository map's facts in the state folder: a second job on the same repository
    parses only the files that changed."""
    from bot.ledger.location import resolve_state_dir
    from bot.repomap import FactsCache

    return FactsCache.in_state_dir(resolve_state_dir(settings, environ))
