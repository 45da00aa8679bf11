"""A fake OpenAI-compatible server on real loopback HTTP, so the real `openai` SDK talks to it.

Flavours mimic the servers Switchyard meets on premises:
- "vllm": /v1/models with max_model_len, /tokenize, json_schema and json_object, /metrics;
- "llamacpp": json_schema answered with llama.cpp's HTTP 500, json_object with a "schema",
  /tokenize {"content"} -> {"tokens"}, /props with n_ctx;
- "plain" (a proxy): no /tokenize, json_schema rejected with 400;
- "ollama": as "plain", plus POST /api/show {model} with model_info "<arch>.context_length"
  (= max_model_len) and, when `num_ctx` is set, "num_ctx N" in its parameters;
- "llamacpp-python" (llama-cpp-python's server): /v1/models with no context size, no /props
  and no /tokenize, but POST /extras/tokenize {input} -> {tokens} and
  /extras/tokenize/count -> {count}; json_schema refused with FastAPI's 422;
  a prompt past n_ctx (max_model_len) gets its 400 "maximum context length is N tokens",
  but only when not streamed: a streamed one gets 200 and an event stream that ends with
  no event at all (the real server raises inside its generator, after the headers);
- "llamacpp" also refuses a prompt past n_ctx with llama.cpp's own 400
  (exceed_context_size_error, n_ctx in the error);
and the one Switchyard meets off premises:
- "cloud" (OpenAI's own API): /v1/models and /v1/models/{id} without max_model_len,
  /v1/chat/completions with json_schema; no /tokenize, /metrics, /props or /health (404,
  as the real API answers). With `api_key` set, every request without
  `Authorization: Bearer <api_key>` gets 401, before any path is looked at.

Every request is recorded, whatever its method and path (see http_base): a test can assert
that a string reached this server nowhere with `received_text()` / `where(needle)`.

Chat completions answer from a script (`enqueue`) and then from `responder`; a reply may
trickle its body (`trickle_s`), a slow stream.

A request with "stream": true is answered as the real servers stream: text/event-stream,
one chat.completion.chunk per token (per `stream_interval` tokens, as vLLM's
`--stream-interval` sends them; a role chunk first, then content, then one with the
finish_reason), a usage chunk when `stream_options.include_usage` asks for one and the
flavour honours it (llama-cpp-python does not), and `data: [DONE]`. Errors are answered
before any stream starts, as the servers do. A client that closes the stream before its
end is counted in `abandoned_streams` (see `wait_abandoned`): a runner stops generating.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any

from tests.fakes import http_base
from tests.fakes.http_base import FakeHandler, FakeHTTPServer, RecordedRequest, unused_port

__all__ = [
    "FLAVOURS",
    "LLAMACPP_JSON_SCHEMA_ERROR",
    "FakeOpenAIServer",
    "RecordedRequest",
    "Reply",
    "error_body",
    "fake_tokenize",
    "unused_port",
]

FLAVOURS = ("vllm", "llamacpp", "plain", "cloud", "ollama", "llamacpp-python")
_DEFAULT_REJECTS: dict[str, tuple[str, ...]] = {
    "vllm": (),
    "llamacpp": ("json_schema",),
    "plain": ("json_schema",),
    "cloud": (),
    "ollama": ("json_schema",),
    "llamacpp-python": ("json_schema",),
}
# Flavours whose stream ends with a usage chunk when stream_options.include_usage asks;
# llama-cpp-python's server ignores stream_options and sends none.
_STREAM_USAGE = frozenset({"vllm", "llamacpp", "plain", "cloud", "ollama"})
# What OpenAI's API serves (of what Switchyard might call); the rest is 404.
_CLOUD_ROUTES = frozenset({("GET", "/v1/models"), ("POST", "/v1/chat/completions")})
_PIECES = re.compile(r"\w+|[^\w\s]|\s+")
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}
LLAMACPP_JSON_SCHEMA_ERROR = (
    'response_format type must be one of "text" or "json_object", but got: json_schema'
)


def fake_tokenize(text: str) -> list[int]:
    """Deterministic stand-in tokenizer: one token per word, punctuation char or space run."""
    return [zlib.crc32(p.encode()) % 50_000 for p in _PIECES.findall(text)]


@dataclass
class Reply(http_base.ScriptedReply):
    """One scripted answer to POST /v1/chat/completions: `content` as the message's text
    (a dict or list as its JSON)."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str = "stop"
    # After the headers, between body bytes (between chunks when streamed): a slow stream.
    trickle_s: float = 0.0


