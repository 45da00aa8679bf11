"""Calls a route's targets in order until one gives a valid answer."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.providers.base import Completion, CompletionRequest, Provider, ProviderError
from bot.routing.route import Route


@dataclass(slots=True)
class Attempt:
    target: str
    model: str
    location: str
    completion: Completion | None = None
    error: ProviderError | None = None


@dataclass(slots=True)
class ChainResult:
    completion: Completion | None
    attempts: list[Attempt] = field(default_factory=list)


class Gates:
    """Per-target concurrency limits, shared by all work items of a run."""

    def __init__(self, providers: Mapping[str, Provider], limits: Mapping[str, int]) -> None:
        self._sem = {name: threading.BoundedSemaphore(limits.get(name, 4)) for name in providers}

    def __getitem__(self, name: str) -> threading.BoundedSemaphore:
        return self._sem[name]


def call_chain(
    route: Route,
    providers: Mapping[str, Provider],
    request: CompletionRequest,
    gates: Gates,
) -> ChainResult:
    from bot.providers.structured import complete_structured

    result = ChainResult(completion=None)
    for target in route.targets:
        provider = providers[target.name]
        attempt = Attempt(target.name, target.model, target.location)
        result.attempts.append(attempt)
        request.max_output_tokens = min(request.max_output_tokens, target.max_output_tokens)
        with gates[target.name]:
            try:
                attempt.completion = complete_structured(provider, request)
            except ProviderError as exc:
                attempt.error = exc
                continue
        result.completion = attempt.completion
        break
    return result
