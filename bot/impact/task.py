"""Packing the impact task's work items: each changed file's diff with the code elsewhere
that uses what it changes, as many files per item as the budget allows.

A file's diff always goes whole (a file whose diff alone does not fit is left to the plain
review); its neighbours' snippets follow in the map's order around the change (the most
used first) until the item is full, and the item says how many were left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.change.model import FileChange, SkippedFile
from bot.config.classes import DataClass
from bot.impact.answer import ImpactAnswer
from bot.impact.neighbours import Reach
from bot.impact.sites import Snippet
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.diff_render import file_header, render_hunks
from bot.tasks.prompts import PromptTemplate

TASK = "impact"
_MESSAGE_OVERHEAD = 8
# A summary, then findings and notes of ~150 tokens each; callers add notes as lines do.
_ANSWER_BASE = 384
_ANSWER_PER_UNIT = 40
_ANSWER_FLOOR = 512
_PLACEHOLDER = "=== REPO-DATA " + "0" * 20 + " ==="


@dataclass(slots=True)
class FileImpact:
    """One changed file: its diff and the reach of each definition it changes."""

    change: FileChange
    diff: str  # header and numbered hunks, as the review shows them
    reaches: list[Reach]
    data_class: DataClass  # the changed file's own


@dataclass(slots=True)
class ImpactItem:
    item: WorkItem
    # Every file whose text the prompt carries, with its class: the route is decided by
    # the highest of them.
    shown: dict[str, DataClass] = field(default_factory=dict)
    snippets: int = 0
    left_out: int = 0  # snippets that did not fit the budget


def diff_text(f: FileChange, head_text: str | None, extra: int) -> str:
    return "\n".join([file_header(f), *render_hunks(f, head_text, extra)])


def reach_text(reach: Reach, snippets: list[Snippet]) -> str:
    s = reach.symbol
    head = f"Changed: {s.kind} {s.qualname} ({s.path} line {s.start_line}): {s.signature}"
    if not snippets:
        return head
    lines = [head, f"Code elsewhere that uses {reach.name}:"]
    for snip in snippets:
        more = f"; {snip.more} more uses in this file not shown" if snip.more else ""
        lines.append(f"--- {snip.path} lines {snip.first}-{snip.last} ({snip.uses}{more})")
        lines.append(snip.text)
    if reach.files_not_shown:
        lines.append(f"(and {reach.files_not_shown} more files that use it, not shown)")
    return "\n".join(lines)


class ImpactTask:
    def __init__(self, prompts_dir: str | None = None, instructions: str | None = None) -> None:
        self.template = PromptTemplate(TASK, prompts_dir)
        self.instructions = instructions

    def _messages(self, sections: list[str], boundary: str) -> tuple[str, str]:
        part = f"{len(sections)} changed file{'s' if len(sections) != 1 else ''}"
        system = self.template.render("system", boundary=boundary, instructions=self.instructions)
        user = self.template.render("user", boundary=boundary, sections=sections, part=part)
        return system, user

    def room(self, budget: int, count: Callable[[str], int]) -> int:
        system, user = self._messages([], _PLACEHOLDER)
        return budget - count(system) - count(user) - 2 * _MESSAGE_OVERHEAD

    def items(
        self,
        files: list[FileImpact],
        budget: int,
        count: Callable[[str], int],
        max_output_tokens: int,
        first_id: int = 1,
    ) -> tuple[list[ImpactItem], list[SkippedFile]]:
        """Items of at most `budget` prompt tokens; files whose diff alone is too big."""
        room = self.room(budget, count)
        skipped: list[SkippedFile] = []
        packs: list[list[tuple[FileImpact, str, int, int, dict[str, DataClass]]]] = []
        used = room + 1  # forces a new pack for the first file
        for fi in files:
            cost = count(fi.diff) + 4
            if cost > room:
                why = f"its diff alone is over the {room}-token room of an impact item"
                skipped.append(SkippedFile(fi.change.path, why))
                continue
            if used + cost > room:
                packs.append([])
                used = 0
            used += cost
            parts: list[str] = []
            shown: dict[str, DataClass] = {fi.change.path: fi.data_class}
            kept = dropped = 0
            for reach in fi.reaches:
                # The reach's header and the lines around its snippets, counted up front.
                used += count(reach_text(reach, [])) + 24
                chosen: list[Snippet] = []
                for snip in _distinct(reach.snippets):
                    piece = count(snip.text) + 12
                    if used + piece > room:
                        dropped += 1
                        continue
                    used += piece
                    chosen.append(snip)
                    shown[snip.path] = DataClass.highest(
                        snip.data_class, shown.get(snip.path, snip.data_class)
                    )
                parts.append(reach_text(reach, chosen))
                kept += len(chosen)
            section = "\n\n".join([fi.diff, *parts])
            packs[-1].append((fi, section, kept, dropped, shown))
        out = [
            self._item(pack, f"{TASK}-{first_id + i}", count, max_output_tokens)
            for i, pack in enumerate(packs)
        ]
        return out, skipped

    def _item(
        self,
        pack: list[tuple[FileImpact, str, int, int, dict[str, DataClass]]],
        item_id: str,
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> ImpactItem:
        sections = [section for _, section, _, _, _ in pack]
        system, user = self._messages(sections, _boundary(sections))
        lines = {fi.change.path: fi.change.added + fi.change.removed for fi, *_ in pack}
        shown: dict[str, DataClass] = {}
        for *_, files in pack:
            for path, cls in files.items():
                shown[path] = DataClass.highest(cls, shown.get(path, cls))
        snippets = sum(k for _, _, k, _, _ in pack)
        item = WorkItem(
            id=item_id,
            task=TASK,
            messages=[Message("system", system), Message("user", user)],
            prompt_tokens=count(system) + count(user) + 2 * _MESSAGE_OVERHEAD,
            response_model=ImpactAnswer,
            schema_name=TASK,
            max_output_tokens=answer_allowance(
                _ANSWER_BASE,
                _ANSWER_PER_UNIT,
                sum(lines.values()) + snippets,
                _ANSWER_FLOOR,
                max_output_tokens,
            ),
            files=list(lines),
            changed_lines=sum(lines.values()),
            lines_by_file=lines,
        )
        return ImpactItem(item, shown, snippets, sum(d for _, _, _, d, _ in pack))


def _distinct(snippets: list[Snippet]) -> list[Snippet]:
    """Snippets without those whose lines another one already shows (an override's header
    is also a use of the name)."""
    out: list[Snippet] = []
    for s in snippets:
        if not any(o.path == s.path and o.first <= s.first and s.last <= o.last for o in out):
            out.append(s)
    return out


def _boundary(sections: list[str]) -> str:
    # From the content, so the repository's text cannot predict it; stable for a re-run.
    digest = hashlib.sha256("\n".join(sections).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== REPO-DATA {digest[:20]} ==="
