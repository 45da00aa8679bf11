"""Definitions in Python: functions, classes and their methods, with docstrings.

Function bodies are not searched: a helper nested in a function is part of it. Blocks at
module or class level (if TYPE_CHECKING, try/except ImportError) are searched.
"""

from __future__ import annotations

import ast
import inspect

from tree_sitter import Node

from bot.structure.nodes import Doc, FileReader, first_line, last_line

_BLOCKS = frozenset(
    {
        "if_statement",
        "elif_clause",
        "else_clause",
        "try_statement",
        "except_clause",
        "except_group_clause",
        "finally_clause",
        "with_statement",
        "for_statement",
        "while_statement",
        "match_statement",
        "case_clause",
        "block",
    }
)


def read_python(reader: FileReader, root: Node) -> None:
    _read_block(reader, root, (), True, in_class=False)


def _public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _read_block(
    reader: FileReader, block: Node, scope: tuple[str, ...], exported: bool, *, in_class: bool
) -> None:
    for child in block.named_children:
        definition = child
        if child.type == "decorated_definition":
            definition = child.child_by_field_name("definition") or child
        if definition.type in ("function_definition", "class_definition"):
            _read_definition(reader, child, definition, scope, exported, in_class=in_class)
        elif child.type in _BLOCKS:
            _read_block(reader, child, scope, exported, in_class=in_class)


def _read_definition(
    reader: FileReader,
    outer: Node,
    definition: Node,
    scope: tuple[str, ...],
    exported: bool,
    *,
    in_class: bool,
) -> None:
    name = reader.text(definition.child_by_field_name("name"))
    body = definition.child_by_field_name("body")
    is_class = definition.type == "class_definition"
    if is_class:
        kind = "class"
    elif in_class:
        kind = "constructor" if name == "__init__" else "method"
    else:
        kind = "function"
    colon = _header_colon(definition, body)
    exported = exported and _public(name)
    reader.emit(
        name=name,
        qualname=".".join((*scope, name)),
        kind=kind,
        outer=outer,
        header=(definition.start_byte, colon),
        body_line=None if body is None else first_line(body),
        doc=_docstring(reader, body),
        exported=exported,
    )
    if is_class and body is not None:
        _read_block(reader, body, (*scope, name), exported, in_class=True)


def _header_colon(definition: Node, body: Node | None) -> int:
    """Byte of the ':' that ends the header (a comment may follow it on the same line)."""
    colon = definition.end_byte if body is None else body.start_byte
    for child in definition.children:
        if child.type == ":":
            colon = child.start_byte
        if body is not None and child.start_byte >= body.start_byte:
            break
    return colon


def _docstring(reader: FileReader, body: Node | None) -> Doc | None:
    if body is None or body.named_child_count == 0:
        return None
    first = body.named_children[0]
    if first.type != "expression_statement" or first.named_child_count != 1:
        return None
    literal = first.named_children[0]
    if literal.type != "string":
        return None
    try:
        value = ast.literal_eval(reader.text(literal))
    except (ValueError, SyntaxError):  # an f-string is no docstring, nor is broken text
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    return inspect.cleandoc(value), (first_line(literal), last_line(literal))
