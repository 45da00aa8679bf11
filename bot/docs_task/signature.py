"""What a definition's code says a doc comment should cover, read from its syntax tree:
its parameters, whether it returns a value, the errors it raises itself, and where a new
docstring goes (the line its header ends on, the indentation of its body).

The tree is bot/structure's (tree-sitter, parsed once per file and cached).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from bot.docs_task.docstrings import bare
from bot.structure.languages import parse
from bot.structure.model import Symbol
from bot.structure.nodes import node_text

_FUNCTIONS: dict[str, frozenset[str]] = {
    "python": frozenset({"function_definition"}),
    "javascript": frozenset(
        {
            "function_declaration",
            "generator_function_declaration",
            "function_expression",
            "function",
            "generator_function",
            "arrow_function",
            "method_definition",
        }
    ),
    "java": frozenset({"method_declaration", "constructor_declaration"}),
    "go": frozenset({"function_declaration", "method_declaration", "method_elem"}),
}
_FUNCTIONS["typescript"] = _FUNCTIONS["javascript"] | {
    "method_signature",
    "abstract_method_signature",
}
_FUNCTIONS["tsx"] = _FUNCTIONS["typescript"]
_CLASSES = frozenset(
    {"class_definition", "class_declaration", "abstract_class_declaration", "class", "type_spec"}
)
# Nested definitions: what they return or raise is theirs, not the enclosing function's.
_NESTED = frozenset(
    {
        "function_definition",
        "lambda",
        "class_definition",
        "function_declaration",
        "function_expression",
        "arrow_function",
        "class_declaration",
        "class",
        "method_definition",
        "generator_function",
        "generator_function_declaration",
    }
)


@dataclass(slots=True)
class CodeFacts:
    """None for `params` when they cannot be named (a destructured parameter)."""

    params: list[str] | None = field(default_factory=list)
    returns: bool = False
    raises: list[str] = field(default_factory=list)
    header_end_line: int | None = None  # 1-based: where a Python docstring goes after
    body_indent: str = ""  # the indentation a docstring inside the body takes
    one_line_body: bool = False  # `def f(): return 1`: no line to put a docstring on


def definition_node(symbol: Symbol, source: bytes) -> Node | None:
    """The function or class node a Symbol was read from: the outermost one of its kind
    inside the symbol's lines (a decorated or exported definition sits inside them)."""
    tree = parse(symbol.language, source)
    kinds = _CLASSES if symbol.kind in ("class", "interface") else _FUNCTIONS[symbol.language]
    if symbol.kind == "interface":
        kinds = kinds | {"interface_declaration"}
    first, last = symbol.start_line - 1, symbol.end_line - 1
    pending = [tree.root_node]
    while pending:
        node = pending.pop(0)
        inside = node.start_point.row >= first and node.end_point.row <= last
        if inside and node.type in kinds and _named(node, symbol.name, source):
            return node
        if node.end_point.row >= first and node.start_point.row <= last:
            pending[:0] = node.children
    return None


def _named(node: Node, name: str, source: bytes) -> bool:
    # An arrow function or function expression takes the name of what it is assigned to.
    own = node.child_by_field_name("name")
    return own is None or node_text(source, own) == name


def code_facts(symbol: Symbol, source: bytes) -> CodeFacts:
    node = definition_node(symbol, source)
    if node is None:
        return CodeFacts(params=None)
    facts = CodeFacts()
    if symbol.kind in ("class", "interface"):
        facts.params = []
    else:
        facts.params = _params(symbol, node, source)
        facts.returns = _returns(symbol.language, node, source)
        facts.raises = _raises(symbol.language, node, source)
    if symbol.language == "python":
        _python_layout(node, source, facts)
    return facts


