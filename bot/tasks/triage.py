"""Triage: a model judges each deterministic security finding, confirmed or likely false.

One work item per file (its findings with the code around them), routed like any other
work: restricted code stays local. A finding without a verdict is kept, marked unverified:
triage may drop noise, never a finding it did not look at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from bot.change.model import Change, Side
from bot.findings.model import Finding
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.prompts import PromptTemplate
from bot.tasks.review import Said, clip

# Lines of code shown above and below a finding.
_AROUND = 12
_MESSAGE_OVERHEAD = 8
# The answer's allowance: one verdict (id, verdict, a few sentences, maybe a one-line
# suggestion) is about 100-150 tokens; a floor for the JSON around them.
_ANSWER_BASE = 64
_ANSWER_PER_FINDING = 192
_ANSWER_FLOOR = 256


# Enforced after parsing, never in the schema sent: `Field(max_length=2000)` here became a
# grammar llama.cpp refused ("number of rules exceeds sane defaults") and then segfaulted on.
EXPLANATION_CHARS = 2000


# One finding judged (no docstring: it would travel in the schema). Required: id, verdict,
# explanation, the reason a dropped finding is shown with: triage drops, never hides.
class Verdict(BaseModel):
    id: Said = Field(description="The finding's id as shown, e.g. F1")
    verdict: Literal["confirmed", "likely_false_positive"]
    explanation: Annotated[Said, clip(EXPLANATION_CHARS)]
    suggestion: str | None = None


# Required: verdicts, one per finding shown.
class TriageAnswer(BaseModel):
    verdicts: list[Verdict]


@dataclass(slots=True)
class TriageItem:
    item: WorkItem
    path: str
    findings: dict[str, Finding] = field(default_factory=dict)  # by id shown to the model


@dataclass(slots=True)
class Triaged:
    kept: list[Finding]
    dropped: list[tuple[Finding, str]]  # likely false positives, with the model's reason
    unverified: list[Finding]


class TriageTask:
    name = "security"

    def __init__(self, instructions: str | None = None, prompts_dir: str | None = None) -> None:
        self.instructions = instructions
        self.template = PromptTemplate("triage", prompts_dir)

    def items(
        self,
        findings: list[Finding],
        change: Change,
        count: Callable[[str], int],
        max_output_tokens: int = 2048,
    ) -> list[TriageItem]:
        by_path: dict[str, list[Finding]] = {}
        for f in findings:
            by_path.setdefault(f.path, []).append(f)
        out: list[TriageItem] = []
        for n, (path, group) in enumerate(sorted(by_path.items()), start=1):
            text = change.load_content(path, Side.RIGHT) if change.load_content else None
            lines = text.splitlines() if text is not None else None
            shown: dict[str, Finding] = {}
            blocks: list[str] = []
            for i, f in enumerate(group, start=1):
                fid = f"F{i}"
                shown[fid] = f
                blocks.append(_block(fid, f, lines))
            boundary = _boundary(blocks)
            system = self.template.render(
                "system", boundary=boundary, instructions=self.instructions
            )
            user = self.template.render("user", boundary=boundary, items=blocks)
            item = WorkItem(
                id=f"triage-{n}",
                task=self.name,
                messages=[Message("system", system), Message("user", user)],
                prompt_tokens=count(system) + count(user) + 2 * _MESSAGE_OVERHEAD,
                response_model=TriageAnswer,
                schema_name="triage",
                max_output_tokens=answer_allowance(
                    _ANSWER_BASE, _ANSWER_PER_FINDING, len(shown), _ANSWER_FLOOR, max_output_tokens
                ),
                files=[path],
            )
            out.append(TriageItem(item, path, shown))
        return out


def apply_verdicts(items: list[TriageItem], answers: list[TriageAnswer | None]) -> Triaged:
    result = Triaged([], [], [])
    for ti, answer in zip(items, answers, strict=True):
        verdicts = {v.id: v for v in answer.verdicts} if answer else {}
        for fid, f in ti.findings.items():
            v = verdicts.get(fid)
            if v is None:
                result.unverified.append(
                    f.model_copy(update={"body": f"{f.body}\n\n(not triaged: no verdict)"})
                )
            elif v.verdict == "likely_false_positive":
                result.dropped.append((f, v.explanation))
            else:
                update: dict[str, object] = {"body": f"{f.body}\n\nTriage: {v.explanation}"}
                if v.suggestion is not None and f.suggestion is None and f.side is Side.RIGHT:
                    update["suggestion"] = v.suggestion
                result.kept.append(f.model_copy(update=update))
    return result


def _block(fid: str, f: Finding, lines: list[str] | None) -> str:
    where = f"{f.path}:{f.start_line}" if f.start_line else f.path
    head = f"[{fid}] {f.source} {f.category}: {f.title} ({where})\n{f.body}"
    if lines is None or f.start_line is None:
        return head
    start = f.start_line
    end = f.end_line or start
    lo, hi = max(1, start - _AROUND), min(len(lines), end + _AROUND)
    code = [
        f"{'>' if start <= n <= end else ' '}{n:>5} | {lines[n - 1]}" for n in range(lo, hi + 1)
    ]
    return head + "\n" + "\n".join(code)


def _boundary(blocks: list[str]) -> str:
    digest = hashlib.sha256("\n".join(blocks).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== FINDINGS-DATA {digest[:20]} ==="
