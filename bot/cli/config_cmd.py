"""`switchyard config validate|schema`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bot.cli.options import settings_options
from bot.cli.setup import load


@click.group()
def config() -> None:
    """Check the configuration, or print its JSON schema for editors.

    \b
    Examples:
      switchyard config validate
      switchyard config validate --config /etc/switchyard/org.yml
      switchyard config schema > switchyard.schema.json
    """


@config.command()
@settings_options
def validate(config_path: str | None, repo_dir: Path) -> None:
    """Merge every configuration layer and report problems, naming file and key.

    \b
    Example:
      SWITCHYARD_LOCAL_BASE_URL=http://gpu01:8000/v1 SWITCHYARD_LOCAL_MODEL=qwen2.5-coder \\
        switchyard config validate
    """
    from bot.config.keys import api_key_for

    loaded = load(repo_dir, config_path)
    settings = loaded.settings
    click.echo("configuration is valid")
    for source in loaded.sources:
        click.echo(f"  read {source}")
    if not settings.providers:
        click.echo(
            "  no providers configured (set SWITCHYARD_LOCAL_BASE_URL and "
            "SWITCHYARD_LOCAL_MODEL, or OPENAI_API_KEY)"
        )
    for name, p in settings.providers.items():
        key = "key set" if api_key_for(name, p, os.environ) else "no key"
        click.echo(
            f"  provider {name}: {p.kind} {p.resolved_location()} model={p.model} "
            f"url={p.base_url or 'SDK default'} context={p.context_tokens} ({key})"
        )


@config.command()
def schema() -> None:
    """Print the JSON schema of .switchyard.yml and the server file.

    \b
    Example (VS Code, YAML extension), in .vscode/settings.json:
      "yaml.schemas": {"switchyard.schema.json": ".switchyard.yml"}
    """
    from bot.config import settings_json_schema

    click.echo(json.dumps(settings_json_schema(), indent=2))
