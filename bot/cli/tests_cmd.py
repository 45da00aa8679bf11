"""`switchyard tests`: unit tests for the functions a branch changes, offered only after
they ran and passed."""

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
from bot.services import open_providers


@click.command()
@change_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Report format for stdout.")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report here (repeatable: tests.md with the patch, tests.json).",
)
@click.option(
    "--write",
    is_flag=True,
    help="Put the kept test files into the working tree (never over an existing file).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=1, max=900),
    metavar="S",
    help="Seconds one run of one generated test file may take (default: tests.timeout_s, 60).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the plan (changed functions, framework, work items, tokens, targets): no "
    "model, no test run.",
)
@provider_option
@quiet_option
def tests(
    fmt: str | None,
    outputs: tuple[str, ...],
    write: bool,
    timeout_s: float | None,
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
    **params: Any,
) -> None:
    """Write unit tests for the functions, methods and classes a branch changes, in the
    framework the repository already uses, run each one and keep only those that pass on
    the head: twice (a flaky one is dropped), in a throwaway worktree, without the bot's
    secrets in its environment and, where the platform allows, without network. A failing
    test gets one repair round with its output. Kept tests are run on the base too: those
    that fail there prove the change and are listed first. The report carries them as a
    patch; --write puts them in the working tree.

    The test command is detected from the repository's files (pytest, node --test, jest,
    vitest, go test, Maven, Gradle); tests.command.<language> in .switchyard.yml sets it.

    \b
    Examples:
      switchyard tests --base origin/main
      switchyard tests --base main --write
      switchyard tests --base main --format markdown --output tests.md
      switchyard tests --base main --dry-run
    """
    if params.get("diff_path"):
        raise click.UsageError(
            "tests need a branch in a checkout to run on (--base), not a patch (--diff)"
        )
    targets = output_targets(outputs, fmt)
    reporter = ProgressReporter(quiet)
    prepared = prepare(ChangeInput.from_params(params))
    if not prepared.change.files:
        reporter.info("nothing to test: every changed file was filtered out")
    if dry_run:
        _dry_run(prepared, only)
        return
    from bot.testgen.run import run_tests_task

    assert prepared.change.repo_root is not None  # a branch always has its checkout
    with task_services(prepared, reporter, only) as services:
        report = run_tests_task(
            prepared.change,
            prepared.settings,
            services,
            checkout=Path(prepared.change.repo_root),
            ctx=prepared.ctx,
            progress=reporter.callback(),
            timeout_s=timeout_s,
            write=write,
        )
    finish(report, fmt, targets, quiet)


def _dry_run(prepared: Prepared, only: tuple[str, ...]) -> None:
    from bot.execution import Services
    from bot.testgen.run import plan_tests

    providers = open_providers(prepared.loaded, only, os.environ)
    try:
        plan = plan_tests(
            prepared.change,
            prepared.settings,
            Services(providers=providers),
            checkout=Path(prepared.change.repo_root or "."),
            ctx=prepared.ctx,
            discover=False,
        )
    finally:
        for p in providers.values():
            p.close()
    echo = click.echo
    echo(f"Plan: {len(plan.items)} work items for {len(plan.found.subjects)} source files")
    for planned, t in zip(plan.items, plan.tests, strict=True):
        names = ", ".join(s.qualname for s in t.symbols)
        echo(
            f"  {t.item.id}: {t.subject.path} ({names}) → {t.test_path} with "
            f"{t.subject.framework}; ~{t.item.prompt_tokens} tokens; {planned.route.reason}"
        )
    for s in [*plan.found.skipped, *plan.skipped]:
        echo(f"  not covered: {s.path}: {s.reason}")
    for note in plan.found.notes:
        echo(f"  note: {note}")
