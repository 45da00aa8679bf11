"""Anthropic's Messages API through the official `anthropic` SDK.

Structured answers come through tool use: one tool named after the schema, its input_schema
the response model's JSON schema, forced with tool_choice; the call's input is the answer.
Two refusals are learnt once per provider and then avoided: models that reject forced tool
use (400 naming tool_choice, e.g. Claude Sonnet 5.5) fall back to tool_choice "auto" with
the tool named in the system prompt, and models that reject a non-default temperature (e.g.
Claude Sonnet 5) get none (the SDK itself has dropped sampling parameters). The SDK's own
retries are off: retries (bot.providers.retry) are visible, honour retry-after and end in a
ProviderError whose message is safe to log (never the key).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from bot.config.model import ProviderConfig
from bot.providers.base import (
    Completion,
    CompletionRequest,
    Message,
    ProbeResult,
    ProviderError,
    Usage,
)
from bot.providers.retry import (
    EndpointErrors,
    call_with_retries,
    connection_cause,
    sdk_failure,
)
from bot.providers.structured import (
    RejectedAnswer,
    extract_json,
    parse_answer,
    schema_for,
    with_schema_in_system,
)

if TYPE_CHECKING:
    import anthropic
    import httpx2

ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com"
# Passed when no key is configured, so that the SDK never falls back to ambient credentials
# (ANTHROPIC_API_KEY, profiles on disk) the configuration did not name; the API answers 401.
NO_KEY = "switchyard-no-key"
AUX_TIMEOUT_S = 10.0  # count_tokens, models: small requests
_TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]")
_REPAIR_ID = "toolu_switchyard_repair"


class _Refused(Exception):
    """A 400 refusing a request option this provider can drop ("temperature", "tool_choice")."""

    def __init__(self, option: str, status: int, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.status = status


class AnthropicProvider:
    """The Provider protocol over Anthropic's Messages API. Thread-safe."""

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
        # The SDK appends /v1/...; a base_url written like an OpenAI one (.../v1) still works.
        root = (config.base_url or ANTHROPIC_DEFAULT_BASE_URL).rstrip("/")
        self.base_url = root.removesuffix("/v1")
        self._api_key = api_key
        self._errors = EndpointErrors(
            name, self.base_url, config, api_key, answer="an Anthropic message"
        )
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._lock = threading.Lock()
        self._client: anthropic.Anthropic | None = None
        forced = config.structured_output
        # Tool use is how Anthropic enforces a schema: json_schema and json_object mean it.
        self._mode: str | None = {"auto": None, "instructed": "instructed"}.get(forced, "tool_use")
        self._temperature = True  # False once the model refused a temperature
        self._counts: bool | None = None  # False once count_tokens proved missing

    def __repr__(self) -> str:  # no key in reprs, logs or tracebacks
        return f"AnthropicProvider(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def structured_mode(self) -> str | None:
        """ "tool_use" (forced), "tool_auto" or "instructed"; None until the first answer."""
        with self._lock:
            return self._mode

    @property
    def key_env(self) -> str:
        return self._errors.key_env

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
            kwargs = self._request_kwargs(request, mode, temperature)
            try:
                response, sent = self._create(kwargs, mode)
            except _Refused as refused:
                http_requests += 1
                self._drop(refused)
                continue
            except ProviderError as exc:
                exc.latency_s = time.monotonic() - started
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
                timeout=self._aux_timeout(),
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
        import anthropic

        result = ProbeResult(target=self.name, base_url=self.base_url)
        try:
            page = self.sdk().models.list(limit=1000, timeout=self._aux_timeout())
            result.served_models = [m.id for m in page.data]
        except anthropic.APIError as exc:
            result.reachable = isinstance(exc, anthropic.APIStatusError)
            result.problems.append(self._probe_problem(exc, "GET /v1/models"))
            return result
        result.reachable = True
        self._probe_model(result)
        if self.count_tokens("def probe(): return 1") is not None:
            result.tokenizer = "server"
        if result.model_served is not False:
            self._probe_structured(result)
        return result

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

    def sdk(self) -> anthropic.Anthropic:
        """The SDK client, made on first use; shared by every thread."""
        with self._lock:
            if self._client is None:
                import anthropic  # lazy: importing the SDK costs ~0.5 s of CLI start-up

                self._client = anthropic.Anthropic(
                    api_key=self._api_key or NO_KEY,
                    base_url=self.base_url,
                    timeout=self.config.timeout_s,
                    max_retries=0,
                    http_client=_deadline_client(),
                )
            return self._client

    def _aux_timeout(self) -> float:
        return min(self.config.timeout_s, AUX_TIMEOUT_S)

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

    def _request_kwargs(
        self, request: CompletionRequest, mode: str, temperature: bool
    ) -> dict[str, Any]:
        messages = request.messages
        tool = tool_name(request.schema_name)
        if mode == "instructed":
            messages = with_schema_in_system(request)
        elif mode == "tool_auto":
            hint = Message("system", f"Answer by calling the tool {tool} exactly once.")
            messages = [*messages, hint]
        system, turns = render_messages(messages, tool if mode.startswith("tool") else None)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_output_tokens,
            "messages": turns,
        }
        if system:
            kwargs["system"] = system
        if temperature:
            # This SDK no longer has sampling parameters (the newest models refuse them);
            # older models still take one, and a review is best reproducible at 0.
            kwargs["extra_body"] = {"temperature": request.temperature}
        if mode.startswith("tool"):
            assert request.response_model is not None
            kwargs["tools"] = [
                {
                    "name": tool,
                    "description": f"Records the answer, a {request.schema_name} object.",
                    "input_schema": schema_for(request.response_model),
                }
            ]
            forced = {"type": "tool", "name": tool}
            kwargs["tool_choice"] = forced if mode == "tool_use" else {"type": "auto"}
        return kwargs

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

    def _completion(
        self,
        request: CompletionRequest,
        response: Any,
        mode: str,
        started: float,
        http_requests: int,
    ) -> Completion:
        text, parsed = answer_of(response, request.response_model, tool_name(request.schema_name))
        usage = response.usage
        return Completion(
            text=text,
            parsed=parsed,
            usage=Usage(
                prompt_tokens=getattr(usage, "input_tokens", 0) or 0,
                completion_tokens=getattr(usage, "output_tokens", 0) or 0,
            ),
            latency_s=time.monotonic() - started,
            target=self.name,
            model=getattr(response, "model", None) or self.model,
            structured_mode=mode,
            http_requests=http_requests,
        )

    # -- probe -------------------------------------------------------------------------------

    def _probe_problem(self, exc: Exception, what: str) -> str:
        import anthropic

        base_url, name = self.base_url, self.name
        if isinstance(exc, anthropic.APITimeoutError):
            return (
                f"No answer from {base_url} within {self._aux_timeout():g} s. Is the address "
                f"right? Check providers.{name}.base_url."
            )
        if isinstance(exc, anthropic.APIConnectionError):
            return (
                f"Cannot reach {base_url} ({connection_cause(exc)}). Check the network, or "
                f"providers.{name}.base_url."
            )
        if isinstance(exc, anthropic.APIStatusError) and exc.status_code in (401, 403):
            return (
                f"{base_url} refused the API key (HTTP {exc.status_code}). Set {self.key_env} "
                "to a valid key."
            )
        status = getattr(exc, "status_code", None)
        return f"{what} at {base_url} failed ({f'HTTP {status}' if status else exc})."

    def _probe_model(self, result: ProbeResult) -> None:
        """Whether the model is served: listed, or an alias GET /v1/models/{id} resolves."""
        import anthropic

        try:
            info = self.sdk().models.retrieve(self.model, timeout=self._aux_timeout())
        except anthropic.NotFoundError:
            result.model_served = False
            served = ", ".join(result.served_models) or "none"
            result.problems.append(
                f"Model '{self.model}' is not served by {self.base_url} (it serves: {served}). "
                f"Set providers.{self.name}.model to one of them."
            )
            return
        except anthropic.APIError as exc:
            result.model_served = self.model in result.served_models or None
            result.problems.append(self._probe_problem(exc, f"GET /v1/models/{self.model}"))
            return
        result.model_served = True
        limit = getattr(info, "max_input_tokens", None)
        if isinstance(limit, int):
            result.context_tokens = limit
            if self.context_tokens > limit:
                result.problems.append(
                    f"providers.{self.name}.context_tokens is {self.context_tokens} but "
                    f"{self.model} takes at most {limit} input tokens; set context_tokens to "
                    f"{limit} or less."
                )

    def _probe_structured(self, result: ProbeResult) -> None:
        request = CompletionRequest(
            messages=[
                Message("system", "You are a health check."),
                Message("user", "Record ok = true."),
            ],
            response_model=_ProbeAnswer,
            schema_name="health_check",
            max_output_tokens=64,
        )
        try:
            completion = self.complete(request)
        except ProviderError as exc:
            result.problems.append(f"A test completion failed: {exc.message}")
            return
        result.structured_mode = completion.structured_mode
        if extract_json(completion.text) is None:
            result.problems.append(
                f"The model answered a test request in {completion.structured_mode} mode but "
                "not with JSON; reviews will need repair rounds."
            )


