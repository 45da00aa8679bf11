from __future__ import annotations

import math
import threading
import time

import pytest

from bot.config.model import ProviderConfig
from bot.routing.ratelimit import LimitTimeout, TargetLimiter
from tests.fakeclock import FakeClock


def _limiter(
    clock: FakeClock, rpm: int | None = None, tpm: int | None = None, concurrency: int = 64
) -> TargetLimiter:
    return TargetLimiter(rpm, tpm, concurrency, name="openai", clock=clock, sleep=clock.sleep)


def test_unlimited_admits_at_once() -> None:
    lim = _limiter(FakeClock())
    for _ in range(100):
        assert lim.wait_time(10_000) == 0.0
        slot = lim.try_acquire(10_000)
        assert slot is not None
        slot.release()


def test_requests_per_minute_is_a_sliding_window() -> None:
    clock = FakeClock()
    lim = _limiter(clock, rpm=3)
    for step in (0, 10, 20):
        clock.advance(step)  # calls at t=0, 10, 30
        with lim.slot(1, timeout_s=0):
            pass
    assert lim.try_acquire(1) is None
    # The call at t=0 leaves the window at t=60; it is now t=30.
    assert lim.wait_time(1) == pytest.approx(30.0)
    clock.advance(30)
    assert lim.wait_time(1) == 0.0
    with lim.slot(1, timeout_s=0):
        pass
    # Window now holds t=10, 30, 60: the next frees at t=70.
    assert lim.wait_time(1) == pytest.approx(10.0)


def test_tokens_per_minute_waits_for_enough_tokens_to_leave() -> None:
    clock = FakeClock()
    lim = _limiter(clock, tpm=1000)
    for tokens in (400, 300, 200):
        with lim.slot(tokens, timeout_s=0):
            clock.advance(5)
    # 900 used; 100 fit now, 500 need the 400 (t=0) to leave: at t=60, now t=15.
    assert lim.wait_time(100) == 0.0
    assert lim.wait_time(500) == pytest.approx(45.0)
    # 800 need the 400 and the 300 gone: the 300 (t=5) leaves at t=65.
    assert lim.wait_time(800) == pytest.approx(50.0)


def test_a_call_larger_than_tpm_goes_alone_when_the_window_is_empty() -> None:
    clock = FakeClock()
    lim = _limiter(clock, tpm=1000)
    with lim.slot(5000, timeout_s=0) as slot:
        assert slot.tokens == 5000
    clock.advance(1)
    assert lim.wait_time(1) == pytest.approx(59.0)
    clock.advance(59)
    with lim.slot(10, timeout_s=0):
        pass
    # The oversized call waits until those 10 tokens have left too.
    clock.advance(20)
    assert lim.wait_time(5000) == pytest.approx(40.0)


def test_slot_waits_with_the_injected_sleep() -> None:
    clock = FakeClock()
    lim = _limiter(clock, rpm=1)
    with lim.slot(1, timeout_s=0):
        pass
    clock.advance(15)
    with lim.slot(1, timeout_s=60):
        pass
    assert clock.slept == [pytest.approx(45.0)]
    assert clock() == pytest.approx(1060.0)


def test_slot_gives_up_at_once_when_the_window_outlasts_the_timeout() -> None:
    clock = FakeClock()
    lim = _limiter(clock, rpm=1)
    with lim.slot(1, timeout_s=0):
        pass
    with pytest.raises(LimitTimeout, match="1 requests/min") as err, lim.slot(1, timeout_s=10):
        pass
    assert clock.slept == []
    assert err.value.name == "openai"


def test_settle_corrects_the_token_charge() -> None:
    clock = FakeClock()
    lim = _limiter(clock, tpm=1000)
    with lim.slot(900, timeout_s=0) as slot:
        slot.settle(150)
    assert lim.wait_time(850) == 0.0


def test_pause_after_retry_after() -> None:
    clock = FakeClock()
    lim = _limiter(clock)
    lim.pause(12)
    assert lim.wait_time(1) == pytest.approx(12.0)
    with pytest.raises(LimitTimeout, match="paused"):
        lim.acquire(1, timeout_s=5)
    with lim.slot(1, timeout_s=30):
        pass
    assert clock.slept == [pytest.approx(12.0)]


def test_concurrency_full_reads_as_an_unknown_wait() -> None:
    lim = _limiter(FakeClock(), concurrency=2)
    a = lim.try_acquire(1)
    b = lim.try_acquire(1)
    assert a is not None and b is not None
    assert lim.wait_time(1) == math.inf
    assert lim.try_acquire(1) is None
    a.release()
    a.release()  # twice is harmless
    assert lim.in_flight == 1
    assert lim.wait_time(1) == 0.0


def test_concurrency_wait_times_out() -> None:
    lim = TargetLimiter(None, None, 1, name="local")
    with lim.slot(1, timeout_s=0):
        start = time.monotonic()
        with pytest.raises(LimitTimeout, match="1 calls in flight"):
            lim.acquire(1, timeout_s=0.05)
        assert time.monotonic() - start < 0.5


def test_a_waiter_gets_the_place_a_release_frees() -> None:
    lim = TargetLimiter(None, None, 1, name="local")
    first = lim.acquire(1, timeout_s=0)
    got: list[float] = []

    def wait() -> None:
        with lim.slot(1, timeout_s=5):
            got.append(time.monotonic())

    t = threading.Thread(target=wait)
    t.start()
    time.sleep(0.02)
    assert not got
    first.release()
    t.join(timeout=2)
    assert len(got) == 1


def test_concurrency_cap_holds_under_threads() -> None:
    lim = TargetLimiter(None, None, 3, name="local")
    peak = 0
    current = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal peak, current
        with lim.slot(1, timeout_s=5):
            with lock:
                current += 1
                peak = max(peak, current)
            time.sleep(0.005)
            with lock:
                current -= 1

    threads = [threading.Thread(target=work) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 3
    assert lim.in_flight == 0


def test_for_provider_reads_the_configuration() -> None:
    cfg = ProviderConfig(model="m", requests_per_minute=60, tokens_per_minute=90_000, concurrency=2)
    lim = TargetLimiter.for_provider("openai", cfg)
    assert (lim.rpm, lim.tpm, lim.concurrency, lim.name) == (60, 90_000, 2, "openai")


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TargetLimiter(None, None, 0)
    with pytest.raises(ValueError):
        TargetLimiter(0, None, 1)
