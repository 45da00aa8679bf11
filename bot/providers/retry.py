"""How calls to a model endpoint fail and are retried, whatever the provider's SDK.

Holds the mapping of failures to ProviderError (messages safe to log: never the key, always
what to fix) and the retry loop with exponential backoff that honours Retry-After. The
official `openai` and `anthropic` SDKs are generated from one template and raise exceptions
of the same shapes, so `sdk_failure` reads both; each provider passes its SDK module in and
imports it lazily (importing an SDK costs ~0.5 s of CLI start-up).
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

from bot.config.keys import key_env_name
from bot.config.model import ProviderConfig
from bot.providers.base import ErrorKind, ProviderError

MAX_RETRY_AFTER_S = 60.0  # a server asking for longer is reported, not waited for
MAX_BACKOFF_S = 30.0
# How servers word "too long for my context", with the size they serve: vLLM, OpenAI and
# llama-cpp-python ("maximum context length is 8192 tokens"), llama.cpp's own words, TGI
# ("must be <= 8192"), Anthropic ("210000 tokens > 200000 maximum").
_CONTEXT_SIZE = (
    re.compile(r"maximum context length (?:is|of) (\d[\d,]*)", re.IGNORECASE),
    re.compile(r"context (?:window|size|length) (?:of|is) \(?(\d[\d,]*)", re.IGNORECASE),
    re.compile(r"must be <= (\d[\d,]*)", re.IGNORECASE),
    re.compile(r"tokens? > (\d[\d,]*) maximum", re.IGNORECASE),
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed attempt in SDK-neutral terms."""

    status: int | None = None  # the HTTP status; None when no HTTP answer came
    message: str = ""  # the server's own explanation
    retry_after: float | None = None
    timeout: bool = False
    cause: str = ""  # why a connection failed: "connection refused", ...
    bad_body: bool = False  # an answer that is not what the API promises
    context_tokens: int | None = None  # the context size a "too long" refusal reported

    @property
    def retryable(self) -> bool:
        if self.bad_body:
            return False
        if self.status is None:
            return True  # timeouts and connection errors
        return self.status in (408, 429) or self.status >= 500


class EndpointErrors:
    """Builds the ProviderErrors of one endpoint; holds the key only to redact it."""

    def __init__(
        self,
        name: str,
        base_url: str,
        config: ProviderConfig,
        api_key: str | None,
        *,
        answer: str = "an OpenAI chat completion",
        streamed: bool = False,
    ) -> None:
        self.name = name
        self.base_url = base_url
        self.config = config
        self.answer = answer  # what a good answer is, for "answered with something that is not"
        # Whether the calls are streamed: closing a timed-out stream tells the runner to stop.
        self.streamed = streamed
        self._api_key = api_key

    @property
    def key_env(self) -> str:
        """The variable an auth error tells the user to set."""
        return self.config.api_key_env or key_env_name(self.name)

    def __repr__(self) -> str:  # no key in reprs, logs or tracebacks
        return f"EndpointErrors(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def local(self) -> bool:
        return self.config.resolved_location() == "local"

    def retryable(self, failure: Failure) -> bool:
        """Whether `failure` is worth another attempt at this endpoint. A self-hosted
        runner keeps generating for a client that left a request that is not streamed
        (llama.cpp does): sending a timed-out generation again only queues a second copy
        behind the first. A closed stream stops it, but a generation that did not finish
        in time will not finish in time again either."""
        if failure.timeout and self.local:
            return False
        return failure.retryable

    def failure(self, failure: Failure, attempts: int) -> ProviderError:
        if failure.bad_body:
            return self.bad_body()
        if failure.status is not None:
            error = self.status(failure.status, failure.message, attempts, failure.retry_after)
            if failure.context_tokens is not None:
                error.context_tokens = failure.context_tokens
            return error
        return self.transport(failure.timeout, failure.cause, attempts)

    def status(
        self, status: int, message: str, attempts: int, retry_after: float | None = None
    ) -> ProviderError:
        detail = self.safe(message)
        if status in (401, 403):
            kind = ErrorKind.AUTH
            text = (
                f"{self.name}: authentication failed ({status}); check the API key ({self.key_env})"
            )
        elif status == 429:
            kind = ErrorKind.RATE_LIMITED
            text = f"{self.name}: rate limited (429)"
            if retry_after is not None:
                text += f", retry after {retry_after:g} s"
        elif status >= 500:
            kind = ErrorKind.SERVER_ERROR
            text = f"{self.name}: server error ({status}){tries(attempts)}: {detail}"
        elif status == 404:
            kind = ErrorKind.BAD_REQUEST
            text = f"{self.name}: not found (404) at {self.base_url}: {detail}"
        else:
            kind = ErrorKind.BAD_REQUEST
            text = f"{self.name}: request rejected ({status}): {detail}"
        context = reported_context(message) if 400 <= status < 500 else None
        return ProviderError(
            kind, text, target=self.name, retry_after=retry_after, context_tokens=context
        )

    def transport(self, timeout: bool, cause: str, attempts: int) -> ProviderError:
        """A timeout or a connection that never got an HTTP answer."""
        if timeout:
            kind = ErrorKind.TIMEOUT
            text = f"{self.name}: timed out after {self.config.timeout_s:g} s"
            if self.local and self.streamed:
                text += " (the runner was told to stop: its stream was closed; not sent again)"
            elif self.local:
                text += " (not sent again: the runner may still be working on it)"
        else:
            kind = ErrorKind.UNREACHABLE
            cause = cause or "connection failed"
            text = f"{self.name}: server at {self.base_url} unreachable ({cause})"
        return ProviderError(kind, text + tries(attempts), target=self.name)

    def bad_body(self) -> ProviderError:
        return ProviderError(
            ErrorKind.SERVER_ERROR,
            f"{self.name}: the server at {self.base_url} answered with something that is not "
            f"{self.answer}",
            target=self.name,
        )

    def safe(self, message: str, limit: int = 200) -> str:
        """`message` on one line, shortened, with the key masked should the server echo it."""
        message = " ".join(message.split())
        if self._api_key:
            message = message.replace(self._api_key, "***")
        return message[:limit] + ("..." if len(message) > limit else "")


