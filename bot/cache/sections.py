"""Looks up and stores answers per file section, in the ledger's cache table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.cache.keys import section_key
from bot.config.classes import DataClass
from bot.routing.route import Target

if TYPE_CHECKING:
    from bot.ledger.rows import CacheEntry


class CacheStore(Protocol):
    def cache_get(self, key: str) -> CacheEntry | None: ...

    def cache_put(
        self, key: str, model: str, task: str, data_class: str, value: str, ttl_days: float
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Hit:
    target: Target
    value: str  # the cached answer for this one file, as JSON


class SectionCache:
    def __init__(
        self,
        store: CacheStore,
        *,
        task: str,
        instructions: str,
        schema: dict[str, object],
        temperature: float,
        ttl_days: int,
    ) -> None:
        self.store = store
        self.task = task
        self.instructions = instructions
        self.schema = schema
        self.temperature = temperature
        self.ttl_days = ttl_days

    def key(self, section: str, model: str) -> str:
        return section_key(
            task=self.task,
            instructions=self.instructions,
            schema=self.schema,
            section=section,
            model=model,
            temperature=self.temperature,
        )

    def lookup(self, section: str, targets: list[Target], data_class: DataClass) -> Hit | None:
        """An answer from any target this section may go to, in order of preference."""
        for t in targets:
            if data_class is DataClass.RESTRICTED and t.location != "local":
                continue
            entry = self.store.cache_get(self.key(section, t.model))
            if entry is not None:
                return Hit(t, entry.value)
        return None

    def store_answer(self, section: str, model: str, data_class: DataClass, value: str) -> None:
        self.store.cache_put(
            self.key(section, model), model, self.task, data_class.value, value, self.ttl_days
        )
