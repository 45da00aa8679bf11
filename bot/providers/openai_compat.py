"""Any OpenAI-compatible endpoint: vLLM, llama.cpp, Ollama, LiteLLM proxies, OpenAI itself.

Holds the provider class: chat requests and the negotiation of a structured-output mode.
Uses the official `openai` SDK with its own retries off: retries (openai_errors) are visible,
honour Retry-After, and end in a ProviderError whose message is safe to log (never the key).
Tokenizer endpoints and doctor's checks live in openai_probe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.config.model import ProviderConfig
from bot.providers import openai_probe
from bot.providers.base import (
    Completion,
    CompletionRequest,
    ProbeResult,
    ProviderError,
    Usage,
)
from bot.providers.openai_errors import EndpointErrors, create_with_retries
from bot.providers.openai_probe import TokenizerBusy, TokenizerUnavailable
from bot.providers.structured import (
    parse_answer,
    schema_for,
    with_schema_in_system,
)

if TYPE_CHECKING:
    import openai

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
MODES = ("json_schema", "json_object", "instructed")
# The SDK insists on a key; self-hosted servers without auth ignore this one. Passing it
# explicitly also stops the SDK from sending OPENAI_API_KEY to a local server.
NO_KEY = "switchyard-no-key"
_REJECTION_HINTS = ("response_format", "json_schema", "json_object", "schema", "grammar")
_CONTEXT_HINTS = ("context length", "maximum context", "too many tokens", "context window")


class _ModeRejected(Exception):
    """The server refused the response_format of this mode; try the next one."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class OpenAICompatibleProvider:
    """The Provider protocol over the OpenAI chat completions API. Thread-safe."""

    def __init__(
        self,
        name: str,
        config: ProviderConfig,
        api_key: str | None,
        *,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.config = config
        self.model = config.model
        self.context_tokens = config.context_tokens
        self.location = config.resolved_location()
        self.base_url = (config.base_url or OPENAI_DEFAULT_BASE_URL).rstrip("/")
        self.root_url = self.base_url.removesuffix("/v1")
        self._api_key = api_key
        self._errors = EndpointErrors(name, self.base_url, config, api_key)
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._client: openai.OpenAI | None = None
        forced = config.structured_output
        self._mode: str | None = None if forced == "auto" else forced
        # "vllm" | "llamacpp" once known; False when the server has no tokenizer endpoint.
        self._tokenizer: str | bool | None = None

    def __repr__(self) -> str:  # no key in reprs, logs or tracebacks
        return f"OpenAICompatibleProvider(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def structured_mode(self) -> str | None:
        """The mode in use: configured, or learnt by `auto`; None until learnt."""
        with self._lock:
            return self._mode

    @property
    def key_env(self) -> str:
        """The environment variable that should hold this endpoint's API key."""
        return self._errors.key_env

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
            modes = [learnt] if learnt else list(MODES)
        http_requests = 0
        last_rejection: _ModeRejected | None = None
        for mode in modes:
            try:
                response, sent = self._create(self._request_kwargs(request, mode))
            except _ModeRejected as exc:
                http_requests += 1
                last_rejection = exc
                continue
            except ProviderError as exc:
                exc.latency_s = time.monotonic() - started
                raise
            http_requests += sent
            if mode != "text" and len(modes) > 1:
                with self._lock:
                    self._mode = mode
            return self._completion(request, response, mode, started, http_requests)
        assert last_rejection is not None
        raise self._errors.status(last_rejection.status, str(last_rejection), attempts=1)

    def count_tokens(self, text: str) -> int | None:
        with self._lock:
            known = self._tokenizer
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
            return n
        with self._lock:
            self._tokenizer = False
        return None

    def probe(self) -> ProbeResult:
        return openai_probe.probe(self)

    def prepare(self) -> None:
        """Loads the SDK now, from the calling thread: imports racing in worker threads can
        deadlock and leave a module half-initialised."""
        self.sdk()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- requests ----------------------------------------------------------------------------

    def sdk(self) -> openai.OpenAI:
        """The SDK client, made on first use; shared by every thread."""
        with self._lock:
            if self._client is None:
                import openai  # lazy: importing the SDK costs ~0.5 s of CLI start-up

                self._client = openai.OpenAI(
                    api_key=self._api_key or NO_KEY,
                    base_url=self.base_url,
                    timeout=self.config.timeout_s,
                    max_retries=0,
                )
            return self._client

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

    def _create(self, kwargs: dict[str, Any]) -> tuple[Any, int]:
        """The chat completion and the number of HTTP requests it took; raises _ModeRejected
        while `auto` is still negotiating and the server refuses this response_format."""
        negotiating = "response_format" in kwargs and self.config.structured_output == "auto"

        def reject_mode(status: int, message: str) -> None:
            if negotiating and _is_rejection(status, message):
                raise _ModeRejected(status, message) from None

        return create_with_retries(
            self.sdk(),
            kwargs,
            self._errors,
            attempts=self.config.max_retries + 1,
            backoff_s=self._backoff_s,
            sleep=self._sleep,
            on_status=reject_mode,
        )

    def _completion(
        self,
        request: CompletionRequest,
        response: Any,
        mode: str,
        started: float,
        http_requests: int,
    ) -> Completion:
        text = response.choices[0].message.content or ""
        usage = response.usage
        parsed = None
        if request.response_model is not None:
            parsed, _reason = parse_answer(text, request.response_model)
        return Completion(
            text=text,
            parsed=parsed,
            usage=Usage(
                prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            ),
            latency_s=time.monotonic() - started,
            target=self.name,
            model=getattr(response, "model", None) or self.model,
            structured_mode=mode,
            http_requests=http_requests,
        )


def _is_rejection(status: int, message: str) -> bool:
    """Whether an error answer to a structured request means 'this response_format, no'."""
    text = message.lower()
    if status in (400, 422):
        return not any(h in text for h in _CONTEXT_HINTS)
    if status >= 500:
        # llama.cpp answers an unknown response_format with 500; other 5xx are outages.
        return any(h in text for h in _REJECTION_HINTS)
    return False
