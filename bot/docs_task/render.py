"""A written doc put into the code: the docstring or doc comment in the language's own
markers at the definition's indentation, and the lines a committable suggestion replaces.

The model writes the doc's text only; the markers, the indentation and where it goes are
decided here, so a suggestion applies cleanly and the file still parses.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.change.linemap import LineMap
from bot.docs_task.check import TAG_LANGUAGES, Gap


@dataclass(frozen=True, slots=True)
class Placement:
    """Replace head lines start..end with `text` (no final newline)."""

    start: int
    end: int
    text: str


def python_docstring(text: str, indent: str) -> str:
    body = text.strip("\n").replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = [ln.rstrip() for ln in body.splitlines()] or [""]
    if body.endswith('"'):
        lines[-1] += " "  # `..."""` would end the string one quote early
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""'
    rest = [f"{indent}{ln}" if ln else "" for ln in lines[1:]]
    return "\n".join([f'{indent}"""{lines[0]}', *rest, f'{indent}"""'])


def block_comment(text: str, indent: str) -> str:
    """JSDoc, TSDoc, Javadoc: `/** ... */`, one ` * ` line each."""
    lines = [ln.rstrip().replace("*/", "*\\/") for ln in text.strip("\n").splitlines()] or [""]
    inner = [f"{indent} * {ln}" if ln else f"{indent} *" for ln in lines]
    return "\n".join([f"{indent}/**", *inner, f"{indent} */"])


def line_comments(text: str, indent: str) -> str:
    """Go: `// ...` lines."""
    lines = [ln.rstrip() for ln in text.strip("\n").splitlines()] or [""]
    return "\n".join(f"{indent}// {ln}" if ln else f"{indent}//" for ln in lines)


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def render(gap: Gap, text: str, indent: str) -> str:
    if gap.language == "python":
        return python_docstring(text, indent)
    if gap.language in TAG_LANGUAGES:
        return block_comment(text, indent)
    return line_comments(text, indent)


def place(gap: Gap, text: str, head_lines: list[str], line_map: LineMap) -> Placement:
    """Where the written doc goes, as a replacement of head lines: the old doc's lines when
    the diff shows them, else the line the doc goes next to (the definition's header for a
    Python docstring, its first line for a comment above it). The caller anchors it; a
    placement off the diff becomes a file-level note with the text in its body."""

    def line(n: int) -> str:
        return head_lines[n - 1] if 0 < n <= len(head_lines) else ""

    def shown(start: int, end: int) -> bool:
        return line_map.can_comment_range(gap.path, start, end)

    if gap.symbol is None:  # a module docstring, above its first statement
        n = gap.module_line or 1
        return Placement(n, n, f"{python_docstring(text, '')}\n{line(n)}")
    symbol = gap.symbol
    if gap.language == "python":
        facts = gap.facts
        if symbol.doc_lines is not None:
            first, last = symbol.doc_lines
            new = python_docstring(text, _indent_of(line(first)))
            if shown(first, last) or facts is None or facts.header_end_line is None:
                return Placement(first, last, new)
            start = facts.header_end_line
            between = [line(n) for n in range(start, first)]
            return Placement(start, last, "\n".join([*between, new]))
        assert facts is not None and facts.header_end_line is not None
        n = facts.header_end_line
        return Placement(n, n, f"{line(n)}\n{python_docstring(text, facts.body_indent)}")
    if symbol.doc_lines is not None:
        first, last = symbol.doc_lines
        return Placement(first, last, render(gap, text, _indent_of(line(first))))
    n = symbol.start_line
    return Placement(n, n, f"{render(gap, text, _indent_of(line(n)))}\n{line(n)}")


def apply(head: str, placement: Placement) -> str:
    """`head` with the placement applied, as a reviewer committing the suggestion would."""
    lines = head.split("\n")
    new = placement.text.split("\n")
    return "\n".join([*lines[: placement.start - 1], *new, *lines[placement.end :]])
