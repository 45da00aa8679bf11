"""A circuit breaker per target: stop sending work to an endpoint that keeps failing.

closed ──(`failures` consecutive outage errors)──▶ open ──(`reset_s` passed)──▶ half_open
half_open lets exactly one probe through; its success closes the circuit, its failure
re-opens it and restarts the reset timer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.config.model import ProviderConfig
    from bot.providers.base import ErrorKind

State = Literal["closed", "open", "half_open"]

# Errors that say the endpoint is unwell. A bad request or an invalid answer came from
# a working server, so it says nothing against the target's health.
_OUTAGE_KINDS = frozenset({"unreachable", "timeout", "rate_limited", "server_error", "auth"})


def is_outage(kind: ErrorKind | str) -> bool:
    """Whether a provider error should count against the target's breaker."""
    return str(kind) in _OUTAGE_KINDS


class CircuitBreaker:
    """Thread-safe; `clock` is injectable so tests never sleep."""

    def __init__(
        self,
        failures: int,
        reset_s: float,
        *,
        name: str = "target",
        clock: Callable[[], float] = time.monotonic,
        probe_timeout_s: float | None = None,
    ) -> None:
        if failures < 1:
            raise ValueError("failures must be at least 1")
        if reset_s <= 0:
            raise ValueError("reset_s must be positive")
        self.name = name
        self._threshold = failures
        self._reset_s = reset_s
        self._clock = clock
        # A probe whose caller never reports back would hold the circuit half-open for
        # ever; past this age it is presumed lost and another probe may go.
        self._probe_timeout_s = probe_timeout_s
        self._lock = threading.Lock()
        self._state: State = "closed"
        self._failures = 0  # consecutive, reset by a success while closed
        self._opened_at = 0.0
        self._probe_started: float | None = None

    @classmethod
    def for_provider(
        cls,
        name: str,
        config: ProviderConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> CircuitBreaker:
        # A probe cannot take longer than the provider's own timeout and retries.
        probe_timeout = config.timeout_s * (config.max_retries + 1) + config.circuit_reset_s
        return cls(
            config.circuit_failures,
            config.circuit_reset_s,
            name=name,
            clock=clock,
            probe_timeout_s=probe_timeout,
        )

    @property
    def state(self) -> State:
        with self._lock:
            return self._current(self._clock())

    @property
    def failures(self) -> int:
        with self._lock:
            return self._failures

    def allow(self) -> bool:
        """Whether a call may go now. True in half-open means the caller is the probe."""
        with self._lock:
            now = self._clock()
            state = self._current(now)
            if state == "closed":
                return True
            if state == "open":
                return False
            if self._probe_started is not None and not self._probe_lost(now):
                return False
            self._state = "half_open"
            self._probe_started = now
            return True

    def retry_in(self) -> float:
        """Seconds until a probe may go; 0 when calls may go now or a probe is out."""
        with self._lock:
            now = self._clock()
            if self._current(now) != "open":
                return 0.0
            return max(0.0, self._opened_at + self._reset_s - now)

    def record_success(self) -> None:
        with self._lock:
            if self._state == "open":
                # A straggler that began before the circuit opened; only a probe closes it.
                return
            self._state = "closed"
            self._failures = 0
            self._probe_started = None

    def record_failure(self) -> None:
        with self._lock:
            now = self._clock()
            self._failures += 1
            tripped = self._state == "closed" and self._failures >= self._threshold
            if self._state == "half_open" or tripped:
                self._open(now)
            # While open, stragglers' failures are counted but do not push the probe back.

    def release(self) -> None:
        """Hand back a probe that ended without a verdict (cancelled, or not the target's
        fault) so that the next caller may probe."""
        with self._lock:
            self._probe_started = None

    def describe(self) -> str:
        """Why the target is or is not taking work, for a route reason."""
        with self._lock:
            now = self._clock()
            state = self._current(now)
            n = self._failures
            failures = f"{n} failure{'s' if n != 1 else ''}"
            if state == "closed":
                if n:
                    return f"{self.name}: circuit closed ({failures} in a row)"
                return f"{self.name}: circuit closed"
            if state == "open":
                wait = max(0.0, self._opened_at + self._reset_s - now)
                return f"{self.name}: circuit open after {failures}, next probe in {_secs(wait)}"
            if self._probe_started is not None and not self._probe_lost(now):
                return f"{self.name}: circuit half-open after {failures}, probe in flight"
            return f"{self.name}: circuit half-open after {failures}, next call probes"

    def _current(self, now: float) -> State:
        if self._state == "open" and now >= self._opened_at + self._reset_s:
            return "half_open"
        return self._state

    def _open(self, now: float) -> None:
        self._state = "open"
        self._opened_at = now
        self._probe_started = None

    def _probe_lost(self, now: float) -> bool:
        return (
            self._probe_timeout_s is not None
            and self._probe_started is not None
            and now - self._probe_started >= self._probe_timeout_s
        )


def _secs(s: float) -> str:
    # Round up so "next probe in 0 s" is never shown while it is still closed to calls.
    whole = int(-(-s // 1))
    return f"{whole} s"
