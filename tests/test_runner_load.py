from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.config.model import ProviderConfig
from bot.routing.load import (
    LoadReading,
    RunnerLoad,
    default_metrics_url,
    http_fetch,
    metrics_url_for,
    overloaded,
    parse_load,
)
from tests.fakeclock import FakeClock

VLLM_TEXT = (Path(__file__).parent / "fixtures" / "vllm_metrics.txt").read_text()
MODEL = "Qwen/Qwen2.5-Coder-14B-Instruct"


class _Server:
    """A loopback server whose /metrics answer the test can change between reads."""

    def __init__(self) -> None:
        self.body = VLLM_TEXT
        self.status = 200
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # as tests/fakes/http_base.py: no 40 ms stalls

            def do_GET(self) -> None:
                server.hits += 1
                if self.path != "/metrics":
                    self.send_error(404)
                    return
                data = server.body.encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/metrics"
        # A short poll keeps shutdown() from waiting out the default half second.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


def test_reads_the_queue_of_a_vllm_server(server: _Server) -> None:
    clock = FakeClock()
    load = RunnerLoad(server.url, model=MODEL, clock=clock)
    reading = load.read()
    # Two data-parallel engines: 7 + 5 waiting, 16 + 15 running.
    assert reading == LoadReading(waiting=12, running=31, read_at=clock())
    assert reading.describe() == "12 waiting, 31 running"
    assert overloaded(reading, 8)
    assert not overloaded(reading, 12)


def test_reuses_a_reading_within_ttl(server: _Server) -> None:
    clock = FakeClock()
    load = RunnerLoad(server.url, ttl_s=5.0, clock=clock)
    first = load.read()
    waiting_0 = f'vllm:num_requests_waiting{{engine="0",model_name="{MODEL}"}}'
    server.body = VLLM_TEXT.replace(f"{waiting_0} 7.0", f"{waiting_0} 0.0")
    clock.advance(4.9)
    assert load.read() is first
    assert server.hits == 1
    clock.advance(0.1)
    again = load.read()
    assert server.hits == 2
    assert again is not None and again.waiting == 5
    load.invalidate()
    load.read()
    assert server.hits == 3


def test_filters_to_the_configured_model(server: _Server) -> None:
    server.body = VLLM_TEXT + "\n".join(
        [
            'vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B"} 40.0',
            'vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B"} 2.0',
            "",
        ]
    )
    # Samples after another family's block are parsed as a second, untyped family of
    # the same name; they count all the same.
    assert RunnerLoad(server.url, model=MODEL).read().waiting == 12  # type: ignore[union-attr]
    everything = RunnerLoad(server.url).read()
    assert everything is not None and everything.waiting == 52
    llama = RunnerLoad(server.url, model="meta-llama/Llama-3.1-8B").read()
    assert llama is not None and (llama.waiting, llama.running) == (40, 2)


def test_an_alias_that_matches_no_label_counts_every_model(server: _Server) -> None:
    reading = RunnerLoad(server.url, model="coder").read()
    assert reading is not None and reading.waiting == 12


def test_not_vllm_is_none(server: _Server) -> None:
    server.body = "\n".join(
        line for line in VLLM_TEXT.splitlines() if not line.startswith(("vllm:", "# HELP vllm:"))
    )
    assert RunnerLoad(server.url).read() is None


@pytest.mark.parametrize(
    "body",
    [
        "<!doctype html><html><body>Not here</body></html>",
        '{"object": "error", "message": "Not Found"}',
        "vllm:num_requests_waiting{engine=0} seven\n",
        "",
    ],
)
def test_garbage_is_none(server: _Server, body: str) -> None:
    server.body = body
    assert RunnerLoad(server.url).read() is None


def test_an_error_status_is_none(server: _Server) -> None:
    server.status = 503
    assert RunnerLoad(server.url).read() is None
    assert RunnerLoad(server.url.replace("/metrics", "/nope")).read() is None


def test_unreachable_is_none_quickly_and_is_cached() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens there now: the connection is refused.
    clock = FakeClock()
    calls: list[float] = []

    def fetch(url: str, timeout_s: float) -> str | None:
        calls.append(timeout_s)
        return http_fetch(url, timeout_s)

    load = RunnerLoad(f"http://127.0.0.1:{port}/metrics", fetch=fetch, clock=clock)
    start = time.monotonic()
    assert load.read() is None
    assert time.monotonic() - start < 1.0
    assert calls == [1.0]
    assert load.read() is None
    assert len(calls) == 1  # the failure is reused within ttl
    clock.advance(5)
    assert load.read() is None
    assert len(calls) == 2


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection, never answers
        port = listener.getsockname()[1]
        load = RunnerLoad(f"http://127.0.0.1:{port}/metrics", timeout_s=0.1)
        start = time.monotonic()
        assert load.read() is None
        assert time.monotonic() - start < 1.0


def test_bad_urls_are_none() -> None:
    assert RunnerLoad("not a url").read() is None
    assert RunnerLoad("ftp://gpu01/metrics").read() is None


def test_parse_accepts_vllm_v0_labels_and_ignores_nan() -> None:
    text = "\n".join(
        [
            "# HELP vllm:num_requests_running Number of requests currently running on GPU.",
            "# TYPE vllm:num_requests_running gauge",
            'vllm:num_requests_running{model_name="/models/llama-2-7b"} 3.0',
            "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
            "# TYPE vllm:num_requests_waiting gauge",
            'vllm:num_requests_waiting{model_name="/models/llama-2-7b"} NaN',
            "",
        ]
    )
    assert parse_load(text) == (0, 3)


def test_overloaded_without_a_reading_is_false() -> None:
    assert not overloaded(None, 0)


@pytest.mark.parametrize(
    ("base", "metrics"),
    [
        ("http://gpu01:8000/v1", "http://gpu01:8000/metrics"),
        ("http://gpu01:8000/v1/", "http://gpu01:8000/metrics"),
        ("https://llm.corp/vllm/v1", "https://llm.corp/vllm/metrics"),
        ("http://gpu01:8000", "http://gpu01:8000/metrics"),
    ],
)
def test_default_metrics_url(base: str, metrics: str) -> None:
    assert default_metrics_url(base) == metrics


def test_metrics_url_for_a_provider() -> None:
    local = ProviderConfig(model="m", base_url="http://gpu01:8000/v1", location="local")
    assert metrics_url_for(local) == "http://gpu01:8000/metrics"
    custom = ProviderConfig(
        model="m", base_url="http://gpu01:8000/v1", location="local", metrics_url="http://x/m"
    )
    assert metrics_url_for(custom) == "http://x/m"
    # Undeclared is cloud, and a cloud API has no /metrics: nothing is asked of it.
    assert metrics_url_for(ProviderConfig(model="m", base_url="http://gpu01:8000/v1")) is None
    assert metrics_url_for(ProviderConfig(model="gpt-4o")) is None
    assert metrics_url_for(ProviderConfig(kind="anthropic", model="claude")) is None