def error_body(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "code": status}}


def _default_responder(_request: dict[str, Any]) -> Reply:
    return Reply({"findings": [], "summary": "ok"})


class FakeOpenAIServer(FakeHTTPServer[Reply]):
    def __init__(
        self,
        flavour: str = "vllm",
        models: list[str] | None = None,
        max_model_len: int = 32768,
        *,
        api_key: str | None = None,
        rejects: tuple[str, ...] | None = None,
        num_ctx: int | None = None,
    ) -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {FLAVOURS}")
        super().__init__(_default_responder)
        self.flavour = flavour
        self.models = list(models) if models is not None else ["qwen2.5-coder-14b"]
        self.max_model_len = max_model_len
        self.num_ctx = num_ctx  # "ollama": the num_ctx in the model's parameters, if any
        self.api_key = api_key  # when set, requests without "Bearer <api_key>" get 401
        # response_format types refused; by default as the real servers do.
        self.rejects = rejects if rejects is not None else _DEFAULT_REJECTS[flavour]
        self._running = 0
        # "llamacpp-python": a streamed prompt past n_ctx resets the connection instead of
        # ending an empty stream (the real server does either, as the timing falls).
        self.refused_stream_resets = False
        # Queue depth reported by /metrics, for overflow tests: a busy runner, in numbers.
        self.waiting = 0
        # Tokens per streamed chunk: vLLM's `--stream-interval` (1 by default, as there).
        self.stream_interval = 1

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def chat_requests(self) -> list[dict[str, Any]]:
        return self.bodies("POST", "/v1/chat/completions")


