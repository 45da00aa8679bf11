"""`switchyard doctor`: is every configured endpoint usable, and if not, why."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import settings_options
from bot.cli.setup import load
from bot.errors import EXIT_INCOMPLETE, IncompleteError
from bot.services import open_providers


@click.command()
@settings_options
@click.option("--provider", "only", multiple=True, metavar="NAME", help="Check only this one.")
def doctor(config_path: str | None, repo_dir: Path, only: tuple[str, ...]) -> None:
    """Check each configured model endpoint (reachable, model served, context size,
    structured-output mode, tokenizer), say where each runs (local or cloud, and who
    declared it), and check the security scanners (bandit, semgrep, secret detection).
    Probes send only fixed text of their own, never code. Exits 3 when anything has a
    problem.

    \b
    Example:
      SWITCHYARD_LOCAL_BASE_URL=http://gpu01:8000/v1 SWITCHYARD_LOCAL_MODEL=qwen2.5-coder \\
        switchyard doctor
    """
    loaded = load(repo_dir, config_path)
    providers = open_providers(loaded, only)
    scanners_failing = 0 if only else _scanners()
    if not providers:
        raise IncompleteError(
            "no model is configured",
            hint="set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL, or OPENAI_API_KEY "
            "or ANTHROPIC_API_KEY, or declare providers in the server/org config "
            "(--config or SWITCHYARD_CONFIG)",
        )
    failing = 0
    from bot.providers.discovery import resolve_context, store_for

    store = store_for(loaded.settings)
    try:
        for name, provider in providers.items():
            cfg = loaded.settings.providers[name]
            use_store = getattr(provider, "use_store", None)
            if use_store is not None:
                use_store(store)  # what doctor learns spares the next run the asking
            result = provider.probe()
            remembered = getattr(provider, "remembered", None)
            facts = remembered() if remembered is not None else None
            context = resolve_context(name, cfg, facts)
            mark = "ok " if result.ok else "FAIL"
            click.echo(f"{mark} {name}: {provider.model} at {result.base_url}")
            click.echo(f"     location: {loaded.settings.providers[name].location_declaration()}")
            if result.reachable:
                served = {True: "served", False: "NOT served", None: "unknown"}
                click.echo(f"     model: {served[result.model_served]}")
                if result.served_models and result.model_served is False:
                    click.echo(f"     the server offers: {', '.join(result.served_models[:10])}")
                click.echo(f"     context: {context.tokens} tokens ({context.source})")
                click.echo(f"     structured output: {result.structured_mode or 'none worked'}")
                endpoint = getattr(provider, "tokenizer_endpoint", None)
                where = f" ({endpoint})" if result.tokenizer and endpoint else ""
                click.echo(f"     tokenizer: {result.tokenizer or 'estimate'}{where}")
            for problem in result.problems:
                click.echo(f"     problem: {problem}")
            failing += not result.ok
    finally:
        for provider in providers.values():
            provider.close()
    if failing:
        click.echo(f"{failing} of {len(providers)} endpoints have problems", err=True)
    if scanners_failing:
        click.echo(f"{scanners_failing} security scanner(s) not ready", err=True)
    if failing or scanners_failing:
        raise click.exceptions.Exit(EXIT_INCOMPLETE)
    click.echo(f"all {len(providers)} endpoints ready")


def _scanners() -> int:
    """Prints the security scanners' readiness; returns how many are not ready."""
    from bot.security.readiness import check_scanners

    failing = 0
    for r in check_scanners():
        click.echo(f"{'ok ' if r.ok else 'FAIL'} {r.name}: {r.detail}")
        if r.hint:
            click.echo(f"     {'fix' if not r.ok else 'note'}: {r.hint}")
        failing += not r.ok
    return failing
