"""Definitions in Go: functions, methods (qualified by their receiver's type), struct and
interface types and the methods an interface declares, with their doc comments."""

from __future__ import annotations

from tree_sitter import Node

from bot.structure.model import Kind
from bot.structure.nodes import FileReader, first_line, line_comments_above


def read_go(reader: FileReader, root: Node) -> None:
    for child in root.named_children:
        if child.type == "function_declaration":
            _read_function(reader, child, None)
        elif child.type == "method_declaration":
            _read_function(reader, child, _receiver_type(reader, child))
        elif child.type == "type_declaration":
            specs = [c for c in child.named_children if c.type == "type_spec"]
            for spec in specs:
                # `type X struct{}` is one definition; in `type ( ... )` each spec is its own.
                _read_type(reader, child if len(specs) == 1 else spec, spec)


def _exported(name: str) -> bool:
    return name[:1].isupper()


def _receiver_type(reader: FileReader, method: Node) -> str:
    """ "Server" for (s *Server), (Server) and (l *List[T])."""
    receiver = method.child_by_field_name("receiver")
    pending = [] if receiver is None else [receiver]
    while pending:
        node = pending.pop(0)
        if node.type == "type_identifier":
            return reader.text(node)
        pending.extend(node.named_children)
    return "?"


def _read_function(reader: FileReader, function: Node, owner: str | None) -> None:
    name = reader.text(function.child_by_field_name("name"))
    body = function.child_by_field_name("body")
    reader.emit(
        name=name,
        qualname=name if owner is None else f"{owner}.{name}",
        kind="function" if owner is None else "method",
        outer=function,
        header=(function.start_byte, function.end_byte if body is None else body.start_byte),
        body_line=None if body is None else first_line(body),
        doc=line_comments_above(reader.source, function),
        exported=_exported(name) and (owner is None or _exported(owner)),
    )


def _read_type(reader: FileReader, outer: Node, spec: Node) -> None:
    name = reader.text(spec.child_by_field_name("name"))
    shape = spec.child_by_field_name("type")
    if shape is None or shape.type not in ("struct_type", "interface_type"):
        return
    kind: Kind = "class" if shape.type == "struct_type" else "interface"
    brace = _open_brace(shape)
    exported = _exported(name)
    reader.emit(
        name=name,
        qualname=name,
        kind=kind,
        outer=outer,
        header=(outer.start_byte, shape.end_byte if brace is None else brace.start_byte),
        body_line=None if brace is None else first_line(brace),
        doc=line_comments_above(reader.source, outer),
        exported=exported,
    )
    if kind == "interface":
        for element in shape.named_children:
            if element.type == "method_elem":
                _read_interface_method(reader, element, name, exported)


def _open_brace(shape: Node) -> Node | None:
    pending = [shape]
    while pending:
        node = pending.pop(0)
        if node.type == "{":
            return node
        pending.extend(node.children)
    return None


def _read_interface_method(reader: FileReader, element: Node, owner: str, exported: bool) -> None:
    name = reader.text(element.child_by_field_name("name"))
    reader.emit(
        name=name,
        qualname=f"{owner}.{name}",
        kind="method",
        outer=element,
        header=(element.start_byte, element.end_byte),
        body_line=None,
        doc=line_comments_above(reader.source, element),
        exported=exported and _exported(name),
    )