class _Handler(FakeHandler):
    fake: FakeOpenAIServer

    # -- plumbing ----------------------------------------------------------------------------

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.json_reply(status, error_body(status, message), headers)

    def authorised(self) -> bool:
        key = self.fake.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self.error(401, "Incorrect API key provided.")
        return False

    def route(self, method: str, path: str) -> Any:
        if self.fake.flavour != "cloud":
            return super().route(method, path)
        path = path.rstrip("/") or "/"
        if method == "GET" and path.startswith("/v1/models/"):
            return _Handler.model
        if (method, path) in _CLOUD_ROUTES:
            return super().route(method, path)
        return None

    def unknown_path(self, method: str, path: str) -> None:
        if self.fake.flavour == "cloud":
            # OpenAI's own words for a path it does not serve.
            self.json_reply(
                404,
                {
                    "error": {
                        "message": f"Invalid URL ({method} {path})",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
            return
        super().unknown_path(method, path)

    # -- endpoints ---------------------------------------------------------------------------

    def models(self, _body: Any) -> None:
        fake = self.fake
        data: list[dict[str, Any]] = []
        for name in fake.models:
            entry: dict[str, Any] = {"id": name, "object": "model", "created": 0}
            if fake.flavour == "vllm":
                entry.update(owned_by="vllm", max_model_len=fake.max_model_len, root=name)
            elif fake.flavour == "llamacpp":
                entry.update(owned_by="llamacpp", meta={"n_ctx_train": fake.max_model_len})
            elif fake.flavour == "cloud":
                entry.update(owned_by="system")
            else:
                entry.update(owned_by="library")
            data.append(entry)
        self.json_reply(200, {"object": "list", "data": data})

    def model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rstrip("/").removeprefix("/v1/models/")
        if wanted not in self.fake.models:
            self.error(404, f"The model `{wanted}` does not exist or you do not have access to it.")
            return
        self.json_reply(200, {"id": wanted, "object": "model", "created": 0, "owned_by": "system"})

    def health(self, _body: Any) -> None:
        self.json_reply(200, {"status": "ok"})

    def extras_tokenize(self, body: Any) -> None:
        if self.fake.flavour != "llamacpp-python":
            self.error(404, "Not Found")
            return
        if not isinstance(body, dict) or not isinstance(body.get("input"), str):
            self.json_reply(422, {"detail": [{"loc": ["body", "input"], "msg": "Field required"}]})
            return
        tokens = fake_tokenize(body["input"])
        if self.path.split("?", 1)[0].rstrip("/").endswith("/count"):
            self.json_reply(200, {"count": len(tokens)})
        else:
            self.json_reply(200, {"tokens": tokens})

    def api_show(self, body: Any) -> None:
        fake = self.fake
        if fake.flavour != "ollama":
            self.error(404, "Not found: POST /api/show")
            return
        name = body.get("model") or body.get("name") if isinstance(body, dict) else None
        if name not in fake.models:
            self.json_reply(404, {"error": f"model '{name}' not found"})
            return
        parameters = 'stop "<|im_end|>"'
        if fake.num_ctx is not None:
            parameters = f"num_ctx {fake.num_ctx}\n{parameters}"
        self.json_reply(
            200,
            {
                "parameters": parameters,
                "details": {"family": "qwen2", "parameter_size": "14.8B"},
                "model_info": {
                    "general.architecture": "qwen2",
                    "qwen2.context_length": fake.max_model_len,
                },
            },
        )

    def tokenize(self, body: Any) -> None:
        fake = self.fake
        if fake.flavour in ("plain", "ollama", "llamacpp-python"):
            self.error(404, "Not found: POST /tokenize")
            return
        if not isinstance(body, dict):
            self.error(400, "request body must be JSON")
            return
        if fake.flavour == "llamacpp":
            self.json_reply(200, {"tokens": fake_tokenize(str(body.get("content", "")))})
            return
        if "messages" in body:
            text = "".join(str(m.get("content", "")) for m in body["messages"])
        elif "prompt" in body:
            text = str(body["prompt"])
        else:
            self.error(400, "either prompt or messages is required")
            return
        tokens = fake_tokenize(text)
        answer = {"count": len(tokens), "max_model_len": fake.max_model_len, "tokens": tokens}
        self.json_reply(200, answer)

    def props(self, _body: Any) -> None:
        if self.fake.flavour != "llamacpp":
            self.error(404, "Not found: GET /props")
            return
        self.json_reply(
            200,
            {
                "default_generation_settings": {"n_ctx": self.fake.max_model_len},
                "total_slots": 1,
                "model_path": f"/models/{self.fake.models[0]}.gguf",
            },
        )

    def metrics(self, _body: Any) -> None:
        if self.fake.flavour != "vllm":
            self.error(404, "Not found: GET /metrics")
            return
        running = self.fake._running
        text = (
            "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
            "# TYPE vllm:num_requests_running gauge\n"
            f'vllm:num_requests_running{{model_name="{self.fake.models[0]}"}} {running:.1f}\n'
            "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n"
            "# TYPE vllm:num_requests_waiting gauge\n"
            f'vllm:num_requests_waiting{{model_name="{self.fake.models[0]}"}} '
            f"{self.fake.waiting:.1f}\n"
        )
        self.send(200, text.encode(), "text/plain; version=0.0.4", {})

    def chat(self, body: Any) -> None:
        fake = self.fake
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self.error(400, "messages is required")
            return
        rejection = self._check_request(body)
        if rejection is not None:
            status, message, *extra = rejection
            if self._refused_mid_stream(body, status):
                if fake.refused_stream_resets:
                    self.reset_connection()
                else:
                    self.send_stream(200, [], "text/event-stream", {})
                return
            payload = error_body(status, message)
            for fields in extra:
                payload["error"].update(fields)
            self.json_reply(status, payload)
            return
        reply = fake.next_reply(body)
        with fake._lock:
            fake._running += 1
        try:
            if reply.delay_s:
                fake.sleep(reply.delay_s)
            self._answer(body, reply)
        finally:
            with fake._lock:
                fake._running -= 1

    def _refused_mid_stream(self, body: dict[str, Any], status: int) -> bool:
        """llama-cpp-python checks the context inside the generator it streams from: the
        headers (200) are out before it raises, and the stream just ends."""
        return self.fake.flavour == "llamacpp-python" and status == 400 and bool(body.get("stream"))

    def _check_request(
        self, body: dict[str, Any]
    ) -> tuple[int, str] | tuple[int, str, dict[str, Any]] | None:
        fake = self.fake
        model = body.get("model")
        # llama.cpp serves its one model whatever the request names.
        if fake.flavour != "llamacpp" and model not in fake.models:
            return 404, f"The model `{model}` does not exist."
        kind = (body.get("response_format") or {}).get("type")
        if kind in fake.rejects and fake.flavour == "llamacpp":
            return 500, LLAMACPP_JSON_SCHEMA_ERROR.replace("json_schema", str(kind))
        if kind in fake.rejects and fake.flavour == "llamacpp-python":
            return 422, f"Input should be 'text' or 'json_object' (got {kind!r})"
        if kind in fake.rejects:
            return 400, f"response_format {kind} is not supported by this server"
        if kind not in (None, "text", "json_object", "json_schema"):
            return 400, f"unknown response_format type {kind!r}"
        prompt = _prompt_tokens(body)
        if fake.flavour == "llamacpp" and prompt > fake.max_model_len:
            # llama.cpp's server says the size in the error, not in its message.
            return (
                400,
                "the request exceeds the available context size, try increasing it",
                {
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": prompt,
                    "n_ctx": fake.max_model_len,
                },
            )
        if fake.flavour == "llamacpp-python" and prompt > fake.max_model_len:
            completion = int(body.get("max_tokens") or 0)
            return 400, (
                f"This model's maximum context length is {fake.max_model_len} tokens. However, "
                f"you requested {prompt + completion} tokens ({prompt} in the messages, "
                f"{completion} in the completion). Please reduce the length of the messages "
                "or completion."
            )
        if fake.flavour == "vllm":
            wanted = prompt + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
            if wanted > fake.max_model_len:
                return 400, (
                    f"This model's maximum context length is {fake.max_model_len} tokens. "
                    f"However, you requested {wanted} tokens ({prompt} in the messages). "
                    "Please reduce the length of the messages or completion."
                )
        return None

    def _answer(self, body: dict[str, Any], reply: Reply) -> None:
        if self.send_fault(reply, "text/plain"):
            return
        text = reply.text
        prompt = reply.prompt_tokens if reply.prompt_tokens is not None else _prompt_tokens(body)
        completion = (
            reply.completion_tokens
            if reply.completion_tokens is not None
            else len(fake_tokenize(text))
        )
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if body.get("stream"):
            self._stream(body, reply, usage)
            return
        payload = {
            **self._head(body, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": usage,
        }
        self.json_reply(reply.status, payload, reply.headers, trickle_s=reply.trickle_s)

    def _head(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{len(self.fake.requests)}",
            "object": kind,
            "created": int(time.time()),
            "model": body.get("model") or self.fake.models[0],
        }

    def _stream(self, body: dict[str, Any], reply: Reply, usage: dict[str, int]) -> None:
        head = self._head(body, "chat.completion.chunk")

        def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
            return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        chunks = [chunk({"role": "assistant", "content": ""})]
        pieces = _PIECES.findall(reply.text)
        step = self.fake.stream_interval
        chunks += [
            chunk({"content": "".join(pieces[i : i + step])}) for i in range(0, len(pieces), step)
        ]
        chunks.append(chunk({}, reply.finish_reason))
        asked = (body.get("stream_options") or {}).get("include_usage")
        if asked and self.fake.flavour in _STREAM_USAGE:
            chunks.append({**head, "choices": [], "usage": usage})
        events = [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]
        events.append(b"data: [DONE]\n\n")
        self.send_stream(
            reply.status, events, "text/event-stream", reply.headers, trickle_s=reply.trickle_s
        )


def _prompt_tokens(body: dict[str, Any]) -> int:
    return sum(len(fake_tokenize(str(m.get("content") or ""))) for m in body.get("messages", []))


_Handler.routes = {
    ("GET", "/v1/models"): _Handler.models,
    ("GET", "/health"): _Handler.health,
    ("POST", "/tokenize"): _Handler.tokenize,
    ("GET", "/props"): _Handler.props,
    ("GET", "/metrics"): _Handler.metrics,
    ("POST", "/extras/tokenize"): _Handler.extras_tokenize,
    ("POST", "/extras/tokenize/count"): _Handler.extras_tokenize,
    ("POST", "/api/show"): _Handler.api_show,
    ("POST", "/v1/chat/completions"): _Handler.chat,
}

FakeOpenAIServer.handler = _Handler
