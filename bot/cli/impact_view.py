"""`switchyard review --deep`: the impact task's dry-run plan and its run from the CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.services import open_providers, opened_services

if TYPE_CHECKING:
    from bot.change.model import SkippedFile
    from bot.cli.change_input import Prepared
    from bot.cli.progress import ProgressReporter
    from bot.planning import PlannedItem
    from bot.providers.base import Provider
    from bot.repomap import FactsCache
    from bot.report import RunReport
    from bot.routing import Target


def facts_cache(prepared: Prepared) -> FactsCache:
    """The map's facts kept in the state folder, so a second run parses only what changed."""
    from bot.ledger.location import resolve_state_dir
    from bot.repomap import FactsCache

    return FactsCache.in_state_dir(resolve_state_dir(prepared.settings, os.environ))


def print_impact_plan(prepared: Prepared, only: tuple[str, ...]) -> None:
    from bot.impact.cost import cost_text, estimated_usd
    from bot.impact.plan import plan_impact
    from bot.impact.run import map_line

    providers = open_providers(prepared.loaded, only, os.environ)
    try:
        plan = plan_impact(
            prepared.change, prepared.settings, providers,
            checkout=_checkout(prepared), ctx=prepared.ctx, cache=facts_cache(prepared),
        )  # fmt: skip
    finally:
        for p in providers.values():
            p.close()
    echo = click.echo
    echo(f"Impact plan: {map_line(plan)}")
    for planned, it in zip(plan.items, plan.impacts, strict=True):
        left = f", {it.left_out} left out" if it.left_out else ""
        usd = cost_text(estimated_usd(prepared.settings, planned))
        echo(
            f"  {planned.item.id}: {', '.join(planned.item.files)} with {it.snippets} uses "
            f"elsewhere{left}; ~{planned.item.prompt_tokens} tokens; {usd}; "
            f"{planned.route.reason}"
        )
    for s in plan.skipped:
        echo(f"  not covered: {s.path}: {s.reason}")
    for note in plan.notes:
        echo(f"  note: {note}")


def run_impact_local(
    prepared: Prepared, only: tuple[str, ...], reporter: ProgressReporter
) -> RunReport:
    from bot.impact.links import origin_url, web_repo
    from bot.impact.run import run_impact

    checkout = _checkout(prepared)
    web = web_repo(os.environ, origin_url(checkout) if checkout else None)
    with opened_services(prepared.loaded, prepared.settings, only, os.environ) as services:
        return run_impact(
            prepared.change, prepared.settings, services,
            checkout=checkout, ctx=prepared.ctx, cache=facts_cache(prepared),
            progress=reporter.callback(), web=web,
        )  # fmt: skip


def _checkout(prepared: Prepared) -> Path | None:
    root = prepared.change.repo_root
    return Path(root) if root else None


def repository_view(
    task: str, prepared: Prepared, providers: dict[str, Provider]
) -> tuple[list[PlannedItem], list[Target], list[SkippedFile], list[str]]:
    """`route --task impact|analyze`: the items, targets, what was left out, and the lines
    a repository-scope plan adds (map size, tokens, scope, reason, estimated cost)."""
    from bot.impact.cost import cost_text, estimated_usd

    settings = prepared.settings
    if task == "analyze":
        from bot.analyze.plan import plan_analyze
        from bot.cli.analyze_cmd import plan_lines

        root = _checkout(prepared) or Path(".")
        plan = plan_analyze(
            settings, providers, checkout=root, ref=prepared.change.head_sha or "HEAD",
            ctx=prepared.ctx, cache=facts_cache(prepared),
        )  # fmt: skip
        return plan.items, plan.targets, [], ["scope: repository", *plan_lines(plan, settings)]
    from bot.impact.plan import plan_impact
    from bot.impact.run import map_line

    impact = plan_impact(
        prepared.change, settings, providers, checkout=_checkout(prepared), ctx=prepared.ctx,
        cache=facts_cache(prepared),
    )  # fmt: skip
    details = ["scope: repository (cloud first)", map_line(impact)]
    for planned, it in zip(impact.items, impact.impacts, strict=True):
        usd = cost_text(estimated_usd(settings, planned))
        details.append(
            f"{planned.item.id}: {it.snippets} uses elsewhere from {len(it.shown) - 1} other "
            f"files ({it.left_out} left out); ~{planned.item.prompt_tokens} tokens; {usd}"
        )
    details += [f"note: {n}" for n in impact.notes]
    return impact.items, impact.targets, impact.skipped, details
