"""Anthropic's Messages API through the official `anthropic` SDK.

Structured answers come through tool use: one tool named after the schema, its input_schema
the response model's JSON schema, forced with tool_choice; the call's input is the answer.
Two refusals are learnt once per provider and then avoided: models that reject forced tool
use (400 naming tool_choice, e.g. Claude Sonnet 5.5) fall back to tool_choice "auto" with
the tool named in the system prompt, and models that reject a non-default temperature (e.g.
Claude Sonnet 5) get none (the SDK itself has dropped sampling parameters). The SDK's own
retries are off: retries (bot.providers.retry) are visible, honour retry-after and end in a
ProviderError whose message is safe to log (never the key).

Holds the provider class; the Messages API's shapes live in anthropic_messages, doctor's
checks in anthropic_probe, the whole-request timeout in deadline_http.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from bot.providers import anthropic_probe
from bot.providers.anthropic_messages import (
    answer_of,
    render_messages,
    request_kwargs,
    tool_name,
)
from bot.providers.base import (
    Completion,
    CompletionRequest,
    ProbeResult,
    ProviderError,
    Usage,
)
from bot.providers.client_base import AUX_TIMEOUT_S, NO_KEY, SDKClientProvider
from bot.providers.deadline_http import deadline_client
from bot.providers.discovery import EndpointFacts
from bot.providers.retry import call_with_retries, sdk_failure

if TYPE_CHECKING:
    import anthropic

# Re-exported: callers import the Messages API's shapes from here too.
__all__ = [
    "ANTHROPIC_DEFAULT_BASE_URL",
    "AUX_TIMEOUT_S",
    "NO_KEY",
    "AnthropicProvider",
    "answer_of",
    "render_messages",
    "tool_name",
]

ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com"


class _Refused(Exception):
    """A 400 refusing a request option this provider can drop ("temperature", "tool_choice")."""

    def __init__(self, option: str, status: int, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.status = status


class AnthropicProvider(SDKClientProvider["anthropic.Anthropic"]):
    """The Provider protocol over Anthropic's Messages API. Thread-safe."""

    default_base_url = ANTHROPIC_DEFAULT_BASE_URL
    answer_kind = "an Anthropic message"
    # Learnt once per provider, under the lock, as the endpoint answers.
    _temperature: bool = True  # False once the model refused a temperature
    _counts: bool | None = None  # False once count_tokens proved missing

    def _api_root(self, base_url: str) -> str:
        # The SDK appends /v1/...; a base_url written like an OpenAI one (.../v1) still works.
        return base_url.removesuffix("/v1")

    def _configured_mode(self, structured_output: str) -> str | None:
        # Tool use is how Anthropic enforces a schema: json_schema and json_object mean it.
        return {"auto": None, "instructed": "instructed"}.get(structured_output, "tool_use")

    # -- Provider protocol -------------------------------------------------------------------

    def complete(self, request: CompletionRequest) -> Completion:
        """One answer. When request.response_model is set, `parsed` holds the validated
        answer, or None when it did not validate (complete_structured then repairs)."""
        started = time.monotonic()
        http_requests = 0
        # Each refusal drops one option for good, so this ends within three rounds.
        for _ in range(3):
            mode = self._mode_for(request)
            with self._lock:
                temperature = self._temperature
            kwargs = request_kwargs(request, self.model, mode, temperature)
            try:
                response, sent = self._create(kwargs, mode)
            except _Refused as refused:
                http_requests += 1
                self._drop(refused)
                continue
            except ProviderError as exc:
                exc.latency_s = time.monotonic() - started
                self._learn_from(exc)
                raise
            http_requests += sent
            if mode != "text":
                with self._lock:
                    self._mode = mode
            return self._completion(request, response, mode, started, http_requests)
        raise AssertionError("unreachable: each refusal drops an option")

    def count_tokens(self, text: str) -> int | None:
        """Tokens of `text` sent as one user message, by the API's count_tokens endpoint:
        its few tokens of message framing included, so a count errs on the safe side."""
        if not text:
            return 0
        with self._lock:
            if self._counts is False:
                return None
        import anthropic

        try:
            answer = self.sdk().messages.count_tokens(
                model=self.model,
                messages=[{"role": "user", "content": text}],
                timeout=self.aux_timeout(),
            )
        except anthropic.APIStatusError as exc:
            if exc.status_code in (404, 405, 501):  # a gateway without the endpoint
                with self._lock:
                    self._counts = False
            return None  # busy, down or refused: no verdict on the endpoint
        except anthropic.APIError:
            return None
        count = getattr(answer, "input_tokens", None)
        if not isinstance(count, int):
            return None
        with self._lock:
            self._counts = True
        return count

    def probe(self) -> ProbeResult:
        """Every check doctor makes: the model list, the model itself (aliases resolved),
        its context window, count_tokens and a tiny tool-use call."""
        return anthropic_probe.probe(self)

    def _discover(self) -> EndpointFacts:
        return anthropic_probe.discover(self)

    # -- requests ----------------------------------------------------------------------------

    def _sdk_class(self) -> type[anthropic.Anthropic]:
        import anthropic

        return anthropic.Anthropic

    def _client_options(self) -> dict[str, Any]:
        return {"http_client": deadline_client()}

    def _mode_for(self, request: CompletionRequest) -> str:
        if request.response_model is None:
            return "text"
        with self._lock:
            return self._mode or "tool_use"

    def _drop(self, refused: _Refused) -> None:
        with self._lock:
            if refused.option == "temperature" and self._temperature:
                self._temperature = False
                return
            if refused.option == "tool_choice" and self._mode in (None, "tool_use"):
                self._mode = "tool_auto"
                return
        raise self._errors.status(refused.status, str(refused), attempts=1)

    def _create(self, kwargs: dict[str, Any], mode: str) -> tuple[Any, int]:
        import anthropic

        negotiating_tools = mode == "tool_use" and self.config.structured_output == "auto"

        def refused(status: int, message: str) -> None:
            if status != 400:
                return
            text = message.lower()
            if "extra_body" in kwargs and "temperature" in text:
                raise _Refused("temperature", status, message) from None
            if negotiating_tools and ("tool_choice" in text or "forced tool" in text):
                raise _Refused("tool_choice", status, message) from None

        return call_with_retries(
            lambda: self.sdk().messages.create(**kwargs),
            lambda exc: sdk_failure(anthropic, exc),
            self._errors,
            attempts=self.config.max_retries + 1,
            backoff_s=self._backoff_s,
            sleep=self._sleep,
            on_status=refused,
            accept=lambda response: isinstance(getattr(response, "content", None), list),
        )

    def _answer(self, request: CompletionRequest, response: Any) -> tuple[str, Any, Usage]:
        text, parsed = answer_of(response, request.response_model, tool_name(request.schema_name))
        usage = response.usage
        tokens = Usage(
            prompt_tokens=getattr(usage, "input_tokens", 0) or 0,
            completion_tokens=getattr(usage, "output_tokens", 0) or 0,
        )
        return text, parsed, tokens
