"""Planning a description or a commit message: one work item carrying the whole change.

A description is about the change as a whole, so it is one call, not one per file. The
diff is packed within the first target's budget: every changed file first gets one line
(path, status, lines added and removed), then files are shown in full, in diff order, while
room is left. A file that does not fit is described from its line; a file for which even
that leaves no room is named in the report as left out. The pull request's own title and
text travel as data inside the same boundary as the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from bot.change.model import Change, FileChange, FileStatus, LineKind, SkippedFile
from bot.describe.answer import CommitMessage, DescribeAnswer
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.prompts import PromptTemplate
from bot.tasks.review import _boundary, _boundary_placeholder

TASK = "describe"
COMMIT_TASK = "commit_message"
# The pull request's own text is the author's: a long one is cut, never allowed to crowd
# out the code it describes.
REQUEST_CHARS = 4000
_MESSAGE_OVERHEAD = 8
# The answer: title and summary, then a theme per few files.
_ANSWER_BASE = 384
_ANSWER_PER_FILE = 48
_ANSWER_FLOOR = 768
# A commit message is a header and two sentences: a small allowance keeps a small local
# model from rambling (an answer cut off is retried once with twice as much).
_COMMIT_ANSWER = 256

Count = Callable[[str], int]


@dataclass(slots=True)
class DescribePlan:
    """The one work item, and how much of the change it shows."""

    item: WorkItem | None
    shown: list[str] = field(default_factory=list)  # files whose diff is in the prompt
    summarized: list[str] = field(default_factory=list)  # files shown by one line only
    left_out: list[SkippedFile] = field(default_factory=list)  # named only, or not at all
    sections: list[str] = field(default_factory=list)

    @property
    def reads(self) -> list[str]:
        """Every path the prompt names: each decides where it may go."""
        return [*self.shown, *self.summarized, *(s.path for s in self.left_out)]


def render_file(f: FileChange) -> str:
    """A file's diff as plain unified text: cheaper than the review's numbered rows, and a
    description cites no lines."""
    status = f.status.value
    if f.status is FileStatus.RENAMED and f.old_path:
        status = f"renamed from {f.old_path}"
    out = [f"### {f.path} ({status}{', ' + f.language if f.language else ''})"]
    for h in f.hunks:
        out.append(f"@@ -{h.old_start},{h.old_len} +{h.new_start},{h.new_len} @@ {h.section}")
        for ln in h.lines:
            mark = " " if ln.kind is LineKind.CONTEXT else ln.kind.value
            out.append(f"{mark}{ln.text}")
    return "\n".join(line.rstrip() for line in out)


def summary_line(f: FileChange) -> str:
    added = sum(1 for h in f.hunks for ln in h.lines if ln.kind is LineKind.ADDED)
    removed = sum(1 for h in f.hunks for ln in h.lines if ln.kind is LineKind.REMOVED)
    where = sorted({h.section.strip() for h in f.hunks if h.section.strip()})[:3]
    near = f"; near {', '.join(where)}" if where else ""
    kind = "binary" if f.binary else f.status.value
    return f"- {f.path}: {kind}, +{added} -{removed}{near}"


class DescribeTask:
    """Builds the description's (or the commit message's) one work item."""

    def __init__(
        self,
        name: str = TASK,
        prompts_dir: str | None = None,
        instructions: str | None = None,
        labels: list[str] | None = None,
    ) -> None:
        self.name = name
        self.template = PromptTemplate(name, prompts_dir)
        self.instructions = instructions
        self.labels = list(labels or [])
        self.model: type[BaseModel] = DescribeAnswer if name == TASK else CommitMessage

    def _vars(self, boundary: str) -> dict[str, object]:
        if self.name == TASK:
            return {"boundary": boundary, "labels": self.labels, "instructions": self.instructions}
        return {"boundary": boundary}

    def system_prompt(self) -> str:
        """The instructions with a fixed boundary: part of the cache key."""
        return self.template.render("system", **self._vars(_boundary_placeholder()))

    def _user(self, boundary: str, request: str, plan: DescribePlan, summaries: list[str]) -> str:
        return self.template.render(
            "user",
            boundary=boundary,
            request=request,
            files=plan.sections,
            summaries=summaries,
            left_out=[s.path for s in plan.left_out],
        )

    def plan(
        self,
        change: Change,
        budget_tokens: int,
        count: Count,
        max_output_tokens: int,
        request: str = "",
    ) -> DescribePlan:
        """The work item within `budget_tokens` of prompt; None when nothing changed."""
        files = [
            f for f in change.files if f.hunks or f.binary or f.status is not FileStatus.MODIFIED
        ]
        if not files:
            return DescribePlan(None)
        request = _clip_request(request)
        empty = DescribePlan(None)
        frame = count(self.system_prompt()) + count(
            self._user(_boundary_placeholder(), request, empty, [])
        )
        room = budget_tokens - frame - 2 * _MESSAGE_OVERHEAD
        plan = DescribePlan(None)
        lines = {f.path: summary_line(f) for f in files}
        # Every file's one line first, as far as they go; then whole diffs in diff order.
        for f in files:
            cost = count(lines[f.path]) + 1
            if cost > room:
                plan.left_out.append(SkippedFile(f.path, "no room left in the context budget"))
                continue
            room -= cost
            plan.summarized.append(f.path)
        by_path = {f.path: f for f in files}
        for path in list(plan.summarized):
            f = by_path[path]
            if not f.hunks:
                continue
            text = render_file(f)
            extra = count(text) + 2 - (count(lines[path]) + 1)
            if extra <= room:
                room -= extra
                plan.sections.append(text)
                plan.shown.append(path)
                plan.summarized.remove(path)
        summaries = [lines[p] for p in plan.summarized]
        boundary = _boundary([request, *plan.sections, *summaries])
        user = self._user(boundary, request, plan, summaries)
        system = self.template.render("system", **self._vars(boundary))
        allowance = (
            answer_allowance(
                _ANSWER_BASE, _ANSWER_PER_FILE, len(files), _ANSWER_FLOOR, max_output_tokens
            )
            if self.name == TASK
            else min(_COMMIT_ANSWER, max_output_tokens)
        )
        lines_by_file = {
            f.path: sum(1 for h in f.hunks for ln in h.lines if ln.kind is not LineKind.CONTEXT)
            for f in files
            if f.path in plan.shown or f.path in plan.summarized
        }
        plan.item = WorkItem(
            id=f"{self.name.replace('_', '-')}-1",
            task=self.name,
            messages=[Message("system", system), Message("user", user)],
            prompt_tokens=count(system) + count(user) + 2 * _MESSAGE_OVERHEAD,
            response_model=self.model,
            schema_name=self.name,
            max_output_tokens=allowance,
            files=[*plan.shown, *plan.summarized],
            changed_lines=sum(lines_by_file.values()),
            lines_by_file=lines_by_file,
        )
        return plan


def request_text(title: str, body: str) -> str:
    """The pull request's own words, as the prompt shows them (data, like the code)."""
    if not title.strip() and not body.strip():
        return ""
    return f"Pull request title: {title.strip()}\nPull request text:\n{body.strip()}"


def _clip_request(text: str) -> str:
    if len(text) <= REQUEST_CHARS:
        return text
    return text[:REQUEST_CHARS] + "\n... (the rest of the author's text is not shown)"
