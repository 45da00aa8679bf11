"""Work items of the docs task: the definitions whose doc is missing or stale, one file per
item (a big file split between definitions, packed like a review), and the README/docs
lines that still name what the change removed. Answers are validated by pydantic, with the
one repair round every structured call has."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, Field

from bot.change.model import SkippedFile
from bot.docs_task.check import Gap
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.packing import Block, FileUnit, label_parts, pack
from bot.tasks.prompts import PromptTemplate
from bot.tasks.review import Said, clip
from bot.testgen.prompt import fenced

TASK = "docs"
DOC_CHARS = 4000
EDIT_CHARS = 4000
# Lines of a long definition shown: its header and the start of its body say enough.
SHOWN_LINES = 80
_ANSWER_BASE = 128
_ANSWER_PER_DOC = 256
_ANSWER_FLOOR = 384
_MESSAGE_OVERHEAD = 8
_LABEL_PLACEHOLDER = "part 999 of 999"


# One written doc (no class docstring: it would travel in the schema). Required: both.
class WrittenDoc(BaseModel):
    name: Said = Field(description="The definition's name exactly as shown")
    text: Annotated[Said, clip(DOC_CHARS)] = Field(
        description="The doc's text, without comment markers, quotes or indentation"
    )


# Required: docs; [] when nothing shown needs one.
class DocsAnswer(BaseModel):
    docs: list[WrittenDoc] = Field(description="One per definition shown")


# One rewritten range of a documentation file. Required: all four.
class TextEdit(BaseModel):
    path: Said
    start_line: int
    end_line: int
    text: Annotated[str, clip(EDIT_CHARS)] = Field(description="Replaces the lines whole")


# Required: edits; [] when no shown line needs to change.
class EditsAnswer(BaseModel):
    edits: list[TextEdit]


@dataclass(slots=True)
class DocsItem:
    item: WorkItem
    path: str
    gaps: list[Gap] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)  # every path whose text the prompt holds
    # Text mode: the (path, first line, last line) windows shown, that edits must stay in.
    windows: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class DocsPlanned:
    items: list[DocsItem]
    skipped: list[SkippedFile]


def boundary(parts: Sequence[str]) -> str:
    # Derived from the content, so the content cannot predict it.
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== DOCS-DATA {digest[:20]} ==="


def gap_block(gap: Gap, head_lines: list[str]) -> str:
    """One definition as the prompt shows it: why its doc needs writing, its current doc
    and its code."""
    symbol = gap.symbol
    if symbol is None:
        first, last = 1, min(len(head_lines), SHOWN_LINES)
        where = f"{gap.path} lines {first}-{last}"
    else:
        first, last = symbol.extent
        where = f"{gap.path} lines {symbol.start_line}-{symbol.end_line}"
    cut = min(last, first + SHOWN_LINES - 1)
    code = "\n".join(head_lines[first - 1 : cut])
    if cut < last:
        code += f"\n... ({last - cut} more lines not shown)"
    lines = [
        f"definition: {gap.qualname} ({gap.kind}, {where})",
        f"why: {'; '.join(gap.reasons)}",
        fenced(code),
    ]
    return "\n".join(lines)


class DocsTask:
    name = TASK

    def __init__(self, prompts_dir: str | None = None, instructions: str | None = None) -> None:
        self.template = PromptTemplate(TASK, prompts_dir)
        self.instructions = instructions

    def messages(self, mode: str, language: str, style: str, sections: list[str]) -> list[Message]:
        values = {
            "mode": mode,
            "boundary": boundary(sections),
            "language": language,
            "style": style,
            "instructions": self.instructions,
        }
        system = self.template.render("system", **values)
        user = self.template.render("user", **values, sections=sections)
        return [Message("system", system), Message("user", user)]

    def frame_tokens(self, count: Callable[[str], int]) -> int:
        """Tokens of the instructions and the frame, for the longer of the two modes."""
        framed = [self.messages(mode, "python", "numpy", []) for mode in ("code", "text")]
        longest = max(sum(count(m.content) for m in ms) for ms in framed)
        return longest + 2 * _MESSAGE_OVERHEAD + 16

    def plan(
        self,
        gaps_by_file: dict[str, tuple[list[Gap], list[str]]],
        style: str,
        budget_tokens: int,
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> DocsPlanned:
        """One item per file (a file too big for one, split between definitions)."""
        room = budget_tokens - self.frame_tokens(count)
        skipped: list[SkippedFile] = []
        if room < 256:
            why = "the context budget leaves no room for the code"
            return DocsPlanned([], [SkippedFile(p, why) for p in gaps_by_file])
        units: list[FileUnit] = []
        shown: dict[str, list[Gap]] = {}
        for path, (gaps, head_lines) in gaps_by_file.items():
            header = f"file: {path}"
            blocks: list[Block] = []
            kept: list[Gap] = []
            for gap in gaps:
                text = gap_block(gap, head_lines)
                tokens = count(text)
                if tokens > room - count(header) - 8:
                    skipped.append(SkippedFile(path, f"{gap.qualname} is too long to show"))
                    continue
                blocks.append(Block(text, tokens, 1))
                kept.append(gap)
            if blocks:
                units.append(
                    FileUnit(
                        path,
                        lambda label, h=header: h + (f" ({label})" if label else ""),
                        count(f"{header} ({_LABEL_PLACEHOLDER})"),
                        blocks,
                    )
                )
                shown[path] = kept
        packs = pack(units, room, per_file=True)
        labels = label_parts(packs)
        items: list[DocsItem] = []
        for i, pk in enumerate(packs):
            [(unit, idx)] = pk.parts
            gaps = [shown[unit.path][j] for j in idx]
            sections = [
                unit.header(labels.get((i, unit.path))),
                *(unit.blocks[j].text for j in idx),
            ]
            messages = self.messages("code", gaps[0].language, style, sections)
            allowance = answer_allowance(
                _ANSWER_BASE, _ANSWER_PER_DOC, len(gaps), _ANSWER_FLOOR, max_output_tokens
            )
            item = _work_item(f"docs-{i + 1}", messages, count, allowance, DocsAnswer)
            item.files = [unit.path]
            item.lines_by_file = {unit.path: len(gaps)}
            items.append(DocsItem(item, unit.path, gaps, [unit.path]))
        return DocsPlanned(items, skipped)

    def text_item(
        self,
        number: int,
        sections: list[str],
        windows: list[tuple[str, int, int]],
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> DocsItem:
        messages = self.messages("text", "markdown", "google", sections)
        allowance = answer_allowance(
            _ANSWER_BASE, _ANSWER_PER_DOC, len(windows), _ANSWER_FLOOR, max_output_tokens
        )
        item = _work_item(f"docs-text-{number}", messages, count, allowance, EditsAnswer)
        paths = list(dict.fromkeys(w[0] for w in windows))
        item.files = paths
        return DocsItem(item, paths[0], [], paths, windows)


def _work_item(
    item_id: str,
    messages: list[Message],
    count: Callable[[str], int],
    max_output_tokens: int,
    model: type[BaseModel],
) -> WorkItem:
    return WorkItem(
        id=item_id,
        task=TASK,
        messages=messages,
        prompt_tokens=sum(count(m.content) for m in messages) + _MESSAGE_OVERHEAD * len(messages),
        response_model=model,
        schema_name=TASK,
        max_output_tokens=max_output_tokens,
    )
