"""The checks `switchyard doctor` makes the same way of every provider, whatever its API:
the tokenizer, a tiny structured completion, and the problems they report."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from bot.providers.base import (
    Completion,
    CompletionRequest,
    Message,
    ProbeResult,
    ProviderError,
)
from bot.providers.structured import extract_json


class ProbeAnswer(BaseModel):
    ok: bool


class Probed(Protocol):
    """What these checks use of a provider."""

    name: str
    model: str
    base_url: str

    @property
    def key_env(self) -> str: ...

    def count_tokens(self, text: str) -> int | None: ...

    def complete(self, request: CompletionRequest) -> Completion: ...


def probe_answers(
    provider: Probed,
    result: ProbeResult,
    messages: list[Message],
    *,
    max_output_tokens: int,
    advice: str = "",
) -> None:
    """Records whether the server counts tokens and, when the model is served, whether a
    test completion in structured mode comes back as JSON; `advice` ends that problem."""
    asks = getattr(provider, "asks_tokenizer", True)
    if asks and provider.count_tokens("def probe(): return 1") is not None:
        result.tokenizer = "server"
    if result.model_served is False:
        return  # a test completion against a missing model only repeats that problem
    request = CompletionRequest(
        messages=messages,
        response_model=ProbeAnswer,
        schema_name="health_check",
        max_output_tokens=max_output_tokens,
    )
    try:
        completion = provider.complete(request)
    except ProviderError as exc:
        result.problems.append(f"A test completion failed: {exc.message}")
        return
    result.structured_mode = completion.structured_mode
    # Any JSON object will do: the point is that the mode works, not this tiny schema.
    if extract_json(completion.text) is None:
        result.problems.append(
            f"The model answered a test request in {completion.structured_mode} mode but "
            f"not with JSON; reviews will need repair rounds.{advice}"
        )


def model_not_served(provider: Probed, served: list[str]) -> str:
    listed = ", ".join(served) or "none"
    config = getattr(provider, "config", None)
    setting = (
        config.setting_name(provider.name, "model")
        if config is not None
        else f"providers.{provider.name}.model"
    )
    return (
        f"Model '{provider.model}' is not served by {provider.base_url} (it serves: {listed}). "
        f"Set {setting} to one of them."
    )


def key_refused(provider: Probed, status: int) -> str:
    return (
        f"{provider.base_url} refused the API key (HTTP {status}). Set {provider.key_env} "
        "to a valid key."
    )
