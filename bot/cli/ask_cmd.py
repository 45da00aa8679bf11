"""`switchyard ask "QUESTION"`: a question about a branch, answered from its diff and the
files it touches."""

from __future__ import annotations

import os
from typing import Any

import click

from bot.cli.change_input import ChangeInput, Prepared, change_options, prepare
from bot.cli.options import provider_option, quiet_option
from bot.cli.progress import ProgressReporter
from bot.cli.report_output import FORMATS, finish, output_targets
from bot.cli.setup import task_services
from bot.report import plural
from bot.services import open_providers


@click.command()
@click.argument("question")
@change_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Print the whole report in this format instead of the answer alone.",
)
@click.option(
    "--output", "outputs", multiple=True, metavar="FILE", help="Write the report here too."
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent where: no model.")
@provider_option
@quiet_option
def ask(
    question: str,
    fmt: str | None,
    outputs: tuple[str, ...],
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
    **params: Any,
) -> None:
    """Answer QUESTION about a change, from its diff and the head versions of the files it
    touches, routed like a review (self-hosted first; restricted code never leaves the
    premises; secrets redacted before a cloud call and masked in the answer).

    \b
    Examples:
      switchyard ask "what could this break?" --base origin/main
      switchyard ask "why is the retry loop unbounded?" --diff change.patch
    """
    targets = output_targets(outputs, fmt)
    reporter = ProgressReporter(quiet)
    prepared = prepare(ChangeInput.from_params(params))
    if dry_run:
        _dry_run(prepared, question, only)
        return
    from bot.ask.run import run_ask_task

    with task_services(prepared, reporter, only) as services:
        report = run_ask_task(
            prepared.change,
            question,
            prepared.settings,
            services,
            ctx=prepared.ctx,
            progress=reporter.callback(),
        )
    if fmt is None and report.answer:
        click.echo(report.answer)
        finish(report, None, targets, True)
        return
    finish(report, fmt, targets, quiet)


def _dry_run(prepared: Prepared, question: str, only: tuple[str, ...]) -> None:
    from bot.ask.run import plan_ask
    from bot.execution import Services

    providers = open_providers(prepared.loaded, only, os.environ)
    try:
        plan = plan_ask(
            prepared.change,
            question,
            prepared.settings,
            Services(providers=providers),
            ctx=prepared.ctx,
            discover=False,
        )
    finally:
        for p in providers.values():
            p.close()
    item = plan.planned.item
    click.echo(
        f"Plan: 1 work item ({plural(len(plan.ask.reads), 'file')} shown); ~{item.prompt_tokens} "
        f"tokens; {plan.planned.route.reason}"
    )
    for path in plan.ask.left_out:
        click.echo(f"  not shown: {path}: no room left in the context")
