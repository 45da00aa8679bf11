"""The stateful side of one run: live state, prices, metering, the ledger's run record, and
sending planned work items along their routes. Shared by every task's run."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.metering import Meter
from bot.planning import PlannedItem, RunContext
from bot.providers.base import CompletionRequest, Provider
from bot.providers.prices import price_for, reference_price
from bot.report import CallRecord, RunReport
from bot.routing.budget import BudgetGuard
from bot.routing.dispatch import ChainResult, Dispatcher
from bot.routing.live import LiveState
from bot.routing.route import Target
from bot.waiting import Heartbeat, InFlight

if TYPE_CHECKING:
    from bot.ledger.rows import CallRow
    from bot.ledger.store import Ledger


class Progress(Protocol):
    """Told as work items are answered (`done` of `total`), and, with `waiting`, what the
    run is still waiting on (every second or so: the callee chooses what to show)."""

    def __call__(self, message: str, done: int, total: int, *, waiting: bool = False) -> None: ...


# Sampling temperature of every structured call (part of the cache key).
TEMPERATURE = 0.0

NO_LOCAL_TARGET = (
    "restricted code is reviewed only by a self-hosted target, and none is configured: "
    "set SWITCHYARD_LOCAL_BASE_URL and SWITCHYARD_LOCAL_MODEL, or declare a provider with "
    "location: local in the server/org config"
)


@dataclass(slots=True)
class Services:
    """The stateful collaborators of a run, opened by the door."""

    providers: Mapping[str, Provider]
    ledger: Ledger | None = None
    live: LiveState | None = None  # per process: breakers and limits outlive one run
    sleep: Callable[[float], None] = time.sleep


@dataclass(slots=True)
class Execution:
    settings: Settings
    services: Services
    targets: list[Target]
    live: LiveState
    meter: Meter
    dispatcher: Dispatcher
    run_id: int | None = None
    equivalent_usd: float = 0.0  # what this run's calls would have cost all-cloud
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        settings: Settings,
        services: Services,
        targets: list[Target],
        ctx: RunContext,
        *,
        source: str,
        task: str,
        data_class: DataClass,
    ) -> Execution:
        ledger = services.ledger
        live = services.live or LiveState(settings, _budget(settings, ledger))
        prices = {name: price_for(name, cfg) for name, cfg in settings.providers.items()}
        notes = [
            f"no price known for {t.name}/{t.model}: its calls count as $0 against "
            f"budgets; set providers.{t.name}.input_per_mtok and output_per_mtok"
            for t in targets
            if t.location != "local" and not prices[t.name].known
        ]
        notes += [
            f"{t.name}'s calls are costed at an assumed internal rate "
            f"(${prices[t.name].input_per_mtok:.2f} per million tokens, from the business "
            f"case's hardware figures); set providers.{t.name}.gpu_cost_per_hour and "
            "throughput_tokens_per_s for your own"
            for t in targets
            if t.location == "local" and prices[t.name].assumed
        ]
        meter = Meter(
            reference=reference_price(settings.providers, [t.name for t in targets]),
            repository=ctx.repository or "",
            change_ref=ctx.change_ref,
        )
        run_id = None
        if ledger is not None:
            run_id = ledger.start_run(
                repository=ctx.repository or "",
                change_ref=ctx.change_ref,
                source=source,
                task=task,
                data_class=data_class.value,
            )
        dispatcher = Dispatcher(settings, services.providers, live, prices)
        return cls(settings, services, targets, live, meter, dispatcher, run_id, 0.0, notes)

    def dispatch(self, items: list[PlannedItem], progress: Progress | None) -> list[ChainResult]:
        """Every item along its route, in parallel within each target's limits; restricted
        items wait for a local target rather than go anywhere else."""
        if not items:
            return []
        self.dispatcher.prepare()
        limits = {t.name: self.settings.providers[t.name].concurrency for t in self.targets}
        # Enough threads to keep every target's allowance busy, never more than the work.
        workers = max(1, min(len(items), sum(limits.values()) or 1, 32))
        results: list[ChainResult] = []
        inflight = InFlight()

        def waiting(line: str) -> None:
            if progress:
                progress(line, len(results), len(items), waiting=True)

        def one(planned: PlannedItem) -> ChainResult:
            inflight.start(planned.item.id)
            try:
                return self._one(planned, inflight)
            finally:
                inflight.finish(planned.item.id)

        with (
            Heartbeat(inflight, waiting),
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="switchyard") as pool,
        ):
            for done, (planned, result) in enumerate(
                zip(items, pool.map(one, items), strict=True), start=1
            ):
                results.append(result)
                if progress:
                    progress(_progress_line(planned, result), done, len(items))
        return results

    def record(self, planned: PlannedItem, result: ChainResult, report: RunReport) -> None:
        """Every attempt of `result` into the report and the ledger; its notes too."""
        item = planned.item
        for attempt in result.attempts:
            record, row = self.meter.attempt(
                attempt,
                item=item.id,
                task=item.task,
                route=planned.route,
                data_class=planned.data_class,
                messages=item.messages,
            )
            self.keep(report, record, row)
        for note in result.notes:
            if note not in report.notes:
                report.notes.append(note)

    def keep(self, report: RunReport, record: CallRecord, row: CallRow) -> None:
        report.calls.append(record)
        self.equivalent_usd += row.cloud_equivalent_usd
        if self.services.ledger is not None:
            self.services.ledger.record_call(self.run_id, row)

    def finish(self, report: RunReport) -> None:
        report.notes.extend(self.live.warnings())
        report.summary.cloud_equivalent_usd = round(self.equivalent_usd, 6)
        ledger = self.services.ledger
        if ledger is not None and self.run_id is not None:
            outcome = "complete" if report.summary.complete else "incomplete"
            ledger.finish_run(
                self.run_id, outcome, findings=len(report.findings), notes=len(report.notes)
            )

    def _one(self, planned: PlannedItem, inflight: InFlight) -> ChainResult:
        item = planned.item

        def received(tokens: int, _seconds: float) -> None:
            inflight.tokens(item.id, tokens)

        request = CompletionRequest(
            messages=item.messages,
            response_model=item.response_model,
            schema_name=item.schema_name,
            max_output_tokens=item.max_output_tokens,
            temperature=TEMPERATURE,
            prompt_tokens=item.prompt_tokens,
            on_progress=received,
        )

        def attempt() -> ChainResult:
            return self.dispatcher.call(
                planned.route,
                request,
                task=item.task,
                data_class=planned.data_class,
                prompt_tokens=item.prompt_tokens,
                withheld=planned.withheld,
            )

        result = attempt()
        if planned.data_class is DataClass.RESTRICTED and result.completion is None:
            if not any(t.location == "local" for t in self.targets):
                # Waiting cannot help: no self-hosted target exists to come back.
                if NO_LOCAL_TARGET not in result.notes:
                    result.notes.append(NO_LOCAL_TARGET)
                return result
            result = _wait_for_local(
                result, attempt, self.settings.routing.restricted_wait_s, self.services.sleep
            )
        return result


def _budget(settings: Settings, ledger: Ledger | None) -> BudgetGuard | None:
    b = settings.budgets
    if b.monthly_usd is None and not b.per_provider_usd:
        return None
    spent = ledger.month_to_date_cloud_spend(datetime.now(UTC)) if ledger is not None else {}
    return BudgetGuard(b, spent, settings.routing.essential_tasks)


def _wait_for_local(
    result: ChainResult,
    again: Callable[[], ChainResult],
    patience_s: float,
    sleep: Callable[[float], None],
) -> ChainResult:
    """Restricted work never goes to the cloud: while the local runner is down, it waits."""
    waited = 0.0
    pause = 1.0
    history = list(result.attempts)
    while result.completion is None and result.outage_only and waited < patience_s:
        step = min(pause, patience_s - waited)
        sleep(step)
        waited += step
        pause = min(pause * 2, 30.0)
        result = again()
        history.extend(result.attempts)
    result.attempts = history
    if result.completion is None and waited:
        result.notes.append(f"restricted: waited {waited:.0f} s for a local target")
    return result


def _progress_line(planned: PlannedItem, result: ChainResult) -> str:
    done = result.answered_by
    if done is not None and done.completion is not None:
        return f"{planned.item.id}: {done.target} ok in {done.completion.latency_s:.1f}s"
    last = result.attempts[-1] if result.attempts else None
    if last is not None and last.error is not None:
        return f"{planned.item.id}: failed ({last.error.message})"
    return f"{planned.item.id}: no target"
