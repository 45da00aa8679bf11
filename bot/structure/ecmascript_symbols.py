"""Definitions in JavaScript, TypeScript and TSX.

Functions (declared, or a function or arrow assigned to a const), classes and their
methods and function-valued fields, TS interfaces and their method signatures, functions
assigned at module level to module.exports, exports.x, X.prototype.y or any a.b.c, and
the same inside TS namespaces. Function bodies are not searched: callbacks belong to the
function around them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from bot.structure.model import Kind
from bot.structure.nodes import (
    FileReader,
    dotted_name,
    first_line,
    jsdoc_above,
    signature_start,
)

_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_FUNCTION_DECLARATIONS = frozenset({"function_declaration", "generator_function_declaration"})
_CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_VARIABLES = frozenset({"lexical_declaration", "variable_declaration"})
_FIELDS = frozenset({"field_definition", "public_field_definition"})


@dataclass(frozen=True, slots=True)
class _Scope:
    names: tuple[str, ...]
    exported: bool  # the scope itself is reachable from outside the file
    # Module level only: names exported apart from their declaration (export { a },
    # export default a, module.exports = { a }, exports.b = a).
    export_names: frozenset[str]

    def qualname(self, name: str) -> str:
        return ".".join((*self.names, name))

    def exports(self, name: str, keyword: bool) -> bool:
        return self.exported and (keyword or name in self.export_names)


def read_ecmascript(reader: FileReader, root: Node) -> None:
    _read_statements(reader, root, _Scope((), True, _export_names(reader, root)))


def _read_statements(reader: FileReader, container: Node, scope: _Scope) -> None:
    for child in container.named_children:
        if child.type == "export_statement":
            declaration = child.child_by_field_name("declaration") or child.child_by_field_name(
                "value"
            )
            if declaration is not None:
                _read_declaration(reader, child, declaration, scope, keyword=True)
        elif child.type == "expression_statement" and child.named_child_count:
            inner = child.named_children[0]
            if inner.type == "assignment_expression":
                _read_assignment(reader, child, inner, scope)
            elif inner.type == "internal_module":
                _read_declaration(reader, child, inner, scope, keyword=False)
        else:
            _read_declaration(reader, child, child, scope, keyword=False)


def _read_declaration(
    reader: FileReader, outer: Node, declaration: Node, scope: _Scope, *, keyword: bool
) -> None:
    kind = declaration.type
    if kind in _FUNCTION_DECLARATIONS or kind in _FUNCTION_VALUES or kind in _CLASSES:
        name = reader.text(declaration.child_by_field_name("name")) or "default"
        _emit_value(reader, outer, declaration, name, scope, scope.exports(name, keyword))
    elif kind in _VARIABLES:
        declarators = [c for c in declaration.named_children if c.type == "variable_declarator"]
        for declarator in declarators:
            name_node = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name_node is None or name_node.type != "identifier" or value is None:
                continue
            name = reader.text(name_node)
            # With one declarator the statement is the definition; with several, each its own.
            whole = outer if len(declarators) == 1 else declarator
            _emit_value(reader, whole, value, name, scope, scope.exports(name, keyword))
    elif kind == "interface_declaration":
        _read_interface(reader, outer, declaration, scope, keyword)
    elif kind == "internal_module":  # namespace N { ... }
        name = reader.text(declaration.child_by_field_name("name"))
        body = declaration.child_by_field_name("body")
        if name and body is not None:
            inner = _Scope((*scope.names, name), scope.exports(name, keyword), frozenset())
            _read_statements(reader, body, inner)


def _emit_value(
    reader: FileReader, outer: Node, value: Node, name: str, scope: _Scope, exported: bool
) -> None:
    """A function or class value (declared, or assigned) named `name` in `scope`."""
    if value.type in _CLASSES:
        kind: Kind = "class"
    elif value.type in _FUNCTION_VALUES or value.type in _FUNCTION_DECLARATIONS:
        kind = "function"
    else:
        return
    body = value.child_by_field_name("body")
    if body is None:
        return
    reader.emit(
        name=name,
        qualname=scope.qualname(name),
        kind=kind,
        outer=outer,
        header=(signature_start(outer), body.start_byte),
        body_line=first_line(body),
        doc=jsdoc_above(reader.source, outer),
        exported=exported,
    )
    if kind == "class":
        _read_class_body(reader, body, _Scope((*scope.names, name), exported, frozenset()))


def _read_assignment(reader: FileReader, statement: Node, assignment: Node, scope: _Scope) -> None:
    value = assignment.child_by_field_name("right")
    target = dotted_name(reader.source, assignment.child_by_field_name("left"))
    if value is None or target is None or scope.names:  # CommonJS lives at module level
        return
    parts = target.split(".")
    if target == "module.exports":
        name = reader.text(value.child_by_field_name("name")) or target
        _emit_value(reader, statement, value, name, scope, True)
    elif (len(parts) == 2 and parts[0] == "exports") or (
        len(parts) == 3 and target.startswith("module.exports.")
    ):
        _emit_value(reader, statement, value, parts[-1], scope, True)
    elif len(parts) == 3 and parts[1] == "prototype" and value.type in _FUNCTION_VALUES:
        owner = _Scope((parts[0],), parts[0] in scope.export_names, frozenset())
        _emit_member(reader, statement, None, value, parts[2], owner, private=False)
    elif parts[0] != "this":  # THREE.OrbitControls = function (...) {...}: older libraries
        owner = _Scope(tuple(parts[:-1]), parts[0] in scope.export_names, frozenset())
        _emit_value(reader, statement, value, parts[-1], owner, owner.exported)


def _read_class_body(reader: FileReader, body: Node, scope: _Scope) -> None:
    for member in body.named_children:
        name_node = member.child_by_field_name("name") or member.child_by_field_name("property")
        if name_node is None:
            continue
        private = name_node.type == "private_property_identifier" or any(
            c.type == "accessibility_modifier" and reader.text(c) != "public"
            for c in member.children
        )
        if member.type in ("method_definition", "abstract_method_signature"):
            function = member
        elif member.type in _FIELDS:
            function = member.child_by_field_name("value")
            if function is None or function.type not in _FUNCTION_VALUES:
                continue
        else:
            continue
        first = member
        # TypeScript puts a member's decorators before it, as siblings in the class body.
        while first.prev_named_sibling is not None and first.prev_named_sibling.type == "decorator":
            first = first.prev_named_sibling
        _emit_member(reader, member, first, function, reader.text(name_node), scope, private)


def _emit_member(
    reader: FileReader,
    outer: Node,
    first: Node | None,
    function: Node,
    name: str,
    scope: _Scope,
    private: bool,
) -> None:
    body = function.child_by_field_name("body")
    reader.emit(
        name=name,
        qualname=scope.qualname(name),
        kind="constructor" if name == "constructor" else "method",
        outer=outer,
        first=first,
        header=(signature_start(outer), outer.end_byte if body is None else body.start_byte),
        body_line=None if body is None else first_line(body),
        doc=jsdoc_above(reader.source, outer if first is None else first),
        exported=scope.exported and not private,
    )


def _read_interface(
    reader: FileReader, outer: Node, interface: Node, scope: _Scope, keyword: bool
) -> None:
    name = reader.text(interface.child_by_field_name("name"))
    body = interface.child_by_field_name("body")
    if not name or body is None:
        return
    exported = scope.exports(name, keyword)
    reader.emit(
        name=name,
        qualname=scope.qualname(name),
        kind="interface",
        outer=outer,
        header=(signature_start(outer), body.start_byte),
        body_line=first_line(body),
        doc=jsdoc_above(reader.source, outer),
        exported=exported,
    )
    inner = _Scope((*scope.names, name), exported, frozenset())
    for member in body.named_children:
        member_name = member.child_by_field_name("name")
        if member.type == "method_signature" and member_name is not None:
            _emit_member(reader, member, None, member, reader.text(member_name), inner, False)


def _export_names(reader: FileReader, root: Node) -> frozenset[str]:
    """Module-level names exported by a statement other than their declaration."""
    names: set[str] = set()
    for child in root.named_children:
        if child.type == "export_statement" and child.child_by_field_name("source") is None:
            value = child.child_by_field_name("value")
            if value is not None and value.type == "identifier":  # export default a
                names.add(reader.text(value))
            for clause in child.named_children:
                if clause.type == "export_clause":  # export { a, b as c }
                    for specifier in clause.named_children:
                        names.add(reader.text(specifier.child_by_field_name("name")))
        elif child.type == "expression_statement" and child.named_child_count:
            assignment = child.named_children[0]
            if assignment.type == "assignment_expression":
                names.update(_commonjs_names(reader, assignment))
    return frozenset(names)


def _commonjs_names(reader: FileReader, assignment: Node) -> list[str]:
    target = dotted_name(reader.source, assignment.child_by_field_name("left")) or ""
    value = assignment.child_by_field_name("right")
    if value is None or not (target.startswith("module.exports") or target.startswith("exports.")):
        return []
    if value.type == "identifier":  # module.exports = a; exports.b = a
        return [reader.text(value)]
    if value.type != "object" or target != "module.exports":
        return []
    names = []
    for entry in value.named_children:  # module.exports = { a, b: c }
        if entry.type == "shorthand_property_identifier":
            names.append(reader.text(entry))
        elif entry.type == "pair":
            pair_value = entry.child_by_field_name("value")
            if pair_value is not None and pair_value.type == "identifier":
                names.append(reader.text(pair_value))
    return names
