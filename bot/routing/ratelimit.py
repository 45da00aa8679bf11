"""Per-target limits on requests per minute, tokens per minute and calls in flight.

The rate limits are a sliding-window log: every admitted call is kept with its time and
token charge for 60 s, and a call is admitted only if, counting it, the last 60 s hold at
most `rpm` calls and `tpm` tokens. Unlike a token bucket it never allows a burst above the
per-minute figure in any 60 s span, which is what providers enforce and what keeps us off
their 429s. Calls are charged at admission with their estimate (prompt + room for the
answer, as providers count it); `Slot.settle` may correct the charge afterwards.

A single call larger than `tpm` would never fit; it is admitted alone, once the window
holds no other tokens, rather than waiting for ever.

Waiters are not served in arrival order: a small call may pass a large one that waits
for the window, which suits the router (it prefers not to wait at all).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.model import ProviderConfig

WINDOW_S = 60.0


class LimitTimeout(Exception):
    """No capacity came free within the caller's timeout."""

    def __init__(self, name: str, waited_s: float, why: str) -> None:
        super().__init__(f"{name}: no capacity within {waited_s:.1f} s ({why})")
        self.name = name
        self.waited_s = waited_s
        self.why = why


@dataclass(slots=True)
class _Entry:
    at: float
    tokens: int


class Slot:
    """One admitted call: holds a concurrency place until released."""

    def __init__(self, limiter: TargetLimiter, entry: _Entry) -> None:
        self._limiter = limiter
        self._entry = entry
        self._released = False

    @property
    def tokens(self) -> int:
        return self._entry.tokens

    def settle(self, actual_tokens: int) -> None:
        """Replace the estimate charged to the token window with what the call used."""
        self._limiter._settle(self._entry, actual_tokens)

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._limiter._release()

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class TargetLimiter:
    """Thread-safe. `clock` and `sleep` are injectable; `sleep` must advance `clock`."""

    def __init__(
        self,
        rpm: int | None,
        tpm: int | None,
        concurrency: int,
        *,
        name: str = "target",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if (rpm is not None and rpm < 1) or (tpm is not None and tpm < 1):
            raise ValueError("rpm and tpm must be at least 1 when set")
        self.name = name
        self.rpm = rpm
        self.tpm = tpm
        self.concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._log: deque[_Entry] = deque()
        self._in_flight = 0
        self._paused_until = 0.0

    @classmethod
    def for_provider(
        cls,
        name: str,
        config: ProviderConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TargetLimiter:
        return cls(
            config.requests_per_minute,
            config.tokens_per_minute,
            config.concurrency,
            name=name,
            clock=clock,
            sleep=sleep,
        )

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def wait_time(self, tokens: int) -> float:
        """Seconds until a call of `tokens` could start: 0.0 now; `math.inf` when every
        concurrency place is taken (that wait ends when some call finishes, which no
        clock can tell) — the router's cue to prefer another target."""
        with self._cond:
            return self._wait(tokens, self._clock())[0]

    def try_acquire(self, tokens: int) -> Slot | None:
        """A slot now, or None if the call would have to wait."""
        with self._cond:
            now = self._clock()
            if self._wait(tokens, now)[0] > 0:
                return None
            return self._admit(tokens, now)

    def acquire(self, tokens: int, timeout_s: float) -> Slot:
        """Wait up to `timeout_s` for capacity; raises LimitTimeout."""
        start = self._clock()
        deadline = start + timeout_s
        while True:
            with self._cond:
                now = self._clock()
                wait, why = self._wait(tokens, now)
                if wait <= 0:
                    return self._admit(tokens, now)
                remaining = deadline - now
                if remaining <= 0 or (wait > remaining and not math.isinf(wait)):
                    # Waiting for the window would outlast the timeout: say so now.
                    raise LimitTimeout(self.name, now - start, why)
                if math.isinf(wait):
                    # Woken by a release; a timed-out wait means no place came free.
                    if not self._cond.wait(timeout=remaining):
                        raise LimitTimeout(self.name, self._clock() - start, why)
                    continue
            self._sleep(wait)

    @contextmanager
    def slot(self, tokens: int, timeout_s: float) -> Iterator[Slot]:
        acquired = self.acquire(tokens, timeout_s)
        try:
            yield acquired
        finally:
            acquired.release()

    def pause(self, seconds: float) -> None:
        """Admit nothing for `seconds`, e.g. after the provider answered 429 Retry-After."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _wait(self, tokens: int, now: float) -> tuple[float, str]:
        self._expire(now)
        waits: list[tuple[float, str]] = []
        if self._paused_until > now:
            waits.append((self._paused_until - now, "paused after a rate-limit answer"))
        if self.rpm is not None and len(self._log) >= self.rpm:
            # The call that must leave the window for one more to fit.
            oldest = self._log[len(self._log) - self.rpm]
            waits.append((oldest.at + WINDOW_S - now, f"{self.rpm} requests/min"))
        if self.tpm is not None:
            wait = self._token_wait(tokens, now)
            if wait > 0:
                waits.append((wait, f"{self.tpm} tokens/min"))
        if self._in_flight >= self.concurrency:
            waits.append((math.inf, f"{self.concurrency} calls in flight"))
        if not waits:
            return 0.0, ""
        return max(waits, key=lambda w: w[0])

    def _token_wait(self, tokens: int, now: float) -> float:
        assert self.tpm is not None
        used = sum(e.tokens for e in self._log)
        # Larger than the whole allowance: it goes alone, once the window is empty.
        need = min(tokens, self.tpm)
        if used + need <= self.tpm or not self._log:
            return 0.0
        for e in self._log:
            used -= e.tokens
            if used + need <= self.tpm:
                return e.at + WINDOW_S - now
        return self._log[-1].at + WINDOW_S - now  # unreachable: an empty log fits

    def _admit(self, tokens: int, now: float) -> Slot:
        entry = _Entry(now, max(0, tokens))
        self._log.append(entry)
        self._in_flight += 1
        return Slot(self, entry)

    def _release(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify()

    def _settle(self, entry: _Entry, actual_tokens: int) -> None:
        with self._cond:
            entry.tokens = max(0, actual_tokens)

    def _expire(self, now: float) -> None:
        while self._log and self._log[0].at + WINDOW_S <= now:
            self._log.popleft()
