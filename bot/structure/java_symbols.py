"""Definitions in Java: classes, interfaces, enums, records (nested too), their methods and
constructors, with Javadoc. Method bodies are not searched (anonymous and local classes
belong to the method)."""

from __future__ import annotations

from tree_sitter import Node

from bot.structure.model import Kind
from bot.structure.nodes import FileReader, first_line, jsdoc_above, signature_start

_TYPES: dict[str, Kind] = {
    "class_declaration": "class",
    "enum_declaration": "class",
    "record_declaration": "class",
    "interface_declaration": "interface",
    "annotation_type_declaration": "interface",
}
_MEMBERS: dict[str, Kind] = {
    "method_declaration": "method",
    "constructor_declaration": "constructor",
    "compact_constructor_declaration": "constructor",
}
# Members of these are public without saying so.
_IMPLICITLY_PUBLIC = frozenset({"interface_declaration", "annotation_type_declaration"})


def read_java(reader: FileReader, root: Node) -> None:
    _read_body(reader, root, (), True, implicit_public=False)


def _public(reader: FileReader, declaration: Node) -> bool:
    for child in declaration.children:
        if child.type == "modifiers":
            return any(part.type == "public" for part in child.children)
    return False


def _read_body(
    reader: FileReader, body: Node, scope: tuple[str, ...], exported: bool, *, implicit_public: bool
) -> None:
    for child in body.named_children:
        if child.type == "enum_body_declarations":  # an enum's members after its constants
            _read_body(reader, child, scope, exported, implicit_public=implicit_public)
            continue
        kind = _TYPES.get(child.type) or _MEMBERS.get(child.type)
        if kind is None:
            continue
        name = reader.text(child.child_by_field_name("name"))
        inner = child.child_by_field_name("body")
        public = exported and (implicit_public or _public(reader, child))
        reader.emit(
            name=name,
            qualname=".".join((*scope, name)),
            kind=kind,
            outer=child,
            header=(signature_start(child), child.end_byte if inner is None else inner.start_byte),
            body_line=None if inner is None else first_line(inner),
            doc=jsdoc_above(reader.source, child),
            exported=public,
        )
        if child.type in _TYPES and inner is not None:
            implicit = child.type in _IMPLICITLY_PUBLIC
            _read_body(reader, inner, (*scope, name), public, implicit_public=implicit)
