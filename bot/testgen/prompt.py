"""The tests task's prompt text: the changed code, what it calls, the nearest test file as a
style example, and for a repair round the failing test with its output.

Pure: text in, text out. Everything shown is the change author's (code, comments, test
output), so it goes between two boundary lines derived from the text itself, which the
text cannot predict; the template tells the model that what lies between them is data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.providers.base import Message
from bot.tasks.prompts import PromptTemplate

# Lines of a failed run's output shown to the repair round: the end says what failed.
OUTPUT_TAIL_LINES = 60
OUTPUT_TAIL_CHARS = 6000
# Per-message framing the chat format adds around the text, counted on top of the text.
MESSAGE_OVERHEAD = 8


@dataclass(frozen=True, slots=True)
class Shown:
    """What one changed function looks like in the prompt."""

    qualname: str
    kind: str
    start_line: int
    end_line: int
    code: str


def symbol_block(path: str, s: Shown) -> str:
    return (
        f"changed: {s.qualname} ({s.kind}, {path} lines {s.start_line}-{s.end_line})\n"
        f"{fenced(s.code)}"
    )


def header_block(
    path: str,
    language: str,
    framework: str,
    test_path: str,
    import_hint: str,
    callees: Sequence[str],
    example: tuple[str, str] | None,
    part: str | None,
) -> str:
    """What every item about `path` shows before its changed functions."""
    lines = [
        f"source file: {path}" + (f" ({part})" if part else ""),
        f"language: {language}; framework: {framework}; new test file: {test_path}",
    ]
    if import_hint:
        lines.append(f"import: {import_hint}")
    if callees:
        lines += ["", "signatures of what the changed code calls:", *(f"  {c}" for c in callees)]
    if example is not None:
        where, text = example
        lines += ["", f"existing test file to follow for style: {where}", fenced(text)]
    else:
        lines += ["", "no existing test file was found near this file; use common style"]
    return "\n".join(lines)


def failure_block(test_path: str, content: str, outcome: str, output: str) -> str:
    """The failing test and the end of its output, for the repair round."""
    return (
        f"failing test file: {test_path} ({outcome})\n{fenced(content)}\n"
        f"end of the test run's output:\n{fenced(output_tail(output))}"
    )


def output_tail(output: str) -> str:
    tail = "\n".join(output.rstrip().splitlines()[-OUTPUT_TAIL_LINES:])
    return tail[-OUTPUT_TAIL_CHARS:]


def fenced(text: str) -> str:
    """A fence longer than any backtick run in `text`, so the code cannot close it."""
    longest = 0
    run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip()}\n{fence}"


def boundary(parts: Sequence[str]) -> str:
    # Derived from the content, so the content cannot predict it.
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"=== CODE-DATA {digest[:20]} ==="


class TestsPrompt:
    """The `tests` template, rendered into the two messages of one work item."""

    __test__ = False  # not a pytest class, whatever imports it

    def __init__(self, prompts_dir: str | None = None, instructions: str | None = None) -> None:
        self.template = PromptTemplate("tests", prompts_dir)
        self.instructions = instructions

    def messages(
        self,
        *,
        language: str,
        framework: str,
        test_path: str,
        sections: Sequence[str],
        failure: str = "",
    ) -> list[Message]:
        mark = boundary([*sections, failure])
        values = {
            "boundary": mark,
            "language": language,
            "framework": framework,
            "test_path": test_path,
            "instructions": self.instructions,
        }
        system = self.template.render("system", **values)
        user = self.template.render("user", **values, sections=list(sections), failure=failure)
        return [Message("system", system), Message("user", user)]

    def frame_tokens(self, count: Callable[[str], int]) -> int:
        """Tokens of the instructions and the frame around the sections, with room for the
        longest framework and path names."""
        msgs = self.messages(
            language="typescript",
            framework="node:test " + "x" * 40,
            test_path="x" * 120,
            sections=[],
        )
        return sum(count(m.content) for m in msgs) + 2 * MESSAGE_OVERHEAD