def call_with_retries(
    send: Callable[[], T],
    classify: Callable[[Exception], Failure | None],
    errors: EndpointErrors,
    *,
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    on_status: Callable[[int, str], None] = lambda _status, _message: None,
    accept: Callable[[T], bool] = lambda _answer: True,
) -> tuple[T, int]:
    """`send()`'s answer and the number of HTTP requests it took, retrying 429, 5xx,
    timeouts and connection errors.

    `classify` turns the SDK's exceptions into Failures (None: not a call failure, re-raised).
    `on_status` sees every error status and its server message first; it may raise to stop
    the loop (structured-mode negotiation does, when the server refuses a request option).
    `accept` rejects an answer that parsed but is not a real one (no choices, no content).
    """
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            answer = send()
        except Exception as exc:  # the SDK's; classify says which are call failures
            failure = classify(exc)
            if failure is None:
                raise
            if failure.status is not None:
                on_status(failure.status, failure.message)
            too_long = (failure.retry_after or 0) > MAX_RETRY_AFTER_S
            if not errors.retryable(failure) or last or too_long:
                raise errors.failure(failure, attempt + 1) from None
            sleep(backoff_wait(attempt, failure.retry_after, backoff_s))
        else:
            if not accept(answer):
                raise errors.bad_body()
            return answer, attempt + 1
    raise AssertionError("unreachable: the last attempt returns or raises")


def sdk_failure(sdk: ModuleType, exc: Exception) -> Failure | None:
    """A Failure from an exception of the `openai` or `anthropic` SDK (same shapes)."""
    if isinstance(exc, sdk.APIStatusError):
        message = server_message(exc)
        return Failure(
            status=exc.status_code,
            message=message,
            retry_after=parse_retry_after(exc.response.headers),
            context_tokens=_body_context(exc.body) or reported_context(message)
            if 400 <= exc.status_code < 500
            else None,
        )
    # The SDK's timeout is a subclass of its connection error: test it first.
    if isinstance(exc, sdk.APITimeoutError):
        return Failure(timeout=True)
    if isinstance(exc, sdk.APIConnectionError):
        return Failure(cause=connection_cause(exc))
    if isinstance(exc, sdk.APIResponseValidationError | json.JSONDecodeError):
        return Failure(bad_body=True)  # the SDK lets a body that is not JSON through as is
    return None


def reported_context(message: str) -> int | None:
    """The context size a server's "request too long" message names, if it names one."""
    for pattern in _CONTEXT_SIZE:
        found = pattern.search(message)
        if found:
            size = int(found.group(1).replace(",", ""))
            if size > 0:
                return size
    return None


def _body_context(body: Any) -> int | None:
    # llama.cpp's server puts the size in the error itself:
    # {"error": {"type": "exceed_context_size_error", "n_ctx": 8192, ...}}
    inner = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("n_ctx"), int) and inner["n_ctx"] > 0:
        return int(inner["n_ctx"])
    return None


def backoff_wait(attempt: int, retry_after: float | None, backoff_s: float) -> float:
    """Seconds to sleep before attempt `attempt + 1`."""
    if retry_after is not None:
        # A little jitter on top, never below what the server asked for.
        return retry_after * (1 + 0.1 * random.random())
    return min(MAX_BACKOFF_S, backoff_s * 2**attempt * (0.5 + random.random()))


def server_message(exc: Any) -> str:
    """The server's own explanation from an SDK status error's body, whatever its shape:
    OpenAI's {"error": {"message"}}, Anthropic's {"type": "error", "error": {"message"}}."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    if isinstance(body, str) and body:
        return body
    return f"HTTP {exc.status_code}"


def parse_retry_after(headers: Any) -> float | None:
    """Seconds from retry-after-ms or Retry-After (seconds or an HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def connection_cause(exc: BaseException) -> str:
    """A short cause for a connection failure: refused, DNS, TLS, ..."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "host name not resolved"
        if isinstance(seen, ssl.SSLError):
            return "TLS error"
        text = str(seen).lower()
        if "connection refused" in text:
            return "connection refused"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "host name not resolved"
        if "certificate" in text or "ssl" in text:
            return "TLS error"
        seen = seen.__cause__ or seen.__context__
    return "connection failed"


def tries(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""
