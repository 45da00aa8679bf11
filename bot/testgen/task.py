"""Planning the tests task: which changed functions get tests, and the work items that ask
a model for them, packed within the first target's budget and routed like a review.

A subject is one changed source file in a language with a test command: its changed
functions (found by bot/structure's parser on the head version), the signatures of what
they call, the nearest existing test file and where a new one goes. Packing is the
review's (bot/tasks/packing.py): one file per item, its changed functions as blocks, a
file too big for one item split between functions; a function too big on its own is
left out with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from bot.change.model import SkippedFile
from bot.providers.base import Message
from bot.tasks.base import WorkItem, answer_allowance
from bot.tasks.packing import Block, FileUnit, label_parts, pack
from bot.testgen.answer import GenerationAnswer
from bot.testgen.framework_types import Framework
from bot.testgen.prompt import Shown, TestsPrompt, failure_block, header_block, symbol_block

TASK = "tests"
# The answer's allowance: a test file's imports and setup, then a few tests per function.
_ANSWER_BASE = 512
_ANSWER_PER_SYMBOL = 768
_ANSWER_FLOOR = 1024
# The style example gets at most this share of an item's room; it is cut to fit.
_EXAMPLE_SHARE = 0.3
_LABEL_PLACEHOLDER = "part 999 of 999"


@dataclass(slots=True)
class Subject:
    """One changed source file to write tests for."""

    path: str
    language: str
    framework: str  # as the prompt names it: "pytest", "node:test"
    test_path: str  # where the new test file goes
    symbols: list[Shown]
    callees: list[str] = field(default_factory=list)  # signatures of what they call
    example: tuple[str, str] | None = None  # the nearest test file: (path, text)
    import_hint: str = ""
    runner: Framework | None = None  # runs the file (bot/testgen/frameworks.py)
    changed_lines: list[int] = field(default_factory=list)  # head lines the change added
    read: list[str] = field(default_factory=list)  # other files the callees came from


@dataclass(slots=True)
class TestItem:
    """A work item of the tests task, with what its answer will be checked against."""

    __test__ = False

    item: WorkItem
    subject: Subject
    symbols: list[Shown]  # the changed functions this item shows
    test_path: str  # where its first file goes (numbered when a file spans items)
    sections: list[str]  # what the prompt shows between its boundaries
    # Every path whose text the prompt carries (the source, the example): its data class.
    reads: list[str] = field(default_factory=list)
    origin: str = ""  # a repair item: the id of the item whose file it mends


@dataclass(slots=True)
class TestsPlan:
    items: list[TestItem]
    skipped: list[SkippedFile]


class TestsTask:
    __test__ = False  # not a pytest class, whatever imports it
    name = TASK

    def __init__(self, prompts_dir: str | None = None, instructions: str | None = None) -> None:
        self.prompt = TestsPrompt(prompts_dir, instructions)

    def plan(
        self,
        subjects: Sequence[Subject],
        budget_tokens: int,
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> TestsPlan:
        room = budget_tokens - self.prompt.frame_tokens(count)
        skipped: list[SkippedFile] = []
        if room < 256:
            why = "the context budget leaves no room for the code"
            return TestsPlan([], [SkippedFile(s.path, why) for s in subjects])
        units: list[FileUnit] = []
        by_path: dict[str, tuple[Subject, list[Shown]]] = {}
        for subject in subjects:
            unit, shown, left = self._unit(subject, room, count)
            skipped += left
            if unit is not None:
                units.append(unit)
                by_path[subject.path] = (subject, shown)
        packs = pack(units, room, per_file=True)
        labels = label_parts(packs)
        items: list[TestItem] = []
        for i, pk in enumerate(packs):
            [(unit, idx)] = pk.parts  # per_file: one file (or part of one) per item
            subject, shown = by_path[unit.path]
            label = labels.get((i, unit.path))
            symbols = [shown[j] for j in idx]
            test_path = numbered(subject.test_path, int(label.split()[1])) if label else None
            items.append(
                self._item(
                    len(items) + 1,
                    subject,
                    symbols,
                    test_path or subject.test_path,
                    [unit.header(label), *(unit.blocks[j].text for j in idx)],
                    count,
                    max_output_tokens,
                )
            )
        return TestsPlan(items, skipped)

    def repair(
        self,
        first: TestItem,
        number: int,
        test_path: str,
        content: str,
        outcome: str,
        output: str,
        count: Callable[[str], int],
    ) -> TestItem:
        """A new item for one failed file: the code it was written for, the file, and the
        end of its output, all as data."""
        failure = failure_block(test_path, content, outcome, output)
        messages = self.prompt.messages(
            language=first.subject.language,
            framework=first.subject.framework,
            test_path=test_path,
            sections=first.sections,
            failure=failure,
        )
        item = _work_item(f"tests-repair-{number}", messages, count, first.item.max_output_tokens)
        item.files = list(first.item.files)
        item.changed_lines = first.item.changed_lines
        origin = first.origin or first.item.id
        return TestItem(
            item, first.subject, first.symbols, test_path, first.sections, first.reads, origin
        )

    def _unit(
        self, subject: Subject, room: int, count: Callable[[str], int]
    ) -> tuple[FileUnit | None, list[Shown], list[SkippedFile]]:
        example = _fit_example(subject.example, int(room * _EXAMPLE_SHARE), count)

        def header(label: str | None) -> str:
            return header_block(
                subject.path,
                subject.language,
                subject.framework,
                subject.test_path,
                subject.import_hint,
                subject.callees,
                example,
                label,
            )

        header_tokens = count(header(_LABEL_PLACEHOLDER))
        avail = room - header_tokens - 4
        blocks: list[Block] = []
        shown: list[Shown] = []
        skipped: list[SkippedFile] = []
        for s in subject.symbols:
            text = symbol_block(subject.path, s)
            tokens = count(text)
            if tokens > avail:
                skipped.append(
                    SkippedFile(
                        subject.path,
                        f"{s.qualname} (lines {s.start_line}-{s.end_line}) is too long for "
                        f"the {room}-token context budget: no test generated for it",
                    )
                )
                continue
            blocks.append(Block(text, tokens, s.end_line - s.start_line + 1))
            shown.append(s)
        if not blocks:
            return None, [], skipped
        unit = FileUnit(subject.path, header, header_tokens, blocks)
        return unit, shown, skipped

    def _item(
        self,
        number: int,
        subject: Subject,
        symbols: list[Shown],
        test_path: str,
        sections: list[str],
        count: Callable[[str], int],
        max_output_tokens: int,
    ) -> TestItem:
        messages = self.prompt.messages(
            language=subject.language,
            framework=subject.framework,
            test_path=test_path,
            sections=sections,
        )
        allowance = answer_allowance(
            _ANSWER_BASE, _ANSWER_PER_SYMBOL, len(symbols), _ANSWER_FLOOR, max_output_tokens
        )
        item = _work_item(f"tests-{number}", messages, count, allowance)
        item.files = [subject.path]
        item.changed_lines = sum(s.end_line - s.start_line + 1 for s in symbols)
        item.lines_by_file = {subject.path: item.changed_lines}
        example = [subject.example[0]] if subject.example else []
        reads = [subject.path, *example, *subject.read]
        return TestItem(item, subject, symbols, test_path, sections, reads)


def _work_item(
    item_id: str, messages: list[Message], count: Callable[[str], int], max_output_tokens: int
) -> WorkItem:
    return WorkItem(
        id=item_id,
        task=TASK,
        messages=messages,
        prompt_tokens=sum(count(m.content) for m in messages) + 8 * len(messages),
        response_model=GenerationAnswer,
        schema_name=TASK,
        max_output_tokens=max_output_tokens,
    )


def _fit_example(
    example: tuple[str, str] | None, budget: int, count: Callable[[str], int]
) -> tuple[str, str] | None:
    """The example cut to its first lines within `budget` tokens: its imports and first
    tests say the style."""
    if example is None or budget < 64:
        return None
    path, text = example
    if count(text) <= budget:
        return example
    lines = text.splitlines()
    keep = len(lines)
    while keep > 5 and count("\n".join(lines[:keep])) > budget:
        keep = keep * 2 // 3
    if count("\n".join(lines[:keep])) > budget:
        return None
    return path, "\n".join(lines[:keep]) + f"\n... ({len(lines) - keep} more lines not shown)"


def numbered(test_path: str, k: int) -> str:
    """`test_path` for part `k` of a file split over several items: a name of its own that
    the language's runner still takes for a test (`test_a_2.py`, `a_2_test.go`,
    `A2Test.java`, `a_2.test.js`)."""
    if k <= 1:
        return test_path
    path = PurePosixPath(test_path)
    name = path.name
    for ending in ("_test.go", "Test.java", "Tests.java"):
        if name.endswith(ending):
            sep = "_" if ending.startswith("_") else ""
            return str(path.with_name(f"{name[: -len(ending)]}{sep}{k}{ending}"))
    stem, dot, rest = name.partition(".")
    return str(path.with_name(f"{stem}_{k}{dot}{rest}"))
