"""The review task: the change's hunks in, line-anchored findings out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from bot.change.model import Change, FileChange, Side, SkippedFile
from bot.config.model import ReviewConfig
from bot.findings.model import Finding, Severity
from bot.providers.base import Message
from bot.tasks.base import Plan, WorkItem, answer_allowance
from bot.tasks.diff_render import file_header, render_hunk, render_hunks, split_hunk
from bot.tasks.packing import Block, FileUnit, label_parts, pack, render_sections
from bot.tasks.prompts import PromptTemplate

Category = Literal[
    "bug",
    "security",
    "performance",
    "error-handling",
    "concurrency",
    "maintainability",
    "tests",
    "docs",
    "style",
]


# Limits on what a model writes, enforced here after parsing and never sent in the schema:
# a maxLength becomes grammar rules, and llama.cpp refused (then crashed on) the triage
# schema's 2000. Longer text is cut, not refused: a long title is still a finding.
TITLE_CHARS = 200
BODY_CHARS = 4000
SUMMARY_CHARS = 4000


def clip(limit: int) -> AfterValidator:
    """A validator that cuts text longer than `limit` characters, marking the cut."""

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    return AfterValidator(cut)


def _said(text: str) -> str:
    # A blank value passes a schema that only asks for a string; a grammar-bound model that
    # has nothing to say fills required fields with "" ({"summary": "", "findings": []} is
    # `{ }` in disguise), so blank counts as missing.
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Said = Annotated[str, AfterValidator(_said)]


# Class docstrings would travel in the schema as descriptions; these notes are comments.
# One finding. Required: path, line, severity, title, body.
class ReviewComment(BaseModel):
    path: Said
    line: int = Field(description="NEW line number (side RIGHT) or OLD line number (side LEFT)")
    end_line: int | None = Field(default=None, description="Last line of a multi-line comment")
    side: Literal["RIGHT", "LEFT"] = "RIGHT"
    severity: Severity
    category: Category = "bug"
    title: Annotated[Said, clip(TITLE_CHARS)] = Field(description="One line, at most 200 chars")
    body: Annotated[Said, clip(BODY_CHARS)]
    suggestion: str | None = Field(
        default=None, description="Exact replacement for line..end_line, RIGHT side only"
    )


# A review of one work item. Both fields are required: an answer without a summary or
# without its findings list (`{ }`, another shape) is not a review that found nothing.
class ReviewAnswer(BaseModel):
    summary: Annotated[Said, clip(SUMMARY_CHARS)] = Field(
        description="What the change does, in a few sentences"
    )
    findings: list[ReviewComment] = Field(description="Problems found; [] when none")


# Per-message framing the chat format adds around the text, counted on top of the text.
_MESSAGE_OVERHEAD = 8
# The answer's allowance: a summary of a few sentences, then findings of ~120-200 tokens each
# (title, body, maybe a suggestion); about one per four changed lines is already a lot.
_ANSWER_BASE = 256
_ANSWER_PER_LINE = 40
_ANSWER_FLOOR = 384
# Label placeholder used when costing headers, as long as any real "part k of n".
_LABEL_PLACEHOLDER = "part 999 of 999"


class ReviewTask:
    """Reviews the diff. The security task's model pass is the same machinery with its own
    prompt (`prompts/security.md.j2`): same answer schema, different instructions."""

    def __init__(
        self, cfg: ReviewConfig, prompts_dir: str | None = None, name: str = "review"
    ) -> None:
        self.cfg = cfg
        self.name = name
        self.template = PromptTemplate(name, prompts_dir)

    def system_prompt(self) -> str:
        return self.template.render(
            "system", boundary=_boundary_placeholder(), instructions=self.cfg.instructions
        )

    def room(self, budget_tokens: int, count: Callable[[str], int]) -> int:
        """Tokens left for diff text in an item of `budget_tokens`, after the instructions."""
        system = self.system_prompt()
        frame = self.template.render("user", boundary=_boundary_placeholder(), files=[], part="")
        return budget_tokens - count(system) - count(frame) - 2 * _MESSAGE_OVERHEAD

    def units(
        self, change: Change, room: int, count: Callable[[str], int]
    ) -> tuple[list[FileUnit], list[SkippedFile]]:
        """Each reviewable file rendered into blocks that fit `room`; the rest, with reasons."""
        if room < 256:
            why = "the context budget leaves no room for the diff"
            return [], [SkippedFile(f.path, why) for f in change.files]
        units: list[FileUnit] = []
        skipped: list[SkippedFile] = []
        for f in change.files:
            unit, why = self._unit(f, change, room, count)
            if unit is None:
                skipped.append(SkippedFile(f.path, why))
            else:
                units.append(unit)
        return units, skipped

    def items(
        self,
        units: list[FileUnit],
        room: int,
        count: Callable[[str], int],
        max_output_tokens: int,
        first_id: int = 1,
    ) -> list[WorkItem]:
        """Packs units into work items, numbered from `first_id`."""
        packs = pack(units, room, per_file=self.cfg.packing == "per_file")
        labels = label_parts(packs)
        items: list[WorkItem] = []
        for i, pk in enumerate(packs):
            sections = render_sections(pk, labels, i)
            boundary = _boundary(sections)
            part = f"{len(sections)} file section{'s' if len(sections) != 1 else ''}"
            user = self.template.render("user", boundary=boundary, files=sections, part=part)
            sys_text = self.template.render(
                "system", boundary=boundary, instructions=self.cfg.instructions
            )
            lines = pk.lines_by_file()
            items.append(
                WorkItem(
                    id=f"review-{first_id + i}",
                    task=self.name,
                    messages=[Message("system", sys_text), Message("user", user)],
                    prompt_tokens=count(sys_text) + count(user) + 2 * _MESSAGE_OVERHEAD,
                    response_model=ReviewAnswer,
                    schema_name=self.name,
                    max_output_tokens=answer_allowance(
                        _ANSWER_BASE,
                        _ANSWER_PER_LINE,
                        sum(lines.values()),
                        _ANSWER_FLOOR,
                        max_output_tokens,
                    ),
                    files=list(lines),
                    changed_lines=sum(lines.values()),
                    lines_by_file=lines,
                )
            )
        return items

    def plan(
        self,
        change: Change,
        budget_tokens: int,
        count: Callable[[str], int],
        max_output_tokens: int = 4096,
    ) -> Plan:
        """Work items within `budget_tokens` of prompt each; what does not fit is listed."""
        room = self.room(budget_tokens, count)
        units, skipped = self.units(change, room, count)
        return Plan(items=self.items(units, room, count, max_output_tokens), skipped=skipped)

    def _unit(
        self, f: FileChange, change: Change, room: int, count: Callable[[str], int]
    ) -> tuple[FileUnit | None, str]:
        if not f.hunks:
            return None, "no textual changes to review"
        head_text = None
        if self.cfg.extra_context_lines and change.load_content and f.status.value != "deleted":
            head_text = change.load_content(f.path, Side.RIGHT)
        header_tokens = count(file_header(f, _LABEL_PLACEHOLDER))
        avail = room - header_tokens - 4
        blocks: list[Block] = []
        rendered_hunks = render_hunks(f, head_text, self.cfg.extra_context_lines)
        for hunk, text in zip(f.hunks, rendered_hunks, strict=True):
            tokens = count(text)
            if tokens <= avail:
                blocks.append(Block(text, tokens, hunk.added + hunk.removed))
                continue
            # An oversized hunk is cut into windows sized by its measured density.
            max_lines = max(1, int(len(hunk.lines) * avail / tokens * 0.8))
            while True:
                pieces = split_hunk(hunk, max_lines)
                rendered = [render_hunk(p) for p in pieces]
                costs = [count(t) for t in rendered]
                if all(c <= avail for c in costs):
                    break
                if max_lines == 1:
                    return None, (
                        f"a line near new line {hunk.new_start} is too long for the "
                        f"{room}-token context budget"
                    )
                max_lines = max(1, max_lines // 2)
            blocks.extend(
                Block(t, c, p.added + p.removed)
                for t, c, p in zip(rendered, costs, pieces, strict=True)
            )
        return (
            FileUnit(
                path=f.path,
                header=lambda label, f=f: file_header(f, label),  # type: ignore[misc]
                header_tokens=header_tokens,
                blocks=blocks,
            ),
            "",
        )

    def interpret(self, item: WorkItem, answer: BaseModel, change: Change) -> list[Finding]:
        assert isinstance(answer, ReviewAnswer)
        return self.interpret_answer(answer)

    def interpret_answer(self, answer: ReviewAnswer) -> list[Finding]:
        """The model's comments as findings on the lines it cited; anchoring checks them."""
        out: list[Finding] = []
        for c in answer.findings:
            start, end = c.line, c.end_line if c.end_line is not None else c.line
            if end < start:
                start, end = end, start
            out.append(
                Finding(
                    path=c.path.strip().removeprefix("./"),
                    start_line=start,
                    end_line=end,
                    side=Side(c.side),
                    severity=c.severity,
                    category=c.category,
                    title=c.title.strip(),
                    body=c.body.strip(),
                    suggestion=c.suggestion,
                    source="model",
                    task=self.name,
                )
            )
        return out


def split_by_file(answer: ReviewAnswer, paths: list[str]) -> dict[str, ReviewAnswer]:
    """One item's answer cut into one answer per file, each kept in the cache on its own.

    The item's summary goes with every file: it is the only summary a later run that finds
    all of them in the cache will have.
    """
    out = {p: ReviewAnswer(summary=answer.summary, findings=[]) for p in paths}
    for c in answer.findings:
        target = out.get(c.path.strip().removeprefix("./"))
        if target is not None:
            target.findings.append(c)
    return out


def _boundary(sections: list[str]) -> str:
    # Derived from the content so a change cannot predict it, yet stable for caching.
    digest = hashlib.sha256("\n".join(sections).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== CHANGE-DATA {digest[:20]} ==="


def _boundary_placeholder() -> str:
    return "=== CHANGE-DATA " + "0" * 20 + " ==="
