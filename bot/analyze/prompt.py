"""The analyze task's work items: the computed figures, then as much of the repository map
as the budget leaves room for."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import replace

from bot.analyze.answer import AnalysisAnswer
from bot.analyze.facts import RepoFacts
from bot.providers.base import Message
from bot.repomap import RenderedMap, RepoMap
from bot.tasks.base import WorkItem
from bot.tasks.prompts import PromptTemplate

TASK = "analyze"
_MESSAGE_OVERHEAD = 8
_PLACEHOLDER = "=== REPO-DATA " + "0" * 20 + " ==="
# Rows per list in a prompt: past these, more rows of the same kind add tokens, not insight.
_ROWS = 40
_MIN_ROWS = 5
_TOKENS_PER_ROW = 500  # of the budget, per row of each list: a 32k context shows 40
ANSWER_TOKENS = 3000


def narrowed(facts: RepoFacts, paths: Collection[str], modules: Collection[str]) -> RepoFacts:
    """The figures about `paths` (a chunk's files) and `modules` only."""
    return replace(
        facts,
        files=len(paths),
        modules=[m for m in facts.modules if m.name in modules],
        hot_spots=[h for h in facts.hot_spots if h.path in paths],
        unused=[u for u in facts.unused if u.path in paths],
        untested=[p for p in facts.untested if p in paths],
        flows=[f for f in facts.flows if f.entry in paths or f.sink in paths],
        left_out={},
    )


def facts_text(facts: RepoFacts, rows: int = _ROWS) -> str:
    lines = [f"Figures ({facts.files} mapped files; {facts.commits} commits in {facts.window}):"]
    lines.append("Modules (files, definitions, test files; depends on, by weight):")
    for m in facts.modules[:rows]:
        uses = ", ".join(f"{name} ({w})" for name, w in m.uses) or "nothing else"
        lines.append(
            f"- {m.name}: {m.files} files, {m.definitions} definitions, {m.tests} tests; "
            f"uses {uses}"
        )
    lines.append("Hot spots (branches x commits touching the file):")
    lines += [
        f"- {h.path}:{h.line} {h.qualname}: {h.branches} branches, {h.commits} commits, "
        f"{h.lines_changed} lines changed"
        for h in facts.hot_spots[:rows]
    ] or ["- none"]
    lines.append("Dead-code candidates (exported, used by no other file):")
    lines += [f"- {u.path}:{u.line} {u.qualname} ({u.kind})" for u in facts.unused[:rows]]
    if len(facts.unused) > rows:
        lines.append(f"- ... and {len(facts.unused) - rows} more")
    if facts.flows:
        # Only when there are some: a chunk's prompt may have little room to spare.
        lines.append("Security-relevant flows (request-handling file -> files it uses -> sink):")
        lines += [
            f"- {' -> '.join((f.entry, *f.via, f.sink)) if f.sink != f.entry else f.entry}: "
            f"{', '.join(f.kinds)}"
            for f in facts.flows[:rows]
        ]
    lines.append("Test gaps (source files no test file uses):")
    lines += [f"- {p}" for p in facts.untested[:rows]]
    if len(facts.untested) > rows:
        lines.append(f"- ... and {len(facts.untested) - rows} more")
    return "\n".join(lines)


class AnalyzeTask:
    def __init__(self, prompts_dir: str | None = None, instructions: str | None = None) -> None:
        self.template = PromptTemplate(TASK, prompts_dir)
        self.instructions = instructions

    def _messages(self, facts: str, map_text: str, scope: str, boundary: str) -> list[Message]:
        system = self.template.render("system", boundary=boundary, instructions=self.instructions)
        user = self.template.render(
            "user", boundary=boundary, facts=facts, map=map_text, scope=scope
        )
        return [Message("system", system), Message("user", user)]

    def item(
        self,
        item_id: str,
        facts: RepoFacts,
        repo_map: RepoMap,
        scope: str,
        budget: int,
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> tuple[WorkItem, RenderedMap]:
        """One item within `budget` prompt tokens: the figures (fewer rows per list in a
        small budget, so the map keeps room), then the map cut to fit."""
        text = facts_text(facts, max(_MIN_ROWS, min(_ROWS, budget // _TOKENS_PER_ROW)))
        frame = self._messages(text, "", scope, _PLACEHOLDER)
        # The joins between figures and map, and the boundary's digest, cost a few more.
        room = budget - sum(count(m.content) for m in frame) - 2 * _MESSAGE_OVERHEAD - 16
        rendered = repo_map.render(max(0, room))
        data = f"{text}\n\n{rendered.text}"
        digest = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        messages = self._messages(text, rendered.text, scope, f"=== REPO-DATA {digest} ===")
        item = WorkItem(
            id=item_id,
            task=TASK,
            messages=messages,
            prompt_tokens=sum(count(m.content) for m in messages) + 2 * _MESSAGE_OVERHEAD,
            response_model=AnalysisAnswer,
            schema_name=TASK,
            max_output_tokens=min(ANSWER_TOKENS, max_output_tokens),
        )
        return item, rendered
