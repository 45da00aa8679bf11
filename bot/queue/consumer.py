"""The worker's loop: threads that take leased jobs, a heartbeat that renews the leases,
and a shutdown that never loses a job.

SIGTERM (or SIGINT) stops taking jobs; running jobs get `shutdown_timeout` seconds to
finish. Those still running then are handed back to the queue (runnable at once by another
worker) and the process exits with `os._exit` after flushing its logs: job threads are
daemons and are not waited for, so no model call is made after the deadline. A second
signal ends the wait at once, handing back the same way.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.queue.jobs_queue import JobQueue
    from bot.queue.store import Taken

log = logging.getLogger(__name__)

POLL_S = 0.5  # an idle worker asks for a job this often


class Consumer:
    def __init__(
        self, queue: JobQueue, workers: int = 1, *, shutdown_timeout: float | None = None
    ) -> None:
        self.queue = queue
        self.workers = workers
        self.shutdown_timeout = shutdown_timeout
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.heartbeat_s = max(queue.lease_s / 3, 0.05)
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[str, Taken] = {}  # job id -> the job, while its handler runs
        self._handed_back: set[str] = set()
        self._threads: list[threading.Thread] = []

    # -- the process -------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until SIGTERM/SIGINT; returns only after a clean stop with nothing
        running; otherwise hands running jobs back and ends the process."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.start()
        while not self._stop.wait(0.2):
            pass
        log.info("worker %s stopping: taking no more jobs", self.owner)
        if not self.drain(self.shutdown_timeout):
            self.hand_back()
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    def start(self) -> None:
        for n in range(self.workers):
            t = threading.Thread(target=self._work, name=f"job-worker-{n}", daemon=True)
            t.start()
            self._threads.append(t)
        beat = threading.Thread(target=self._heartbeat, name="lease-heartbeat", daemon=True)
        beat.start()

    def stop(self) -> None:
        self._stop.set()

    def drain(self, timeout: float | None) -> bool:
        """Wait for the worker threads to finish their jobs; False if some still run."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            while t.is_alive() and not self._hurry.is_set():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                t.join(0.2 if left is None else min(0.2, left))
        return not any(t.is_alive() for t in self._threads)

    def hand_back(self) -> None:
        """Give every running job's lease back, at once and without counting the take."""
        with self._lock:
            running = list(self._running.values())
            self._handed_back.update(t.id for t in running)
        for taken in running:
            try:
                self.queue.store.release(taken.id, self.owner)
                log.warning("job %s handed back to the queue: shutdown timeout", taken.id)
            except Exception:  # the lease runs out on its own: the job still runs again
                log.exception("job %s could not be handed back; its lease will expire", taken.id)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop.is_set():
            self._hurry.set()
        self._stop.set()

    # -- threads -----------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                taken = self.queue.take(self.owner)
            except Exception:
                log.exception("could not take a job from %s", self.queue.where)
                self._stop.wait(POLL_S * 4)
                continue
            if taken is None:
                self._stop.wait(POLL_S)
                continue
            with self._lock:
                self._running[taken.id] = taken
            try:
                self.queue.execute(taken, self.owner, settle=self._settler(taken.id))
            except Exception:
                log.exception("job %s: the worker failed around it", taken.id)
            finally:
                with self._lock:
                    self._running.pop(taken.id, None)

    def _settler(self, job_id: str) -> Callable[[Callable[[], Any]], Any]:
        def settle(call: Callable[[], Any]) -> Any:
            with self._lock:
                if job_id in self._handed_back:
                    return False  # handed back at shutdown: the next worker runs it
                return call()

        return settle

    def _heartbeat(self) -> None:
        while True:
            time.sleep(self.heartbeat_s)
            with self._lock:
                running = [t.id for t in self._running.values()]
                handed_back = set(self._handed_back)
            for job_id in running:
                if job_id in handed_back:
                    continue
                try:
                    if not self.queue.store.renew(job_id, self.owner, self.queue.lease_s):
                        log.warning("job %s: lease lost (expired and taken again)", job_id)
                except Exception:
                    log.exception("job %s: could not renew its lease", job_id)
