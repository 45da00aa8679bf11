"""`switchyard runner`: serve a GGUF model on loopback for machines without a GPU server."""

from __future__ import annotations

import os
import signal
import threading

import click


@click.command()
@click.option(
    "--model",
    metavar="PATH",
    help="A .gguf file to serve (default: $SWITCHYARD_RUNNER_MODEL, else the small model of "
    "the `local` extra, Gemma 3 270M).",
)
@click.option(
    "--port",
    default=8765,
    type=click.IntRange(1, 65535),
    envvar="SWITCHYARD_RUNNER_PORT",
    show_default=True,
    help="Loopback port.",
)
@click.option(
    "--context",
    default=8192,
    type=click.IntRange(512, 1 << 20),
    show_default=True,
    help="Context window in tokens (llama.cpp's n_ctx).",
)
def runner(model: str | None, port: int, context: int) -> None:
    """Serve a model as an OpenAI-compatible endpoint on 127.0.0.1, until Ctrl-C or SIGTERM.

    Needs `pip install 'switchyard[local]'` (llama-cpp-python and a small bundled model). It
    listens on loopback only; point reviews at it with SWITCHYARD_LOCAL_BASE_URL, which
    declares it on premises.

    \b
    Examples:
      switchyard runner
      switchyard runner --model ~/models/qwen2.5-coder-1.5b-q4_k_m.gguf --context 16384
      SWITCHYARD_LOCAL_BASE_URL=http://127.0.0.1:8765/v1 SWITCHYARD_LOCAL_MODEL=gemma-3-270m \\
        switchyard review --base main
    """
    from bot.config.model import Settings
    from bot.ledger.location import resolve_state_dir
    from bot.runner import EmbeddedRunner, resolve_model

    models_dir = resolve_state_dir(Settings(), os.environ) / "models"
    choice = resolve_model(model, models_dir)
    click.echo(f"switchyard: starting {choice.source} on 127.0.0.1:{port}", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedRunner(choice, port=port, context=context) as served:
        click.echo(
            f"switchyard: serving {choice.alias} at {served.base_url}\n"
            f"  SWITCHYARD_LOCAL_BASE_URL={served.base_url} "
            f"SWITCHYARD_LOCAL_MODEL={choice.alias} SWITCHYARD_LOCAL_CONTEXT_TOKENS={context}",
            err=True,
        )
        try:
            while not stop.wait(1.0):
                if not served.running:
                    raise click.ClickException(
                        f"the runner stopped ({served.ended()}): "
                        f"{served.last_log_line() or 'no message'}"
                    )
        except KeyboardInterrupt:
            pass
    click.echo("switchyard: runner stopped", err=True)
