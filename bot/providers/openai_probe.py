"""What an OpenAI-compatible server offers besides chat: its tokenizer and doctor's checks.

Holds the tokenizer endpoints (vLLM's and llama.cpp's /tokenize, llama-cpp-python's
/extras/tokenize: exact token counts), `discover` (the served models, the context size from
vLLM's /v1/models, llama.cpp's /props or Ollama's /api/show, the tokenizer endpoint) and
`probe`, which `switchyard doctor` runs: discovery plus a test completion in structured mode.

Only GET /v1/models goes to a cloud target: the other paths are self-hosted servers' own,
and a cloud API is sent no request for a path it does not have.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from bot.providers.base import Message, ProbeResult
from bot.providers.discovery import EndpointFacts
from bot.providers.openai_errors import connection_cause
from bot.providers.probing import key_refused, model_not_served, probe_answers

if TYPE_CHECKING:
    from bot.providers.openai_compat import OpenAICompatibleProvider

TOKENIZER_KINDS = ("vllm", "llamacpp", "llamacpp-python")
# Where each kind's tokenizer is, below the server root (for doctor and the facts file).
TOKENIZER_PATHS = {
    "vllm": "/tokenize",
    "llamacpp": "/tokenize",
    "llamacpp-python": "/extras/tokenize/count",
}
# Fixed text, never code of a change: what discovery asks a tokenizer to count.
PROBE_TEXT = "def probe(): return 1"
# The context Ollama serves through /v1 when neither the model's parameters nor the
# request set num_ctx (OLLAMA_CONTEXT_LENGTH; 4096 since Ollama 0.6, 2048 before).
OLLAMA_DEFAULT_NUM_CTX = 4096
_NUM_CTX = re.compile(r"^\s*num_ctx\s+(\d+)\s*$", re.MULTILINE)


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
    elif kind == "llamacpp-python":
        # llama_cpp/server/app.py: TokenizeInputRequest {model, input} -> {count}.
        body = {"model": provider.model, "input": text}
    else:
        body = {"content": text}
    try:
        answer = provider.sdk().post(
            provider.root_url + TOKENIZER_PATHS[kind],
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
    if kind in ("vllm", "llamacpp-python") and isinstance(answer.get("count"), int):
        return int(answer["count"])
    if kind == "llamacpp" and isinstance(answer.get("tokens"), list):
        return len(answer["tokens"])
    raise TokenizerUnavailable


def discover(provider: OpenAICompatibleProvider) -> EndpointFacts:
    """What the endpoint says about itself; never raises (an endpoint that does not answer
    gives facts with reachable False, and the reason in `notes`)."""
    facts = EndpointFacts(checked_at=time.time())
    scratch = ProbeResult(target=provider.name, base_url=provider.base_url)
    models = _probe_models(provider, scratch)
    facts.reachable = scratch.reachable
    facts.notes.extend(scratch.problems)
    if models is None:
        return facts
    facts.served_models = scratch.served_models
    for entry in models:
        if entry.get("id") == provider.model and isinstance(entry.get("max_model_len"), int):
            facts.context_tokens = entry["max_model_len"]
            facts.context_via = "/v1/models max_model_len"
    if provider.location != "local":
        return facts  # a cloud API: /v1/models is all it has of these
    if facts.context_tokens is None:
        _context_from_props(provider, facts)
    if facts.context_tokens is None:
        _context_from_ollama(provider, facts)
    if facts.context_tokens is None:
        trained = [
            m["meta"]["n_ctx_train"]
            for m in models
            if isinstance(m.get("meta"), dict) and isinstance(m["meta"].get("n_ctx_train"), int)
        ]
        if trained:
            facts.notes.append(
                f"the model was trained for {trained[0]} tokens, but the server did not say "
                "what it serves"
            )
    # The tokenizer is not looked for here: a run's first exact count finds it with the
    # text it counts anyway (and remembers it); doctor looks with a fixed text (probe).
    return facts


def _context_from_props(provider: OpenAICompatibleProvider, facts: EndpointFacts) -> None:
    """llama.cpp's server: GET /props, default_generation_settings.n_ctx (per slot)."""
    import openai

    try:
        props = _get_json(provider, provider.root_url + "/props")
    except (openai.APIError, ValueError):
        return
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    if isinstance(settings, dict) and isinstance(settings.get("n_ctx"), int) and settings["n_ctx"]:
        facts.context_tokens, facts.context_via = settings["n_ctx"], "/props n_ctx"


