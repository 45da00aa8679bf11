"""What the webhook server asks of a forge: one receiver per forge, at `/webhooks/<forge>`.

The server does the rest the same for every forge: the size cap, the answer codes, the
delivery log that stops a redelivery from queueing twice, the queue and the metrics. A
receiver is pure, like gidgethub's sansio: headers and bytes in, a verdict out, no network
and no storage, so the server answers well within any forge's time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.jobs import Job


def webhook_path(forge: str) -> str:
    return f"/webhooks/{forge}"


class MalformedPayload(ValueError):
    """The body is not what the forge sends (not a JSON object, say)."""


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str  # shown in the 200 answer: "ignored: <reason>"


@dataclass(frozen=True, slots=True)
class Answered:
    """A delivery answered without a job: a forge's ping."""

    outcome: str  # the metrics label: "pong"
    text: str  # the 200 answer


class WebhookReceiver(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def max_payload_bytes(self) -> int: ...

    def authentic(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the forge sent this (a signature or a token, compared in constant time)."""
        ...

    def event(self, headers: Mapping[str, str]) -> str:
        """The event's name, for metrics (the server keeps only label-safe names)."""
        ...

    def delivery_id(self, headers: Mapping[str, str]) -> str:
        """The forge's id for the delivery, the same on a redelivery; "" when none."""
        ...

    def parse(self, headers: Mapping[str, str], body: bytes) -> Job | Ignored | Answered:
        """What the delivery asks for. Raises MalformedPayload; never raises on odd fields."""
        ...
