"""Webhook intake under what the internet sends: repeats racing on several replicas, missing
delivery ids, other content types, nesting bombs, bodies that never arrive, clients that
hang up. The delivery log's claim is checked on SQLite and PostgreSQL; Redis when the
package and a server are at hand."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.forges.github.events import sign
from bot.forges.github.webhook import GitHubWebhook
from bot.forges.gitlab.webhook import GitLabWebhook
from bot.forges.webhook import WebhookReceiver
from bot.queue import JobQueue
from bot.server import create_app
from bot.server.dedupe import (
    SQLITE_NAME,
    RedisDeliveryLog,
    SqlDeliveryLog,
    open_delivery_log,
)
from tests.postgres import BACKENDS, fresh_pg_url
from tests.test_webhook_events import example

ROOT = Path(__file__).resolve().parent.parent
SECRET = "intake-secret"
BOMB = b"[" * 100_000 + b"]" * 100_000
OBJECT_BOMB = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


@contextmanager
def delivery_log_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'deliveries.sqlite3'}"
    else:
        with fresh_pg_url() as url:
            yield url


@pytest.fixture(params=BACKENDS)
def log_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with delivery_log_url(request.param, tmp_path) as url:
        yield url


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# --- the delivery log -----------------------------------------------------------------------


def test_a_delivery_is_claimed_once_and_released_for_a_retry(log_url: str) -> None:
    log = SqlDeliveryLog(log_url)
    try:
        assert log.claim("d-1") and not log.claim("d-1")
        log.release("d-1")  # queueing failed: the redelivery may claim it
        assert log.claim("d-1")
        log.confirm("d-1")
        log.release("d-1")  # a confirmed delivery is not released
        assert not log.claim("d-1") and len(log) == 1
    finally:
        log.close()


def test_a_stale_claim_is_taken_over_and_entries_expire(log_url: str) -> None:
    clock = Clock()
    log = SqlDeliveryLog(log_url, ttl_s=3600, stale_s=60, clock=clock)
    try:
        assert log.claim("crashed") and log.claim("queued")
        log.confirm("queued")
        clock.now += 59
        assert not log.claim("crashed") and not log.claim("queued")
        clock.now += 2  # the claimer died before queueing: a redelivery takes it over
        assert log.claim("crashed") and not log.claim("crashed")
        assert not log.claim("queued")  # queued: a duplicate until it expires
        clock.now += 3602  # past the TTL of both, the taken-over claim included
        assert log.prune() == 2 and len(log) == 0
        assert log.claim("queued")
    finally:
        log.close()


def test_the_log_before_claims_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / SQLITE_NAME
    with sqlite3.connect(path) as old:  # the table the check-then-set log kept
        old.execute("CREATE TABLE deliveries (id TEXT NOT NULL UNIQUE, seen_at REAL NOT NULL)")
        old.execute("INSERT INTO deliveries VALUES ('before', ?)", (time.time() - 60,))
    old.close()
    log = SqlDeliveryLog.sqlite(path)
    try:
        assert not log.claim("before") and log.claim("after")
    finally:
        log.close()
    with sqlite3.connect(path) as check:
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
    check.close()
    assert "deliveries" not in tables


def test_threads_racing_on_one_delivery_claim_it_once(log_url: str) -> None:
    logs = [SqlDeliveryLog(log_url) for _ in range(2)]  # two engines: two "processes"
    wins: list[str] = []
    ids = [f"race-{i}" for i in range(50)]

    def claim_all(log: SqlDeliveryLog) -> None:
        for delivery in ids:
            if log.claim(delivery):
                wins.append(delivery)

    threads = [threading.Thread(target=claim_all, args=(log,)) for log in logs for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for log in logs:
        log.close()
    assert sorted(wins) == sorted(ids)


def test_the_log_sits_beside_the_queue_chosen_by_its_url(tmp_path: Path) -> None:
    default = open_delivery_log(None, tmp_path)
    assert isinstance(default, SqlDeliveryLog)
    assert default.engine.url.database == str(tmp_path / SQLITE_NAME)
    default.close()
    huey_file = open_delivery_log(str(tmp_path / "queue.sqlite3"), tmp_path)
    assert isinstance(huey_file, SqlDeliveryLog)
    assert huey_file.engine.url.database == str(tmp_path / SQLITE_NAME)
    huey_file.close()


def test_a_postgresql_queue_url_puts_the_log_in_postgresql(tmp_path: Path) -> None:
    with fresh_pg_url() as url:
        log = open_delivery_log(url, tmp_path)
        try:
            assert isinstance(log, SqlDeliveryLog)
            assert log.engine.dialect.name == "postgresql"
            assert log.claim("pg-1") and not log.claim("pg-1")
        finally:
            log.close()
    assert not (tmp_path / SQLITE_NAME).exists()


def _redis_url() -> str:
    # The queue engineer's throwaway Redis (tests/redis_server.py), once it is there.
    return pytest.importorskip("tests.redis_server").redis_url()


def test_redis_claims_once_with_expiring_keys() -> None:
    import redis

    url = _redis_url()
    log = RedisDeliveryLog(url, ttl_s=100, stale_s=5)
    keys = redis.Redis.from_url(url)
    try:
        assert log.claim("r-1") and not log.claim("r-1")
        assert 0 < keys.ttl(log.PREFIX + "r-1") <= 5  # a dead claimer's claim frees itself
        log.release("r-1")
        assert log.claim("r-1")
        log.confirm("r-1")
        assert 5 < keys.ttl(log.PREFIX + "r-1") <= 100
        log.release("r-1")
        assert not log.claim("r-1") and len(log) == 1
    finally:
        keys.close()
        log.close()


# --- two real servers on one store ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _ready(process: subprocess.Popen[bytes], port: int) -> None:
    """Wait until `process` answers /healthz on `port`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("server did not start")


