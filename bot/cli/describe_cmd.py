"""`switchyard describe`: a pull/merge request's title and body, or a commit message,
written from the diff."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.change_input import ChangeInput, change_options, prepare
from bot.cli.options import provider_option, quiet_option
from bot.cli.progress import ProgressReporter
from bot.errors import SwitchyardError

if TYPE_CHECKING:
    from bot.change.model import Change
    from bot.config.loader import LoadedSettings
    from bot.describe.description import Description
    from bot.describe.run import RunPlan
    from bot.forges.contract import ChangeRequest
    from bot.planning import RunContext
    from bot.report import RunReport


@click.command()
@change_options
@click.option(
    "--pr",
    "pr_ref",
    metavar="URL",
    help="Describe a pull or merge request, its forge known from the address.",
)
@click.option(
    "--publish",
    is_flag=True,
    help="With --pr: put the description into the pull/merge request's body, above the "
    "author's text, which is kept (GITHUB_TOKEN or GITLAB_TOKEN).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--commit-message",
    is_flag=True,
    help="A Conventional Commits message for the staged diff (git diff --cached) instead.",
)
@click.option(
    "--message-file",
    metavar="FILE",
    help="With --commit-message: write it into this commit message file if it holds no "
    "message yet (the prepare-commit-msg hook's mode: never fails, one line on a problem).",
)
@click.option(
    "--dry-run", is_flag=True, help="Show the plan (tokens, target, reason); send nothing."
)
@provider_option
@quiet_option
def describe(
    pr_ref: str | None,
    publish: bool,
    fmt: str,
    commit_message: bool,
    message_file: str | None,
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
    **params: Any,
) -> None:
    """Write a title and description for a change: what changed and why, the changed
    files grouped by theme, risk notes, and labels chosen only from describe.labels. With
    --pr URL --publish it goes into the pull/merge request's body between Switchyard's
    markers, above the author's own text, which is never changed; running again replaces
    only Switchyard's part. The title is replaced only with describe.title: replace (the
    author's stays visible in the body).

    --commit-message writes one Conventional Commits message for the staged diff with a
    small prompt and answer, self-hosted first; `switchyard hooks install` makes it a
    prepare-commit-msg hook.

    \b
    Examples:
      switchyard describe --base origin/main
      switchyard describe --base main --format json
      GITHUB_TOKEN=... switchyard describe --pr https://github.com/acme/api/pull/42 --publish
      GITLAB_TOKEN=... switchyard describe --pr acme/api!7 --publish
      switchyard describe --commit-message
      switchyard describe --base main --dry-run
    """
    if message_file and not commit_message:
        raise click.UsageError("--message-file goes with --commit-message")
    if commit_message:
        if pr_ref or publish or params.get("base") or params.get("diff_path"):
            raise click.UsageError(
                "--commit-message describes the staged diff: no --pr/--base/--diff"
            )
        if message_file:
            _hook(Path(message_file), params, only)
            return
        _commit_message(params, only, dry_run, quiet, fmt)
        return
    if publish and not pr_ref:
        raise click.UsageError("--publish needs --pr URL")
    if pr_ref:
        if params.get("base") or params.get("diff_path"):
            raise click.UsageError("give either --pr or --base/--diff, not both")
        _describe_pr(pr_ref, publish, fmt, dry_run, only, quiet, params)
        return
    prepared = prepare(ChangeInput.from_params(params))
    if dry_run:
        _plan_lines(prepared.change, prepared.loaded, prepared.ctx, only, None)
        return
    from bot.cli.setup import task_services
    from bot.describe.run import run_describe_task

    reporter = ProgressReporter(quiet)
    with task_services(prepared, reporter, only) as services:
        report, description = run_describe_task(
            prepared.change,
            None,
            prepared.settings,
            services,
            ctx=prepared.ctx,
            progress=reporter.callback(),
        )
    _print(description, report, fmt, reporter)


def _describe_pr(
    pr_ref: str,
    publish: bool,
    fmt: str,
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
    params: dict[str, Any],
) -> None:
    import dataclasses

    from bot.change.filters import apply_filters
    from bot.describe.publish import publish_description
    from bot.describe.run import run_describe_task
    from bot.forges import registry
    from bot.forges.base_settings import load_base_settings
    from bot.planning import RunContext
    from bot.services import opened_services

    forge, ref = registry.recognise(pr_ref, os.environ)
    opened = forge.open_ref(ref, os.environ)
    change, info = opened.source.read_change()
    config_path = params.get("config_path") or os.environ.get("SWITCHYARD_CONFIG")
    loaded = load_base_settings(
        opened.source,
        info.base_ref,
        config_path=Path(config_path) if config_path else None,
        environ=os.environ,
    )
    settings = loaded.settings
    kept, filtered = apply_filters(change.files, settings.filters)
    change = dataclasses.replace(change, files=kept, skipped=[*change.skipped, *filtered])
    ctx = RunContext(
        repository=info.repository, change_ref=f"{info.ref_kind}/{info.number}", labels=info.labels
    )
    if dry_run:
        _plan_lines(change, loaded, ctx, only, info)
        return
    reporter = ProgressReporter(quiet)
    with reporter, opened_services(loaded, settings, only, os.environ) as services:
        report, description = run_describe_task(
            change, info, settings, services, ctx=ctx, progress=reporter.callback()
        )
    if publish:
        result = publish_description(forge.name, opened.source, description, settings.describe)
        reporter.info(result.line(ref.label))
    _print(description, report, fmt, reporter)


def _emit(
    fields: dict[str, Any], text: str, report: RunReport, fmt: str, reporter: ProgressReporter
) -> None:
    for note in report.notes:
        reporter.info(f"note: {note}")
    if fmt == "json":
        out = {**fields, "report": report.model_dump(mode="json")}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(text, nl=False)


def _print(
    description: Description, report: RunReport, fmt: str, reporter: ProgressReporter
) -> None:
    fields = {**description.to_json(), "body": description.markdown()}
    _emit(fields, description.text(), report, fmt, reporter)


def _plan_lines(
    change: Change,
    loaded: LoadedSettings,
    ctx: RunContext,
    only: tuple[str, ...],
    info: ChangeRequest | None,
    task_name: str = "describe",
) -> None:
    """The plan `--dry-run` shows: nothing is sent, not even to ask a runner its context."""
    from bot.describe.run import plan_describe
    from bot.execution import Services
    from bot.services import open_providers

    providers = open_providers(loaded, only, os.environ)
    try:
        plan = plan_describe(
            change,
            loaded.settings,
            Services(providers=providers),
            info=info,
            ctx=ctx,
            discover=False,
            task_name=task_name,
        )
    finally:
        for p in providers.values():
            p.close()
    _show_plan(plan)


def _show_plan(plan: RunPlan) -> None:
    from bot.report import plural

    echo = click.echo
    planned = plan.planned
    if planned is None:
        echo("Plan: nothing to describe (no changed file has a diff)")
        return
    p = plan.packed
    echo(
        f"Plan: 1 work item, {planned.item.id}: {plural(len(p.shown), 'file')} shown in "
        f"full, {len(p.summarized)} by one line, {len(p.left_out)} left out; "
        f"~{planned.item.prompt_tokens} tokens (budget {plan.budget_tokens}), answer up to "
        f"{planned.item.max_output_tokens}; class {planned.data_class.value}"
    )
    echo(f"  route: {planned.route.reason}")
    for s in p.left_out:
        echo(f"  left out: {s.path}: {s.reason}")
    echo("Nothing was sent (dry run).")


def _staged(params: dict[str, Any]) -> tuple[LoadedSettings, Change, RunContext]:
    """The staged change, the settings of the working tree's repository, the context."""
    from bot.change.patch_source import change_from_patch
    from bot.cli.setup import load
    from bot.describe.hook import staged_diff
    from bot.errors import InputError
    from bot.gitcmd import toplevel
    from bot.planning import RunContext

    repo = Path(params.get("repo_dir") or ".")
    top = toplevel(repo)
    if top is None:
        raise InputError(f"{repo} is not inside a git repository", hint="pass --repo PATH")
    loaded = load(top, params.get("config_path"))
    diff = staged_diff(top)
    if not diff.strip():
        raise InputError("nothing is staged", hint="git add the files to commit first")
    # (the working tree holds the staged files, unless some are staged only in part)
    change = change_from_patch(diff, "staged changes", loaded.settings.filters, top)
    ctx = RunContext(repository=params.get("repository"), change_ref="staged")
    return loaded, change, ctx


