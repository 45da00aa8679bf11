"""Where a run's report goes: report files, stdout, the console; and the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.errors import EXIT_GATE, EXIT_INCOMPLETE, InputError
from bot.report import RunReport
from bot.report_formats import ALIASES
from bot.report_formats import FORMATS as REPORT_FORMATS

FORMATS = ["console", *REPORT_FORMATS, *ALIASES]
# The names GitLab's own templates give these reports; a .json file by any other name is
# our report.
GITLAB_NAMES = {
    "gl-sast-report.json": "gitlab-sast",
    "gl-secret-detection-report.json": "gitlab-secret-detection",
    "gl-code-quality-report.json": "gitlab-codequality",
}
_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".sarif": "sarif",
    ".xml": "junit",  # the one XML report there is
}


def output_targets(outputs: tuple[str, ...], fmt: str | None) -> list[tuple[Path, str]]:
    """Each --output with its format: the one its name says (`.md`, `.json`, `.sarif`,
    `gl-sast-report.json`, `gl-secret-detection-report.json`, `gl-code-quality-report.json`),
    else --format. --format is what
    stdout gets: one flag never means two things, so JSON is never written into
    `review.md`, and a --format given with several files is not silently dropped."""
    wanted = None if fmt in (None, "console") else ("markdown" if fmt == "md" else fmt)
    out: list[tuple[Path, str]] = []
    for name in outputs:
        path = Path(name)
        named = _format_of_name(path)
        if named == "json" and wanted in GITLAB_NAMES.values():
            named = wanted  # a GitLab report by another name is still a JSON file
        chosen = named or wanted
        if chosen is None:
            raise click.BadParameter(
                f"cannot tell the format of {name!r} from its extension; use .md, .json, "
                ".sarif or .xml, or give --format",
                param_hint="--output",
            )
        out.append((path, chosen))
    return out


def _format_of_name(path: Path) -> str | None:
    name = path.name.lower()
    for suffix, fmt in GITLAB_NAMES.items():
        if name.endswith(suffix):
            return fmt
    return _BY_SUFFIX.get(path.suffix.lower())


def finish(
    report: RunReport, fmt: str | None, targets: list[tuple[Path, str]], quiet: bool
) -> None:
    """Writes the report, then exits 1 for a failed gate, 3 for an incomplete run."""
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


def _emit(report: RunReport, fmt: str | None, targets: list[tuple[Path, str]], quiet: bool) -> None:
    from bot.publish.formats import render

    # With a Secret Detection report in the run, GitLab would list each secret twice.
    apart = "gitlab-secret-detection" in {kind for _, kind in targets} | {fmt}
    for path, kind in targets:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(report, kind, secrets_apart=apart), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}") from None
    if fmt and fmt != "console":
        sys.stdout.write(render(report, "markdown" if fmt == "md" else fmt, secrets_apart=apart))
        return
    if not quiet:
        from bot.publish.console import print_report

        print_report(report)