def _signed_deliveries(count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    base = example("pull_request", "synchronize")
    out = []
    for i in range(count):
        payload: dict[str, Any] = json.loads(json.dumps(base))
        payload["number"] = payload["pull_request"]["number"] = i + 1  # none supersedes another
        body = json.dumps(payload).encode()
        delivery = str(uuid.uuid4())
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(SECRET, body),
            "Content-Type": "application/json",
        }
        out.append((delivery, body, headers))
    return out


async def _race(ports: list[int], items: list[tuple[str, bytes, dict[str, str]]]) -> list[int]:
    """Every delivery to every server at once; the status codes."""
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        sends = [
            client.post(f"http://127.0.0.1:{port}/webhooks/github", content=body, headers=headers)
            for _, body, headers in items
            for port in ports
        ]
        return [r.status_code for r in await asyncio.gather(*sends)]


@contextmanager
def _store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "queue.sqlite3")
    elif backend == "redis":
        yield _redis_url()
    else:
        with fresh_pg_url() as url:
            yield url


@pytest.mark.parametrize("backend", [*BACKENDS, "redis"])
def test_two_serve_processes_racing_on_the_same_deliveries_queue_each_once(
    backend: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "SWITCHYARD_STATE": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("SWITCHYARD_QUEUE_URL", "SWITCHYARD_CONFIG", "GITHUB_APP_ID", "GITHUB_TOKEN"):
        env.pop(name, None)
    ports = [_free_port(), _free_port()]
    processes = []
    with _store_url(backend, tmp_path) as queue_url:
        try:
            for port in ports:
                # `switchyard serve` itself; the delivery log goes where the queue is.
                command = [sys.executable, "-m", "bot.cli.serve", "--port", str(port)]
                command += ["--log-level", "warning", "--queue", queue_url]
                processes.append(_spawn(command, env))
            # Both start side by side (each takes a second or two to import and open the
            # store); the race begins once both answer.
            for process, port in zip(processes, ports, strict=True):
                _ready(process, port)
            items = _signed_deliveries(200)
            statuses = asyncio.run(_race(ports, items))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
            stderr = [p.stderr.read().decode()[-2000:] for p in processes if p.stderr]
        queue = JobQueue(queue_url)
        try:
            jobs = queue.pending_jobs()
        finally:
            queue.close()
    counts = Counter(statuses)
    assert counts == {202: 200, 200: 200}, (counts, stderr)
    assert sorted(job.delivery for job in jobs) == sorted(d for d, _, _ in items)


# --- intake rules -----------------------------------------------------------------------------


@contextmanager
def _client(receiver: WebhookReceiver, state: Path) -> Iterator[tuple[TestClient, JobQueue]]:
    queue = JobQueue(state / "queue.sqlite3")
    app = create_app(receiver, queue, SqlDeliveryLog.sqlite(state / "d.db"))
    with TestClient(app) as client:
        yield client, queue


@pytest.fixture
def github(tmp_path: Path) -> Iterator[tuple[TestClient, JobQueue]]:
    with _client(GitHubWebhook(webhook_secret=SECRET), tmp_path) as pair:
        yield pair


GITHUB_HEADERS = {
    "X-GitHub-Event": "pull_request",
    "X-GitHub-Delivery": "d-1",
    "Content-Type": "application/json",
}
GITLAB_HEADERS = {
    "X-Gitlab-Event": "Merge Request Hook",
    "X-Gitlab-Token": SECRET,
    "Idempotency-Key": "k-1",
    "Content-Type": "application/json",
}


def _post(client: TestClient, forge: str, body: bytes, **headers: str) -> httpx.Response:
    """A delivery with the forge's usual headers (GitHub's signed), `headers` replacing
    them (X_GitHub_Delivery="" leaves one out)."""
    if forge == "github":
        sent = {**GITHUB_HEADERS, "X-Hub-Signature-256": sign(SECRET, body)}
    else:
        sent = dict(GITLAB_HEADERS)
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    kept = {k: v for k, v in sent.items() if v}
    return client.post(f"/webhooks/{forge}", content=body, headers=kept)


def _github(client: TestClient, body: bytes, **headers: str) -> httpx.Response:
    return _post(client, "github", body, **headers)


def _gitlab(client: TestClient, body: bytes, **headers: str) -> httpx.Response:
    return _post(client, "gitlab", body, **headers)


def test_a_github_delivery_without_its_id_is_400_after_the_signature(
    github: tuple[TestClient, JobQueue],
) -> None:
    client, queue = github
    body = json.dumps(example("pull_request", "opened")).encode()
    missing = _github(client, body, X_GitHub_Delivery="")
    assert missing.status_code == 400
    assert "X-GitHub-Delivery" in missing.text
    unsigned = _github(client, body, X_GitHub_Delivery="", X_Hub_Signature_256="sha256=00")
    assert (unsigned.status_code, unsigned.text) == (401, "bad signature")
    assert queue.pending_count() == 0


def test_a_delivery_log_that_fails_is_503_and_nothing_is_queued(
    github: tuple[TestClient, JobQueue], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, queue = github
    body = json.dumps(example("pull_request", "opened")).encode()

    def broken(self: SqlDeliveryLog, delivery: str) -> bool:
        raise OSError("disk I/O error")

    monkeypatch.setattr(SqlDeliveryLog, "claim", broken)
    response = _github(client, body)
    assert (response.status_code, response.text) == (503, "delivery log unavailable")
    monkeypatch.undo()
    assert queue.pending_count() == 0
    assert _github(client, body).status_code == 202  # the redelivery is taken


def test_github_content_types(github: tuple[TestClient, JobQueue]) -> None:
    client, queue = github
    body = json.dumps(example("pull_request", "opened")).encode()
    for declared in ("text/plain", "application/xml", ""):
        refused = _github(client, body, Content_Type=declared)
        assert refused.status_code == 415, declared
        assert "application/json" in refused.text
    ok = _github(client, body, Content_Type="Application/JSON; charset=utf-8")
    assert ok.status_code == 202
    assert queue.pending_count() == 1


@pytest.mark.parametrize("bomb", [BOMB, OBJECT_BOMB], ids=["array", "object"])
def test_nesting_bombs_are_400_on_github(github: tuple[TestClient, JobQueue], bomb: bytes) -> None:
    client, queue = github
    response = _github(client, bomb)
    assert response.status_code == 400 and "not JSON" in response.text
    from urllib.parse import urlencode

    form = urlencode({"payload": bomb.decode()}).encode()
    response = _github(client, form, Content_Type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert queue.pending_count() == 0


@pytest.fixture
def gitlab(tmp_path: Path) -> Iterator[tuple[TestClient, JobQueue]]:
    with _client(GitLabWebhook(webhook_secret=SECRET), tmp_path) as pair:
        yield pair


def test_gitlab_intake_rules(gitlab: tuple[TestClient, JobQueue]) -> None:
    client, queue = gitlab
    body = json.dumps({"object_kind": "push"}).encode()
    missing = _gitlab(client, body, Idempotency_Key="")
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.text and "X-Gitlab-Event-UUID" in missing.text
    assert _gitlab(client, body, Idempotency_Key="", X_Gitlab_Token="guess").status_code == 401
    assert _gitlab(client, body, Idempotency_Key="", X_Gitlab_Event_UUID="u").status_code == 200
    assert _gitlab(client, body).status_code == 200
    refused = _gitlab(client, body, Content_Type="application/x-www-form-urlencoded")
    assert refused.status_code == 415 and "application/json" in refused.text
    for bomb in (BOMB, OBJECT_BOMB):
        assert _gitlab(client, bomb).status_code == 400
    assert queue.pending_count() == 0


# --- a real uvicorn: slow and vanishing clients ----------------------------------------------


@contextmanager
def serving(app: Starlette) -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_level="info", access_log=False))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert uv.started
        yield port
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


def _partial_request(port: int, declared: int, sent: bytes) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (
        "POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-GitHub-Delivery: slow\r\nContent-Length: {declared}\r\n\r\n"
    )
    conn.sendall(head.encode() + sent)
    return conn


def test_a_body_that_never_arrives_is_408_within_the_timeout(tmp_path: Path) -> None:
    app = create_app(
        GitHubWebhook(webhook_secret=SECRET),
        JobQueue(tmp_path / "queue.sqlite3"),
        SqlDeliveryLog.sqlite(tmp_path / "d.db"),
        body_timeout_s=0.5,
    )
    with serving(app) as port:
        conn = _partial_request(port, 1000, b'{"action":')
        started = time.monotonic()
        answer = b""
        while chunk := conn.recv(4096):  # the server closes the connection after answering
            answer += chunk
        elapsed = time.monotonic() - started
        conn.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"not received within 0.5 s" in answer
    assert 0.4 < elapsed < 5


def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        GitHubWebhook(webhook_secret=SECRET),
        JobQueue(tmp_path / "queue.sqlite3"),
        SqlDeliveryLog.sqlite(tmp_path / "d.db"),
    )
    caplog.set_level(logging.DEBUG)
    with serving(app) as port:
        for _ in range(3):
            _partial_request(port, 100_000, b'{"action": "opened", "pad": "' + b"x" * 5000).close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            if 'outcome="disconnected"} 3.0' in metrics:
                break
            time.sleep(0.05)
        assert 'outcome="disconnected"} 3.0' in metrics
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert errors == [], [r.getMessage() for r in errors]
    assert "disconnected before sending its whole body" in caplog.text


