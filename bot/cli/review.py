"""`switchyard review`: review a branch or a patch and report, gate, or both."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.change_input import ChangeInput, change_options, prepare
from bot.cli.progress import ProgressReporter
from bot.cli.setup import open_providers
from bot.errors import EXIT_GATE, EXIT_INCOMPLETE, InputError

if TYPE_CHECKING:
    from bot.report import RunReport

SEVERITIES = ["critical", "major", "minor", "nit"]
FORMATS = ["console", "markdown", "md", "json", "sarif"]
_BY_SUFFIX = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".sarif": "sarif"}


@click.command()
@change_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Report format for stdout, or for --output (default: from the file's extension).",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report here (repeatable: review.md, review.json, review.sarif).",
)
@click.option(
    "--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 if a finding is this severe or worse."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the plan (files, work items, tokens, targets) without calling a model.",
)
@click.option(
    "--provider",
    "only",
    multiple=True,
    metavar="NAME",
    help="Use only this configured provider (repeatable).",
)
@click.option("--no-cache", is_flag=True, help="Send every file again, even if answered before.")
@click.option("-q", "--quiet", is_flag=True, help="No console report and no progress.")
def review(
    fmt: str | None,
    outputs: tuple[str, ...],
    fail_on: str | None,
    dry_run: bool,
    only: tuple[str, ...],
    no_cache: bool,
    quiet: bool,
    **params: Any,
) -> None:
    """Review the changes on a branch (or in a patch) and report findings.

    \b
    Examples:
      switchyard review --base origin/main
      switchyard review --base main --output review.md --output review.sarif
      git diff main | switchyard review --diff - --format json
      switchyard review --base origin/main --fail-on major --quiet
      switchyard review --base origin/main --dry-run
    """
    targets = _outputs(outputs, fmt)
    overrides = {"fail_on": fail_on} if fail_on else None
    prepared = prepare(ChangeInput.from_params(params), overrides, {"fail_on": "--fail-on"})
    loaded, settings, change, ctx = (
        prepared.loaded,
        prepared.settings,
        prepared.change,
        prepared.ctx,
    )
    reporter = ProgressReporter(quiet)
    if not change.files:
        reporter.info("nothing to review: every changed file was filtered out")
    providers = open_providers(loaded, only)
    ledger = None
    try:
        if dry_run:
            from bot.cli.plan_view import print_plan
            from bot.planning import plan_review

            print_plan(plan_review(change, settings, providers, ctx), change)
            return
        from bot.ledger.store import Ledger
        from bot.pipeline import Services, run_review

        if no_cache:
            settings = settings.model_copy(
                update={"cache": settings.cache.model_copy(update={"enabled": False})}
            )
        ledger = Ledger.from_settings(settings, os.environ)
        with reporter:
            report = run_review(
                change,
                settings,
                Services(providers=providers, ledger=ledger),
                ctx=ctx,
                fail_on=settings.fail_on,
                progress=reporter.callback(),
            )
    finally:
        for p in providers.values():
            p.close()
        if ledger is not None:
            ledger.close()
    _emit(report, fmt, targets, quiet)
    # Even with --quiet, a non-zero exit says why on stderr: a CI log must explain a red job.
    if not report.summary.complete:
        from bot.pipeline import UNREVIEWED

        for note in report.notes:
            if UNREVIEWED in note:
                click.echo(f"switchyard: incomplete: {note}", err=True)
    if report.summary.gate_failed:
        worse = sum(1 for f in report.findings if f.severity.at_least(report.summary.fail_on))
        click.echo(
            f"switchyard: gate failed: {worse} findings at or above {report.summary.fail_on}",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_GATE)
    if not report.summary.complete:
        raise click.exceptions.Exit(EXIT_INCOMPLETE)


def _outputs(outputs: tuple[str, ...], fmt: str | None) -> list[tuple[Path, str]]:
    """Each --output with its format: the --format flag, else the file's extension."""
    out: list[tuple[Path, str]] = []
    for name in outputs:
        path = Path(name)
        chosen = fmt if fmt and fmt != "console" and len(outputs) == 1 else None
        chosen = chosen or _BY_SUFFIX.get(path.suffix.lower())
        if chosen is None:
            raise click.BadParameter(
                f"cannot tell the format of {name!r} from its extension; use .md, .json or "
                ".sarif, or give --format",
                param_hint="--output",
            )
        out.append((path, "markdown" if chosen == "md" else chosen))
    return out


def _emit(report: RunReport, fmt: str | None, targets: list[tuple[Path, str]], quiet: bool) -> None:
    from bot.publish.formats import render

    for path, kind in targets:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(report, kind), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    if fmt and fmt != "console" and not targets:
        sys.stdout.write(render(report, "markdown" if fmt == "md" else fmt))
        return
    if not quiet:
        from bot.publish.console import print_report

        print_report(report)
