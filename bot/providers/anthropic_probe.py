"""What `switchyard doctor` checks of an Anthropic endpoint: the model list, the model itself
(aliases resolved by GET /v1/models/{id}), its context window, count_tokens and a tiny
tool-use call."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.providers.base import Message, ProbeResult
from bot.providers.discovery import EndpointFacts
from bot.providers.probing import key_refused, model_not_served, probe_answers
from bot.providers.retry import connection_cause

if TYPE_CHECKING:
    from bot.providers.anthropic_provider import AnthropicProvider


def probe(provider: AnthropicProvider) -> ProbeResult:
    """Every check doctor makes of one endpoint; problems say what to fix."""
    import anthropic

    result = ProbeResult(target=provider.name, base_url=provider.base_url)
    try:
        page = provider.sdk().models.list(limit=1000, timeout=provider.aux_timeout())
        result.served_models = [m.id for m in page.data]
    except anthropic.APIError as exc:
        result.reachable = isinstance(exc, anthropic.APIStatusError)
        result.problems.append(_problem(provider, exc, "GET /v1/models"))
        return result
    result.reachable = True
    _probe_model(provider, result)
    probe_answers(
        provider,
        result,
        [Message("system", "You are a health check."), Message("user", "Record ok = true.")],
        max_output_tokens=64,
    )
    return result


def discover(provider: AnthropicProvider) -> EndpointFacts:
    """The model's input limit, by GET /v1/models/{id} (aliases resolved); never raises."""
    import anthropic

    facts = EndpointFacts(checked_at=time.time())
    try:
        info = provider.sdk().models.retrieve(provider.model, timeout=provider.aux_timeout())
    except anthropic.NotFoundError:
        facts.reachable = True
        facts.notes.append(f"GET /v1/models/{provider.model}: not found")
        return facts
    except anthropic.APIError as exc:
        facts.reachable = isinstance(exc, anthropic.APIStatusError)
        facts.notes.append(_problem(provider, exc, f"GET /v1/models/{provider.model}"))
        return facts
    facts.reachable = True
    limit = getattr(info, "max_input_tokens", None)
    if isinstance(limit, int) and limit > 0:
        facts.context_tokens = limit
        facts.context_via = f"/v1/models/{provider.model} max_input_tokens"
    return facts


def _problem(provider: AnthropicProvider, exc: Exception, what: str) -> str:
    import anthropic

    base_url, name = provider.base_url, provider.name
    if isinstance(exc, anthropic.APITimeoutError):
        return (
            f"No answer from {base_url} within {provider.aux_timeout():g} s. Is the address "
            f"right? Check {provider.config.setting_name(name, 'base_url')}."
        )
    if isinstance(exc, anthropic.APIConnectionError):
        return (
            f"Cannot reach {base_url} ({connection_cause(exc)}). Check the network, or "
            f"{provider.config.setting_name(name, 'base_url')}."
        )
    if isinstance(exc, anthropic.APIStatusError) and exc.status_code in (401, 403):
        return key_refused(provider, exc.status_code)
    status = getattr(exc, "status_code", None)
    return f"{what} at {base_url} failed ({f'HTTP {status}' if status else exc})."


def _probe_model(provider: AnthropicProvider, result: ProbeResult) -> None:
    """Whether the model is served: listed, or an alias GET /v1/models/{id} resolves."""
    import anthropic

    model = provider.model
    try:
        info = provider.sdk().models.retrieve(model, timeout=provider.aux_timeout())
    except anthropic.NotFoundError:
        result.model_served = False
        result.problems.append(model_not_served(provider, result.served_models))
        return
    except anthropic.APIError as exc:
        result.model_served = model in result.served_models or None
        result.problems.append(_problem(provider, exc, f"GET /v1/models/{model}"))
        return
    result.model_served = True
    limit = getattr(info, "max_input_tokens", None)
    if isinstance(limit, int):
        result.context_tokens = limit
        configured = provider.config.context_tokens
        if configured is not None and configured > limit:
            result.problems.append(
                f"providers.{provider.name}.context_tokens is {configured} but "
                f"{model} takes at most {limit} input tokens; set context_tokens to "
                f"{limit} or less."
            )
