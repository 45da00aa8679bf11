"""What the fake model servers share: a threaded HTTP server on loopback (port 0), a script
of replies, a record of every request received, and the HTTP-level faults.

A fake subclasses FakeHTTPServer (its API: URLs, script, lifecycle) and FakeHandler (its
endpoints and error shape). Everything a fake receives is recorded before it answers, so
tests can assert what did, and did not, reach a server: the request line as sent (path and
query string), every header, and the body's raw bytes, for every method (GET, POST, PUT,
PATCH, DELETE, OPTIONS, HEAD), on known and unknown paths alike (these get a 404 after the
record). `FakeHTTPServer.received_text()` is all of it as one text, for "this marker reached
this server nowhere" assertions, and `where(needle)` says on which request and in which part
a string was found, for readable failures. A streamed reply (`send_stream`) records a
client that left before its end (`abandoned_streams`, `wait_abandoned`).

The forges' stateful fakes (GitHub's, GitLab's) also share their scripted failures
(`Faults`) and the reading of their record as API requests (`ForgeRecord`, `ForgeRequest`).
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import unquote, unquote_plus

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
    """One request as received. `path` is without the query string; `target` is the path as
    sent, query included; `raw_body` the body's bytes exactly as they arrived (de-chunked)."""

    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    json: Any  # the body parsed as JSON; None when there is none or it is not JSON
    raw_body: bytes = b""
    request_line: str = ""  # "POST /v1/chat/completions?x=1 HTTP/1.1"
    target: str = ""  # "/v1/chat/completions?x=1"

    @property
    def query_string(self) -> str:
        target = self.target or self.path
        return target.split("?", 1)[1] if "?" in target else ""

    def body_text(self) -> str:
        """The body as text: decompressed when the client said it was, decoded as UTF-8
        (undecodable bytes replaced, never dropped), and, when it is JSON, also as JSON with
        every escape undone (so "\\u0041" and "\\/" cannot hide a string)."""
        raw = self.raw_body
        encoding = self.headers.get("content-encoding", "").lower()
        try:
            if encoding == "gzip":
                raw = gzip.decompress(raw)
            elif encoding == "deflate":
                raw = zlib.decompress(raw)
        except (OSError, zlib.error, EOFError):
            pass  # recorded as it came; the raw bytes are still searched
        text = raw.decode("utf-8", errors="replace")
        parsed = self.json
        if parsed is None and raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        if parsed is not None:
            text += "\n" + json.dumps(parsed, ensure_ascii=False)
        elif "x-www-form-urlencoded" in self.headers.get("content-type", ""):
            text += "\n" + unquote_plus(text)
        return text

    def parts(self) -> dict[str, str]:
        """Every part of the request as text, by name: "line", "target (decoded)",
        "query (decoded)", "header <name>", "body"."""
        line = self.request_line or f"{self.method} {self.target or self.path}"
        target = self.target or self.path
        out = {"line": line, "target (decoded)": unquote(target)}
        if self.query_string:
            out["query (decoded)"] = unquote_plus(self.query_string)
        for name, value in self.headers.items():
            out[f"header {name}"] = value
        body = self.body_text()
        if body:
            out["body"] = body
        return out

    def text(self) -> str:
        return "\n".join(self.parts().values())

    def where(self, needle: str) -> list[str]:
        """The parts of this request that contain `needle`."""
        return [name for name, value in self.parts().items() if needle in value]


@dataclass(frozen=True)
class ForgeRequest(RecordedRequest):
    """A request to a forge's fake: `path` relative to its API root, the query's values."""

    query: dict[str, str] = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")


