from __future__ import annotations

import threading

import pytest

from bot.config.model import ProviderConfig
from bot.providers.base import ErrorKind
from bot.routing.breaker import CircuitBreaker, is_outage
from tests.fakeclock import FakeClock


def _breaker(clock: FakeClock, failures: int = 3, reset_s: float = 30.0) -> CircuitBreaker:
    return CircuitBreaker(failures, reset_s, name="local", clock=clock)


def _tripped(clock: FakeClock) -> CircuitBreaker:
    """A breaker opened by three failures in a row."""
    b = _breaker(clock)
    for _ in range(3):
        b.record_failure()
    return b


def test_closed_until_the_threshold_of_consecutive_failures() -> None:
    b = _breaker(FakeClock())
    for _ in range(2):
        assert b.allow()
        b.record_failure()
    assert b.state == "closed"
    assert b.describe() == "local: circuit closed (2 failures in a row)"
    b.record_failure()
    assert b.state == "open"
    assert not b.allow()


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    b = _breaker(FakeClock())
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state == "closed"
    assert b.describe() == "local: circuit closed (2 failures in a row)"


def test_open_rejects_until_reset_then_lets_one_probe_through() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    assert b.describe() == "local: circuit open after 3 failures, next probe in 30 s"
    clock.advance(17.5)
    assert not b.allow()
    assert b.retry_in() == pytest.approx(12.5)
    assert b.describe() == "local: circuit open after 3 failures, next probe in 13 s"
    clock.advance(12.5)
    assert b.state == "half_open"
    assert b.describe() == "local: circuit half-open after 3 failures, next call probes"
    assert b.allow()  # the probe
    assert not b.allow()
    assert not b.allow()
    assert b.describe() == "local: circuit half-open after 3 failures, probe in flight"


def test_probe_success_closes() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    clock.advance(30)
    assert b.allow()
    b.record_success()
    assert b.state == "closed"
    assert b.failures == 0
    assert all(b.allow() for _ in range(5))


def test_probe_failure_reopens_and_restarts_the_timer() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    clock.advance(45)
    assert b.allow()
    b.record_failure()
    assert b.state == "open"
    assert b.retry_in() == pytest.approx(30.0)
    clock.advance(29.9)
    assert not b.allow()
    clock.advance(0.1)
    assert b.allow()


def test_stragglers_while_open_neither_close_nor_delay_the_probe() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    clock.advance(10)
    b.record_success()  # a call begun before the circuit opened
    assert b.state == "open"
    b.record_failure()
    assert b.retry_in() == pytest.approx(20.0)


def test_released_probe_lets_the_next_caller_probe() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    clock.advance(30)
    assert b.allow()
    b.release()
    assert b.allow()
    assert not b.allow()


def test_a_lost_probe_expires_after_probe_timeout() -> None:
    clock = FakeClock()
    b = CircuitBreaker(1, 5.0, name="local", clock=clock, probe_timeout_s=60.0)
    b.record_failure()
    clock.advance(5)
    assert b.allow()
    clock.advance(59)
    assert not b.allow()
    clock.advance(1)
    assert b.allow()


def test_exactly_one_probe_among_concurrent_callers() -> None:
    clock = FakeClock()
    b = _tripped(clock)
    clock.advance(30)
    n = 32
    barrier = threading.Barrier(n)
    results: list[bool] = []
    lock = threading.Lock()

    def call() -> None:
        barrier.wait()
        allowed = b.allow()
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert b.state == "half_open"


def test_for_provider_reads_the_configuration() -> None:
    cfg = ProviderConfig(model="m", circuit_failures=2, circuit_reset_s=7.0)
    clock = FakeClock()
    b = CircuitBreaker.for_provider("cloud", cfg, clock=clock)
    b.record_failure()
    b.record_failure()
    assert b.describe() == "cloud: circuit open after 2 failures, next probe in 7 s"


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(0, 1.0)
    with pytest.raises(ValueError):
        CircuitBreaker(1, 0.0)


@pytest.mark.parametrize(
    ("kind", "outage"),
    [
        (ErrorKind.UNREACHABLE, True),
        (ErrorKind.TIMEOUT, True),
        (ErrorKind.SERVER_ERROR, True),
        (ErrorKind.RATE_LIMITED, True),
        (ErrorKind.AUTH, True),
        (ErrorKind.BAD_REQUEST, False),
        (ErrorKind.INVALID_ANSWER, False),
    ],
)
def test_which_errors_count_against_a_target(kind: ErrorKind, outage: bool) -> None:
    assert is_outage(kind) is outage
