"""Calls a work item's targets in order, under live state, until one gives a valid answer.

Per target: skip it while its circuit is open; pass the request through the egress gate
(bot/egress.py: restricted never to the cloud, secrets redacted for it); for a cloud target,
reserve the worst-case cost against the budget; wait for a rate-limit slot; call; then
tell the breaker, the limiter and the budget how it went. The answer is masked before
anything reads it: a model may quote a secret from the code it was shown, and its words
end up in comments, reports, the cache and the ledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.egress import Cleared, EgressRefused, Gate
from bot.providers.base import (
    Completion,
    CompletionRequest,
    ErrorKind,
    Provider,
    ProviderError,
)
from bot.providers.prices import Price, cost_usd
from bot.routing.breaker import is_outage
from bot.routing.budget import Refusal, Reservation
from bot.routing.live import LiveState
from bot.routing.ratelimit import LimitTimeout
from bot.routing.route import Route, Target
from bot.secrets.redact import KnownValues, secret_values


@dataclass(slots=True)
class Attempt:
    target: str
    model: str
    location: str
    completion: Completion | None = None
    error: ProviderError | None = None
    cost_usd: float = 0.0
    redactions: int = 0


@dataclass(slots=True)
class ChainResult:
    completion: Completion | None
    attempts: list[Attempt] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # targets passed over now, and why
    stop: str | None = None  # the budget says the whole run must stop

    @property
    def answered_by(self) -> Attempt | None:
        return next((a for a in self.attempts if a.completion is not None), None)

    @property
    def outage_only(self) -> bool:
        """Every failure was the target being unavailable, not the request being wrong."""
        errors = [a.error for a in self.attempts if a.error is not None]
        return all(is_outage(e.kind) for e in errors)


class _Passed(Exception):
    """The target was not called after all (its circuit is open)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


# A structured call may take a second round (one repair attempt): reserve for both.
_ROUNDS = 2


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        providers: Mapping[str, Provider],
        live: LiveState,
        prices: Mapping[str, Price],
    ) -> None:
        self.settings = settings
        self.providers = providers
        self.live = live
        self.prices = prices
        self.gate = Gate(providers, settings)

    def prepare(self) -> None:
        """Before calls run in parallel: see Provider.prepare and LiveState.prepare."""
        for provider in self.providers.values():
            provider.prepare()
        self.live.prepare()

    def call(
        self,
        route: Route,
        request: CompletionRequest,
        *,
        task: str,
        data_class: DataClass,
        prompt_tokens: int,
        withheld: Mapping[str, str] | None = None,
    ) -> ChainResult:
        """`withheld`: values found in the files the request shows, which the gate takes
        out of a cloud-bound request and the answer is masked for (Gate.clear)."""
        arranged = self.live.arrange(route, data_class)
        result = ChainResult(completion=None, notes=list(arranged.notes))
        for target in arranged.targets:
            attempt = Attempt(target.name, target.model, target.location)
            outgoing = dataclasses.replace(
                request,
                max_output_tokens=min(request.max_output_tokens, target.max_output_tokens),
            )
            try:
                cleared = self.gate.clear(target.name, data_class, outgoing, withheld)
            except EgressRefused as refused:
                result.notes.append(refused.why)
                continue
            attempt.redactions = cleared.redactions
            reservation = None
            if target.location != "local" and self.live.budget is not None:
                worst = _ROUNDS * cost_usd(
                    self.prices[target.name], prompt_tokens, outgoing.max_output_tokens
                )
                granted = self.live.budget.reserve(target.name, task, worst)
                if isinstance(granted, Refusal):
                    result.notes.append(granted.reason)
                    if granted.stop:
                        result.stop = granted.reason
                        break
                    continue
                reservation = granted
            try:
                attempt.completion = self._call(target, cleared, prompt_tokens)
            except _Passed as passed:
                result.notes.append(passed.why)
                self._settle(reservation, 0.0)
                continue
            except ProviderError as exc:
                result.attempts.append(attempt)
                attempt.error = exc
                self._failed(target, exc)
                spent = exc.usage
                attempt.cost_usd = self._cost(target, spent.prompt_tokens, spent.completion_tokens)
                self._settle(reservation, attempt.cost_usd)
                continue
            attempt.completion = _masked(attempt.completion, request, withheld)
            result.attempts.append(attempt)
            self.live.breakers[target.name].record_success()
            usage = attempt.completion.usage
            attempt.cost_usd = self._cost(target, usage.prompt_tokens, usage.completion_tokens)
            self._settle(reservation, attempt.cost_usd)
            result.completion = attempt.completion
            break
        return result

    def _call(self, target: Target, cleared: Cleared, prompt_tokens: int) -> Completion:
        limiter = self.live.limiters[target.name]
        breaker = self.live.breakers[target.name]
        timeout = self.settings.providers[target.name].timeout_s
        tokens = prompt_tokens + cleared.request.max_output_tokens
        try:
            with limiter.slot(tokens, timeout_s=timeout):
                # Asked once a slot is held: work queued behind the target's concurrency
                # limit sees the breaker that the calls ahead of it have just opened.
                if not breaker.allow():
                    raise _Passed(breaker.describe())
                return self.gate.send(cleared)
        except LimitTimeout as exc:
            raise ProviderError(
                ErrorKind.RATE_LIMITED,
                f"{target.name}: no request slot within {timeout:.0f} s ({exc.why})",
                target=target.name,
            ) from None

    def _settle(self, reservation: Reservation | None, actual_usd: float) -> None:
        if reservation is not None and self.live.budget is not None:
            self.live.budget.commit(reservation, actual_usd)

    def _failed(self, target: Target, exc: ProviderError) -> None:
        breaker = self.live.breakers[target.name]
        if is_outage(exc.kind):
            breaker.record_failure()
        else:
            breaker.release()
        if exc.kind is ErrorKind.RATE_LIMITED and exc.retry_after:
            self.live.limiters[target.name].pause(exc.retry_after)

    def _cost(self, target: Target, tokens_in: int, tokens_out: int) -> float:
        return cost_usd(self.prices[target.name], tokens_in, tokens_out)


def _masked(
    completion: Completion, request: CompletionRequest, withheld: Mapping[str, str] | None = None
) -> Completion:
    """The completion with secret values masked in every string of its answer: those the
    prompt held (a local target sees them as they are), those withheld, and any that
    detection finds."""
    known: set[str] = set(withheld or ())
    for m in request.messages:
        if m.role != "system":
            known |= secret_values(m.content)
    masker = KnownValues(known)
    text = masker.mask(completion.text)
    parsed = completion.parsed
    if parsed is not None:
        data = parsed.model_dump(mode="json")
        clean = _mask_strings(data, masker, keep_length=False)
        if clean != data:
            try:
                parsed = type(parsed).model_validate(clean)
            except ValidationError:
                # A marker longer than the value pushed a field past its limit: cut each
                # masked string to its original length, which the answer was valid with.
                parsed = type(parsed).model_validate(_mask_strings(data, masker, keep_length=True))
    return dataclasses.replace(completion, text=text, parsed=parsed)


def _mask_strings(value: object, masker: KnownValues, *, keep_length: bool) -> object:
    if isinstance(value, str):
        masked = masker.mask(value)
        return masked[: len(value)] if keep_length else masked
    if isinstance(value, list):
        return [_mask_strings(v, masker, keep_length=keep_length) for v in value]
    if isinstance(value, dict):
        return {k: _mask_strings(v, masker, keep_length=keep_length) for k, v in value.items()}
    return value
