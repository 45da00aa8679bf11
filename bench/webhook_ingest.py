"""Measures webhook ingest: `switchyard serve` as a real process on loopback, signed
pull_request deliveries from an asyncio + httpx load generator on the same machine.

Prints accepted deliveries per second and the client-side ack latency (p50/p95/p99), then
kills the server with SIGKILL, starts it again and checks that every accepted delivery is
still queued (and that redelivering them is recognised as a duplicate). Bounded: at most
--deliveries requests and --max-seconds of sending. Exits 1 if a delivery was lost.

    .venv/bin/python bench/webhook_ingest.py [--deliveries 5000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.forges.github.events import sign  # noqa: E402
from bot.queue import JobQueue  # noqa: E402

SECRET = "bench-webhook-secret"
FIXTURE = ROOT / "tests" / "fixtures" / "github-webhooks" / "pull_request.json.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(state: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "SWITCHYARD_STATE": str(state),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for name in ("SWITCHYARD_QUEUE_URL", "SWITCHYARD_CONFIG", "GITHUB_APP_ID", "GITHUB_TOKEN"):
        env.pop(name, None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"server exited: {server.stderr.read().decode() if server.stderr else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("server did not become healthy in 30 s")


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deliveries(count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """Signed synchronize deliveries, each for its own pull request (none supersedes
    another), built before timing starts."""
    with gzip.open(FIXTURE) as f:
        base = next(p for p in json.load(f) if p.get("action") == "synchronize")
    out = []
    for i in range(count):
        payload: dict[str, Any] = json.loads(json.dumps(base))
        payload["number"] = payload["pull_request"]["number"] = i + 1
        payload["pull_request"]["head"]["sha"] = uuid.uuid4().hex + "00000000"
        body = json.dumps(payload).encode()
        delivery = str(uuid.uuid4())
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(SECRET, body),
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
        }
        out.append((delivery, body, headers))
    return out


async def send_all(
    url: str,
    items: list[tuple[str, bytes, dict[str, str]]],
    concurrency: int,
    max_s: float,
    client: str = "httpx",
) -> tuple[list[str], list[float], dict[int, int], float]:
    if client == "raw":
        return await send_all_raw(url, items, concurrency, max_s)
    accepted: list[str] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_index = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        stop_at = started + max_s

        async def sender() -> None:
            nonlocal next_index
            while next_index < len(items) and time.perf_counter() < stop_at:
                delivery, body, headers = items[next_index]
                next_index += 1
                t0 = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 202:
                    accepted.append(delivery)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return accepted, latencies, statuses, wall


async def send_all_raw(
    url: str, items: list[tuple[str, bytes, dict[str, str]]], concurrency: int, max_s: float
) -> tuple[list[str], list[float], dict[int, int], float]:
    """The same requests over plain asyncio streams, keep-alive HTTP/1.1: a generator that
    costs tens of microseconds per request, so the server, not the client, is measured."""
    parsed = httpx.URL(url)
    host, port, path = parsed.host, parsed.port or 80, parsed.raw_path.decode()
    accepted: list[str] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    next_index = 0
    started = time.perf_counter()
    stop_at = started + max_s

    def request(body: bytes, headers: dict[str, str]) -> bytes:
        lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def sender() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while next_index < len(items) and time.perf_counter() < stop_at:
                delivery, body, headers = items[next_index]
                next_index += 1
                data = request(body, headers)
                t0 = time.perf_counter()
                writer.write(data)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 202:
                    accepted.append(delivery)
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return accepted, latencies, statuses, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=int, default=200, help="Deliveries sent untimed first.")
    parser.add_argument(
        "--client",
        choices=["httpx", "raw"],
        default="httpx",
        help="Load generator: httpx.AsyncClient, or plain asyncio streams (cheaper, so more "
        "of the 2 shared cores go to the server).",
    )
    args = parser.parse_args()

    items = deliveries(args.warmup + args.deliveries)
    warm, timed = items[: args.warmup], items[args.warmup :]
    print(f"payload: {len(timed[0][1]):,} bytes (a real pull_request synchronize delivery)")
    with tempfile.TemporaryDirectory(prefix="switchyard-ingest-") as tmp:
        state = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}/webhooks/github"
        server = start_server(state, port)
        try:
            warm_ok, *_ = asyncio.run(
                send_all(url, warm, args.concurrency, args.max_seconds, args.client)
            )
            server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
            accepted, latencies, statuses, wall = asyncio.run(
                send_all(url, timed, args.concurrency, args.max_seconds, args.client)
            )
            server_cpu = cpu_seconds(server.pid) - server_cpu
            own_cpu = time.process_time() - own_cpu
            accepted += warm_ok
        finally:
            server.send_signal(signal.SIGKILL)  # a crash, not a shutdown
            server.wait()
        rate = (len(accepted) - len(warm_ok)) / wall
        ms = [x * 1000 for x in latencies]
        print(
            f"sent {len(latencies)} in {wall:.2f} s with {args.concurrency} connections "
            f"({args.client} client); "
            f"statuses {dict(sorted(statuses.items()))}"
        )
        print(f"accepted: {rate:,.0f} deliveries/s")
        n = max(1, len(latencies))
        print(
            f"cpu per delivery: server {server_cpu / n * 1e6:,.0f} us, "
            f"load generator {own_cpu / n * 1e6:,.0f} us ({os.cpu_count()} cores shared)"
        )
        print(
            f"ack latency: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, "
            f"mean {statistics.fmean(ms):.1f} ms"
        )

        server = start_server(state, port)  # restarted after SIGKILL
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
            sample = [i for i in items if i[0] in set(accepted[:100])]
            again, _, again_statuses, _ = asyncio.run(send_all(url, sample, 8, 30))
        finally:
            server.terminate()
            server.wait(10)
        queued = {job.delivery for job in JobQueue(state / "queue.sqlite3").pending_jobs()}
        lost = set(accepted) - queued
        print(
            f"after SIGKILL and restart: {health['queued']} queued, "
            f"{len(accepted)} accepted, {len(lost)} lost; "
            f"redelivered {len(sample)}: statuses {again_statuses}"
        )
        summary = {
            "accepted_per_s": round(rate),
            "p50_ms": round(percentile(ms, 50), 2),
            "p95_ms": round(percentile(ms, 95), 2),
            "p99_ms": round(percentile(ms, 99), 2),
            "client": args.client,
            "concurrency": args.concurrency,
            "accepted": len(accepted),
            "lost": len(lost),
            "redelivered_as_new": len(again),
        }
        print(json.dumps(summary))
        return 1 if lost or again else 0


if __name__ == "__main__":
    sys.exit(main())
