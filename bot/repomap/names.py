"""Names a file uses besides what it calls (imported names, base classes, type names),
and which module each name imported by name comes from.

bot.structure's calls_in sees calls only; a Java field of type `Order` or a Python
`from shop.cart import Cart` refers to a definition just as much, so these queries add
them. Kept here, not in bot.structure, because only the map weighs such names.
"""

from __future__ import annotations

import threading

from tree_sitter import Node, Query, QueryCursor

from bot.structure.languages import grammar, parse

_IMPORTED = "(import_specifier name: (identifier) @name)\n"
_TYPESCRIPT = (
    _IMPORTED
    + """
(extends_clause value: (identifier) @name)
(type_identifier) @name
"""
)
_JSX = """
(jsx_opening_element name: (identifier) @name)
(jsx_self_closing_element name: (identifier) @name)
"""
_QUERIES: dict[str, str] = {
    "python": """
(import_from_statement name: (dotted_name (identifier) @name))
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name)))
(class_definition superclasses: (argument_list (identifier) @name))
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @name)))
(type (identifier) @name)
(decorator (identifier) @name)
""",
    "javascript": _IMPORTED + "(class_heritage (identifier) @name)\n" + _JSX,
    "typescript": _TYPESCRIPT,
    "tsx": _TYPESCRIPT + _JSX,
    "go": "(type_identifier) @name",
    "java": "(type_identifier) @name",
}

_ECMASCRIPT_FROM = """
(import_statement
  (import_clause (named_imports (import_specifier name: (identifier) @name !alias)))
  source: (string (string_fragment) @module))
(import_statement
  (import_clause (named_imports (import_specifier alias: (identifier) @name)))
  source: (string (string_fragment) @module))
(import_statement (import_clause (identifier) @name) source: (string (string_fragment) @module))
"""
_FROM: dict[str, str] = {
    "python": """
(import_from_statement module_name: (_) @module name: (dotted_name) @name)
(import_from_statement module_name: (_) @module name: (aliased_import alias: (identifier) @name))
""",
    "javascript": _ECMASCRIPT_FROM,
    "typescript": _ECMASCRIPT_FROM,
    "tsx": _ECMASCRIPT_FROM,
}

_lock = threading.Lock()
_compiled: dict[tuple[str, str], Query] = {}


def _query(kind: str, language: str) -> Query:
    found = _compiled.get((kind, language))
    if found is None:
        with _lock:
            found = _compiled.get((kind, language))
            if found is None:
                text = (_QUERIES if kind == "used" else _FROM)[language]
                found = Query(grammar(language), text)
                _compiled[(kind, language)] = found
    return found


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def names_imported(language: str, source: bytes) -> list[tuple[str, str]]:
    """(module, local name) for each name imported by name, in order: Python's
    `from m import a, b as c` and ECMAScript's `import d, { e, f as g } from 'm'`."""
    if language not in _FROM:
        return []
    tree = parse(language, source)
    found: dict[tuple[str, str], None] = {}
    for _, captures in QueryCursor(_query("from", language)).matches(tree.root_node):
        module, name = captures.get("module"), captures.get("name")
        if module and name:
            found.setdefault((_text(source, module[0]), _text(source, name[0])), None)
    return list(found)


def names_used(language: str, source: bytes) -> set[str]:
    """Imported names, base classes and type names in `source` (a file in `language`)."""
    if language not in _QUERIES:
        return set()
    tree = parse(language, source)
    captures = QueryCursor(_query("used", language)).captures(tree.root_node)
    return {_text(source, n) for n in captures.get("name", [])}