class _ProbeAnswer(BaseModel):
    ok: bool


def tool_name(schema_name: str) -> str:
    """The tool for a schema: Anthropic takes names of letters, digits, _ and -, up to 64."""
    return _TOOL_NAME.sub("_", schema_name)[:64] or "answer"


def render_messages(messages: list[Message], tool: str | None) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, turns) for the Messages API.

    System messages go to the `system` parameter. When a tool answers, an invalid answer
    replayed for a repair (RejectedAnswer) becomes the tool call it was, and the next user
    turn its tool_result (is_error): Anthropic refuses a tool_use left without a result.
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[dict[str, Any]] = []
    open_call: str | None = None
    for i, msg in enumerate(m for m in messages if m.role != "system"):
        replayed = _json_object(msg.content) if isinstance(msg, RejectedAnswer) else None
        if tool and replayed is not None:
            open_call = f"{_REPAIR_ID}_{i}"
            call = {"type": "tool_use", "id": open_call, "name": tool, "input": replayed}
            turns.append({"role": "assistant", "content": [call]})
        elif open_call and msg.role == "user":
            result = {
                "type": "tool_result",
                "tool_use_id": open_call,
                "is_error": True,
                "content": msg.content,
            }
            turns.append({"role": "user", "content": [result]})
            open_call = None
        else:
            turns.append({"role": msg.role, "content": msg.content})
    if open_call:  # a replayed call with no user turn after it: close it
        result = {"type": "tool_result", "tool_use_id": open_call, "is_error": True}
        turns.append({"role": "user", "content": [{**result, "content": "Invalid answer."}]})
    return system, turns


