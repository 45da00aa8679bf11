"""What a run is waiting on, told while it waits: work items sent and not yet answered,
for how long, and how many tokens of each answer have come (from a streaming runner).

A one-slot runner on a CPU can take minutes for one answer; without a word during that
time a user cannot tell a slow runner from a hung one. The heartbeat runs beside the
calls and hands a line to the progress callback; the callback decides how often to show it
(each second on a terminal, rarely in a CI log).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

# How often the heartbeat looks; what is shown is the reporter's choice.
BEAT_S = 1.0


class InFlight:
    """Items sent and not yet answered: when each was sent, tokens received so far."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._since: dict[str, float] = {}
        self._tokens: dict[str, int] = {}

    def start(self, item: str) -> None:
        with self._lock:
            self._since[item] = self._clock()

    def tokens(self, item: str, count: int) -> None:
        with self._lock:
            self._tokens[item] = count

    def finish(self, item: str) -> None:
        with self._lock:
            self._since.pop(item, None)
            self._tokens.pop(item, None)

    def describe(self) -> str | None:
        """e.g. `waiting for review-1 (45 s, 312 tokens so far), review-2 (12 s)`."""
        now = self._clock()
        with self._lock:
            waits = sorted(self._since.items(), key=lambda kv: kv[1])
            tokens = dict(self._tokens)
        if not waits:
            return None
        parts = []
        for item, since in waits:
            got = tokens.get(item)
            so_far = f", {got} tokens so far" if got else ""
            parts.append(f"{item} ({now - since:.0f} s{so_far})")
        return "waiting for " + ", ".join(parts)


class Heartbeat:
    """Calls `say(line)` every BEAT_S with InFlight.describe(), while in a `with` block."""

    def __init__(self, inflight: InFlight, say: Callable[[str], None], every_s: float = BEAT_S):
        self.inflight = inflight
        self._say = say
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="switchyard-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            line = self.inflight.describe()
            if line:
                self._say(line)
