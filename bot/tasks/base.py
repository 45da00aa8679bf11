"""The task contract: plan work items from a Change, interpret answers into Findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel

from bot.change.model import Change, SkippedFile
from bot.findings.model import Finding
from bot.providers.base import Message


def answer_allowance(base: int, per_unit: int, units: int, floor: int, cap: int) -> int:
    """Output tokens to allow an answer about `units` things (changed lines, findings).

    Sized to the work, not the target's whole allowance: a small self-hosted model that
    degenerates fills whatever it is given (Gemma 3 270M wrote 4,096 tokens of zeros into a
    one-line suggestion at ~10 tokens/s under a grammar: 7 minutes of a one-slot runner for a
    7-line diff). An answer cut off by this allowance is retried once with twice as much
    (bot/providers/structured.py), so sizing low costs one round, never the answer."""
    return max(1, min(cap, max(floor, base + per_unit * units)))


@dataclass(slots=True)
class WorkItem:
    id: str  # "review-1"
    task: str
    messages: list[Message]
    prompt_tokens: int
    response_model: type[BaseModel]
    schema_name: str
    max_output_tokens: int
    files: list[str] = field(default_factory=list)  # paths covered, in order
    changed_lines: int = 0  # added + removed lines this item covers
    # Per file, the changed lines this item covers (a big file may be split across items).
    lines_by_file: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Plan:
    items: list[WorkItem]
    skipped: list[SkippedFile] = field(default_factory=list)  # planned out, with reasons


class Task(Protocol):
    name: str

    def plan(self, change: Change, budget_tokens: int) -> Plan: ...

    def interpret(self, item: WorkItem, answer: BaseModel, change: Change) -> list[Finding]: ...
