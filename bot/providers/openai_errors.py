"""How calls to an OpenAI-compatible endpoint are retried: the generic loop of `retry`
over the `openai` SDK's chat completions.

The error mapping and backoff are shared with the other providers (bot.providers.retry);
their names are re-exported here for the callers that import them from this module. The
`openai` SDK is imported inside functions only: importing it costs ~0.5 s of CLI start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.providers.retry import (
    MAX_BACKOFF_S,
    MAX_RETRY_AFTER_S,
    EndpointErrors,
    Failure,
    backoff_wait,
    call_with_retries,
    connection_cause,
    parse_retry_after,
    sdk_failure,
    server_message,
    tries,
)

if TYPE_CHECKING:
    import openai

__all__ = [
    "MAX_BACKOFF_S",
    "MAX_RETRY_AFTER_S",
    "EndpointErrors",
    "Failure",
    "backoff_wait",
    "connection_cause",
    "create_with_retries",
    "parse_retry_after",
    "server_message",
    "tries",
]


def create_with_retries(
    client: openai.OpenAI,
    kwargs: dict[str, Any],
    errors: EndpointErrors,
    *,
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    on_status: Callable[[int, str], None],
) -> tuple[Any, int]:
    """The chat completion and the number of HTTP requests it took, retrying 429, 5xx,
    timeouts and connection errors.

    `on_status` sees every error status and its server message first; it may raise to
    stop the loop (structured-mode negotiation does, when a response_format is refused).
    """
    import openai

    return call_with_retries(
        lambda: client.chat.completions.create(**kwargs),
        lambda exc: sdk_failure(openai, exc),
        errors,
        attempts=attempts,
        backoff_s=backoff_s,
        sleep=sleep,
        on_status=on_status,
        accept=lambda response: bool(getattr(response, "choices", None)),
    )
