"""`switchyard route --explain`: where each work item of a change would go, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.change_input import ChangeInput, Prepared, change_options, prepare
from bot.services import open_providers

if TYPE_CHECKING:
    from bot.classify.data_class import Classification
    from bot.planning import PlannedItem
    from bot.providers.base import Provider
    from bot.routing import Target

ROUTED_TASKS = ("review", "tests", "docs", "describe", "ask", "impact", "analyze")


@click.command()
@change_options
@click.option(
    "--explain", is_flag=True, help="Say why: classes, limits, rules, passed-over targets."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--task",
    type=click.Choice(ROUTED_TASKS),
    default="review",
    show_default=True,
    help="Whose work items to route: the review's, the tests task's (generated tests), "
    "docs', describe's (a title and body), impact's (review --deep) or analyze's (the "
    "whole repository; the change is not used).",
)
@click.option(
    "--question",
    default="",
    metavar="TEXT",
    help="With --task ask: the question whose item to route.",
)
def route(explain: bool, fmt: str, task: str, question: str, **params: Any) -> None:
    """Show each work item's route for a change. Sends nothing: no model and no tokenizer
    is asked; token counts are the local estimate, which over-counts.

    The live state (circuit breakers, the runner's queue, the budget) can change the order
    at run time; the reasons for that appear in the review report.

    \b
    Examples:
      switchyard route --explain --base origin/main
      switchyard route --explain --task tests --base origin/main
      switchyard route --explain --task ask --question "is this safe?" --base main
      git diff main | switchyard route --explain --diff - --format json
    """
    if task == "ask" and not question.strip():
        raise click.UsageError('--task ask needs the question: --question "is this safe?"')
    prepared = prepare(ChangeInput.from_params(params))
    providers = open_providers(prepared.loaded)
    try:
        plan = _plan(task, prepared, providers, question)
    finally:
        for p in providers.values():
            p.close()
    rows = [
        {
            "item": p.item.id,
            "files": p.item.files,
            "prompt_tokens": p.item.prompt_tokens,
            "data_class": p.data_class.value,
            "class_reason": p.class_reason,
            "file_classes": {
                f: plan.classification.file(f).reason if plan.classification else p.class_reason
                for f in p.item.files
            },
            "targets": [t.name for t in p.route.targets],
            "reason": p.route.reason,
            "passed_over": p.route.passed_over,
        }
        for p in plan.items
    ]
    targets = [
        {"name": t.name, "model": t.model, "location": t.location, "declared": t.declared}
        for t in plan.targets
    ]
    if fmt == "json":
        skipped = [{"path": s.path, "reason": s.reason} for s in plan.skipped]
        data = {
            "targets": targets,
            "items": rows,
            "skipped": skipped,
            "token_method": plan.token_method,
            "details": plan.details,
        }
        click.echo(json.dumps(data, indent=2))
        return
    if explain:
        for t in plan.targets:
            click.echo(f"target {t.name}: {t.model}, {t.declared}")
        for line in plan.details:
            click.echo(line)
    if not rows:
        click.echo("nothing to route: every changed file was filtered out")
    for row in rows:
        chain = " → ".join(row["targets"]) or "no target"
        click.echo(
            f"{row['item']}: {chain}  ({len(row['files'])} files, "
            f"{row['prompt_tokens']} tokens by {plan.token_method})"
        )
        if explain:
            click.echo(f"  why: {row['reason']}")
            click.echo(f"  class: {row['class_reason']}")
            for passed in row["passed_over"]:
                click.echo(f"  passed over {passed}")
            for path in row["files"]:
                click.echo(f"  - {path} ({row['file_classes'][path]})")
    if explain:
        for s in plan.skipped:
            click.echo(f"not routed: {s.path}: {s.reason}")


@dataclass(slots=True)
class _View:
    """What every task's plan shows here: items with their routes, the targets, what was
    left out."""

    items: list[PlannedItem]
    targets: list[Target]
    skipped: list[Any] = field(default_factory=list)  # .path and .reason
    token_method: str = "estimate"
    classification: Classification | None = None
    details: list[str] = field(default_factory=list)  # a task's own lines: map, scope, cost


def _plan(
    task: str, prepared: Prepared, providers: dict[str, Provider], question: str = ""
) -> _View:
    if task in ("impact", "analyze"):
        from bot.cli.impact_view import repository_view

        items, targets, skipped, details = repository_view(task, prepared, providers)
        return _View(items, targets, skipped, details=details)
    if task == "ask":
        from bot.ask.run import plan_ask
        from bot.execution import Services

        asked = plan_ask(
            prepared.change,
            question,
            prepared.settings,
            Services(providers=providers),
            ctx=prepared.ctx,
        )
        return _View([asked.planned], asked.targets, list(prepared.change.skipped))
    if task == "describe":
        from bot.describe.run import plan_describe
        from bot.execution import Services

        described = plan_describe(
            prepared.change, prepared.settings, Services(providers=providers), ctx=prepared.ctx
        )
        planned = [described.planned] if described.planned is not None else []
        return _View(planned, described.targets, list(prepared.change.skipped))
    if task == "docs":
        from bot.docs_task.run import plan_docs
        from bot.execution import Services

        docs = plan_docs(
            prepared.change,
            prepared.settings,
            Services(providers=providers),
            checkout=Path(prepared.change.repo_root) if prepared.change.repo_root else None,
            ctx=prepared.ctx,
        )
        return _View(docs.items, docs.targets, docs.skipped)
    if task == "tests":
        from bot.execution import Services
        from bot.testgen.run import plan_tests

        tests = plan_tests(
            prepared.change,
            prepared.settings,
            Services(providers=providers),
            checkout=Path(prepared.change.repo_root or "."),
            ctx=prepared.ctx,
        )
        return _View(tests.items, tests.targets, [*tests.found.skipped, *tests.skipped])
    from bot.planning import plan_review

    plan = plan_review(prepared.change, prepared.settings, providers, prepared.ctx)
    return _View(plan.items, plan.targets, plan.skipped, plan.token_method, plan.classification)