def test_a_store_that_stalls_does_not_stall_other_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delivery log and the queue are a network hop away in a scale-out set-up: while
    one delivery waits on them, /healthz and other deliveries are still answered."""
    entered, release = threading.Event(), threading.Event()
    real_claim = SqlDeliveryLog.claim

    def stalled(self: SqlDeliveryLog, delivery: str) -> bool:
        if delivery == "stalled":
            entered.set()
            release.wait(30)
        return real_claim(self, delivery)

    monkeypatch.setattr(SqlDeliveryLog, "claim", stalled)
    queue = JobQueue(tmp_path / "queue.sqlite3")
    app = create_app(
        GitHubWebhook(webhook_secret=SECRET), queue, SqlDeliveryLog.sqlite(tmp_path / "d.db")
    )
    body = json.dumps(example("pull_request", "opened")).encode()
    headers = {**GITHUB_HEADERS, "X-Hub-Signature-256": sign(SECRET, body)}
    answers: list[int] = []
    with serving(app) as port:
        url = f"http://127.0.0.1:{port}"

        def deliver() -> None:
            stalled_headers = {**headers, "X-GitHub-Delivery": "stalled"}
            sent = httpx.post(f"{url}/webhooks/github", content=body, headers=stalled_headers)
            answers.append(sent.status_code)

        slow = threading.Thread(target=deliver)
        slow.start()
        try:
            assert entered.wait(20)
            # Answered while the stalled delivery still waits on its store (a store call on
            # the event loop would hold this until the 30 s wait ends: a read timeout).
            assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200
            assert answers == []
        finally:
            release.set()
            slow.join(60)
    assert answers == [202]
