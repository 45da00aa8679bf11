"""Any OpenAI-compatible endpoint: vLLM, llama.cpp, Ollama, LiteLLM proxies, OpenAI itself.

Holds the provider class: chat requests and the negotiation of a structured-output mode.
Uses the official `openai` SDK with its own retries off: retries (openai_errors) are visible,
honour Retry-After, and end in a ProviderError whose message is safe to log (never the key).
Calls to a runner declared local are streamed (streaming: a call given up on stops the
runner); calls to the cloud are not.
Tokenizer endpoints, discovery and doctor's checks live in openai_probe, the whole-request
timeout in deadline_http. What is learnt (the mode that worked, the tokenizer, a context size
a refusal reported) is remembered through client_base, in bot.providers.discovery's store.
"""

from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Any

from bot.providers import openai_probe
from bot.providers.base import (
    Completion,
    CompletionRequest,
    ProbeResult,
    ProviderError,
    Usage,
)
from bot.providers.client_base import NO_KEY, SDKClientProvider
from bot.providers.deadline_http import deadline_client
from bot.providers.discovery import EndpointFacts
from bot.providers.openai_errors import create_with_retries
from bot.providers.openai_probe import TokenizerBusy, TokenizerUnavailable
from bot.providers.streaming import stream_with_retries
from bot.providers.structured import (
    parse_answer,
    schema_for,
    with_schema_in_system,
)

if TYPE_CHECKING:
    import openai

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
MODES = ("json_schema", "json_object", "instructed")
__all__ = ["MODES", "NO_KEY", "OPENAI_DEFAULT_BASE_URL", "OpenAICompatibleProvider"]
_REJECTION_HINTS = ("response_format", "json_schema", "json_object", "schema", "grammar")
_CONTEXT_HINTS = (
    "context length",
    "maximum context",
    "too many tokens",
    "context window",
    "context size",  # llama.cpp: "the request exceeds the available context size"
)


