"""The one gate every byte of a change passes on its way to a model.

Chat, the repair round, triage, the model's security pass and exact token counts all leave
through here, and nowhere else (tests/test_egress.py checks that no other module calls a
provider). Two checks, in this order, against the location the operator declared for the
target (bot/config/location.py), never against its address:

1. A restricted item never reaches a cloud target. Routing already leaves cloud targets out
   of a restricted item's chain; the gate refuses again, so a routing bug, a rule or a
   future task that forgets cannot leak.
2. For a cloud target, every secret value in the request is replaced by a marker before
   the request is built.

A provider is only ever given a `Cleared` request, and only the gate makes one.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.config.classes import DataClass
from bot.config.model import Settings
from bot.providers.base import Completion, CompletionRequest, Message, Provider
from bot.providers.structured import complete_structured
from bot.secrets.redact import MARKER_NOTE, redact
from bot.tokens.counting import TokenCounter


class EgressRefused(Exception):
    """The request may not go to this target; `why` says so in words."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True, slots=True)
class Cleared:
    """A request the gate has let through for one target: checked and, for the cloud,
    redacted. Built only by `Gate.clear`."""

    target: str
    location: str
    request: CompletionRequest
    redactions: int  # secret values replaced (occurrences)


@dataclass(frozen=True, slots=True)
class Count:
    tokens: int
    method: str  # "server" | "tiktoken" | "estimate"


class Gate:
    """The providers of a run behind the two checks above. Thread-safe."""

    def __init__(self, providers: Mapping[str, Provider], settings: Settings) -> None:
        self._providers = providers
        self._modes = {n: cfg.tokenizer for n, cfg in settings.providers.items() if n in providers}
        self._counters: dict[str, TokenCounter] = {}
        self._lock = threading.Lock()

    def clear(
        self,
        target: str,
        data_class: DataClass,
        request: CompletionRequest,
        withheld: Mapping[str, str] | None = None,
    ) -> Cleared:
        """`request` as it may leave for `target`; EgressRefused if it may not at all.
        `withheld` ({value: kind's slug}): values classification found in the files the
        request shows, taken out too wherever they stand (bot/classify/shown_secrets.py)."""
        location = self._location(target)
        check(target, location, data_class)
        if location == "local":
            return Cleared(target, location, request, 0)
        redacted, count = _redacted(request, withheld)
        return Cleared(target, location, redacted, count)

    def send(self, cleared: Cleared) -> Completion:
        """One structured completion (and its repair round, built from the cleared
        messages and the model's own answer) for a cleared request."""
        provider = self._providers[cleared.target]
        if provider.location != cleared.location:
            raise EgressRefused(f"{cleared.target}: cleared for another location")
        return complete_structured(provider, cleared.request)

    def count(
        self,
        target: str,
        data_class: DataClass,
        text: str,
        withheld: Mapping[str, str] | None = None,
    ) -> Count:
        """Tokens of `text` as `target` will count them, asking the target's own tokenizer
        only with what the target may see (redacted for the cloud, as `clear` does)."""
        location = self._location(target)
        check(target, location, data_class)
        if location != "local":
            text = redact(text, known=withheld).text
        counter = self._counter(target)
        return Count(counter.count(text), counter.method)

    def prepare(self, targets: Iterable[str]) -> None:
        """Load the SDKs of `targets` from this thread before counts run in parallel."""
        for name in targets:
            provider = self._providers.get(name)
            if provider is not None:
                provider.prepare()

    def _location(self, target: str) -> str:
        provider = self._providers.get(target)
        if provider is None:
            raise EgressRefused(f"{target}: no such provider in this run")
        # Anything but an explicit "local" is treated as cloud: fail closed.
        return "local" if provider.location == "local" else "cloud"

    def _counter(self, target: str) -> TokenCounter:
        with self._lock:
            counter = self._counters.get(target)
            if counter is None:
                provider = self._providers[target]
                counter = TokenCounter(provider, self._modes.get(target, "auto"))
                self._counters[target] = counter
            return counter


def check(target: str, location: str, data_class: DataClass) -> None:
    """Raises EgressRefused when an item of `data_class` may not reach `location`."""
    if data_class is DataClass.RESTRICTED and location != "local":
        raise EgressRefused(f"{target}: restricted code stays on premises ({location} target)")


def _redacted(
    request: CompletionRequest, withheld: Mapping[str, str] | None
) -> tuple[CompletionRequest, int]:
    """The request with secret values taken out of every message. The system prompt too:
    it carries the repository's `review.instructions`, which are not the product's words."""
    total = 0
    messages: list[Message] = []
    for m in request.messages:
        r = redact(m.content, known=withheld)
        total += r.count
        messages.append(Message(m.role, r.text))
    if total:
        messages = [
            Message(m.role, f"{m.content}\n\n{MARKER_NOTE}") if m.role == "system" else m
            for m in messages
        ]
    return dataclasses.replace(request, messages=messages), total
