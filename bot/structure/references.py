"""What a definition calls and what a file imports: names for prompts ("signatures of what
it calls") and for the repository map. Found with tree-sitter queries, which run in C."""

from __future__ import annotations

import threading

from tree_sitter import Node, Query, QueryCursor

from bot.structure.languages import grammar, language_of, parse
from bot.structure.model import Symbol
from bot.structure.nodes import dotted_name, member_name, node_text, one_line

_ECMASCRIPT_CALLS = """
(call_expression function: (_) @callee)
(new_expression constructor: (_) @callee)
"""
_CALLS: dict[str, str] = {
    "python": "(call function: (_) @callee)",
    "javascript": _ECMASCRIPT_CALLS,
    "typescript": _ECMASCRIPT_CALLS,
    "tsx": _ECMASCRIPT_CALLS,
    "go": "(call_expression function: (_) @callee)",
    "java": """
(method_invocation name: (_) @callee) @call
(object_creation_expression type: (_) @callee)
""",
}

_ECMASCRIPT_IMPORTS = """
(import_statement source: (string (string_fragment) @module))
(export_statement source: (string (string_fragment) @module))
(call_expression
  function: [(identifier) (import)] @callee
  arguments: (arguments . (string (string_fragment) @module)))
"""
_IMPORTS: dict[str, str] = {
    "python": """
(import_statement name: [(dotted_name) @module (aliased_import name: (_) @module)])
(import_from_statement module_name: (_) @module)
(future_import_statement) @future
""",
    "javascript": _ECMASCRIPT_IMPORTS,
    "typescript": _ECMASCRIPT_IMPORTS,
    "tsx": _ECMASCRIPT_IMPORTS,
    "go": "(import_spec path: (_) @module)",
    "java": "(import_declaration) @declaration",
}

_lock = threading.Lock()
_queries: dict[tuple[str, str], Query] = {}


def _query(kind: str, language: str) -> Query:
    key = (kind, language)
    found = _queries.get(key)
    if found is None:
        with _lock:
            found = _queries.get(key)
            if found is None:
                text = (_CALLS if kind == "calls" else _IMPORTS)[language]
                found = Query(grammar(language), text)
                _queries[key] = found
    return found


def calls_in(symbol: Symbol, source: bytes) -> list[str]:
    """Functions and methods called in `symbol`'s body (`source` is the file it was read
    from), each once, in the order their callees start in the text (in a chain
    `a.b().c()`, "a.b" before "c"): "helper", "self.repo.save",
    "fmt.Println", "Foo" for `new Foo()`. A callee that is no plain chain of names
    (`a().b()`, `fns[i]()`) is given by the name it ends with ("b"), or left out.
    The body is taken by lines, so on a line shared with another definition that one's
    calls count too. Nothing for a declaration without a body."""
    if symbol.body_start_line is None:
        return []
    tree = parse(symbol.language, source)
    cursor = QueryCursor(_query("calls", symbol.language))
    start = (symbol.body_start_line - 1, 0)
    cursor.set_point_range(start, (symbol.end_line, 0))
    captures = cursor.captures(tree.root_node)
    names: dict[str, None] = {}
    for callee in sorted(captures.get("callee", []), key=lambda n: (n.start_byte, n.end_byte)):
        if callee.start_point < start or callee.start_point.row >= symbol.end_line:
            continue
        name = _callee_name(source, callee)
        if name:
            names.setdefault(name, None)
    return list(names)


def _callee_name(source: bytes, callee: Node) -> str | None:
    parent = callee.parent
    if parent is not None and parent.type == "method_invocation":  # Java: object.name(...)
        owner = dotted_name(source, parent.child_by_field_name("object"))
        name = node_text(source, callee)
        return name if owner is None else f"{owner}.{name}"
    if callee.type in ("generic_type", "type_identifier", "scoped_type_identifier"):
        # Java `new Box<T>()`: the class, without type arguments.
        return one_line(source, callee.start_byte, callee.end_byte).split("<", 1)[0]
    return dotted_name(source, callee) or member_name(source, callee)


def imports_in(path: str, source: bytes) -> list[str]:
    """Modules `source` imports, in order, each once: "os.path", ".models", "react",
    "./util", "net/http", "java.util.List", "java.util.*". For Python the module of a
    `from x import y` is "x"; for JS/TS also require("x") and import("x") with a literal."""
    language = language_of(path)
    if language is None:
        return []
    tree = parse(language, source)
    captures = QueryCursor(_query("imports", language)).captures(tree.root_node)
    found = [node for nodes in captures.values() for node in nodes]
    modules: dict[str, None] = {}
    for node in sorted(found, key=lambda node: node.start_byte):
        module = _module_name(source, node)
        if module:
            modules.setdefault(module, None)
    return list(modules)


def _module_name(source: bytes, node: Node) -> str | None:
    if node.type == "future_import_statement":
        return "__future__"
    if node.type in ("identifier", "import"):  # the callee of require(...) / import(...)
        return None
    if node.type == "string_fragment":
        call = node.parent.parent.parent if node.parent and node.parent.parent else None
        if call is not None and call.type == "call_expression":
            callee = node_text(source, call.child_by_field_name("function") or call)
            if callee not in ("require", "import"):
                return None
        return node_text(source, node)
    if node.type == "import_declaration":  # Java: import [static] a.b.C[.*];
        words = one_line(source, node.start_byte, node.end_byte).rstrip(";").split()
        return "".join(word for word in words if word not in ("import", "static")) or None
    text = node_text(source, node)
    if node.type == "interpreted_string_literal" or node.type == "raw_string_literal":
        return text.strip('"`')  # Go
    return one_line(source, node.start_byte, node.end_byte)
