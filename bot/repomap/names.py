"""Names a file uses besides what it calls: imported names, base classes, type names.

bot.structure's calls_in sees calls only; a Java field of type `Order` or a Python
`from shop.cart import Cart` refers to a definition just as much, so these queries add
them. Kept here, not in bot.structure, because only the map weighs such names.
"""

from __future__ import annotations

import threading

from tree_sitter import Query, QueryCursor

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

_lock = threading.Lock()
_compiled: dict[str, Query] = {}


def _query(language: str) -> Query:
    found = _compiled.get(language)
    if found is None:
        with _lock:
            found = _compiled.get(language)
            if found is None:
                found = Query(grammar(language), _QUERIES[language])
                _compiled[language] = found
    return found


def names_used(language: str, source: bytes) -> set[str]:
    """Imported names, base classes and type names in `source` (a file in `language`)."""
    if language not in _QUERIES:
        return set()
    tree = parse(language, source)
    captures = QueryCursor(_query(language)).captures(tree.root_node)
    return {
        source[n.start_byte : n.end_byte].decode("utf-8", "replace")
        for n in captures.get("name", [])
    }
