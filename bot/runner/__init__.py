"""The embedded runner: a GGUF model served on loopback by llama-cpp-python, for machines
without a GPU server (`pip install 'switchyard[local]'`, then `switchyard runner`)."""

from bot.runner.embedded import (
    DEFAULT_CONTEXT,
    EmbeddedRunner,
    RunnerUnavailable,
    available,
    resolve_model,
    server_command,
)

__all__ = [
    "DEFAULT_CONTEXT",
    "EmbeddedRunner",
    "RunnerUnavailable",
    "available",
    "resolve_model",
    "server_command",
]
