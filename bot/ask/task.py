"""The ask task's one work item: the question and the change, packed within the first
target's budget like a review (the diff first, then the head versions of the touched
files, whole, as far as they fit), between boundary lines neither can forge.

The question is as untrusted as the code: it comes from a comment anyone on the change
can write, so it sits inside the data boundary, never in the instructions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, Field

from bot.change.model import Change, FileStatus, Side
from bot.config.model import ReviewConfig
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.prompts import PromptTemplate
from bot.tasks.review import ReviewTask, Said, clip
from bot.testgen.prompt import fenced

TASK = "ask"
ANSWER_CHARS = 12_000
QUESTION_CHARS = 4_000
# An answer of a few paragraphs, more for a bigger change; a grammar-bound runner is never
# given room to ramble (an answer cut off is retried once with twice the room).
_ANSWER_BASE = 256
_ANSWER_PER_LINE = 4
_ANSWER_FLOOR = 384
_ANSWER_CAP = 1024
_MESSAGE_OVERHEAD = 8


# Required: answer.
class AskAnswer(BaseModel):
    answer: Annotated[Said, clip(ANSWER_CHARS)] = Field(
        description="The answer in Markdown, citing path:line"
    )


@dataclass(slots=True)
class AskItem:
    item: WorkItem
    reads: list[str] = field(default_factory=list)  # every path whose text the prompt holds
    left_out: list[str] = field(default_factory=list)  # touched files not shown, no room


def boundary(parts: list[str]) -> str:
    # Derived from the content and the question, so neither can predict it.
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== ASK-DATA {digest[:20]} ==="


def question_text(question: str) -> str:
    text = question.strip()
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1] + "…"


class AskTask:
    name = TASK

    def __init__(
        self, review: ReviewConfig, prompts_dir: str | None = None, instructions: str | None = None
    ) -> None:
        self.review = review
        self.template = PromptTemplate(TASK, prompts_dir)
        self.instructions = instructions

    def messages(self, question: str, sections: list[str], left_out: str) -> list[Message]:
        values = {
            "boundary": boundary([question, *sections]),
            "instructions": self.instructions,
        }
        system = self.template.render("system", **values)
        user = self.template.render(
            "user", **values, question=question, sections=sections, left_out=left_out
        )
        return [Message("system", system), Message("user", user)]

    def plan(
        self,
        change: Change,
        question: str,
        budget_tokens: int,
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> AskItem:
        question = question_text(question)
        left_note = "Some touched files did not fit and are not shown: " + "x" * 200
        frame = sum(count(m.content) for m in self.messages(question, [], left_note))
        room = budget_tokens - frame - 2 * _MESSAGE_OVERHEAD
        diff_task = ReviewTask(self.review)
        units, _ = diff_task.units(change, max(room, 0), count)
        sections: list[str] = []
        reads: list[str] = []
        left: list[str] = []
        used = 0
        for unit in units:
            text = unit.text()
            cost = count(text) + 2
            if used + cost > room:
                left.append(unit.path)
                continue
            sections.append(text)
            reads.append(unit.path)
            used += cost
        for f in change.files:
            if f.status is FileStatus.DELETED or change.load_content is None:
                continue
            head = change.load_content(f.path, Side.RIGHT)
            if head is None:
                continue
            text = head_section(f.path, head)
            cost = count(text) + 2
            if used + cost > room:
                left.append(f.path)
                continue
            sections.append(text)
            if f.path not in reads:
                reads.append(f.path)
            used += cost
        # A file whose diff did not fit but whose head version did is shown.
        left = [p for p in dict.fromkeys(left) if p not in reads]
        note = (
            f"Not shown for want of room: {', '.join(left[:20])}"
            + (f" and {len(left) - 20} more" if len(left) > 20 else "")
            + "."
            if left
            else ""
        )
        messages = self.messages(question, sections, note)
        changed = sum(f.added + f.removed for f in change.files if f.path in reads)
        item = WorkItem(
            id="ask-1",
            task=TASK,
            messages=messages,
            prompt_tokens=sum(count(m.content) for m in messages) + 2 * _MESSAGE_OVERHEAD,
            response_model=AskAnswer,
            schema_name=TASK,
            max_output_tokens=answer_allowance(
                _ANSWER_BASE,
                _ANSWER_PER_LINE,
                changed,
                _ANSWER_FLOOR,
                min(_ANSWER_CAP, max_output_tokens),
            ),
            files=list(reads),
            changed_lines=changed,
        )
        return AskItem(item, reads, left)


def head_section(path: str, text: str) -> str:
    """A whole file as the prompt shows it (bot/secrets/sections.py reads the path back)."""
    return f"head version of {path}:\n{fenced(text)}"
