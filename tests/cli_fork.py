"""A forking launcher for `python -m bot` (tests/cli.py:switchyard): the third-party
libraries the CLI spends its start on (the OpenAI and Anthropic SDKs and pydantic under
them, SQLAlchemy, PyGithub, python-gitlab...) are imported once, and each run is a child
forked from this process.

Each run is still a process of its own, started as the test says: its argv, its whole
environment, its working folder (first on sys.path, as `-m` puts it) and its standard
streams are the test's, it imports Switchyard itself (nothing under bot/ is imported
before the fork, so every run sees the code as it is on disk), and its exit status is what
the test reads. What it does not repeat is importing those libraries: about a second of CPU
per run, two with the Anthropic SDK, which was most of what a CLI test cost.

What a fork could change, and how it is kept as a fresh interpreter has it:
- the interpreter's own settings, read from the environment as it starts (PYTHON*, the
  locale's variables, TZ, TMPDIR): a launcher is started with those of the runs it serves,
  and runs that differ in them get launchers of their own; what the interpreter adds to
  its environment as it starts (PEP 538's LC_CTYPE) is added to each run's environment;
- the standard streams: the launcher's are /dev/null, so they are set up as for a run on
  pipes (encoding, errors, buffering), and each child's fds 0-2 become the test's pipes;
- the hash seed, which children share with their launcher: tests/cli.py takes two
  launchers in turn, so two runs in a row never share one;
- the random module is reseeded in each child by Python itself (os.register_at_fork).
The launcher imports nothing of this repository. tests/test_cli_fork.py runs a probe both
ways and compares what each saw. SWITCHYARD_TEST_FRESH_PROCESS=1 turns it off.

Protocol on the socket passed as FD: a request is a 4-byte length and a JSON object {module,
argv, env, cwd}, sent with the child's three standard fds; the answer is a line with the
child's pid, then a line with its exit status (subprocess's convention: -N for a signal).
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import struct
import sys
from typing import Any

PRELOAD = (
    "anthropic",
    "openai",
    "httpx",
    "pydantic",
    "sqlalchemy",
    "yaml",
    "jinja2",
    "click",
    "github",
    "gitlab",
    "requests",
    "unidiff",
)


def _read_request(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 3)
    if not head:
        return None
    while len(head) < 4:
        more = sock.recv(4 - len(head))
        if not more:
            return None
        head += more
    (size,) = struct.unpack("!I", head)
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None
        body += chunk
    return json.loads(body), list(fds)


def _child(request: dict[str, Any], fds: list[int], start_env: dict[str, str]) -> None:
    """In the forked child: become `python -m MODULE ARGS` as the test runs it; never
    returns."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        env = dict(request["env"])
        # What the interpreter itself put in its environment at start (PEP 538's LC_CTYPE
        # when the locale was C), as a fresh interpreter with these variables would have.
        for key, value in start_env.items():
            env.setdefault(key, value)
        os.environ.clear()
        os.environ.update(env)
        import tempfile
        import time

        time.tzset()
        tempfile.tempdir = None
        sys.argv = ["-m", *request["argv"]]
        sys.path[0] = os.getcwd()  # `python -m` puts the working folder first
        code = _run(request["module"])
    finally:
        os._exit(code)


def _run(module: str) -> int:
    import atexit
    import runpy
    import threading
    import traceback

    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    # As the interpreter ends: non-daemon threads, then atexit, then the streams.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = code or 120
    return code


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    # Variables the interpreter set at its start, absent from what it was started with.
    given = json.loads(os.environ.pop("SWITCHYARD_TEST_FORK_ENV", "{}"))
    start_env = {k: v for k, v in os.environ.items() if k not in given}
    for name in PRELOAD:
        importlib.import_module(name)
    sys.stdout.flush()
    sys.stderr.flush()
    sock.sendall(b"ready\n")
    while True:
        got = _read_request(sock)
        if got is None:
            return
        request, fds = got
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child(request, fds, start_env)
        for fd in fds:
            os.close(fd)
        sock.sendall(f"{pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        sock.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())


if __name__ == "__main__":
    main()
