"""What an OpenAI-compatible server offers besides chat: its tokenizer and doctor's checks.

Holds the /tokenize endpoints of vLLM and llama.cpp (exact token counts) and `probe`, which
`switchyard doctor` runs: /models, the served context length (/models or /props) and a test
completion in structured mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.providers.base import Message, ProbeResult
from bot.providers.openai_errors import connection_cause
from bot.providers.probing import key_refused, model_not_served, probe_answers

if TYPE_CHECKING:
    from bot.providers.openai_compat import OpenAICompatibleProvider

TOKENIZER_KINDS = ("vllm", "llamacpp")


class TokenizerUnavailable(Exception):
    """The server has no tokenizer endpoint of this kind."""


class TokenizerBusy(Exception):
    """The tokenizer endpoint could not answer now (busy, down)."""


def tokenize(provider: OpenAICompatibleProvider, kind: str, text: str) -> int:
    """Tokens in `text` by the server's tokenizer of `kind` ("vllm" or "llamacpp")."""
    import openai

    if kind == "vllm":
        body: dict[str, Any] = {"model": provider.model, "prompt": text}
        body["add_special_tokens"] = False  # count the text, not a BOS token
    else:
        body = {"content": text}
    try:
        answer = provider.sdk().post(
            provider.root_url + "/tokenize",
            cast_to=object,
            body=body,
            options={"timeout": provider.aux_timeout()},
        )
    except openai.APIStatusError as exc:
        if exc.status_code == 429 or exc.status_code >= 500:
            raise TokenizerBusy from None
        raise TokenizerUnavailable from None
    except openai.APIConnectionError:  # includes timeouts
        raise TokenizerBusy from None
    except (openai.APIError, ValueError):
        raise TokenizerUnavailable from None
    if not isinstance(answer, dict):
        raise TokenizerUnavailable
    if kind == "vllm" and isinstance(answer.get("count"), int):
        return int(answer["count"])
    if kind == "llamacpp" and isinstance(answer.get("tokens"), list):
        return len(answer["tokens"])
    raise TokenizerUnavailable


def probe(provider: OpenAICompatibleProvider) -> ProbeResult:
    """Every check doctor makes of one endpoint; problems say what to fix."""
    result = ProbeResult(target=provider.name, base_url=provider.base_url)
    models = _probe_models(provider, result)
    if models is None:
        return result
    _probe_context(provider, result, models)
    probe_answers(
        provider,
        result,
        [
            Message("system", "You are a health check. Answer in JSON."),
            Message("user", 'Reply with {"ok": true}.'),
        ],
        max_output_tokens=32,
        advice=f" Try another providers.{provider.name}.structured_output or a stronger model.",
    )
    return result


def _get_json(provider: OpenAICompatibleProvider, url: str) -> Any:
    return provider.sdk().get(url, cast_to=object, options={"timeout": provider.aux_timeout()})


def _probe_models(
    provider: OpenAICompatibleProvider, result: ProbeResult
) -> list[dict[str, Any]] | None:
    import openai

    base_url, name = provider.base_url, provider.name
    try:
        answer = _get_json(provider, base_url + "/models")
    except openai.APITimeoutError:
        result.problems.append(
            f"No answer from {base_url} within "
            f"{provider.aux_timeout():g} s. Is the server up and the "
            "address right? Check providers."
            f"{name}.base_url."
        )
        return None
    except openai.APIConnectionError as exc:
        result.problems.append(
            f"Cannot reach {base_url} ({connection_cause(exc)}). Start the server, or fix "
            f"providers.{name}.base_url."
        )
        return None
    except openai.APIStatusError as exc:
        result.reachable = True
        if exc.status_code in (401, 403):
            result.problems.append(key_refused(provider, exc.status_code))
        else:
            result.problems.append(
                f"GET {base_url}/models answered HTTP {exc.status_code}; is this an "
                "OpenAI-compatible API root (usually ending in /v1)?"
            )
        return None
    except (openai.APIError, ValueError):
        result.reachable = True
        result.problems.append(
            f"{base_url}/models did not answer with JSON; is this an OpenAI-compatible "
            "API root (usually ending in /v1)?"
        )
        return None
    result.reachable = True
    data = answer.get("data") if isinstance(answer, dict) else None
    models = [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []
    result.served_models = [str(m.get("id")) for m in models if m.get("id")]
    result.model_served = provider.model in result.served_models
    if not result.model_served:
        result.problems.append(model_not_served(provider, result.served_models))
    return models


def _probe_context(
    provider: OpenAICompatibleProvider, result: ProbeResult, models: list[dict[str, Any]]
) -> None:
    import openai

    for entry in models:
        if entry.get("id") == provider.model and isinstance(entry.get("max_model_len"), int):
            result.context_tokens = entry["max_model_len"]
    if result.context_tokens is None:
        try:
            props = _get_json(provider, provider.root_url + "/props")
        except (openai.APIError, ValueError):
            props = None
        settings = props.get("default_generation_settings") if isinstance(props, dict) else None
        if isinstance(settings, dict) and isinstance(settings.get("n_ctx"), int):
            result.context_tokens = settings["n_ctx"]
    configured = provider.context_tokens
    if result.context_tokens is not None and configured > result.context_tokens:
        result.problems.append(
            f"providers.{provider.name}.context_tokens is {configured} but the server "
            f"serves at most {result.context_tokens} tokens; set context_tokens to "
            f"{result.context_tokens} or less (or start the server with a longer context)."
        )