def _commit_message(
    params: dict[str, Any], only: tuple[str, ...], dry_run: bool, quiet: bool, fmt: str
) -> None:
    from bot.cli.setup import embedded_when_none
    from bot.describe.run import run_commit_message
    from bot.services import opened_services

    loaded, change, ctx = _staged(params)
    if dry_run:
        _plan_lines(change, loaded, ctx, only, None, "commit_message")
        return
    reporter = ProgressReporter(quiet)
    with (
        reporter,
        embedded_when_none(loaded, reporter.info) as used,
        opened_services(used, used.settings, only, os.environ) as services,
    ):
        report, message = run_commit_message(change, used.settings, services, ctx=ctx)
    fields = {**message.model_dump(), "text": message.text()}
    _emit(fields, message.text(), report, fmt, reporter)


def _hook(message_file: Path, params: dict[str, Any], only: tuple[str, ...]) -> None:
    """The hook's mode: the message written into `message_file` above git's comments, or
    one line on stderr and the file as it was. Never an error exit: a commit goes on."""
    from bot.describe.hook import has_message, hook_timeout

    try:
        original = message_file.read_text(encoding="utf-8")
    except OSError as exc:
        click.echo(f"switchyard: no commit message written: {exc.strerror}", err=True)
        return
    if has_message(original):
        return
    done: dict[str, str] = {}

    def work() -> None:
        try:
            done["text"] = _message_text(params, only)
        except SwitchyardError as exc:
            done["error"] = exc.message
        except Exception as exc:  # the commit must go on whatever happened
            done["error"] = f"an internal error ({type(exc).__name__})"

    limit = hook_timeout()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(limit)
    if "text" in done:
        message_file.write_text(done["text"] + original, encoding="utf-8")
        return
    why = done.get("error") or f"no answer within {limit:.0f} s (SWITCHYARD_HOOK_TIMEOUT_S)"
    click.echo(f"switchyard: no commit message written: {why}", err=True)
    if worker.is_alive():
        # A call still in flight must not hold the commit: leave without waiting for it.
        os._exit(0)


def _message_text(params: dict[str, Any], only: tuple[str, ...]) -> str:
    loaded, change, ctx = _staged(params)
    # No embedded runner here: starting one would take longer than a commit should wait.
    # Said before the pipeline loads (a second on a small machine): the commit goes on.
    if not loaded.settings.providers:
        from bot.errors import IncompleteError

        raise IncompleteError("no model is configured")
    from bot.describe.run import run_commit_message
    from bot.services import opened_services

    with opened_services(loaded, loaded.settings, only, os.environ) as services:
        _, message = run_commit_message(change, loaded.settings, services, ctx=ctx)
    return message.text()
