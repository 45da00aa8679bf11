"""Every attempt of a run, metered: report rows for the reader, ledger rows for the books.

Both are built from the same attempt so the report and the ledger never disagree. Nothing
here holds code or secrets: error text is masked, prompts are reduced to a hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.config.classes import DataClass
from bot.ledger.rows import CallRow
from bot.providers.base import Message
from bot.providers.prices import Price, cost_usd
from bot.report import CallRecord
from bot.routing.dispatch import Attempt
from bot.routing.route import Route, Target
from bot.secrets.redact import mask


@dataclass(frozen=True, slots=True)
class Meter:
    reference: Price  # what the same tokens would cost all-cloud
    repository: str = ""
    change_ref: str = ""

    def attempt(
        self,
        attempt: Attempt,
        *,
        item: str,
        task: str,
        route: Route,
        data_class: DataClass,
        messages: list[Message],
    ) -> tuple[CallRecord, CallRow]:
        c, e = attempt.completion, attempt.error
        usage = c.usage if c else (e.usage if e else None)
        tokens_in = usage.prompt_tokens if usage else 0
        tokens_out = usage.completion_tokens if usage else 0
        latency = round(c.latency_s if c else (e.latency_s if e else 0.0), 3)
        error = mask(f"{e.kind.value}: {e.message}") if e else None
        record = CallRecord(
            item=item,
            task=task,
            target=attempt.target,
            model=c.model if c else attempt.model,
            location=attempt.location,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_s=latency,
            route_reason=route.reason,
            outcome="ok" if c else "failed",
            error=error,
            structured_mode=c.structured_mode if c else None,
            repaired=c.repaired if c else False,
            cost_usd=round(attempt.cost_usd, 6),
            redactions=attempt.redactions,
        )
        row = CallRow(
            task=task,
            target=attempt.target,
            model=record.model,
            location="local" if attempt.location == "local" else "cloud",
            data_class=data_class.value,
            item=item,
            repository=self.repository,
            change_ref=self.change_ref,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost_usd=attempt.cost_usd,
            cloud_equivalent_usd=self._equivalent(
                attempt.location, attempt.cost_usd, tokens_in, tokens_out
            ),
            latency_s=latency,
            route=tuple(t.name for t in route.targets),
            reason=route.reason,
            outcome=record.outcome,
            error=error,
            prompt_sha256=prompt_hash(messages),
            redactions=attempt.redactions,
        )
        return record, row

    def cache_hit(
        self,
        *,
        target: Target,
        task: str,
        path: str,
        data_class: DataClass,
        tokens_in: int,
        section_sha256: str,
    ) -> tuple[CallRecord, CallRow]:
        """A call not made: the answer came from the cache. Valued at what it saved."""
        reason = f"{task} → cache ({target.name}/{target.model} answered this file before)"
        record = CallRecord(
            item=f"cache:{path}",
            task=task,
            target=target.name,
            model=target.model,
            location=target.location,
            tokens_in=tokens_in,
            route_reason=reason,
            outcome="cached",
            cache_hit=True,
        )
        row = CallRow(
            task=task,
            target=target.name,
            model=target.model,
            location="local" if target.location == "local" else "cloud",
            data_class=data_class.value,
            item=record.item,
            repository=self.repository,
            change_ref=self.change_ref,
            tokens_in=0,
            tokens_out=0,
            cost_usd=0.0,
            cloud_equivalent_usd=cost_usd(self.reference, tokens_in, 0),
            cache_hit=True,
            route=(target.name,),
            reason=reason,
            outcome="ok",
            prompt_sha256=section_sha256,
        )
        return record, row

    def _equivalent(self, location: str, cost: float, tokens_in: int, tokens_out: int) -> float:
        if location != "local":
            return cost
        return cost_usd(self.reference, tokens_in, tokens_out)


def prompt_hash(messages: list[Message]) -> str:
    h = hashlib.sha256()
    for m in messages:
        h.update(m.role.encode())
        h.update(b"\x00")
        h.update(m.content.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()