def _params(symbol: Symbol, node: Node, source: bytes) -> list[str] | None:
    language = symbol.language
    holder = node.child_by_field_name("parameters")
    if holder is None:
        single = node.child_by_field_name("parameter")  # JS `x => x + 1`
        return [] if single is None else [node_text(source, single)]
    names: list[str] = []
    for child in holder.named_children:
        name = _param_name(language, child, source)
        if name is None:
            return None
        if name:
            names.append(bare(name))
    method = language == "python" and symbol.kind in ("method", "constructor")
    if method and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def _param_name(language: str, child: Node, source: bytes) -> str | None:
    """The parameter's name; "" for what is no parameter (separators, `this`, comments);
    None for one without a single name (a destructured object)."""
    kind = child.type
    if kind in ("comment", "keyword_separator", "positional_separator", "receiver_parameter"):
        return ""
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        return node_text(source, child)
    if language == "java":
        if kind == "spread_parameter":
            declarator = next(
                (c for c in child.named_children if c.type == "variable_declarator"), None
            )
            named = declarator.child_by_field_name("name") if declarator else None
            return node_text(source, named) if named else None
        named = child.child_by_field_name("name")
        return node_text(source, named) if named else None
    if kind in ("required_parameter", "optional_parameter"):
        pattern = child.child_by_field_name("pattern")
        if pattern is None:
            return None
        if pattern.type == "this":
            return ""
        return _param_name(language, pattern, source)
    if kind == "assignment_pattern":
        left = child.child_by_field_name("left")
        return None if left is None else _param_name(language, left, source)
    if kind in ("rest_pattern", "list_splat_pattern", "dictionary_splat_pattern"):
        inner = next((c for c in child.named_children if c.type == "identifier"), None)
        return None if inner is None else node_text(source, inner)
    if kind in ("typed_parameter",):
        inner = child.named_children[0] if child.named_children else None
        return None if inner is None else _param_name(language, inner, source)
    if kind in ("default_parameter", "typed_default_parameter"):
        named = child.child_by_field_name("name")
        return None if named is None else node_text(source, named)
    return None


def _body_nodes(node: Node) -> list[Node]:
    """Every node of the definition's body, nested definitions left out."""
    body = node.child_by_field_name("body")
    if body is None:
        return []
    out: list[Node] = []
    pending = list(body.children)
    while pending:
        current = pending.pop()
        if current.type in _NESTED:
            continue
        out.append(current)
        pending.extend(current.children)
    return out


def _returns(language: str, node: Node, source: bytes) -> bool:
    if language == "java":
        kind = node.child_by_field_name("type")
        return kind is not None and node_text(source, kind) != "void"
    if language == "go":
        return node.child_by_field_name("result") is not None
    annotation = node.child_by_field_name("return_type")
    if annotation is not None:
        text = node_text(source, annotation).lstrip(":").strip()
        return text not in ("None", "void", "Promise<void>", "NoReturn", "Never", "never")
    body = node.child_by_field_name("body")
    if body is not None and language != "python" and body.type != "statement_block":
        return True  # an arrow function's expression body is its value
    for n in _body_nodes(node):
        if n.type in ("yield", "yield_expression"):
            return True
        if n.type == "return_statement" and n.named_child_count:
            return True
    return False


def _raises(language: str, node: Node, source: bytes) -> list[str]:
    names: list[str] = []
    if language == "java":
        for child in node.children:
            if child.type == "throws":
                names += [node_text(source, t).split(".")[-1] for t in child.named_children]
        return names
    wanted = "raise_statement" if language == "python" else "throw_statement"
    for n in sorted(_body_nodes(node), key=lambda x: x.start_byte):
        if n.type != wanted or not n.named_child_count:
            continue
        raised = n.named_children[0]
        if raised.type in ("call", "new_expression"):
            raised = raised.child_by_field_name("function") or raised.child_by_field_name(
                "constructor"
            )
        if raised is not None and raised.type in ("identifier", "attribute", "member_expression"):
            name = node_text(source, raised).split(".")[-1]
            if name[:1].isupper() and name not in names:
                names.append(name)
    return names


def _python_layout(node: Node, source: bytes, facts: CodeFacts) -> None:
    body = node.child_by_field_name("body")
    colon = next((c for c in node.children if c.type == ":"), None)
    if body is None or colon is None:
        return
    facts.header_end_line = colon.end_point.row + 1
    facts.one_line_body = body.start_point.row == colon.end_point.row
    if facts.one_line_body:
        line_start = source.rfind(b"\n", 0, node.start_byte) + 1
        own = source[line_start : node.start_byte].decode("utf-8", "replace")
        facts.body_indent = own + "    "
        return
    line_start = source.rfind(b"\n", 0, body.start_byte) + 1
    facts.body_indent = source[line_start : body.start_byte].decode("utf-8", "replace")