def answer_of(
    response: Any, model: type[BaseModel] | None, tool: str
) -> tuple[str, BaseModel | None]:
    """(text, parsed) of a Messages API answer: the tool call's input as JSON text when the
    model called the tool, else its text blocks (thinking blocks ignored)."""
    blocks = list(response.content or [])
    calls = [b for b in blocks if getattr(b, "type", None) == "tool_use"]
    if model is not None and calls:
        call = next((b for b in calls if getattr(b, "name", None) == tool), calls[0])
        data = getattr(call, "input", None)
        text = json.dumps(data, ensure_ascii=False)
        try:
            return text, model.model_validate(data)
        except ValidationError:
            return text, None
    text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", None) == "text")
    if model is None:
        return text, None
    return text, parse_answer(text, model)[0]


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _deadline_client() -> httpx2.Client:
    """An HTTP client whose timeout bounds the whole request, body included.

    httpx's read timeout bounds each read: a server trickling its body a byte at a time
    would hold a call for ever. This transport checks the request's own timeout as a
    deadline while the body streams in, and fails with the ReadTimeout the SDK maps to
    APITimeoutError.
    """
    import httpx2

    class DeadlineStream(httpx2.SyncByteStream):
        def __init__(self, inner: Any, deadline: float, request: httpx2.Request) -> None:
            self._inner = inner
            self._deadline = deadline
            self._request = request

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self._inner:
                if time.monotonic() > self._deadline:
                    raise httpx2.ReadTimeout("response too slow", request=self._request)
                yield chunk

        def close(self) -> None:
            self._inner.close()

    class DeadlineTransport(httpx2.BaseTransport):
        def __init__(self) -> None:
            self._inner = httpx2.HTTPTransport(
                limits=httpx2.Limits(max_connections=64, max_keepalive_connections=16)
            )

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            budget = (request.extensions.get("timeout") or {}).get("read")
            started = time.monotonic()
            response = self._inner.handle_request(request)
            if not budget:
                return response
            deadline = started + float(budget)
            return httpx2.Response(
                response.status_code,
                headers=response.headers,
                stream=DeadlineStream(response.stream, deadline, request),
                extensions=response.extensions,
            )

        def close(self) -> None:
            self._inner.close()

    return httpx2.Client(transport=DeadlineTransport(), follow_redirects=True)
