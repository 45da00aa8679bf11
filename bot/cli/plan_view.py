"""Prints a review plan (`--dry-run`): what would be sent where, without sending it."""

from __future__ import annotations

import click

from bot.change.model import Change
from bot.planning import ReviewPlan


def print_plan(plan: ReviewPlan, change: Change) -> None:
    files = len(change.files)
    click.echo(
        f"plan for {change.source}: {files} files to review, "
        f"{len(plan.skipped)} not reviewed, {change.changed_lines} changed lines"
    )
    if plan.targets:
        click.echo("targets, in order of preference:")
        for t in plan.targets:
            click.echo(f"  {t.name}: {t.model}, {t.declared or t.location}")
    else:
        click.echo(
            "targets: none configured (set SWITCHYARD_LOCAL_BASE_URL and "
            "SWITCHYARD_LOCAL_MODEL, or OPENAI_API_KEY)"
        )
    click.echo(
        f"prompt budget: {plan.budget_tokens} tokens per work item (counted by "
        f"{plan.token_method}; a dry run sends nothing, not even to a tokenizer)"
    )
    for p in plan.items:
        it = p.item
        click.echo(
            f"{it.id}: {len(it.files)} files, {it.changed_lines} changed lines, "
            f"{it.prompt_tokens} prompt tokens"
        )
        click.echo(f"  route: {p.route.reason}")
        for path in it.files:
            click.echo(f"  - {path} ({it.lines_by_file[path]} lines)")
    if plan.skipped:
        click.echo("not reviewed:")
        for s in plan.skipped:
            click.echo(f"  - {s.path}: {s.reason}")
