"""Branches per function, counted on the syntax tree: each decision point (a condition, a
loop, a case, a caught exception, a short-circuit operator) adds one, as cyclomatic
complexity counts them. A function's count is 1 plus the decisions inside its lines and
outside any definition nested in it."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from bot.structure import Symbol, language_of, symbols_in
from bot.structure.languages import parse

_COMMON = frozenset(
    {"if_statement", "for_statement", "while_statement", "do_statement", "catch_clause"}
)
BRANCHES: dict[str, frozenset[str]] = {
    "python": frozenset(
        {
            "if_statement", "elif_clause", "for_statement", "while_statement",
            "except_clause", "conditional_expression", "boolean_operator", "case_clause",
            "for_in_clause", "if_clause",
        }
    ),
    "javascript": _COMMON | {"for_in_statement", "ternary_expression", "switch_case"},
    "go": frozenset(
        {"if_statement", "for_statement", "expression_case", "type_case", "communication_case"}
    ),
    "java": _COMMON
    | {"enhanced_for_statement", "ternary_expression", "switch_label", "switch_rule"},
}  # fmt: skip
BRANCHES["typescript"] = BRANCHES["tsx"] = BRANCHES["javascript"]
# Short-circuit operators count as decisions where the grammar calls them binary.
_SHORT_CIRCUIT = frozenset({"&&", "||", "??"})
_FUNCTIONS = frozenset({"function", "method", "constructor"})


@dataclass(frozen=True, slots=True)
class FunctionComplexity:
    path: str
    qualname: str
    line: int
    branches: int  # 1 + decision points


def complexity_of(path: str, source: bytes) -> list[FunctionComplexity]:
    """Every function and method of the file with its count, in file order."""
    language = language_of(path)
    if language is None:
        return []
    functions = [s for s in symbols_in(path, source) if s.kind in _FUNCTIONS]
    if not functions:
        return []
    kinds = BRANCHES[language]
    lines = [n.start_point[0] + 1 for n in _walk(parse(language, source).root_node, kinds)]
    counts = {s.qualname: 1 for s in functions}
    for line in lines:
        owner = _innermost(functions, line)
        if owner is not None:
            counts[owner.qualname] += 1
    return [
        FunctionComplexity(path, s.qualname, s.start_line, counts[s.qualname]) for s in functions
    ]


def _walk(root: Node, kinds: frozenset[str]) -> list[Node]:
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in kinds:
            found.append(node)
        elif node.type == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in _SHORT_CIRCUIT:
                found.append(node)
        stack.extend(node.children)
    return found


def _innermost(functions: list[Symbol], line: int) -> Symbol | None:
    best: Symbol | None = None
    for s in functions:
        if s.start_line <= line <= s.end_line and (
            best is None or s.end_line - s.start_line <= best.end_line - best.start_line
        ):
            best = s
    return best
