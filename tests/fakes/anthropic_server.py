"""A fake Anthropic Messages API on real loopback HTTP, so the real `anthropic` SDK talks to it.

Speaks the API's shapes: POST /v1/messages (text and tool_use content blocks, usage,
stop_reason), POST /v1/messages/count_tokens, GET /v1/models and /v1/models/{id} (aliases
resolved), and errors as {"type": "error", "error": {"type", "message"}} with the API's
statuses. It checks what the real API checks and a buggy client would trip on: the key
(x-api-key or a bearer token) and anthropic-version headers, roles, every tool_use answered
by a tool_result in the next turn, a forced tool that exists, the context window.

Messages answer from a script (`enqueue`) and then from `responder`; every request is
recorded first, whatever its method and path, key or no key (see http_base:
`received_text()`, `where(needle)`). With `api_key` set, a request carrying any other key,
or none, gets 401 and nothing else. Faults per reply: delay, error statuses with headers
(429 + retry-after, 500, 529), a malformed body, and a slow stream (headers at once, the
body trickling).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.fakes import http_base
from tests.fakes.http_base import FakeHandler, FakeHTTPServer, RecordedRequest, unused_port
from tests.fakes.openai_server import fake_tokenize

__all__ = [
    "DEFAULT_MODEL",
    "FakeAnthropicServer",
    "RecordedRequest",
    "Reply",
    "error_body",
    "unused_port",
]

DEFAULT_MODEL = "claude-haiku-4-5-20251001"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


@dataclass
class Reply(http_base.ScriptedReply):
    """One scripted answer to POST /v1/messages.

    `content`: a dict is the input of a call to the request's tool (forced, else its first;
    a text block of that JSON when the request has no tools), a str one text block, a list
    the content blocks verbatim.
    """

    trickle_s: float = 0.0  # between body bytes, after the headers: a slow stream
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str | None = None

    @classmethod
    def rate_limited(cls, retry_after: float, message: str = "Rate limit exceeded") -> Reply:
        return cls.error(429, message, headers={"retry-after": f"{retry_after:g}"})

    @classmethod
    def overloaded(cls) -> Reply:
        return cls.error(529, "Overloaded")


def error_body(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def _default_responder(_request: dict[str, Any]) -> Reply:
    return Reply()


class FakeAnthropicServer(FakeHTTPServer[Reply]):
    def __init__(
        self,
        models: list[str] | None = None,
        *,
        api_key: str | None = None,
        aliases: dict[str, str] | None = None,
        context_tokens: int = 200_000,
        count_tokens: bool = True,
        refuse_forced_tools: bool = False,
        refuse_temperature: bool = False,
    ) -> None:
        super().__init__(_default_responder)
        self.models = list(models) if models is not None else [DEFAULT_MODEL]
        # When set, only this key is accepted; otherwise any non-empty one.
        self.api_key = api_key
        self.aliases = dict(aliases or {})  # e.g. {"claude-haiku-4-5": DEFAULT_MODEL}
        self.context_tokens = context_tokens
        self.count_tokens = count_tokens  # False: /v1/messages/count_tokens answers 404
        # As newer models do: 400 for tool_choice forcing a tool, or a non-default temperature.
        self.refuse_forced_tools = refuse_forced_tools
        self.refuse_temperature = refuse_temperature

    @property
    def base_url(self) -> str:
        """What the SDK takes as base_url: the API root, without /v1."""
        return self.root_url

    def message_requests(self) -> list[dict[str, Any]]:
        return self.bodies("POST", "/v1/messages")

    def resolve(self, model: str) -> str | None:
        if model in self.models:
            return model
        resolved = self.aliases.get(model)
        return resolved if resolved in self.models else None


class _Handler(FakeHandler):
    fake: FakeAnthropicServer

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.json_reply(status, error_body(status, message), headers)

    def authorised(self) -> bool:
        key = self.headers.get("x-api-key")
        bearer = self.headers.get("Authorization", "")
        if key is None and bearer.startswith("Bearer "):
            key = bearer.removeprefix("Bearer ")
        if not key:
            self.error(401, "x-api-key header is required")
            return False
        if self.fake.api_key is not None and key != self.fake.api_key:
            self.error(401, "invalid x-api-key")
            return False
        if not self.headers.get("anthropic-version"):
            self.error(400, "anthropic-version: header is required")
            return False
        return True

    def route(self, method: str, path: str) -> Any:
        path = path.rstrip("/")
        if method == "GET" and path.startswith("/v1/models/"):
            return _Handler.model
        return super().route(method, path)

    # -- endpoints ---------------------------------------------------------------------------

    def _model_entry(self, model_id: str) -> dict[str, Any]:
        return {
            "type": "model",
            "id": model_id,
            "display_name": model_id.replace("-", " ").title(),
            "created_at": "2025-09-29T00:00:00Z",
            "max_input_tokens": self.fake.context_tokens,
            "max_tokens": 64_000,
        }

    def models(self, _body: Any) -> None:
        data = [self._model_entry(m) for m in self.fake.models]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        self.json_reply(200, {"data": data, "has_more": False, "first_id": first, "last_id": last})

    def model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rstrip("/").removeprefix("/v1/models/")
        resolved = self.fake.resolve(wanted)
        if resolved is None:
            self.error(404, f"model: {wanted}")
            return
        self.json_reply(200, self._model_entry(resolved))

    def count(self, body: Any) -> None:
        if not self.fake.count_tokens:
            self.error(404, "Not found: POST /v1/messages/count_tokens")
            return
        problem = _check_conversation(body, self.fake, counting=True)
        if problem is not None:
            self.error(*problem)
            return
        self.json_reply(200, {"input_tokens": _input_tokens(body)})

    def messages(self, body: Any) -> None:
        fake = self.fake
        problem = _check_conversation(body, fake, counting=False)
        if problem is not None:
            self.error(*problem)
            return
        reply = fake.next_reply(body)
        if reply.delay_s:
            fake.sleep(reply.delay_s)
        if self.send_fault(reply, "application/json"):
            return
        content = _content_blocks(body, reply.content)
        uses_tool = any(b.get("type") == "tool_use" for b in content)
        output = sum(len(fake_tokenize(json.dumps(b))) for b in content)
        payload = {
            "id": f"msg_fake_{len(fake.requests)}",
            "type": "message",
            "role": "assistant",
            "model": fake.resolve(body["model"]) or body["model"],
            "content": content,
            "stop_reason": reply.stop_reason or ("tool_use" if uses_tool else "end_turn"),
            "stop_sequence": None,
            "usage": {
                "input_tokens": _pick(reply.input_tokens, _input_tokens(body)),
                "output_tokens": _pick(reply.output_tokens, output),
            },
        }
        self.json_reply(200, payload, reply.headers, trickle_s=reply.trickle_s)


_Handler.routes = {
    ("GET", "/v1/models"): _Handler.models,
    ("POST", "/v1/messages"): _Handler.messages,
    ("POST", "/v1/messages/count_tokens"): _Handler.count,
}
FakeAnthropicServer.handler = _Handler


def _pick(scripted: int | None, counted: int) -> int:
    return counted if scripted is None else scripted


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text_of(b) for b in content)
    if isinstance(content, dict):
        if content.get("type") == "text":
            return str(content.get("text", ""))
        if content.get("type") == "tool_use":
            return json.dumps(content.get("input"))
        if content.get("type") == "tool_result":
            return _text_of(content.get("content", ""))
    return ""


def _input_tokens(body: dict[str, Any]) -> int:
    text = _text_of(body.get("system") or "")
    text += " ".join(_text_of(m.get("content")) for m in body.get("messages", []))
    if body.get("tools"):
        text += json.dumps(body["tools"])
    return len(fake_tokenize(text))


def _check_conversation(
    body: Any, fake: FakeAnthropicServer, *, counting: bool
) -> tuple[int, str] | None:
    """The 400s (and 404s) the real API answers to a malformed request."""
    if not isinstance(body, dict):
        return 400, "request body must be a JSON object"
    model = body.get("model")
    if not isinstance(model, str) or fake.resolve(model) is None:
        return 404, f"model: {model}"
    if not counting and not isinstance(body.get("max_tokens"), int):
        return 400, "max_tokens: Field required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return 400, "messages: at least one message is required"
    tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
    open_calls: set[str] = set()
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in ("user", "assistant"):
            return 400, f"messages.{i}.role: Input should be 'user' or 'assistant'"
        blocks = msg["content"] if isinstance(msg.get("content"), list) else []
        results = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
        if open_calls and not open_calls <= results:
            return 400, (
                f"messages.{i}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(sorted(open_calls - results))}"
            )
        if results - open_calls:
            return 400, f"messages.{i}: unexpected `tool_use_id` found in `tool_result` blocks"
        if not blocks and not str(msg.get("content") or "").strip():
            return 400, f"messages.{i}: text content blocks must be non-empty"
        open_calls = {b.get("id") for b in blocks if b.get("type") == "tool_use"}
        if open_calls and role != "assistant":
            return 400, f"messages.{i}: tool_use blocks are only allowed in assistant turns"
        if any(b.get("type") == "tool_use" and b.get("name") not in tools for b in blocks):
            return 400, f"messages.{i}: tool_use names a tool that is not in tools"
    if open_calls and not counting:
        return 400, "the last assistant turn has `tool_use` blocks without `tool_result`"
    choice = body.get("tool_choice") or {}
    if choice.get("type") == "tool":
        if choice.get("name") not in tools:
            return 400, f"tool_choice: tool {choice.get('name')!r} not found in tools"
        if fake.refuse_forced_tools and not counting:
            return 400, "tool_choice: forced tool use is not supported for this model"
    temperature = body.get("temperature")
    if fake.refuse_temperature and temperature is not None and temperature != 1.0:
        return 400, "temperature: only the default value is supported for this model"
    tokens = _input_tokens(body)
    if tokens > fake.context_tokens:
        return 400, f"prompt is too long: {tokens} tokens > {fake.context_tokens} maximum"
    return None


def _content_blocks(body: dict[str, Any], content: Any) -> list[dict[str, Any]]:
    if isinstance(content, list):
        return content
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    tools = [t.get("name") for t in body.get("tools") or []]
    choice = body.get("tool_choice") or {}
    name = choice.get("name") if choice.get("type") == "tool" else (tools[0] if tools else None)
    if name is None:
        return [{"type": "text", "text": json.dumps(content)}]
    return [{"type": "tool_use", "id": "toolu_fake_01", "name": name, "input": content}]
