"""`switchyard analyze`: a repository-wide report, routed cloud-first, with the
self-hosted runner as the fallback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.options import provider_option, quiet_option, settings_options
from bot.cli.progress import ProgressReporter
from bot.cli.repository import origin_repository
from bot.cli.setup import load
from bot.services import open_providers, opened_services

if TYPE_CHECKING:
    from bot.analyze.plan import AnalyzePlan
    from bot.config.model import Settings
    from bot.repomap import FactsCache


@click.command()
@settings_options
@click.option("--repository", help="The repository, for data-class policy (default: origin).")
@click.option("--ref", default="HEAD", show_default=True, help="The commit to analyse.")
@click.option(
    "--budget",
    type=click.IntRange(min=1000),
    metavar="TOKENS",
    help="Most prompt tokens for the whole-repository item (default: the cloud target's "
    "context); when its map would show under 60% of the files, per-package chunks go to "
    "the self-hosted runner instead.",
)
@click.option("--window", default="12 months", show_default=True, help="History read for churn.")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
    show_default=True,
)  # fmt: skip
@click.option("--output", metavar="FILE", help="Write the report here instead of stdout.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the plan (map size, tokens, route and why, estimated cost) and send nothing.",
)
@provider_option
@quiet_option
def analyze(
    repo_dir: Path,
    config_path: str | None,
    repository: str | None,
    ref: str,
    budget: int | None,
    window: str,
    fmt: str,
    output: str | None,
    dry_run: bool,
    only: tuple[str, ...],
    quiet: bool,
) -> None:
    """Report on the whole repository: its modules and their dependencies, hot spots
    (functions with many branches in files that change often), dead-code candidates and
    test gaps — computed here — and a narrative a model writes about them.

    The whole repository goes to a cloud target with a large context (restricted files
    left out of its map); when the repository is restricted, no cloud target is set, the
    map does not fit the budget, or the cloud call fails, per-package chunks go to the
    self-hosted runner and their answers are merged. The report says which route it took.

    \b
    Examples:
      switchyard analyze
      switchyard analyze --dry-run
      switchyard analyze --budget 60000 --format json --output analysis.json
    """
    from bot.analyze.plan import plan_analyze
    from bot.analyze.render import to_json, to_markdown
    from bot.analyze.run import run_analyze
    from bot.planning import RunContext

    loaded = load(repo_dir, config_path)
    settings = loaded.settings
    ctx = RunContext(repository=repository or origin_repository(repo_dir), change_ref=ref)
    cache = _cache(settings)
    if dry_run:
        providers = open_providers(loaded, only, os.environ)
        try:
            plan = plan_analyze(
                settings, providers, checkout=repo_dir, ref=ref, ctx=ctx, budget=budget,
                cache=cache, window=window,
            )  # fmt: skip
        finally:
            for p in providers.values():
                p.close()
        for line in plan_lines(plan, settings):
            click.echo(line)
        return
    reporter = ProgressReporter(quiet)
    with reporter, opened_services(loaded, settings, only, os.environ) as services:
        report = run_analyze(
            settings, services, checkout=repo_dir, ref=ref, ctx=ctx, budget=budget,
            cache=cache, window=window, progress=reporter.callback(),
        )  # fmt: skip
    text = to_json(report) if fmt == "json" else to_markdown(report)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        if not quiet:
            click.echo(
                f"switchyard: analysis written to {output} (route: {report.route})", err=True
            )
    else:
        click.echo(text)
    if not report.complete:
        raise click.exceptions.Exit(3)


def plan_lines(plan: AnalyzePlan, settings: Settings) -> list[str]:
    """The plan as `--dry-run` prints it: map, route and why, each item's size and cost."""
    from bot.impact.cost import cost_text, estimated_usd

    lines = [
        f"Analyze plan: repository map of {plan.map_files} files ({plan.map_seconds:.1f}s), "
        f"{plan.map_tokens} map tokens in {len(plan.items)} work items "
        f"(budget {plan.budget_tokens} tokens each)",
        f"route: {plan.route_taken}: {plan.why}",
    ]
    for p in plan.items:
        chunk = plan.chunks.get(p.item.id)
        covers = chunk.label if chunk else "the whole repository"
        usd = cost_text(estimated_usd(settings, p))
        lines.append(
            f"  {p.item.id}: {covers}; ~{p.item.prompt_tokens} tokens; {usd}; {p.route.reason}"
        )
    lines += [f"  note: {n}" for n in plan.notes]
    return lines


def _cache(settings: Settings) -> FactsCache:
    from bot.ledger.location import resolve_state_dir
    from bot.repomap import FactsCache

    return FactsCache.in_state_dir(resolve_state_dir(settings, os.environ))
