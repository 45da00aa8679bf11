"""How calls to an OpenAI-compatible endpoint fail and are retried.

Holds the mapping of SDK exceptions and HTTP statuses to ProviderError (messages safe to
log: never the key, always what to fix) and the retry loop with exponential backoff that
honours Retry-After. The `openai` SDK is imported inside functions only: importing it costs
~0.5 s of CLI start-up.
"""

from __future__ import annotations

import email.utils
import random
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.config.keys import key_env_name
from bot.config.model import ProviderConfig
from bot.providers.base import ErrorKind, ProviderError

if TYPE_CHECKING:
    import openai

MAX_RETRY_AFTER_S = 60.0  # a server asking for longer is reported, not waited for
MAX_BACKOFF_S = 30.0


class EndpointErrors:
    """Builds the ProviderErrors of one endpoint; holds the key only to redact it."""

    def __init__(
        self, name: str, base_url: str, config: ProviderConfig, api_key: str | None
    ) -> None:
        self.name = name
        self.base_url = base_url
        self.config = config
        self._api_key = api_key

    @property
    def key_env(self) -> str:
        """The variable an auth error tells the user to set."""
        return self.config.api_key_env or key_env_name(self.name)

    def __repr__(self) -> str:  # no key in reprs, logs or tracebacks
        return f"EndpointErrors(name={self.name!r}, base_url={self.base_url!r})"

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
        return ProviderError(kind, text, target=self.name, retry_after=retry_after)

    def transport(self, exc: openai.APIConnectionError, attempts: int) -> ProviderError:
        """A timeout or a connection that never got an HTTP answer."""
        import openai

        # The SDK's timeout is a subclass of its connection error: test it first.
        if isinstance(exc, openai.APITimeoutError):
            kind = ErrorKind.TIMEOUT
            text = f"{self.name}: timed out after {self.config.timeout_s:g} s"
        else:
            kind = ErrorKind.UNREACHABLE
            text = f"{self.name}: server at {self.base_url} unreachable ({connection_cause(exc)})"
        return ProviderError(kind, text + tries(attempts), target=self.name)

    def bad_body(self) -> ProviderError:
        return ProviderError(
            ErrorKind.SERVER_ERROR,
            f"{self.name}: the server at {self.base_url} answered with something that is not "
            "an OpenAI chat completion",
            target=self.name,
        )

    def safe(self, message: str, limit: int = 200) -> str:
        """`message` on one line, shortened, with the key masked should the server echo it."""
        message = " ".join(message.split())
        if self._api_key:
            message = message.replace(self._api_key, "***")
        return message[:limit] + ("..." if len(message) > limit else "")


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

    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = client.chat.completions.create(**kwargs)
        except openai.APIStatusError as exc:
            status, message = exc.status_code, server_message(exc)
            on_status(status, message)
            retry_after = parse_retry_after(exc.response.headers)
            retryable = status in (408, 429) or status >= 500
            if not retryable or last or (retry_after or 0) > MAX_RETRY_AFTER_S:
                raise errors.status(status, message, attempt + 1, retry_after) from None
            sleep(backoff_wait(attempt, retry_after, backoff_s))
        except openai.APIConnectionError as exc:  # timeouts included
            if last:
                raise errors.transport(exc, attempt + 1) from None
            sleep(backoff_wait(attempt, None, backoff_s))
        except openai.APIResponseValidationError:
            raise errors.bad_body() from None
        else:
            if not getattr(response, "choices", None):
                raise errors.bad_body()
            return response, attempt + 1
    raise AssertionError("unreachable: the last attempt returns or raises")


def backoff_wait(attempt: int, retry_after: float | None, backoff_s: float) -> float:
    """Seconds to sleep before attempt `attempt + 1`."""
    if retry_after is not None:
        # A little jitter on top, never below what the server asked for.
        return retry_after * (1 + 0.1 * random.random())
    return min(MAX_BACKOFF_S, backoff_s * 2**attempt * (0.5 + random.random()))


def server_message(exc: openai.APIStatusError) -> str:
    """The server's own explanation from an error body, whatever its shape."""
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
