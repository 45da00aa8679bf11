"""Any OpenAI-compatible endpoint: vLLM, llama.cpp, Ollama, LiteLLM proxies, OpenAI itself.

Uses the official `openai` SDK with its own retries off: retries here are visible, honour
Retry-After, and end in a ProviderError whose message is safe to log (never the key).
"""

from __future__ import annotations

import email.utils
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from bot.config.keys import key_env_name
from bot.config.model import ProviderConfig
from bot.providers.base import (
    Completion,
    CompletionRequest,
    ErrorKind,
    Message,
    ProbeResult,
    ProviderError,
    Usage,
)
from bot.providers.structured import (
    extract_json,
    parse_answer,
    schema_for,
    with_schema_in_system,
)

if TYPE_CHECKING:
    import openai

OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
MODES = ("json_schema", "json_object", "instructed")
MAX_RETRY_AFTER_S = 60.0  # a server asking for longer is reported, not waited for
MAX_BACKOFF_S = 30.0
AUX_TIMEOUT_S = 10.0  # /tokenize, /models, /props: small requests
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


class _ProbeAnswer(BaseModel):
    ok: bool


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
        raise self._status_error(last_rejection.status, str(last_rejection), attempts=1)

    def count_tokens(self, text: str) -> int | None:
        with self._lock:
            known = self._tokenizer
        if known is False:
            return None
        kinds = [known] if isinstance(known, str) else ["vllm", "llamacpp"]
        for kind in kinds:
            try:
                n = self._tokenize(kind, text)
            except _Unavailable:
                continue
            except _Transient:
                return None  # server busy or down: not a verdict on the endpoint
            with self._lock:
                self._tokenizer = kind
            return n
        with self._lock:
            self._tokenizer = False
        return None

    def probe(self) -> ProbeResult:
        result = ProbeResult(target=self.name, base_url=self.base_url)
        models = self._probe_models(result)
        if models is None:
            return result
        self._probe_context(result, models)
        if self.count_tokens("def probe(): return 1") is not None:
            result.tokenizer = "server"
        if result.model_served is not False:
            self._probe_structured(result)
        return result

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- requests ----------------------------------------------------------------------------

    def _sdk(self) -> openai.OpenAI:
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
        """The chat completion and the number of HTTP requests it took, retrying 429, 5xx,
        timeouts and connection errors."""
        import openai

        client = self._sdk()
        structured = "response_format" in kwargs
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = client.chat.completions.create(**kwargs)
            except openai.APIStatusError as exc:
                status, message = exc.status_code, _server_message(exc)
                auto = structured and self.config.structured_output == "auto"
                if auto and _is_rejection(status, message):
                    raise _ModeRejected(status, message) from None
                retry_after = _retry_after(exc.response.headers)
                retryable = status in (408, 429) or status >= 500
                if not retryable or last or (retry_after or 0) > MAX_RETRY_AFTER_S:
                    raise self._status_error(status, message, attempt + 1, retry_after) from None
                self._sleep(self._wait(attempt, retry_after))
            except openai.APITimeoutError:
                if last:
                    raise ProviderError(
                        ErrorKind.TIMEOUT,
                        f"{self.name}: timed out after {self.config.timeout_s:g} s"
                        + _tries(attempt + 1),
                        target=self.name,
                    ) from None
                self._sleep(self._wait(attempt, None))
            except openai.APIConnectionError as exc:
                if last:
                    raise ProviderError(
                        ErrorKind.UNREACHABLE,
                        f"{self.name}: server at {self.base_url} unreachable ({_why(exc)})"
                        + _tries(attempt + 1),
                        target=self.name,
                    ) from None
                self._sleep(self._wait(attempt, None))
            except openai.APIResponseValidationError:
                raise self._bad_body() from None
            else:
                if not getattr(response, "choices", None):
                    raise self._bad_body()
                return response, attempt + 1
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # A little jitter on top, never below what the server asked for.
            return retry_after * (1 + 0.1 * random.random())
        return min(MAX_BACKOFF_S, self._backoff_s * 2**attempt * (0.5 + random.random()))

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

    # -- errors ------------------------------------------------------------------------------

    def _status_error(
        self, status: int, message: str, attempts: int, retry_after: float | None = None
    ) -> ProviderError:
        detail = self._safe(message)
        if status in (401, 403):
            kind = ErrorKind.AUTH
            text = (
                f"{self.name}: authentication failed ({status}); check the API key "
                f"({self.config.api_key_env or key_env_name(self.name)})"
            )
        elif status == 429:
            kind = ErrorKind.RATE_LIMITED
            text = f"{self.name}: rate limited (429)"
            if retry_after is not None:
                text += f", retry after {retry_after:g} s"
        elif status >= 500:
            kind = ErrorKind.SERVER_ERROR
            text = f"{self.name}: server error ({status}){_tries(attempts)}: {detail}"
        elif status == 404:
            kind = ErrorKind.BAD_REQUEST
            text = f"{self.name}: not found (404) at {self.base_url}: {detail}"
        else:
            kind = ErrorKind.BAD_REQUEST
            text = f"{self.name}: request rejected ({status}): {detail}"
        return ProviderError(kind, text, target=self.name, retry_after=retry_after)

    def _bad_body(self) -> ProviderError:
        return ProviderError(
            ErrorKind.SERVER_ERROR,
            f"{self.name}: the server at {self.base_url} answered with something that is not "
            "an OpenAI chat completion",
            target=self.name,
        )

    def _safe(self, message: str, limit: int = 200) -> str:
        message = " ".join(message.split())
        if self._api_key:
            message = message.replace(self._api_key, "***")
        return message[:limit] + ("..." if len(message) > limit else "")

    # -- tokenizer ---------------------------------------------------------------------------

    def _tokenize(self, kind: str, text: str) -> int:
        import openai

        if kind == "vllm":
            body: dict[str, Any] = {"model": self.model, "prompt": text}
            body["add_special_tokens"] = False  # count the text, not a BOS token
        else:
            body = {"content": text}
        try:
            answer = self._sdk().post(
                self.root_url + "/tokenize",
                cast_to=object,
                body=body,
                options={"timeout": min(self.config.timeout_s, AUX_TIMEOUT_S)},
            )
        except openai.APIStatusError as exc:
            if exc.status_code == 429 or exc.status_code >= 500:
                raise _Transient from None
            raise _Unavailable from None
        except openai.APIConnectionError:  # includes timeouts
            raise _Transient from None
        except (openai.APIError, ValueError):
            raise _Unavailable from None
        if not isinstance(answer, dict):
            raise _Unavailable
        if kind == "vllm" and isinstance(answer.get("count"), int):
            return int(answer["count"])
        if kind == "llamacpp" and isinstance(answer.get("tokens"), list):
            return len(answer["tokens"])
        raise _Unavailable

    # -- probe -------------------------------------------------------------------------------

    def _get_json(self, url: str) -> Any:
        return self._sdk().get(
            url, cast_to=object, options={"timeout": min(self.config.timeout_s, AUX_TIMEOUT_S)}
        )

    def _probe_models(self, result: ProbeResult) -> list[dict[str, Any]] | None:
        import openai

        try:
            answer = self._get_json(self.base_url + "/models")
        except openai.APITimeoutError:
            result.problems.append(
                f"No answer from {self.base_url} within "
                f"{min(self.config.timeout_s, AUX_TIMEOUT_S):g} s. Is the server up and the "
                "address right? Check providers."
                f"{self.name}.base_url."
            )
            return None
        except openai.APIConnectionError as exc:
            result.problems.append(
                f"Cannot reach {self.base_url} ({_why(exc)}). Start the server, or fix "
                f"providers.{self.name}.base_url."
            )
            return None
        except openai.APIStatusError as exc:
            result.reachable = True
            if exc.status_code in (401, 403):
                result.problems.append(
                    f"{self.base_url} refused the API key (HTTP {exc.status_code}). Set "
                    f"{self.config.api_key_env or key_env_name(self.name)} to a valid key."
                )
            else:
                result.problems.append(
                    f"GET {self.base_url}/models answered HTTP {exc.status_code}; is this an "
                    "OpenAI-compatible API root (usually ending in /v1)?"
                )
            return None
        except (openai.APIError, ValueError):
            result.reachable = True
            result.problems.append(
                f"{self.base_url}/models did not answer with JSON; is this an OpenAI-compatible "
                "API root (usually ending in /v1)?"
            )
            return None
        result.reachable = True
        data = answer.get("data") if isinstance(answer, dict) else None
        models = [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []
        result.served_models = [str(m.get("id")) for m in models if m.get("id")]
        result.model_served = self.model in result.served_models
        if not result.model_served:
            served = ", ".join(result.served_models) or "none"
            result.problems.append(
                f"Model '{self.model}' is not served by {self.base_url} (it serves: {served}). "
                f"Set providers.{self.name}.model to one of them."
            )
        return models

    def _probe_context(self, result: ProbeResult, models: list[dict[str, Any]]) -> None:
        import openai

        for entry in models:
            if entry.get("id") == self.model and isinstance(entry.get("max_model_len"), int):
                result.context_tokens = entry["max_model_len"]
        if result.context_tokens is None:
            try:
                props = self._get_json(self.root_url + "/props")
            except (openai.APIError, ValueError):
                props = None
            settings = props.get("default_generation_settings") if isinstance(props, dict) else None
            if isinstance(settings, dict) and isinstance(settings.get("n_ctx"), int):
                result.context_tokens = settings["n_ctx"]
        if result.context_tokens is not None and self.context_tokens > result.context_tokens:
            result.problems.append(
                f"providers.{self.name}.context_tokens is {self.context_tokens} but the server "
                f"serves at most {result.context_tokens} tokens; set context_tokens to "
                f"{result.context_tokens} or less (or start the server with a longer context)."
            )

    def _probe_structured(self, result: ProbeResult) -> None:
        request = CompletionRequest(
            messages=[
                Message("system", "You are a health check. Answer in JSON."),
                Message("user", 'Reply with {"ok": true}.'),
            ],
            response_model=_ProbeAnswer,
            schema_name="health_check",
            max_output_tokens=32,
        )
        try:
            completion = self.complete(request)
        except ProviderError as exc:
            result.problems.append(f"A test completion failed: {exc.message}")
            return
        result.structured_mode = completion.structured_mode
        # Any JSON object will do: the point is that the mode works, not this tiny schema.
        if extract_json(completion.text) is None:
            result.problems.append(
                f"The model answered a test request in {completion.structured_mode} mode but "
                "not with JSON; reviews will need repair rounds. Try another "
                f"providers.{self.name}.structured_output or a stronger model."
            )


class _Unavailable(Exception):
    """The server has no tokenizer endpoint of this kind."""


class _Transient(Exception):
    """The tokenizer endpoint could not answer now (busy, down)."""


def _server_message(exc: openai.APIStatusError) -> str:
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


def _is_rejection(status: int, message: str) -> bool:
    """Whether an error answer to a structured request means 'this response_format, no'."""
    text = message.lower()
    if status in (400, 422):
        return not any(h in text for h in _CONTEXT_HINTS)
    if status >= 500:
        # llama.cpp answers an unknown response_format with 500; other 5xx are outages.
        return any(h in text for h in _REJECTION_HINTS)
    return False


def _retry_after(headers: Any) -> float | None:
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


def _why(exc: BaseException) -> str:
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


def _tries(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""
