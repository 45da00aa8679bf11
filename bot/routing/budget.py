"""Monthly cloud budgets: reserve a call's worst-case cost before it goes, settle after.

The guarantee ("a budget is never overshot by more than the one call in flight"),
precisely: a reservation is granted only if, for the total cap and the provider's cap,

    month-to-date spend + every outstanding reservation + this call's worst case <= cap

and the check and the booking happen under one lock. So whatever the concurrency, the
calls admitted can jointly cost at most the cap, as long as each reservation is a true
worst case (prompt tokens x input price + max output tokens x output price, and any
repair attempt the call may make). Spend can pass the cap only by what a call costs
beyond its own reservation — an estimate proved short — and once spend is at or past
the cap, no further reservation with a cost is granted.

The one deliberate exception is the configured action `essential_only`: tasks listed in
`routing.essential_tasks` still go to the cloud past the cap; their reservations are
marked `over_cap` so the route reason can say so.

Only cloud calls are reserved: self-hosted targets are not under the cloud budget.
Amounts are kept in whole micro-dollars so that sums of cents never drift past a cap.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.routing import BudgetConfig

TOTAL = "cloud"  # the scope name of the all-providers cap in messages and status
_MICRO = 1_000_000


@dataclass(frozen=True, slots=True)
class Reservation:
    id: int
    provider: str
    task: str
    amount_usd: float  # the worst case booked against the caps
    over_cap: bool = False  # granted past the cap because the task is essential


@dataclass(frozen=True, slots=True)
class Refusal:
    provider: str
    task: str
    reason: str  # e.g. "budget: openai at 100 % of $200.00 this month; on_exhausted local_only"
    stop: bool = False  # on_exhausted is stop: the run must end


@dataclass(frozen=True, slots=True)
class CapStatus:
    scope: str  # "cloud" for the total, else a provider name
    spent_usd: float  # month to date, settled calls only
    reserved_usd: float  # calls in flight, at their worst case
    cap_usd: float | None  # None: no cap

    @property
    def share(self) -> float | None:
        if self.cap_usd is None:
            return None
        return 1.0 if self.cap_usd == 0 else self.spent_usd / self.cap_usd


class BudgetGuard:
    """Thread-safe. `spent` is the month-to-date cloud spend per provider from the ledger.

    `clock` gives epoch seconds; when the UTC month turns during a long-lived process,
    month-to-date spend and the warnings given start again from zero.
    """

    def __init__(
        self,
        config: BudgetConfig,
        spent: Mapping[str, float],
        essential_tasks: Iterable[str] = (),
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._essential = frozenset(essential_tasks)
        self._clock = clock
        self._lock = threading.Lock()
        self._month = _month(clock())
        self._spent: dict[str, int] = {p: _micro(v) for p, v in spent.items()}
        self._outstanding: dict[int, Reservation] = {}
        self._reserved: dict[str, int] = {}
        self._ids = itertools.count(1)
        # Per scope, the highest threshold already warned of (0 = none yet).
        self._warned: dict[str, float] = {}
        self._stopped: str | None = None

    @property
    def stopped(self) -> str | None:
        """The reason the run must stop, once a refusal under on_exhausted=stop was given."""
        with self._lock:
            self._roll_month()
            return self._stopped

    def reserve(self, provider: str, task: str, max_cost_usd: float) -> Reservation | Refusal:
        if max_cost_usd < 0:
            raise ValueError("max_cost_usd must not be negative")
        amount = _micro(max_cost_usd)
        with self._lock:
            self._roll_month()
            if self._stopped is not None:
                return Refusal(provider, task, self._stopped, stop=True)
            blocked = self._blocking_cap(provider, amount)
            action = self._config.on_exhausted
            if blocked is None:
                return self._book(provider, task, amount, over_cap=False)
            if action == "essential_only" and task in self._essential:
                return self._book(provider, task, amount, over_cap=True)
            scope, cap = blocked
            reason = self._refusal_reason(scope, cap, amount, task)
            if action == "stop":
                self._stopped = reason
                return Refusal(provider, task, reason, stop=True)
            return Refusal(provider, task, reason)

    def commit(self, reservation: Reservation, actual_usd: float) -> None:
        """The call finished and cost `actual_usd` (which may differ from the reservation)."""
        with self._lock:
            self._roll_month()
            self._unbook(reservation, strict=True)
            self._spent[reservation.provider] = self._spent.get(reservation.provider, 0) + _micro(
                max(0.0, actual_usd)
            )

    def release(self, reservation: Reservation) -> None:
        """The call did not happen or cost nothing. Releasing twice, or after a commit,
        does nothing, so it is safe in a `finally`."""
        with self._lock:
            self._unbook(reservation, strict=False)

    def warnings(self) -> list[str]:
        """New messages since the last call: each scope warns once at `warn_at` and once
        at 100 %, from settled spend."""
        with self._lock:
            self._roll_month()
            out: list[str] = []
            for scope, spent, cap in self._caps():
                if cap is None:
                    continue
                share = _share(spent, cap)
                if share >= 1.0:
                    level = 1.0
                elif share >= self._config.warn_at:
                    level = self._config.warn_at
                else:
                    continue
                if level <= self._warned.get(scope, 0.0):
                    continue
                self._warned[scope] = level
                name = "cloud budget" if scope == TOTAL else f"{scope} budget"
                if level >= 1.0:
                    out.append(
                        f"{name} exhausted: {_usd(spent)} of {_usd(cap)} this month; "
                        f"on_exhausted {self._config.on_exhausted}"
                    )
                else:
                    out.append(
                        f"{name} {_pct(spent, cap)} used: {_usd(spent)} of {_usd(cap)} this month"
                    )
            return out

    def status(self) -> list[CapStatus]:
        """The total first, then each provider with a cap or any spend, by name."""
        with self._lock:
            self._roll_month()
            rows = [
                CapStatus(
                    scope,
                    spent / _MICRO,
                    self._reserved_in(scope) / _MICRO,
                    None if cap is None else cap / _MICRO,
                )
                for scope, spent, cap in self._caps(all_providers=True)
            ]
            return rows

    def _caps(self, all_providers: bool = False) -> list[tuple[str, int, int | None]]:
        total_cap = self._config.monthly_usd
        rows: list[tuple[str, int, int | None]] = [
            (TOTAL, sum(self._spent.values()), None if total_cap is None else _micro(total_cap))
        ]
        names = set(self._config.per_provider_usd)
        if all_providers:
            names |= {p for p, v in self._spent.items() if v} | set(self._reserved)
        for p in sorted(names):
            cap = self._config.per_provider_usd.get(p)
            rows.append((p, self._spent.get(p, 0), None if cap is None else _micro(cap)))
        return rows

    def _reserved_in(self, scope: str) -> int:
        if scope == TOTAL:
            return sum(self._reserved.values())
        return self._reserved.get(scope, 0)

    def _blocking_cap(self, provider: str, amount: int) -> tuple[str, int] | None:
        # The provider's own cap is named first: it is the more specific reason.
        per = self._config.per_provider_usd.get(provider)
        if per is not None:
            cap = _micro(per)
            if self._spent.get(provider, 0) + self._reserved.get(provider, 0) + amount > cap:
                return provider, cap
        if self._config.monthly_usd is not None:
            cap = _micro(self._config.monthly_usd)
            if sum(self._spent.values()) + sum(self._reserved.values()) + amount > cap:
                return TOTAL, cap
        return None

    def _book(self, provider: str, task: str, amount: int, *, over_cap: bool) -> Reservation:
        r = Reservation(next(self._ids), provider, task, amount / _MICRO, over_cap)
        self._outstanding[r.id] = r
        self._reserved[provider] = self._reserved.get(provider, 0) + amount
        return r

    def _unbook(self, r: Reservation, *, strict: bool) -> None:
        if self._outstanding.pop(r.id, None) is None:
            if strict:
                raise ValueError(f"reservation {r.id} was already settled")
            return
        left = self._reserved.get(r.provider, 0) - _micro(r.amount_usd)
        if left > 0:
            self._reserved[r.provider] = left
        else:
            self._reserved.pop(r.provider, None)

    def _refusal_reason(self, scope: str, cap: int, amount: int, task: str) -> str:
        spent = sum(self._spent.values()) if scope == TOTAL else self._spent.get(scope, 0)
        reserved = self._reserved_in(scope)
        name = "cloud" if scope == TOTAL else scope
        why = f"budget: {name} at {_pct(spent, cap)} of {_usd(cap)} this month"
        if spent < cap:
            # Not spent out yet: say what stood in the way.
            parts = [f"{_usd(cap - spent)} left"]
            if reserved:
                parts.append(f"{_usd(reserved)} reserved by calls in flight")
            parts.append(f"this call may cost up to {_usd(amount)}")
            why += " (" + ", ".join(parts) + ")"
        action = self._config.on_exhausted
        why += f"; on_exhausted {action}"
        if action == "essential_only":
            why += f" ({task} is not essential)"
        elif action == "stop":
            why += ": the run stops"
        return why

    def _roll_month(self) -> None:
        month = _month(self._clock())
        if month != self._month:
            self._month = month
            self._spent.clear()
            self._warned.clear()
            self._stopped = None


def _micro(usd: float) -> int:
    return round(usd * _MICRO)


def _usd(micro: int) -> str:
    return f"${micro / _MICRO:,.2f}"


def _share(spent: int, cap: int) -> float:
    # A cap of zero means no cloud spend at all: it is exhausted from the start.
    return 1.0 if cap == 0 else spent / cap


def _pct(spent: int, cap: int) -> str:
    # Floor, in integers: 99.9 % is not yet "100 %".
    return "100 %" if cap == 0 else f"{spent * 100 // cap} %"


def _month(epoch_s: float) -> tuple[int, int]:
    d = datetime.fromtimestamp(epoch_s, UTC)
    return d.year, d.month