@dataclass
class Fault:
    """A scripted failure: the next `times` requests with `method` whose path `pattern`
    searches get `status`, `body` and `headers` (each fake says how it shapes the body;
    GitHub's drops the connection for status 0)."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int
    until: float | None = None  # monotonic time an outage ends (times is then ignored)


class Faults:
    """The scripted failures of a stateful fake (GitHub's, GitLab's), taken in order."""

    def __init__(self) -> None:
        self._items: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        fault = Fault(method.upper(), re.compile(path_regex), status, body, dict(headers or {}),
                      times)  # fmt: skip
        with self._lock:
            self._items.append(fault)

    def add_outage(
        self, method: str, path_regex: str, status: int, seconds: float, body: Any = None
    ) -> None:
        """Every matching request gets `status` for the next `seconds` of wall time, however
        many there are: an outage, not a count of failures."""
        fault = Fault(method.upper(), re.compile(path_regex), status, body, {}, 1)
        fault.until = time.monotonic() + seconds
        with self._lock:
            self._items.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in list(self._items):
                if fault.until is not None:
                    if time.monotonic() >= fault.until:
                        self._items.remove(fault)
                        continue
                    if fault.method == method and fault.pattern.search(path):
                        return fault
                    continue
                if fault.method == method and fault.pattern.search(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._items.remove(fault)
                    return fault
        return None


class ForgeRecord:
    """The record of a forge's fake, read as its API's requests (`request_type`)."""

    request_type: ClassVar[type[ForgeRequest]]
    requests: list[RecordedRequest]
    _lock: threading.Lock

    def forge_requests(self) -> list[Any]:
        with self._lock:
            return [r for r in self.requests if isinstance(r, self.request_type)]

    def reads(self) -> list[Any]:
        return [r for r in self.forge_requests() if not r.is_write]

    def writes(self) -> list[Any]:
        return [r for r in self.forge_requests() if r.is_write]

    def count(self, method: str | None = None, path_regex: str | None = None) -> int:
        """How many requests had `method` (any, when None) and a path `path_regex`
        searches (any, when None)."""
        pattern = re.compile(path_regex) if path_regex else None
        return sum(
            1
            for r in self.forge_requests()
            if (method is None or r.method == method.upper())
            and (pattern is None or pattern.search(r.path))
        )


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up is an event the tests cause on purpose (a stream closed at
    its deadline, a reset), not an error to print a traceback for."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeHTTPServer(Generic[ReplyT]):
    """Lifecycle, script and record of one fake server; `handler` answers the requests."""

    handler: ClassVar[type[FakeHandler]]

    def __init__(self, default_responder: Callable[[Any], ReplyT]) -> None:
        self.responder: Callable[[Any], ReplyT] = default_responder
        self.requests: list[RecordedRequest] = []
        self._queue: list[ReplyT] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        # Streamed replies whose client closed the connection before the end: how a client
        # tells a runner to stop generating.
        self.abandoned_streams = 0
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        bound = type("_BoundHandler", (self.handler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), bound)
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

    def received(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self.requests)

    def received_text(self) -> str:
        """Everything received, as one text: request lines (paths with query strings, also
        URL-decoded), header names and values, and bodies decoded (see body_text)."""
        return "\n\n".join(r.text() for r in self.received())

    def where(self, needle: str) -> list[str]:
        """Where `needle` was received, e.g. ["POST /v1/chat/completions: body"]; empty when
        nowhere."""
        return [
            f"{r.method} {r.target or r.path}: {part}"
            for r in self.received()
            for part in r.where(needle)
        ]

    def abandon(self) -> None:
        """Record a streamed reply whose client left before its end."""
        with self._changed:
            self.abandoned_streams += 1
            self._changed.notify_all()

    def wait_abandoned(self, count: int = 1, timeout_s: float = 2.0) -> bool:
        """Whether `count` streams have been abandoned within `timeout_s`: the server only
        notices a client that left on its next write or two."""
        with self._changed:
            return self._changed.wait_for(lambda: self.abandoned_streams >= count, timeout_s)

    def sleep(self, seconds: float) -> None:
        # Interruptible, so stop() is not held up by a slow scripted reply.
        self._stopping.wait(seconds)


class FakeHandler(BaseHTTPRequestHandler):
    """HTTP plumbing; subclasses set `routes` and may override `authorised` and `error`."""

    fake: Any
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as real API servers set it: the headers and the body go out in two writes,
    # and with Nagle's algorithm the body waited for the client's delayed ACK of the headers
    # (40 ms on Linux) on every keep-alive request.
    disable_nagle_algorithm = True
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

    def unknown_path(self, method: str, path: str) -> None:
        """The answer for a path (or method) the fake does not serve; already recorded."""
        self.error(404, f"Not found: {method} {path}")

    # -- plumbing ----------------------------------------------------------------------------

    def read_body(self) -> bytes:
        """The body's bytes, whatever the method: by Content-Length, or de-chunked."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline()
                try:
                    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                except ValueError:
                    break
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after each chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_json(self) -> Any:
        return _parse_json(self.read_body())

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

    def reset_connection(self) -> None:
        """Drop the connection with a TCP reset, no answer: what a client sees as
        "connection reset by peer" once it has sent its request."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def send_stream(
        self,
        status: int,
        pieces: Iterable[bytes],
        content_type: str,
        headers: dict[str, str],
        *,
        trickle_s: float = 0.0,
    ) -> None:
        """Send a reply in chunked transfer encoding, one piece a chunk, `trickle_s` apart,
        as streaming servers do. A client that leaves before the end is recorded
        (`abandoned_streams`): that is what a runner takes as "stop generating"."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.flush()
            for i, piece in enumerate(pieces):
                if i and trickle_s:
                    self.fake.sleep(trickle_s)
                if self.fake._stopping.is_set():
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.fake.abandon()

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
        raw = self.read_body()
        body = _parse_json(raw)
        path = self.path.split("?", 1)[0]
        self.fake.record(
            RecordedRequest(
                method,
                path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                raw_body=raw,
                request_line=self.requestline,
                target=self.path,
            )
        )
        if method == "HEAD":
            # Recorded; a HEAD reply has no body, so the status alone says "not here".
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not self.authorised():
            return
        endpoint = self.route(method, path)
        if endpoint is None:
            self.unknown_path(method, path)
            return
        endpoint(self, body)

    def do_GET(self) -> None:
        self.handle_any("GET")

    def do_POST(self) -> None:
        self.handle_any("POST")

    # Methods no fake model API serves: recorded, then 404, so nothing escapes the record.
    def do_PUT(self) -> None:
        self.handle_any("PUT")

    def do_PATCH(self) -> None:
        self.handle_any("PATCH")

    def do_DELETE(self) -> None:
        self.handle_any("DELETE")

    def do_OPTIONS(self) -> None:
        self.handle_any("OPTIONS")

    def do_HEAD(self) -> None:
        self.handle_any("HEAD")


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
