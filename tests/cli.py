"""Runs `switchyard` as a real process, with an environment the test controls fully."""

from __future__ import annotations

import atexit
import contextlib
import json
import locale
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.gitrepo import ISOLATED_ENV

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeOpenAIServer


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def base_env(home: Path) -> dict[str, str]:
    """No model keys or URLs leak in from the developer's shell."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CI": "true",
        "NO_COLOR": "1",
        "SWITCHYARD_STATE": str(home / "state"),
        # The `local` extra may be installed: no test starts the embedded runner unasked.
        "SWITCHYARD_RUNNER": "off",
        # No second between writes to the fake GitHub (a review --pr waited ~5 s for them):
        # tests assert what was posted, not when; pacing has its fake-clock tests.
        "SWITCHYARD_GITHUB_PACING": "off",
        **ISOLATED_ENV,
    }


def switchyard(
    *args: str,
    cwd: Path,
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = 60,
) -> Result:
    """`python -m bot ARGS` as a process of its own, with exactly `env`, `cwd` and `stdin`
    (None: the test process's own stdin, as subprocess passes it on).

    The process is forked from a launcher that has the CLI's third-party libraries imported
    already (tests/cli_fork.py says what that does and does not change); with
    SWITCHYARD_TEST_FRESH_PROCESS=1 in the test's environment, or both launchers busy in
    other threads, it is a fresh interpreter."""
    done = run_module("bot", *args, cwd=cwd, env=env, stdin=stdin, timeout=timeout)
    # Whatever went wrong, the user must get a sentence, not a stack trace.
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def run_module(
    module: str,
    *args: str,
    cwd: Path,
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = 60,
    fresh: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`python -m MODULE ARGS`, forked from a launcher unless `fresh` (see switchyard)."""
    command = [sys.executable, "-m", module, *args]
    done = None if fresh else _forked(command, cwd, env, stdin, timeout)
    if done is None:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return done


# -- the forking launcher ----------------------------------------------------------------------

_FORK_SCRIPT = Path(__file__).with_name("cli_fork.py")
FRESH_ENV = "SWITCHYARD_TEST_FRESH_PROCESS"


def _interpreter_vars(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The variables a Python interpreter reads as it starts (or caches once read): runs
    that differ in them get launchers of their own."""
    return tuple(
        sorted(
            (k, v)
            for k, v in env.items()
            if k.startswith(("PYTHON", "LC_")) or k in ("LANG", "LANGUAGE", "TZ", "TMPDIR")
        )
    )


class _Launcher:
    def __init__(self, start_env: dict[str, str]) -> None:
        self.lock = threading.Lock()
        ours, theirs = socket.socketpair()
        env = {**start_env, "SWITCHYARD_TEST_FORK_ENV": json.dumps(sorted(start_env))}
        self.proc = subprocess.Popen(
            [sys.executable, str(_FORK_SCRIPT), str(theirs.fileno())],
            cwd=_FORK_SCRIPT.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self.sock = ours
        self.lines = ours.makefile("rb")
        if self.lines.readline() != b"ready\n":
            raise OSError("the launcher did not start")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(
        self, command: list[str], cwd: Path, env: dict[str, str], stdin: str | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        encoding = locale.getpreferredencoding(False)
        feed: int | None = None
        if stdin is None:
            try:
                child_in = os.dup(0)  # inherited, as subprocess.run(input=None) leaves it
            except OSError:  # no stdin here: the child gets none either
                child_in = os.open(os.devnull, os.O_RDONLY)
        else:
            child_in, feed = os.pipe()
        out_r, child_out = os.pipe()
        err_r, child_err = os.pipe()
        request = {"module": command[2], "argv": command[3:], "env": env, "cwd": str(cwd)}
        body = json.dumps(request).encode()
        payload = struct.pack("!I", len(body)) + body
        try:
            sent = socket.send_fds(self.sock, [payload], [child_in, child_out, child_err])
            self.sock.sendall(payload[sent:])
        finally:
            for fd in (child_in, child_out, child_err):
                os.close(fd)
        pid = int(self.lines.readline())
        data = stdin.encode(encoding) if stdin is not None else b""
        out, err = bytearray(), bytearray()
        deadline = time.monotonic() + timeout
        timed_out = False
        with selectors.DefaultSelector() as sel:
            if feed is not None and data:
                os.set_blocking(feed, False)
                sel.register(feed, selectors.EVENT_WRITE)
            elif feed is not None:
                os.close(feed)
            sel.register(out_r, selectors.EVENT_READ, out)
            sel.register(err_r, selectors.EVENT_READ, err)
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                for key, _ in sel.select(left):
                    if key.fd == feed:
                        try:
                            data = data[os.write(feed, data[:65536]) :]
                        except BrokenPipeError:
                            data = b""
                        if not data:
                            sel.unregister(feed)
                            os.close(feed)
                        continue
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        key.data.extend(chunk)
                    else:
                        sel.unregister(key.fd)
                        os.close(key.fd)
            for key in list(sel.get_map().values()):
                sel.unregister(key.fd)
                os.close(key.fd)
        if timed_out:
            # ProcessLookupError: it ended, and something it started holds the pipes open.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        code = int(self.lines.readline())
        stdout, stderr = _text(bytes(out), encoding), _text(bytes(err), encoding)
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
        return subprocess.CompletedProcess(command, code, stdout, stderr)

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _text(data: bytes, encoding: str) -> str:
    """As subprocess decodes in text mode: universal newlines."""
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


# Two launchers per set of interpreter variables, taken in turn: each interpreter has its
# own hash seed, which its children share, so two runs in a row (a rerun that must find the
# cache, write nothing new) never share one, as two fresh processes would not.
_PAIR = 2
_launchers: dict[tuple[tuple[str, str], ...], list[_Launcher | None]] = {}
_turn = 0
_launchers_lock = threading.Lock()


def _forked(
    command: list[str], cwd: Path, env: dict[str, str], stdin: str | None, timeout: float
) -> subprocess.CompletedProcess[str] | None:
    global _turn
    if os.environ.get(FRESH_ENV) == "1" or not hasattr(os, "fork"):
        return None
    key = _interpreter_vars(env)
    with _launchers_lock:
        pair = _launchers.setdefault(key, [None] * _PAIR)
        _turn += 1
        for n in range(_PAIR):
            slot = (_turn + n) % _PAIR
            launcher = pair[slot]
            if launcher is None or not launcher.alive():
                launcher = pair[slot] = _Launcher(dict(key))
            if launcher.lock.acquire(blocking=False):
                break
        else:
            return None  # both in use by other threads: this run starts afresh
    try:
        return launcher.run(command, cwd, env, stdin, timeout)
    finally:
        launcher.lock.release()


@atexit.register
def _close_launchers() -> None:
    for pair in _launchers.values():
        for launcher in pair:
            if launcher is not None:
                launcher.close()


def local_env(home: Path, fake: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    """base_env with `fake` declared as the self-hosted runner (model qwen2.5-coder-14b)."""
    return {
        **base_env(home),
        "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen2.5-coder-14b",
        **extra,
    }
