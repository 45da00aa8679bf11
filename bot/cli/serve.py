"""`switchyard serve`: the webhook server (Starlette on uvicorn)."""

from __future__ import annotations

import logging
import os
import sys

import click

from bot.forges.webhook import webhook_path

LOG_LEVELS = ["debug", "info", "warning", "error"]


@click.command()
@click.option(
    "--host", default="127.0.0.1", envvar="SWITCHYARD_HOST", show_default=True, help="Address."
)
@click.option(
    "--port",
    default=8080,
    type=click.IntRange(0, 65535),
    envvar="SWITCHYARD_PORT",
    show_default=True,
    help="Port.",
)
@click.option(
    "--queue",
    "queue_url",
    metavar="URL",
    envvar="SWITCHYARD_QUEUE_URL",
    help="redis://host/0, or a SQLite file (default: queue.sqlite3 in the state folder).",
)
@click.option("--config", "config_path", metavar="FILE", help="Server/org configuration file.")
@click.option("--log-level", type=click.Choice(LOG_LEVELS), default="info", show_default=True)
@click.option("--access-log", is_flag=True, help="Log every request (off: metrics count them).")
def serve(
    host: str,
    port: int,
    queue_url: str | None,
    config_path: str | None,
    log_level: str,
    access_log: bool,
) -> None:
    """Receive forges' webhooks and queue review jobs for `switchyard worker`.

    Answers each delivery at once (202 queued, 200 ignored, 401 bad signature) and does
    no network I/O while doing so. Pull requests opened, pushed to, reopened or marked
    ready get the configured tasks; comments /review, /describe, /security, /tests,
    /docs and /ask QUESTION from users with write access run that task.

    \b
    Examples:
      GITHUB_WEBHOOK_SECRET=... GITHUB_APP_ID=123 GITHUB_APP_PRIVATE_KEY=app.pem \\
        switchyard serve --host 0.0.0.0 --port 8080
      GITLAB_WEBHOOK_SECRET=... GITLAB_URL=https://gitlab.example.com GITLAB_TOKEN=... \\
        switchyard serve --host 0.0.0.0 --port 8080
      SWITCHYARD_QUEUE_URL=redis://queue:6379/0 switchyard serve
      curl -s localhost:8080/healthz

    \b
    Environment:
      GITHUB_WEBHOOK_SECRET    GitHub's webhook secret: serves /webhooks/github
      GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY   App mode (the key as PEM text or a file)
      GITHUB_TOKEN             token mode, when there is no App
      GITHUB_API_URL           GitHub Enterprise Server's API (default api.github.com)
      SWITCHYARD_QUEUE_URL     the queue (default: SQLite in SWITCHYARD_STATE)
      SWITCHYARD_PR_TASKS      tasks for pull request events (default: review)
      SWITCHYARD_BOT_LOGIN     the bot's own login(s) in token mode, comma-separated
      GITLAB_WEBHOOK_SECRET    GitLab's webhook secret token: serves /webhooks/gitlab
      GITLAB_URL, GITLAB_TOKEN the GitLab instance (default gitlab.com) and its api token
      SWITCHYARD_GITLAB_DRAFTS       skip (default) or review draft merge requests
      SWITCHYARD_GITLAB_BOT_USERNAME the bot's own GitLab user: its notes start nothing
    """
    import uvicorn

    from bot.cli.setup import load
    from bot.forges import registry
    from bot.ledger.location import resolve_state_dir
    from bot.server import build_app

    settings = load(None, config_path).settings
    state_dir = resolve_state_dir(settings, os.environ)
    served = [f for f in registry.all_forges() if f.webhook(os.environ) is not None]
    problems = [p for f in served if (p := f.credentials_problem(os.environ))]
    app = build_app(os.environ, state_dir, queue_url)
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    for problem in problems:
        logging.getLogger("bot.server").warning(problem)
    urls = ", ".join(f"http://{host}:{port}{webhook_path(f.name)}" for f in served)
    click.echo(f"switchyard: serving {urls}, queue {app.state.queue.where}", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        server_header=False,
        # GitHub keeps connections short; this bounds a stuck client's hold on a slot.
        timeout_keep_alive=5,
    )


if __name__ == "__main__":  # `python -m bot.cli.serve ...` until the command is registered
    from bot.cli import cli, main

    cli.add_command(serve)
    main(["serve", *sys.argv[1:]])