class _ModeRejected(Exception):
    """The server refused the response_format of this mode; try the next one."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class OpenAICompatibleProvider(SDKClientProvider["openai.OpenAI"]):
    """The Provider protocol over the OpenAI chat completions API. Thread-safe."""

    default_base_url = OPENAI_DEFAULT_BASE_URL
    answer_kind = "an OpenAI chat completion"
    streams_when_local = True
    # "vllm" | "llamacpp" once known; False when the server has no tokenizer endpoint.
    # Learnt under the lock.
    _tokenizer: str | bool | None = None

    @property
    def root_url(self) -> str:
        """The server's root, where /tokenize and /props live beside /v1."""
        return self.base_url.removesuffix("/v1")

    # -- Provider protocol -------------------------------------------------------------------

    def complete(self, request: CompletionRequest) -> Completion:
        """One answer. When request.response_model is set, `parsed` holds the validated
        answer, or None when it did not validate (complete_structured then repairs)."""
        started = time.monotonic()
        if request.response_model is None:
            modes = ["text"]
        else:
            with self._lock:
                learnt = self._mode
                refused = set(self._refused_modes)
            # A mode refused once is not offered again by the items that follow, even
            # those sent before any mode has worked.
            modes = [learnt] if learnt else [m for m in MODES if m not in refused]
        http_requests = 0
        last_rejection: _ModeRejected | None = None
        for mode in modes:
            try:
                kwargs = self._request_kwargs(request, mode)
                response, sent = self._create(kwargs, request)
            except _ModeRejected as exc:
                http_requests += 1
                last_rejection = exc
                with self._lock:
                    self._refused_modes.add(mode)
                continue
            except ProviderError as exc:
                exc.latency_s = time.monotonic() - started
                self._learn_from(exc)
                raise
            http_requests += sent
            if mode != "text" and len(modes) > 1:
                with self._lock:
                    self._mode = mode
                # Remembered across work items and runs: the next one asks in this mode.
                self.remember(structured_mode=mode)
            return self._completion(request, response, mode, started, http_requests)
        assert last_rejection is not None
        raise self._errors.status(last_rejection.status, str(last_rejection), attempts=1)

    @property
    def asks_tokenizer(self) -> bool:
        """Whether this endpoint's tokenizer is asked at all (counts and doctor): an
        OpenAI-compatible cloud API has none, so it is asked only when the operator says
        `tokenizer: server`; otherwise it would only be sent the text once more for a 404."""
        return self.location == "local" or self.config.tokenizer == "server"

    def count_tokens(self, text: str) -> int | None:
        if not self.asks_tokenizer:
            return None
        with self._lock:
            known = self._tokenizer
            facts = self._facts
        if known is None and facts is not None and facts.tokenizer:
            known = False if facts.tokenizer == "none" else facts.tokenizer
        if known is False:
            return None
        kinds = [known] if isinstance(known, str) else list(openai_probe.TOKENIZER_KINDS)
        for kind in kinds:
            try:
                n = openai_probe.tokenize(self, kind, text)
            except TokenizerUnavailable:
                continue
            except TokenizerBusy:
                return None  # server busy or down: not a verdict on the endpoint
            with self._lock:
                self._tokenizer = kind
            if known is None:
                self.remember(tokenizer=kind)
            return n
        with self._lock:
            self._tokenizer = False
        if known is None:
            self.remember(tokenizer="none")
        return None

    @property
    def tokenizer_endpoint(self) -> str | None:
        """The tokenizer's URL once known; None when there is none or it is not known."""
        with self._lock:
            known = self._tokenizer
            facts = self._facts
        kind = known if isinstance(known, str) else (facts.tokenizer if facts else None)
        if not kind or kind == "none" or known is False:
            return None
        return self.root_url + openai_probe.TOKENIZER_PATHS[kind]

    def probe(self) -> ProbeResult:
        return openai_probe.probe(self)

    def _discover(self) -> EndpointFacts:
        return openai_probe.discover(self)

    # -- requests ----------------------------------------------------------------------------

    def _sdk_class(self) -> type[openai.OpenAI]:
        # The SDK insists on a key; passing one explicitly (NO_KEY when none is configured)
        # also stops it from sending OPENAI_API_KEY to a local server.
        import openai

        return openai.OpenAI

    def _client_options(self) -> dict[str, Any]:
        # The timeout bounds the whole request: a server trickling its answer fails as a
        # timeout (and the router falls back) instead of holding the call for ever.
        return {"http_client": deadline_client()}

    def _request_kwargs(self, request: CompletionRequest, mode: str) -> dict[str, Any]:
        messages = request.messages
        kwargs: dict[str, Any] = {}
        if mode == "json_schema":
            assert request.response_model is not None
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": schema_for(request.response_model),
                    "strict": False,
                },
            }
        elif mode == "json_object":
            assert request.response_model is not None
            # llama.cpp turns "schema" into a grammar; others ignore it and read the prompt.
            kwargs["response_format"] = {
                "type": "json_object",
                "schema": schema_for(request.response_model),
            }
            messages = with_schema_in_system(request)
        elif mode == "instructed":
            messages = with_schema_in_system(request)
        kwargs.update(
            model=self.model,
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=request.max_output_tokens,
            temperature=request.temperature,
        )
        return kwargs

    def _create(self, kwargs: dict[str, Any], request: CompletionRequest) -> tuple[Any, int]:
        """The chat completion (streamed, to a local runner) and the number of HTTP
        requests it took; raises _ModeRejected while `auto` is still negotiating and the
        server refuses this response_format."""
        negotiating = "response_format" in kwargs and self.config.structured_output == "auto"

        def reject_mode(status: int, message: str) -> None:
            if negotiating and _is_rejection(status, message):
                raise _ModeRejected(status, message) from None

        create = (
            functools.partial(
                stream_with_retries,
                on_progress=request.on_progress,
                prompt_tokens=request.prompt_tokens,
            )
            if self.streams
            else create_with_retries
        )
        return create(
            self.sdk(),
            kwargs,
            self._errors,
            attempts=self.config.max_retries + 1,
            backoff_s=self._backoff_s,
            sleep=self._sleep,
            on_status=reject_mode,
        )

    def _answer(self, request: CompletionRequest, response: Any) -> tuple[str, Any, Usage]:
        text = response.choices[0].message.content or ""
        usage = response.usage
        parsed = None
        if request.response_model is not None:
            parsed, _reason = parse_answer(text, request.response_model)
        tokens = Usage(
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        )
        return text, parsed, tokens


def _is_rejection(status: int, message: str) -> bool:
    """Whether an error answer to a structured request means 'this response_format, no'."""
    text = message.lower()
    if status in (400, 422):
        return not any(h in text for h in _CONTEXT_HINTS)
    if status >= 500:
        # llama.cpp answers an unknown response_format with 500; other 5xx are outages.
        return any(h in text for h in _REJECTION_HINTS)
    return False