def _context_from_ollama(provider: OpenAICompatibleProvider, facts: EndpointFacts) -> None:
    """Ollama: POST /api/show {model}; num_ctx in its parameters, else the model's trained
    context_length, of which Ollama's /v1 serves only its default num_ctx."""
    import openai

    try:
        shown = provider.sdk().post(
            provider.root_url + "/api/show",
            cast_to=object,
            body={"model": provider.model},
            options={"timeout": provider.aux_timeout()},
        )
    except (openai.APIError, ValueError):
        return
    if not isinstance(shown, dict):
        return
    found = _NUM_CTX.search(str(shown.get("parameters") or ""))
    if found:
        facts.context_tokens, facts.context_via = int(found.group(1)), "/api/show num_ctx"
        return
    info = shown.get("model_info")
    trained = None
    if isinstance(info, dict):
        trained = next(
            (v for k, v in info.items() if k.endswith(".context_length") and isinstance(v, int)),
            None,
        )
    if trained is None:
        return
    facts.context_tokens = min(trained, OLLAMA_DEFAULT_NUM_CTX)
    facts.context_via = (
        f"/api/show: the model takes {trained}, Ollama serves {facts.context_tokens} "
        "unless num_ctx or OLLAMA_CONTEXT_LENGTH says more"
    )


def _find_tokenizer(provider: OpenAICompatibleProvider) -> str | None:
    """The first tokenizer kind that counts the probe text; "none" when none exists, None
    when one could not answer now (busy, down): not a verdict on the endpoint."""
    for kind in TOKENIZER_KINDS:
        try:
            tokenize(provider, kind, PROBE_TEXT)
        except TokenizerUnavailable:
            continue
        except TokenizerBusy:
            return None
        return kind
    return "none"


def probe(provider: OpenAICompatibleProvider) -> ProbeResult:
    """Every check doctor makes of one endpoint; problems say what to fix."""
    result = ProbeResult(target=provider.name, base_url=provider.base_url)
    facts = provider.discover(refresh=True)
    result.reachable = facts.reachable
    result.problems.extend(facts.notes if not facts.served_models else [])
    if facts.served_models is None:
        if not result.problems:
            result.problems.append(f"{provider.base_url}/models gave no model list")
        return result
    result.served_models = facts.served_models
    result.model_served = provider.model in facts.served_models
    if not result.model_served:
        result.problems.append(model_not_served(provider, result.served_models))
    result.context_tokens = facts.context_tokens
    _check_context(provider, result)
    looks = provider.asks_tokenizer and provider.config.tokenizer in ("auto", "server")
    if facts.tokenizer is None and looks:
        found = _find_tokenizer(provider)
        if found is not None:
            provider.remember(tokenizer=found)
            facts.tokenizer = found
    if facts.tokenizer and facts.tokenizer != "none":
        result.tokenizer_endpoint = provider.root_url + TOKENIZER_PATHS[facts.tokenizer]
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

    base_url = provider.base_url
    setting = provider.config.setting_name(provider.name, "base_url")
    try:
        answer = _get_json(provider, base_url + "/models")
    except openai.APITimeoutError:
        result.problems.append(
            f"No answer from {base_url} within {provider.aux_timeout():g} s. Is the server up "
            f"and the address right? Check {setting}."
        )
        return None
    except openai.APIConnectionError as exc:
        result.problems.append(
            f"Cannot reach {base_url} ({connection_cause(exc)}). Start the server, or fix "
            f"{setting}."
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
    return models


def _check_context(provider: OpenAICompatibleProvider, result: ProbeResult) -> None:
    configured = provider.config.context_tokens
    served = result.context_tokens
    if configured is not None and served is not None and configured > served:
        setting = provider.config.setting_name(provider.name, "context_tokens")
        result.problems.append(
            f"{setting} is {configured} but the server serves at most {served} tokens; set "
            f"it to {served} or less (or start the server with a longer context)."
        )
