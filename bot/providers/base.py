"""The provider contract: one completion request in, one measured completion out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(slots=True)
class CompletionRequest:
    messages: list[Message]
    # The answer must validate against this model; None for free text.
    response_model: type[BaseModel] | None = None
    schema_name: str = "answer"
    max_output_tokens: int = 2048
    temperature: float = 0.0
    # The prompt's size as planning counted it (exact when the target's tokenizer counted
    # it), for a server whose answer does not say (llama-cpp-python's streams); 0 unknown.
    prompt_tokens: int = 0
    # Told how a streamed answer comes along: (tokens received so far, seconds since the
    # request was sent), at most once a second, on the thread that called complete() (a
    # worker thread when items run in parallel); never for an answer that is not streamed
    # (see bot/providers/streaming.py). Not part of what the request asks: left out of
    # comparisons.
    on_progress: Callable[[int, float], None] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(slots=True)
class Completion:
    text: str
    parsed: BaseModel | None
    usage: Usage
    latency_s: float
    target: str  # provider name in the configuration, e.g. "local"
    model: str
    structured_mode: str  # "json_schema" | "json_object" | "instructed" | "text"
    repaired: bool = False  # the first answer was invalid and the repair attempt fixed it
    http_requests: int = 1
    # Why generation stopped, as the server said: "stop", "length" (OpenAI-compatible) or
    # "max_tokens" (Anthropic's stop_reason)...; None when the provider did not say.
    finish_reason: str | None = None


class ErrorKind(StrEnum):
    UNREACHABLE = "unreachable"  # connection refused, DNS, TLS
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"  # 429
    SERVER_ERROR = "server_error"  # 5xx
    BAD_REQUEST = "bad_request"  # 4xx other than auth and 429, e.g. context length exceeded
    AUTH = "auth"  # 401/403
    INVALID_ANSWER = "invalid_answer"  # not JSON, or JSON of the wrong shape, after one repair


class ProviderError(Exception):
    """A call that did not produce a valid answer. The message is safe to show and log."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        target: str = "",
        retry_after: float | None = None,
        usage: Usage | None = None,
        latency_s: float = 0.0,
        context_tokens: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.target = target
        self.retry_after = retry_after
        self.usage = usage or Usage()
        self.latency_s = latency_s
        # The context size the server reported when it refused a request as too long
        # ("maximum context length is 8192 tokens"): the item can be packed again to fit.
        self.context_tokens = context_tokens


@dataclass(slots=True)
class ProbeResult:
    """What `switchyard doctor` learns about one endpoint."""

    target: str
    base_url: str
    reachable: bool = False
    model_served: bool | None = None
    served_models: list[str] = field(default_factory=list)
    context_tokens: int | None = None  # as the server reports it (vLLM's max_model_len)
    structured_mode: str | None = None  # the mode that worked
    tokenizer: str | None = None  # "server" when /tokenize answers
    # The context planning uses and where it came from ("server: /props n_ctx", "config:
    # SWITCHYARD_LOCAL_CONTEXT_TOKENS", "assumed: ..."), and the tokenizer endpoint found.
    context_used: int | None = None
    context_source: str = ""
    tokenizer_endpoint: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reachable and self.model_served is not False and not self.problems


class Provider(Protocol):
    name: str
    model: str
    context_tokens: int
    location: str  # "local" | "cloud"

    def complete(self, request: CompletionRequest) -> Completion: ...

    def count_tokens(self, text: str) -> int | None:
        """Exact count from the server's own tokenizer, or None if it offers none."""
        ...

    def probe(self) -> ProbeResult: ...

    def prepare(self) -> None:
        """Load what the first call needs; called from the main thread before parallel work."""
        ...

    def close(self) -> None: ...
