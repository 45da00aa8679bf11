"""How busy the self-hosted runner is, read from vLLM's Prometheus /metrics.

vLLM exposes the gauges `vllm:num_requests_waiting` (queued) and
`vllm:num_requests_running` (in the batch), one sample per engine and served model
(labels `engine`, `model_name`). Overflow bursts work to the cloud when the queue is
deeper than the configured threshold.

A reading is advisory: when the endpoint is unreachable, slow or not vLLM, `read()`
gives None and routing carries on as if the runner were not overloaded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from bot.config.model import ProviderConfig

WAITING = "vllm:num_requests_waiting"
RUNNING = "vllm:num_requests_running"
DEFAULT_TIMEOUT_S = 1.0
# /metrics of a busy server with many histograms is tens of KiB; a body far larger is
# not what we are looking for and is not worth parsing on the routing path.
MAX_BODY_BYTES = 4 * 1024 * 1024

Fetch = Callable[[str, float], str | None]


@dataclass(frozen=True, slots=True)
class LoadReading:
    waiting: int
    running: int
    read_at: float  # on the reader's clock

    def describe(self) -> str:
        return f"{self.waiting} waiting, {self.running} running"


def overloaded(reading: LoadReading | None, threshold: int) -> bool:
    """More requests queued than `threshold`; no reading never counts as overloaded."""
    return reading is not None and reading.waiting > threshold


def default_metrics_url(base_url: str) -> str:
    """`http://gpu01:8000/v1` → `http://gpu01:8000/metrics`: vLLM serves /metrics at
    the server root, beside the OpenAI-compatible API under /v1."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return urlunsplit((parts.scheme, parts.netloc, path + "/metrics", "", ""))


def metrics_url_for(config: ProviderConfig) -> str | None:
    """The configured metrics URL, else the default for a local OpenAI-compatible server."""
    if config.metrics_url:
        return config.metrics_url
    if (
        config.kind == "openai_compatible"
        and config.base_url
        and config.resolved_location() == "local"
    ):
        return default_metrics_url(config.base_url)
    return None


def http_fetch(url: str, timeout_s: float) -> str | None:
    """GET the text at `url`, or None on any transport error or non-2xx answer."""
    import httpx  # imported on first use: routing modules stay light at start-up

    try:
        with (
            httpx.Client(timeout=timeout_s, follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": "text/plain"}) as response,
        ):
            if not response.is_success:
                return None
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    return None
            return body.decode(response.encoding or "utf-8", errors="replace")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError):
        return None


def parse_load(text: str, model: str | None = None) -> tuple[int, int] | None:
    """(waiting, running) summed over engines, or None when the text is not vLLM metrics.

    With `model`, only samples labelled with that model_name count — unless none is, as
    when the configured name is an alias of the path the server reports; then all do.
    """
    from prometheus_client.parser import text_string_to_metric_families

    samples: dict[str, list[tuple[dict[str, str], float]]] = {WAITING: [], RUNNING: []}
    try:
        for family in text_string_to_metric_families(text):
            if family.name not in samples:
                continue
            for s in family.samples:
                if s.name == family.name:
                    samples[s.name].append((s.labels, s.value))
    except (ValueError, IndexError, KeyError, TypeError):
        # The parser's answer to text that is not Prometheus exposition format.
        return None
    if not samples[WAITING] or not samples[RUNNING]:
        return None
    return _total(samples[WAITING], model), _total(samples[RUNNING], model)


def _total(samples: Iterable[tuple[dict[str, str], float]], model: str | None) -> int:
    rows = list(samples)
    if model is not None:
        mine = [r for r in rows if r[0].get("model_name") == model]
        rows = mine or rows
    total = sum(v for _, v in rows if v == v)  # NaN is not a count
    return max(0, round(total))


class RunnerLoad:
    """Reads and caches one runner's queue depth. Thread-safe; one fetch at a time, and
    callers within `ttl_s` of the last attempt share its answer (a failed one too, so an
    unreachable server costs at most one short timeout per `ttl_s`)."""

    def __init__(
        self,
        metrics_url: str,
        *,
        model: str | None = None,
        ttl_s: float = 5.0,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        fetch: Fetch = http_fetch,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metrics_url = metrics_url
        self.model = model
        self._ttl_s = ttl_s
        self._timeout_s = timeout_s
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: LoadReading | None = None
        self._cached_at: float | None = None

    def read(self) -> LoadReading | None:
        with self._lock:
            now = self._clock()
            if self._cached_at is not None and now - self._cached_at < self._ttl_s:
                return self._cached
            text = self._fetch(self.metrics_url, self._timeout_s)
            parsed = parse_load(text, self.model) if text is not None else None
            read_at = self._clock()
            self._cached = LoadReading(*parsed, read_at=read_at) if parsed else None
            self._cached_at = read_at
            return self._cached

    def invalidate(self) -> None:
        """Forget the cached reading, e.g. once the runner's breaker has closed again."""
        with self._lock:
            self._cached = None
            self._cached_at = None
