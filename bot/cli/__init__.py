"""The `switchyard` command line. Heavy modules load inside commands, so `--help` is instant."""

from __future__ import annotations

import sys

import click

from bot import __version__
from bot.cli.analyze_cmd import analyze
from bot.cli.ask_cmd import ask
from bot.cli.config_cmd import config
from bot.cli.describe_cmd import describe
from bot.cli.docs_cmd import docs
from bot.cli.doctor import doctor
from bot.cli.hooks_cmd import hooks
from bot.cli.ledger_cmd import ledger
from bot.cli.review import review
from bot.cli.route_cmd import route
from bot.cli.runner import runner
from bot.cli.secrets_cmd import secrets
from bot.cli.security_cmd import security
from bot.cli.serve import serve
from bot.cli.tests_cmd import tests
from bot.cli.usage import usage
from bot.cli.worker import worker
from bot.errors import EXIT_USAGE, SwitchyardError

EPILOG = """\b
Examples:
  switchyard review --base origin/main
  switchyard review --diff change.patch --format sarif --output review.sarif
  git diff main | switchyard review --diff - --fail-on major
  switchyard security --base origin/main --output security.sarif
  switchyard secrets fingerprint config/settings.py:12
  switchyard tests --base origin/main --write
  switchyard describe --pr https://github.com/acme/api/pull/42 --publish
  switchyard hooks install
  switchyard docs --base origin/main
  switchyard ask "what could this break?" --base origin/main
  switchyard route --explain --base origin/main
  switchyard doctor
  switchyard usage --since 30d --by provider
  GITHUB_WEBHOOK_SECRET=... switchyard serve --port 8080 & switchyard worker

\b
Exit codes:
  0  done
  1  gate failed: a finding at or above --fail-on
  2  bad input or configuration
  3  could not complete: no model configured or reachable, or work left unreviewed

\b
Environment:
  SWITCHYARD_LOCAL_BASE_URL, SWITCHYARD_LOCAL_MODEL  the self-hosted runner (on premises)
  OPENAI_API_KEY, OPENAI_BASE_URL                     OpenAI (cloud, whatever the URL)
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL               Anthropic (cloud)
  SWITCHYARD_LOCAL_CONTEXT_TOKENS                     its context (default: asked of it)
  SWITCHYARD_CONFIG                                   the server/org configuration file
  SWITCHYARD_STATE, SWITCHYARD_DB_URL                 state folder; ledger database URL
  SWITCHYARD_OPENAI_MODEL, SWITCHYARD_ANTHROPIC_MODEL their models
  SWITCHYARD_RUNNER=off                               no embedded runner when no model is set
  SWITCHYARD_RUNNER_MODEL                             a .gguf file for the embedded runner
  SWITCHYARD_FAIL_ON                                  default --fail-on severity
  SWITCHYARD_PROGRESS_EVERY_S                         CI log: a waiting line at most this often
                                                      (default 30)
  serve and worker list theirs in their --help; all are in the README.
"""


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="switchyard")
def cli() -> None:
    """Review code changes with self-hosted and cloud models, routed and metered."""


cli.add_command(review)
cli.add_command(config)
cli.add_command(doctor)
cli.add_command(security)
cli.add_command(secrets)
cli.add_command(tests)
cli.add_command(docs)
cli.add_command(ask)
cli.add_command(describe)
cli.add_command(hooks)
cli.add_command(analyze)
cli.add_command(route)
cli.add_command(usage)
cli.add_command(ledger)
cli.add_command(serve)
cli.add_command(worker)
cli.add_command(runner)


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="switchyard", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = EXIT_USAGE if exc.exit_code == 1 else exc.exit_code
    except click.Abort:
        click.echo("switchyard: aborted", err=True)
        code = 130
    except SwitchyardError as exc:
        click.echo(f"switchyard: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("switchyard: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
