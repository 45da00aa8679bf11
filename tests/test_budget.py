from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest

from bot.config.routing import BudgetConfig
from bot.routing.budget import BudgetGuard, CapStatus, Refusal, Reservation
from tests.fakeclock import FakeClock

MID_MAY = datetime(2025, 5, 14, 12, tzinfo=UTC).timestamp()


def _guard(
    spent: dict[str, float] | None = None,
    *,
    essential: tuple[str, ...] = ("security",),
    clock: FakeClock | None = None,
    **config: object,
) -> BudgetGuard:
    return BudgetGuard(
        BudgetConfig(**config),  # type: ignore[arg-type]
        spent or {},
        essential,
        clock=clock or FakeClock(MID_MAY),
    )


def test_no_caps_grants_everything() -> None:
    g = _guard({"openai": 1e6})
    r = g.reserve("openai", "review", 50.0)
    assert isinstance(r, Reservation) and not r.over_cap
    assert g.warnings() == []


def test_reserves_up_to_the_total_cap_and_no_further() -> None:
    g = _guard({"openai": 7.0}, monthly_usd=10.0)
    a = g.reserve("openai", "review", 2.0)
    b = g.reserve("anthropic", "review", 1.0)
    assert isinstance(a, Reservation) and isinstance(b, Reservation)
    refused = g.reserve("openai", "review", 0.01)
    assert isinstance(refused, Refusal) and not refused.stop
    assert refused.reason == (
        "budget: cloud at 70 % of $10.00 this month ($3.00 left, $3.00 reserved by calls "
        "in flight, this call may cost up to $0.01); on_exhausted local_only"
    )


def test_release_and_commit_return_the_unused_reservation() -> None:
    g = _guard(monthly_usd=10.0)
    a = g.reserve("openai", "review", 6.0)
    assert isinstance(a, Reservation)
    assert isinstance(g.reserve("openai", "review", 6.0), Refusal)
    g.commit(a, 1.25)
    b = g.reserve("openai", "review", 6.0)
    assert isinstance(b, Reservation)
    g.release(b)
    g.release(b)  # twice does nothing, so it can sit in a finally
    assert g.status()[0] == CapStatus("cloud", 1.25, 0.0, 10.0)
    with pytest.raises(ValueError, match="already settled"):
        g.commit(b, 1.0)


def test_the_provider_cap_is_named_when_it_binds() -> None:
    g = _guard({"openai": 200.0}, monthly_usd=500.0, per_provider_usd={"openai": 200.0})
    refused = g.reserve("openai", "review", 0.5)
    assert isinstance(refused, Refusal)
    assert (
        refused.reason == "budget: openai at 100 % of $200.00 this month; on_exhausted local_only"
    )
    assert isinstance(g.reserve("anthropic", "review", 0.5), Reservation)


def test_essential_only_lets_essential_tasks_past_the_cap() -> None:
    g = _guard({"openai": 10.0}, monthly_usd=10.0, on_exhausted="essential_only")
    refused = g.reserve("openai", "review", 1.0)
    assert isinstance(refused, Refusal) and not refused.stop
    assert refused.reason.endswith("on_exhausted essential_only (review is not essential)")
    granted = g.reserve("openai", "security", 1.0)
    assert isinstance(granted, Reservation) and granted.over_cap
    g.commit(granted, 0.8)
    assert g.status()[0].spent_usd == pytest.approx(10.8)


def test_essential_tasks_within_budget_are_not_marked_over_cap() -> None:
    g = _guard(monthly_usd=10.0, on_exhausted="essential_only")
    granted = g.reserve("openai", "security", 1.0)
    assert isinstance(granted, Reservation) and not granted.over_cap


def test_stop_refuses_everything_from_then_on() -> None:
    g = _guard(
        {"openai": 50.0},
        monthly_usd=100.0,
        per_provider_usd={"openai": 50.0},
        on_exhausted="stop",
    )
    first = g.reserve("openai", "security", 1.0)
    assert isinstance(first, Refusal) and first.stop
    assert first.reason.endswith("on_exhausted stop: the run stops")
    assert g.stopped == first.reason
    # Anthropic has room, but the run is stopping.
    later = g.reserve("anthropic", "review", 1.0)
    assert isinstance(later, Refusal) and later.stop and later.reason == first.reason


def test_concurrent_reservations_never_exceed_the_cap() -> None:
    g = _guard(monthly_usd=10.0)
    barrier = threading.Barrier(50)
    results: list[Reservation | Refusal] = []
    lock = threading.Lock()

    def reserve() -> None:
        barrier.wait()
        r = g.reserve("openai", "review", 1.0)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=reserve) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    granted = [r for r in results if isinstance(r, Reservation)]
    assert len(granted) == 10
    assert len({r.id for r in granted}) == 10
    assert g.status()[0].reserved_usd == pytest.approx(10.0)


