"""What the fake model servers share: a threaded HTTP server on loopback (port 0), a script
of replies, a record of every request received, and the HTTP-level faults.

A fake subclasses FakeHTTPServer (its API: URLs, script, lifecycle) and FakeHandler (its
endpoints and error shape). Everything a fake receives is recorded before it answers, so
tests can assert what did, and did not, reach a server.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Self, TypeVar

ReplyT = TypeVar("ReplyT")


def unused_port() -> int:
    """A loopback port with nothing listening, for connection-refused tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ScriptedReply:
    """What every fake's scripted reply holds: the answer (or an error's message), its status
    and headers, and the faults any fake can play. Each fake adds its API's own fields.

    `content`: a dict is a JSON answer, a str text (or an error's message); each fake says
    how it shapes them into its API's answer.
    """

    content: str | dict[str, Any] | list[Any] = field(
        default_factory=lambda: {"findings": [], "summary": "ok"}
    )
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before anything is sent: a timeout
    # Keyword-only so that each fake's own fields keep their positions after delay_s.
    body: bytes | None = field(default=None, kw_only=True)  # sent verbatim when set (raw)

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        delay_s: float = 0.0,
    ) -> Self:
        return cls(content=message, status=status, headers=dict(headers or {}), delay_s=delay_s)

    @classmethod
    def raw(cls, body: bytes, status: int = 200) -> Self:
        return cls(content="", status=status, body=body)

    @property
    def text(self) -> str:
        """The content as the body's text: a str as it is, anything else as JSON."""
        if isinstance(self.content, str):
            return self.content
        return json.dumps(self.content)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


class FakeHTTPServer(Generic[ReplyT]):
    """Lifecycle, script and record of one fake server; `handler` answers the requests."""

    handler: ClassVar[type[FakeHandler]]

    def __init__(self, default_responder: Callable[[Any], ReplyT]) -> None:
        self.responder: Callable[[Any], ReplyT] = default_responder
        self.requests: list[RecordedRequest] = []
        self._queue: list[ReplyT] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        bound = type("_BoundHandler", (self.handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), bound)
        self._httpd.daemon_threads = True
        # A short poll interval keeps stop() (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting and inspection ------------------------------------------------------------

    def enqueue(self, *replies: ReplyT) -> None:
        with self._lock:
            self._queue.extend(replies)

    def next_reply(self, request: Any) -> ReplyT:
        with self._lock:
            if self._queue:
                return self._queue.pop(0)
        return self.responder(request)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def bodies(self, method: str, path: str) -> list[Any]:
        """The JSON bodies received at `path` (trailing slash ignored), oldest first."""
        with self._lock:
            return [
                r.json
                for r in self.requests
                if r.path.rstrip("/") == path.rstrip("/") and r.method == method
            ]

    def sleep(self, seconds: float) -> None:
        # Interruptible, so stop() is not held up by a slow scripted reply.
        self._stopping.wait(seconds)


class FakeHandler(BaseHTTPRequestHandler):
    """HTTP plumbing; subclasses set `routes` and may override `authorised` and `error`."""

    fake: Any
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[tuple[str, str], Callable[[Any, Any], None]]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    # -- overridable -------------------------------------------------------------------------

    def authorised(self) -> bool:
        return True

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.json_reply(status, {"error": {"message": message}}, headers)

    def route(self, method: str, path: str) -> Callable[[Any, Any], None] | None:
        return self.routes.get((method, path.rstrip("/") or "/"))

    # -- plumbing ----------------------------------------------------------------------------

    def read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str],
        *,
        trickle_s: float = 0.0,
    ) -> None:
        """Send a reply; with `trickle_s`, the headers at once and then the body one byte
        every `trickle_s` seconds (a "slow stream": each read is quick, the whole is not)."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not trickle_s:
                self.wfile.write(body)
                return
            self.wfile.flush()
            for i in range(len(body)):
                if self.fake._stopping.is_set():
                    return
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                self.fake.sleep(trickle_s)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to tell it

    def json_reply(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        *,
        trickle_s: float = 0.0,
    ) -> None:
        body = json.dumps(payload).encode()
        self.send(status, body, "application/json", headers or {}, trickle_s=trickle_s)

    def send_fault(self, reply: ScriptedReply, content_type: str) -> bool:
        """Sends `reply` when it is a fault (a raw body, an error status); False when it is
        an answer, which the fake shapes for its API."""
        if reply.body is not None:
            self.send(reply.status, reply.body, content_type, reply.headers)
            return True
        if reply.status >= 400:
            self.error(reply.status, reply.text, reply.headers)
            return True
        return False

    def handle_any(self, method: str) -> None:
        body = self.read_json() if method == "POST" else None
        path = self.path.split("?", 1)[0]
        self.fake.record(
            RecordedRequest(method, path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        if not self.authorised():
            return
        endpoint = self.route(method, path)
        if endpoint is None:
            self.error(404, f"Not found: {method} {path}")
            return
        endpoint(self, body)

    def do_GET(self) -> None:
        self.handle_any("GET")

    def do_POST(self) -> None:
        self.handle_any("POST")
