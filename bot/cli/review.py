"""`switchyard review`: review a branch or a patch and report, gate, or both."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.change_input import ChangeInput, Prepared, change_options, prepare
from bot.cli.options import provider_option, quiet_option, report_options
from bot.cli.progress import ProgressReporter
from bot.cli.report_output import finish, output_targets
from bot.cli.setup import embedded_when_none
from bot.errors import EXIT_GATE, SwitchyardError
from bot.forges import registry
from bot.report import merge_reports
from bot.services import open_providers, opened_services

if TYPE_CHECKING:
    from bot.report import RunReport


@click.command()
@change_options
@report_options(
    format_help="Report format for stdout, or for --output (default: from the file's extension).",
    output_help="Write the report here (repeatable: review.md, review.json, review.sarif, "
    "gl-code-quality-report.json, junit.xml).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the plan (files, work items, tokens, targets) and send nothing: no model, "
    "no tokenizer; tokens are the local estimate.",
)
@provider_option
@click.option("--no-cache", is_flag=True, help="Send every file again, even if answered before.")
@click.option(
    "--pr",
    "pr_ref",
    metavar="URL",
    help="Review a pull or merge request, its forge known from the address: "
    "https://github.com/OWNER/REPO/pull/N or OWNER/REPO#N (token from GITHUB_TOKEN; "
    "GitHub Enterprise from the URL or GITHUB_API_URL), "
    "https://gitlab.com/GROUP/PROJECT/-/merge_requests/N or GROUP/PROJECT!N (token from "
    "GITLAB_TOKEN; a self-managed instance from GITLAB_URL).",
)
@click.option(
    "--publish",
    type=click.Choice(registry.names()),
    help="Post the results on the --pr's forge, where reviewers look: line comments, a "
    "check or status, a summary comment.",
)
@click.option(
    "--tasks",
    default="review",
    show_default=True,
    metavar="LIST",
    help="Comma-separated tasks to run (review for now).",
)
@click.option(
    "--deep",
    is_flag=True,
    help="Also run the impact task: the callers and overrides of every changed definition, "
    "found in the whole repository, go to the model with the diff (repository scope: cloud "
    "first); what it finds outside the diff is reported as file-level notes with links.",
)
@quiet_option
def review(
    fmt: str | None,
    outputs: tuple[str, ...],
    fail_on: str | None,
    dry_run: bool,
    only: tuple[str, ...],
    no_cache: bool,
    pr_ref: str | None,
    publish: str | None,
    tasks: str,
    deep: bool,
    quiet: bool,
    **params: Any,
) -> None:
    """Review the changes on a branch, a patch or a pull request, and report findings.

    \b
    Examples:
      switchyard review --base origin/main
      switchyard review --base main --output review.md --output review.sarif
      git diff main | switchyard review --diff - --format json
      switchyard review --base origin/main --fail-on major --quiet
      switchyard review --base origin/main --dry-run
      switchyard review --base origin/main --deep
      GITHUB_TOKEN=... switchyard review --pr https://github.com/acme/api/pull/42 --publish github
      GITLAB_TOKEN=... switchyard review --pr acme/api!7 --publish gitlab
    """
    targets = output_targets(outputs, fmt)
    chosen = _check_tasks(tasks)
    overrides = {"fail_on": fail_on} if fail_on else None
    reporter = ProgressReporter(quiet)
    reports: list[RunReport] = []
    not_published: SwitchyardError | None = None
    if deep and (pr_ref or params.get("diff_path")):
        raise click.UsageError("--deep reads the repository: run it on a branch (--base)")
    if pr_ref:
        if params.get("base") or params.get("diff_path") or dry_run:
            raise click.UsageError("--pr cannot be combined with --base, --diff or --dry-run")
        with reporter:
            found, not_published = _review_pr(
                pr_ref, params, overrides, only, no_cache, publish, reporter, chosen
            )
            reports += found
    else:
        if publish:
            raise click.UsageError(f"--publish {publish} needs --pr URL")
        if chosen != ["review"]:
            others = ", ".join(f"`switchyard {t}`" for t in chosen if t != "review")
            raise click.UsageError(f"on a branch or a patch, run {others} for that task")
        prepared = prepare(ChangeInput.from_params(params), overrides, {"fail_on": "--fail-on"})
        if not prepared.change.files:
            reporter.info("nothing to review: every changed file was filtered out")
        if dry_run:
            _dry_run(prepared, only)
            if deep:
                from bot.cli.impact_view import print_impact_plan

                print_impact_plan(prepared, only)
            return
        with reporter, embedded_when_none(prepared.loaded, reporter.info) as loaded:
            prepared.loaded, prepared.settings = loaded, loaded.settings
            reports.append(_review_local(prepared, only, no_cache, reporter))
            if deep:
                from bot.cli.impact_view import run_impact_local

                reports.append(run_impact_local(prepared, only, reporter))
    try:
        finish(merge_reports(reports), fmt, targets, quiet)
    except click.exceptions.Exit as done:
        if not_published is None or done.exit_code == EXIT_GATE:
            if not_published is not None:
                click.echo(f"switchyard: not published: {not_published.message}", err=True)
            raise
    if not_published is not None:
        # The report is out; what could not be posted says so, with its own exit code.
        raise type(not_published)(
            f"not published: {not_published.message}", hint=not_published.hint
        )


AVAILABLE_TASKS = ("review", "security", "tests", "docs", "describe", "impact")


def _check_tasks(tasks: str) -> list[str]:
    chosen = [t for t in (x.strip() for x in tasks.split(",")) if t]
    unknown = [t for t in chosen if t not in AVAILABLE_TASKS]
    if unknown:
        raise click.BadParameter(
            f"task {unknown[0]!r} is not available yet; this version runs: "
            f"{', '.join(AVAILABLE_TASKS)}",
            param_hint="--tasks",
        )
    return chosen or ["review"]


def _dry_run(prepared: Prepared, only: tuple[str, ...]) -> None:
    from bot.cli.plan_view import print_plan
    from bot.planning import plan_review

    providers = open_providers(prepared.loaded, only, os.environ)
    try:
        plan = plan_review(prepared.change, prepared.settings, providers, prepared.ctx)
    finally:
        for p in providers.values():
            p.close()
    print_plan(plan, prepared.change)


def _review_local(
    prepared: Prepared, only: tuple[str, ...], no_cache: bool, reporter: ProgressReporter
) -> RunReport:
    from bot.pipeline import run_review

    settings = prepared.settings
    if no_cache:
        settings = settings.model_copy(
            update={"cache": settings.cache.model_copy(update={"enabled": False})}
        )
    with opened_services(prepared.loaded, settings, only, os.environ) as services:
        return run_review(
            prepared.change,
            settings,
            services,
            ctx=prepared.ctx,
            fail_on=settings.fail_on,
            progress=reporter.callback(),
        )


def _review_pr(
    pr_ref: str,
    params: dict[str, Any],
    overrides: dict[str, Any] | None,
    only: tuple[str, ...],
    no_cache: bool,
    publish: str | None,
    reporter: ProgressReporter,
    tasks: list[str],
) -> tuple[list[RunReport], SwitchyardError | None]:
    """The reports, and the first refusal that stopped publishing (PublishResult.failure)."""
    from bot.forges.door import Command, run_change_request

    forge, ref = registry.recognise(pr_ref, os.environ)
    if publish and publish != forge.name:
        raise click.UsageError(f"--publish {publish}: {pr_ref} is on {forge.name}")
    opened = forge.open_ref(ref, os.environ)
    config_path = params.get("config_path") or os.environ.get("SWITCHYARD_CONFIG")
    runs = run_change_request(
        opened.source,
        opened.publisher_for,
        tasks=tasks,
        config_path=Path(config_path) if config_path else None,
        environ=os.environ,
        publish=publish is not None,
        overrides=overrides,
        only=only,
        no_cache=no_cache,
        progress=reporter.callback(),
        command=Command(forge.name),
    )
    failure: SwitchyardError | None = None
    for task, run in zip(tasks, runs, strict=True):
        if run.published is None:
            continue
        for error in run.published.errors:
            reporter.info(f"publishing: {error}")
        failure = failure or run.published.failure
        reporter.info(
            f"published {task} to {ref.label}: "
            f"{run.published.comments_posted} "
            f"comments, check {run.published.conclusion or run.published.status}"
        )
    return [run.report for run in runs], failure