def test_spend_never_passes_the_cap_when_calls_cost_at_most_their_reservation() -> None:
    """The guarantee under churn: threads reserve random worst cases, then commit a
    random actual cost no larger, or release; settled spend stays within the cap."""
    cap = 25.0
    g = _guard(
        {"openai": 3.0, "anthropic": 2.0},
        monthly_usd=cap,
        per_provider_usd={"openai": 15.0},
    )
    rng = random.Random(7)
    plans = [(rng.choice(["openai", "anthropic"]), rng.uniform(0.01, 2.0)) for _ in range(400)]
    fractions = [rng.random() for _ in plans]
    peak = 0.0
    lock = threading.Lock()

    def work(worker: int) -> None:
        nonlocal peak
        for i in range(worker, len(plans), 8):
            provider, worst = plans[i]
            r = g.reserve(provider, "review", worst)
            if isinstance(r, Refusal):
                continue
            with lock:
                total = g.status()[0]
                peak = max(peak, total.spent_usd + total.reserved_usd)
            if fractions[i] < 0.2:
                g.release(r)
            else:
                g.commit(r, worst * fractions[i])

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = {row.scope: row for row in g.status()}
    assert peak <= cap + 1e-9
    assert rows["cloud"].spent_usd <= cap
    assert rows["openai"].spent_usd <= 15.0
    assert rows["cloud"].reserved_usd == 0.0


def test_an_underestimated_call_overshoots_by_itself_only() -> None:
    g = _guard(monthly_usd=10.0)
    r = g.reserve("openai", "review", 9.5)
    assert isinstance(r, Reservation)
    g.commit(r, 10.4)  # the estimate proved short: $0.40 over
    refused = g.reserve("openai", "review", 0.0)
    assert isinstance(refused, Refusal)
    assert refused.reason == "budget: cloud at 104 % of $10.00 this month; on_exhausted local_only"


def test_cents_add_up_exactly() -> None:
    g = _guard(monthly_usd=1.0)
    for _ in range(10):
        r = g.reserve("openai", "review", 0.1)
        assert isinstance(r, Reservation)
    assert isinstance(g.reserve("openai", "review", 0.000001), Refusal)


def test_warnings_once_per_threshold_crossing() -> None:
    g = _guard(
        {"openai": 250.0, "anthropic": 140.0},
        monthly_usd=500.0,
        per_provider_usd={"openai": 340.0},
    )
    assert g.warnings() == []  # 78 % and 73 %
    r = g.reserve("openai", "review", 30.0)
    assert isinstance(r, Reservation)
    assert g.warnings() == []  # reservations are not spend
    g.commit(r, 20.0)
    assert g.warnings() == ["cloud budget 82 % used: $410.00 of $500.00 this month"]
    assert g.warnings() == []
    r = g.reserve("anthropic", "review", 5.0)
    assert isinstance(r, Reservation)
    g.commit(r, 5.0)
    assert g.warnings() == []  # still between 80 and 100 %
    r = g.reserve("openai", "review", 70.0)
    assert isinstance(r, Reservation)
    g.commit(r, 70.0)
    assert g.warnings() == [
        "openai budget exhausted: $340.00 of $340.00 this month; on_exhausted local_only"
    ]
    assert g.warnings() == []


def test_warnings_at_start_when_already_past_the_threshold() -> None:
    g = _guard({"openai": 510.0}, monthly_usd=500.0, warn_at=0.9, on_exhausted="stop")
    assert g.warnings() == [
        "cloud budget exhausted: $510.00 of $500.00 this month; on_exhausted stop"
    ]


def test_status_lists_the_total_then_each_provider() -> None:
    g = _guard(
        {"openai": 120.0, "gemini": 4.5},
        monthly_usd=500.0,
        per_provider_usd={"openai": 200.0, "anthropic": 100.0},
    )
    r = g.reserve("anthropic", "review", 2.0)
    assert isinstance(r, Reservation)
    rows = g.status()
    assert rows == [
        CapStatus("cloud", 124.5, 2.0, 500.0),
        CapStatus("anthropic", 0.0, 2.0, 100.0),
        CapStatus("gemini", 4.5, 0.0, None),
        CapStatus("openai", 120.0, 0.0, 200.0),
    ]
    assert rows[0].share == pytest.approx(0.249)
    assert rows[2].share is None


def test_a_zero_cap_allows_no_cloud_spend() -> None:
    g = _guard(monthly_usd=0.0)
    refused = g.reserve("openai", "review", 0.01)
    assert isinstance(refused, Refusal)
    assert refused.reason == "budget: cloud at 100 % of $0.00 this month; on_exhausted local_only"
    assert g.status()[0].share == 1.0


def test_a_new_month_starts_from_zero() -> None:
    clock = FakeClock(datetime(2025, 5, 31, 23, 59, tzinfo=UTC).timestamp())
    g = _guard({"openai": 10.0}, clock=clock, monthly_usd=10.0, on_exhausted="stop")
    assert isinstance(g.reserve("openai", "review", 1.0), Refusal)
    assert g.warnings()
    clock.advance(120)
    assert g.stopped is None
    assert isinstance(g.reserve("openai", "review", 1.0), Reservation)
    assert g.status()[0].spent_usd == 0.0


def test_negative_costs_are_refused() -> None:
    with pytest.raises(ValueError):
        _guard().reserve("openai", "review", -1.0)
