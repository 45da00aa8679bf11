"""`switchyard docs`: doc comments a branch left missing or stale, as suggestions; README
and docs/ text that still names what it renamed or removed, as a patch."""

from __future__ import annotations

import os
from pathlib import Path
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
@change_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Report format for stdout.")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report here (repeatable: docs.md with the suggestions and the patch).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what needs a doc and why, the docs edits, work items, tokens and targets: no model.",
)
@provider_option
@quiet_option
def docs(
    fmt: str | None,
    outputs: tuple[str, ...],
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
    **params: Any,
) -> None:
    """Check the docs of what a branch changes. Public functions, classes and methods whose
    doc comment is missing, or lists parameters, a return value or errors the code no
    longer has, get a suggestion in the language's convention (Python's Google, NumPy or
    reST style as the repository writes it; JSDoc, TSDoc, Javadoc, Go doc comments). Docs
    that are right cost no model call. Command-line flags, configuration keys, HTTP routes
    and environment variables the branch renamed or removed, still named in the README or
    docs/, get an edit in the report's patch.

    \b
    Examples:
      switchyard docs --base origin/main
      switchyard docs --base main --format markdown --output docs.md
      switchyard docs --base main --dry-run
    """
    if params.get("diff_path"):
        raise click.UsageError(
            "docs read the changed files whole and the repository's README and docs/ at the "
            "head: they need a branch in a checkout (--base), not a patch (--diff)"
        )
    targets = output_targets(outputs, fmt)
    reporter = ProgressReporter(quiet)
    prepared = prepare(ChangeInput.from_params(params))
    if not prepared.change.files:
        reporter.info("nothing to check: every changed file was filtered out")
    checkout = Path(prepared.change.repo_root) if prepared.change.repo_root else None
    if dry_run:
        _dry_run(prepared, only, checkout)
        return
    from bot.docs_task.run import run_docs_task

    with task_services(prepared, reporter, only) as services:
        report = run_docs_task(
            prepared.change,
            prepared.settings,
            services,
            checkout=checkout,
            ctx=prepared.ctx,
            progress=reporter.callback(),
        )
    finish(report, fmt, targets, quiet)


def _dry_run(prepared: Prepared, only: tuple[str, ...], checkout: Path | None) -> None:
    from bot.docs_task.run import plan_docs
    from bot.execution import Services

    providers = open_providers(prepared.loaded, only, os.environ)
    try:
        plan = plan_docs(
            prepared.change,
            prepared.settings,
            Services(providers=providers),
            checkout=checkout,
            ctx=prepared.ctx,
            discover=False,
        )
    finally:
        for p in providers.values():
            p.close()
    echo = click.echo
    need = "needs" if len(plan.gaps) == 1 else "need"
    echo(
        f"Plan: {len(plan.gaps)} of {plural(plan.checked, 'changed public definition')} "
        f"{need} a doc; {plural(len(plan.items), 'work item')}"
    )
    for gap in plan.gaps:
        echo(f"  {gap.path}: {gap.qualname} ({gap.problem}): {'; '.join(gap.reasons)}")
    for planned in plan.items:
        item = planned.item
        echo(
            f"  {item.id}: {', '.join(item.files)}; ~{item.prompt_tokens} tokens; "
            f"{planned.route.reason}"
        )
    for path in sorted(plan.edits.edits):
        echo(f"  docs patch: {path} ({plural(len(plan.edits.edits[path]), 'line')} renamed)")
    for w in plan.edits.windows:
        echo(f"  docs edit by the model: {w.path} lines {w.start}-{w.end}")
    for s in plan.skipped:
        echo(f"  not covered: {s.path}: {s.reason}")
    for note in plan.notes:
        echo(f"  note: {note}")
