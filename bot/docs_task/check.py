"""Whether a changed public definition's doc comment is missing or no longer matches its
code, decided without a model: documentation that is right costs nothing.

A doc that is only a summary (no parameter, return or error section) is taken as it is:
many projects document that way, and there is nothing in it to contradict the code. A
structured one is held to the code: every parameter, no parameter that is gone, a return
value only where there is one, every error the function raises itself once it lists any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tree_sitter import Node

from bot.docs_task.docstrings import Documented, read_python, read_tags
from bot.docs_task.signature import CodeFacts, code_facts
from bot.structure.languages import parse
from bot.structure.model import Symbol
from bot.structure.nodes import node_text

Problem = Literal["missing", "stale"]
TAG_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "java"})
# What a Go doc comment may start with before the name ("A Server serves...").
_GO_ARTICLES = frozenset({"A", "An", "The"})


@dataclass(slots=True)
class Gap:
    """A definition (or, with `symbol` None, a module) whose doc needs writing."""

    path: str
    language: str
    qualname: str
    kind: str  # a Symbol kind, or "module"
    problem: Problem
    reasons: list[str] = field(default_factory=list)
    symbol: Symbol | None = None
    facts: CodeFacts | None = None
    # A module: the line the docstring goes above (its first statement).
    module_line: int | None = None


def gaps_in(path: str, symbols: list[Symbol], source: bytes) -> list[Gap]:
    """The changed public definitions of one file whose doc is missing or stale."""
    out: list[Gap] = []
    for symbol in symbols:
        if not symbol.exported:
            continue
        gap = _check(symbol, source)
        if gap is not None:
            out.append(gap)
    return out


def _check(symbol: Symbol, source: bytes) -> Gap | None:
    dunder = symbol.name.startswith("__") and symbol.name.endswith("__")
    facts = code_facts(symbol, source)
    gap = Gap(symbol.path, symbol.language, symbol.qualname, symbol.kind, "missing", [], symbol)
    gap.facts = facts
    if symbol.doc is None:
        # A constructor or a dunder is documented by its class, by convention.
        if dunder or symbol.kind == "constructor":
            return None
        if symbol.language == "python" and facts.one_line_body:
            return None  # `def f(): ...` has no line a docstring could go on
        gap.reasons.append(f"{_what(symbol)} has no doc comment")
        return gap
    if symbol.language == "go":
        reasons = _go(symbol)
    elif symbol.kind in ("class", "interface"):
        reasons = []
    else:
        documented = (
            read_python(symbol.doc) if symbol.language == "python" else read_tags(symbol.doc)
        )
        reasons = mismatches(documented, facts)
    if not reasons:
        return None
    gap.problem = "stale"
    gap.reasons = reasons
    return gap


def _what(symbol: Symbol) -> str:
    return f"public {symbol.kind} {symbol.qualname}"


def _go(symbol: Symbol) -> list[str]:
    words = (symbol.doc or "").split()
    first = words[0] if words else ""
    if first in _GO_ARTICLES and len(words) > 1:
        first = words[1]
    first = first.rstrip(".,:")
    # "Deprecated:" opens a doc paragraph by Go convention; "Rules hold..." names its Rule.
    if first == "Deprecated" or first in (symbol.name, f"{symbol.name}s", f"{symbol.name}'s"):
        return []
    return [f"its doc comment does not start with its name, {symbol.name} (Go convention)"]


def mismatches(documented: Documented, facts: CodeFacts) -> list[str]:
    """Where a structured doc and the code disagree, in words; [] when they agree."""
    if not documented.structured:
        return []
    reasons: list[str] = []
    if facts.params is not None:
        params = facts.params
        listed = documented.params
        missing = [p for p in params if p not in listed]
        gone = [p for p in listed if p not in params]
        if missing:
            reasons.append(f"parameters not documented: {', '.join(missing)}")
        if gone:
            reasons.append(f"documented parameters not in the signature: {', '.join(gone)}")
    if documented.returns and not facts.returns:
        reasons.append("documents a return value, but it returns none")
    elif facts.returns and not documented.returns and documented.has_params:
        reasons.append("its return value is not documented")
    if documented.has_raises:
        unlisted = [e for e in facts.raises if e not in documented.raises]
        if unlisted:
            reasons.append(f"raises {', '.join(unlisted)}, which its doc does not list")
    return reasons


def module_gap(path: str, source: bytes) -> Gap | None:
    """A new public Python module without a module docstring: where one would go."""
    name = path.rsplit("/", 1)[-1]
    if name.startswith("_"):
        return None  # private, or __init__.py (its package is documented elsewhere)
    root = parse("python", source).root_node
    first = next((c for c in root.named_children if c.type != "comment"), None)
    if first is None:
        return None
    if _is_docstring(first, source):
        return None
    return Gap(
        path,
        "python",
        name.removesuffix(".py"),
        "module",
        "missing",
        [f"new public module {path} has no module docstring"],
        module_line=first.start_point.row + 1,
    )


def _is_docstring(node: Node, source: bytes) -> bool:
    if node.type != "expression_statement" or node.named_child_count != 1:
        return False
    literal = node.named_children[0]
    return literal.type == "string" and not node_text(source, literal).lstrip("rRuU").startswith(
        ("f", "F")
    )
