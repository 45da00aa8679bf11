"""`switchyard security`: scanners on the change, model triage, one report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from bot.cli.change_input import ChangeInput, change_options, prepare
from bot.cli.options import provider_option, quiet_option, report_options
from bot.cli.progress import ProgressReporter
from bot.cli.report_output import finish, output_targets
from bot.cli.setup import open_providers

MODES = ["added", "diff_context", "file", "nofilter"]


@click.command()
@change_options
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="Which scanner findings count: on added lines (default, or security.mode), anywhere "
    "in the diff's hunks, anywhere in a changed file, or everything the scanners report.",
)
@report_options(
    format_help="Report format for stdout.",
    output_help="Write the report here (repeatable: .sarif, .json, .md, gl-sast-report.json, "
    "gl-secret-detection-report.json, .xml for JUnit). With GitLab's Secret Detection report "
    "beside it, the SAST report leaves the secrets to it.",
)
@click.option(
    "--no-model",
    is_flag=True,
    help="Scanners only: no triage and no model pass, nothing leaves the machine.",
)
@provider_option
@click.option(
    "--semgrep-config",
    "semgrep_configs",
    multiple=True,
    metavar="PATH",
    help="Extra semgrep rule files or folders, besides the built-in rules.",
)
@quiet_option
def security(
    mode: str | None,
    fmt: str | None,
    outputs: tuple[str, ...],
    fail_on: str | None,
    no_model: bool,
    only: tuple[str, ...],
    semgrep_configs: tuple[str, ...],
    quiet: bool,
    **params: Any,
) -> None:
    """Scan the changed files for vulnerabilities and secrets (bandit, semgrep, secret
    detection), let a model triage what they report and look for what they cannot see.

    Works without a model: the scanners still run and report (the embedded runner is not
    started for a scan; `switchyard runner` serves it for triage). Secret values are masked in
    every output. A patch (--diff) is scanned against the checkout of its head (--repo,
    default here): each changed file is read there when it matches the patch.

    \b
    Examples:
      switchyard security --base origin/main
      switchyard security --base main --output security.sarif --output gl-sast-report.json
      switchyard security --output gl-sast-report.json --output gl-secret-detection-report.json
      switchyard security --diff change.patch --no-model --fail-on major
    """
    from bot.ledger.store import Ledger
    from bot.pipeline import Services
    from bot.security.run import repo_rule_paths, run_security

    targets = output_targets(outputs, fmt)
    overrides = {"fail_on": fail_on} if fail_on else None
    prepared = prepare(ChangeInput.from_params(params), overrides, {"fail_on": "--fail-on"})
    reporter = ProgressReporter(quiet)
    rules = prepared.settings.security.semgrep_rules
    repo_rules: list[Path] | None = None
    rules_notes: list[str] = []
    if rules and prepared.base_files is not None:
        # A branch: the rules as on its base, like its settings; the change cannot alter
        # the rules it is scanned under.
        rules_notes = [
            f"semgrep rules (security.semgrep_rules): {n}"
            for n in prepared.base_files.extract(rules)
        ]
        repo_rules, outside = repo_rule_paths(prepared.base_files.dir, rules)
        rules_notes += outside
    elif rules and prepared.change.repo_root is None and prepared.config_dir:
        # A patch has no checkout of its own: the repository's rules are read where its
        # .switchyard.yml was (--repo), and held inside that folder as a checkout's are.
        repo_rules, rules_notes = repo_rule_paths(prepared.config_dir, rules)
    # With no model configured the scanners run alone: the embedded runner is not started
    # for a security scan (a CPU triage would turn a CI job of seconds into minutes);
    # `switchyard runner` serves it for whoever wants its triage.
    providers = {} if no_model else open_providers(prepared.loaded, only)
    ledger = None if no_model else Ledger.from_settings(prepared.settings, os.environ)
    try:
        with reporter:
            report = run_security(
                prepared.change,
                prepared.settings,
                Services(providers=providers, ledger=ledger),
                ctx=prepared.ctx,
                mode=mode,
                fail_on=prepared.settings.fail_on,
                progress=reporter.callback(),
                use_model=not no_model,
                semgrep_configs=[Path(p) for p in semgrep_configs] or None,
                repo_rules=repo_rules,
            )
    finally:
        for p in providers.values():
            p.close()
        if ledger is not None:
            ledger.close()
    report.notes[:0] = rules_notes
    finish(report, fmt, targets, quiet)
