"""The embedded runner's choices, without starting a model: which file it serves, how the
server is started, and what a machine without the `local` extra is told."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.runner import embedded
from bot.runner.embedded import ModelChoice, resolve_model, server_command
from tests.cli import base_env, switchyard


def test_a_given_model_file_is_served_under_its_name(tmp_path: Path) -> None:
    gguf = tmp_path / "qwen2.5-coder-1.5b.gguf"
    gguf.write_bytes(b"GGUF")
    choice = resolve_model(str(gguf), tmp_path / "models", environ={})
    assert (choice.path, choice.alias, choice.chat_format) == (gguf, gguf.stem, None)
    from_env = resolve_model(None, tmp_path, environ={"SWITCHYARD_RUNNER_MODEL": str(gguf)})
    assert from_env.path == gguf and "SWITCHYARD_RUNNER_MODEL" in from_env.source


def test_a_missing_model_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_model(str(tmp_path / "nope.gguf"), tmp_path, environ={})


def test_without_the_bundled_model_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "BUNDLED_PACKAGE", "no_such_model_package_here")
    with pytest.raises(embedded.RunnerUnavailable) as err:
        resolve_model(None, tmp_path, environ={})
    assert "switchyard[local]" in (err.value.hint or "")


def test_the_server_listens_on_loopback_with_the_models_chat_format() -> None:
    choice = ModelChoice(Path("/m/g.gguf"), "gemma-3-270m", "gemma", "bundled")
    cmd = server_command(choice, host="127.0.0.1", port=8765, context=8192)
    assert cmd[:3] == [sys.executable, "-m", "llama_cpp.server"]
    args = dict(zip(cmd[3::2], cmd[4::2], strict=True))
    assert args == {
        "--model": "/m/g.gguf",
        "--model_alias": "gemma-3-270m",
        "--host": "127.0.0.1",
        "--port": "8765",
        "--n_ctx": "8192",
        "--chat_format": "gemma",
    }


def test_the_command_names_a_missing_model_file(tmp_path: Path) -> None:
    r = switchyard(
        "runner", "--model", str(tmp_path / "missing.gguf"), cwd=tmp_path, env=base_env(tmp_path)
    )
    assert r.code == 2 and "does not exist" in r.err


# A stand-in for llama-cpp-python's server: it answers /v1/models, then dies of SIGSEGV on
# the first completion, as a llama.cpp built for CPU features the machine lacks does.
_CRASHING_SERVER = r"""
import http.server, os, signal, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"data": []}')

    def do_POST(self):
        os.kill(os.getpid(), signal.SIGSEGV)

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_a_runner_that_crashes_on_a_completion_says_why_and_how_to_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    script = tmp_path / "server.py"
    script.write_text(_CRASHING_SERVER)
    monkeypatch.setattr(embedded, "available", lambda: True)
    command = [sys.executable, str(script)]
    monkeypatch.setattr(embedded, "server_command", lambda _, **kw: [*command, str(kw["port"])])
    choice = ModelChoice(tmp_path / "m.gguf", "m", None, "a test")
    with embedded.EmbeddedRunner(choice) as served:
        assert served.running and served.ended() == ""
        with pytest.raises(httpx.HTTPError):
            httpx.post(served.base_url + "/chat/completions", json={}, timeout=10)
        for _ in range(50):
            if not served.running:
                break
            time.sleep(0.1)
        said = served.ended()
    assert said.startswith("crashed with SIGSEGV"), said
    assert "-DGGML_NATIVE=OFF" in said and "--no-cache-dir" in said
