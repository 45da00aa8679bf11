"""A real Redis for queue tests, as tests/postgres.py is a real PostgreSQL for the ledger.

.ci/run starts one (`eval "$(.ci/services.sh)"`) and sets SWITCHYARD_TEST_REDIS_URL.
Without it, a throwaway `redis-server` is started for this test process (on 127.0.0.1, a
free port, no persistence) when the program is installed, and stopped when the process
ends; when it is not, Redis cases are skipped on a developer's machine with the command
that installs it, and fail under CI.

`redis_url()` gives a database emptied for the calling test; each xdist worker has its
own server (or, with the CI server, its own database number).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_ENV = "SWITCHYARD_TEST_REDIS_URL"
INSTALL = "apt-get install -y redis-server"

_started: str | None = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _throwaway() -> str | None:
    global _started
    if _started:
        return _started
    program = shutil.which("redis-server")
    if program is None:
        return None
    port = _free_port()
    folder = tempfile.mkdtemp(prefix="switchyard-redis-")
    proc = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            _started = f"redis://127.0.0.1:{port}/0"
            return _started
        except OSError:
            time.sleep(0.05)
    return None


def redis_base_url() -> str:
    url = os.environ.get(REDIS_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            f'{REDIS_ENV} is not set: .ci/run must start Redis first (eval "$(.ci/services.sh)")',
            pytrace=False,
        )
    started = _throwaway()
    if started:
        return started
    pytest.skip(f"no Redis: {INSTALL}, or set {REDIS_ENV} (see .ci/services.sh)")


def redis_url() -> str:
    """A Redis database, emptied, for this test (and this xdist worker) alone."""
    import redis

    base = redis_base_url()
    if os.environ.get(REDIS_ENV, "").strip():
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        number = 1 + (int(worker) if worker.isdigit() else 0) % 15
        base = urlunsplit(urlsplit(base)._replace(path=f"/{number}"))
    client = redis.Redis.from_url(base)
    try:
        client.flushdb()
    finally:
        client.close()
    return base
