"""Helpers shared by the per-language readers: lines, text, doc comments, emitting."""

from __future__ import annotations

from tree_sitter import Node

from bot.structure.model import Kind, Symbol

Doc = tuple[str, tuple[int, int]]  # cleaned text, (first line, last line)

# Leading parts of a definition that belong to its range but not to its signature.
_NOT_SIGNATURE = frozenset(
    {"decorator", "annotation", "marker_annotation", "comment", "line_comment", "block_comment"}
)


def first_line(node: Node) -> int:
    return node.start_point.row + 1


def last_line(node: Node) -> int:
    end = node.end_point
    # A node that swallowed its final newline ends at column 0 of the next line.
    if end.column == 0 and end.row > node.start_point.row:
        return end.row
    return end.row + 1


def one_line(source: bytes, start: int, end: int) -> str:
    return " ".join(source[start:end].decode("utf-8", "replace").split())


def node_text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def starts_line(source: bytes, node: Node) -> bool:
    """Nothing but indentation before `node` on its line: a comment that trails code
    belongs to that code, not to the definition below it."""
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    return not source[line_start : node.start_byte].strip()


def signature_start(node: Node) -> int:
    """Byte where the header begins once decorators, annotations and comments are passed."""
    for child in node.children:
        if child.type in _NOT_SIGNATURE:
            continue
        if child.type == "modifiers":  # Java: annotations and keywords together
            for part in child.children:
                if part.type not in _NOT_SIGNATURE:
                    return part.start_byte
            continue
        return child.start_byte
    return node.start_byte


_NAMES = frozenset(
    {
        "identifier",
        "property_identifier",
        "private_property_identifier",
        "shorthand_property_identifier",
        "field_identifier",
        "type_identifier",
        "package_identifier",
        "this",
        "super",
    }
)
# Member access in each grammar: (node type, field of the left side, field of the name).
_MEMBERS: dict[str, tuple[str, str]] = {
    "attribute": ("object", "attribute"),  # Python
    "member_expression": ("object", "property"),  # JS/TS
    "selector_expression": ("operand", "field"),  # Go
    "field_access": ("object", "field"),  # Java
    "scoped_identifier": ("scope", "name"),  # Java
    "scoped_type_identifier": ("scope", "name"),  # Java
}


def dotted_name(source: bytes, node: Node | None) -> str | None:
    """ "a.b.c" for a chain of names and member accesses; None for anything else (a call,
    an index, a literal somewhere in the chain)."""
    if node is None:
        return None
    if node.type in _NAMES:
        return node_text(source, node)
    fields = _MEMBERS.get(node.type)
    if fields is None:
        return None
    left = dotted_name(source, node.child_by_field_name(fields[0]))
    right = node.child_by_field_name(fields[1])
    if left is None or right is None:
        return None
    return f"{left}.{node_text(source, right)}"


def member_name(source: bytes, node: Node) -> str | None:
    """The name a member access ends with ("b" for a().b), or the name itself."""
    if node.type in _NAMES:
        return node_text(source, node)
    fields = _MEMBERS.get(node.type)
    right = None if fields is None else node.child_by_field_name(fields[1])
    return None if right is None else node_text(source, right)


def clean_block_comment(text: str) -> str | None:
    """The words of a /** ... */ or /* ... */ comment, without the stars that frame it."""
    body = text.removeprefix("/**").removeprefix("/*").removesuffix("*/")
    lines = []
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            line = raw.lstrip()[1:]
            line = line[1:] if line.startswith(" ") else line
        lines.append(line.rstrip())
    return _join(lines)


def _join(lines: list[str]) -> str | None:
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) or None


def jsdoc_above(source: bytes, node: Node) -> Doc | None:
    """A /** ... */ comment on the lines just above `node` (JSDoc, Javadoc)."""
    prev = node.prev_named_sibling
    if prev is None or "comment" not in prev.type:
        return None
    if prev.end_point.row < node.start_point.row - 1 or not starts_line(source, prev):
        return None
    text = node_text(source, prev)
    if not text.startswith("/**") or text == "/**/":
        return None
    cleaned = clean_block_comment(text)
    return None if cleaned is None else (cleaned, (first_line(prev), last_line(prev)))


def line_comments_above(source: bytes, node: Node) -> Doc | None:
    """The run of comments directly above `node`, each on its own line (Go doc comments)."""
    run: list[Node] = []
    below = node
    prev = node.prev_named_sibling
    while (
        prev is not None
        and prev.type == "comment"
        and prev.end_point.row >= below.start_point.row - 1
        and starts_line(source, prev)
    ):
        run.append(prev)
        below, prev = prev, prev.prev_named_sibling
    if not run:
        return None
    run.reverse()
    lines: list[str] = []
    for comment in run:
        text = node_text(source, comment)
        if text.startswith("/*"):
            lines.extend((clean_block_comment(text) or "").splitlines())
        elif not text.startswith("//go:"):  # directives are not documentation
            line = text.removeprefix("//")
            lines.append((line[1:] if line.startswith(" ") else line).rstrip())
    cleaned = _join(lines)
    return None if cleaned is None else (cleaned, (first_line(run[0]), last_line(run[-1])))


class FileReader:
    """Collects the symbols of one file in the order their definitions start."""

    def __init__(self, source: bytes, path: str, language: str) -> None:
        self.source = source
        self.path = path
        self.language = language
        self.symbols: list[Symbol] = []

    def text(self, node: Node | None) -> str:
        return "" if node is None else node_text(self.source, node)

    def emit(
        self,
        *,
        name: str,
        qualname: str,
        kind: Kind,
        outer: Node,
        first: Node | None = None,
        header: tuple[int, int],
        body_line: int | None,
        doc: Doc | None,
        exported: bool,
    ) -> None:
        """`outer` is the definition, `first` what its range starts with when that comes
        before it (decorators that are its siblings); `header` is the signature's bytes."""
        signature = one_line(self.source, *header).rstrip(";").rstrip()
        self.symbols.append(
            Symbol(
                name=name,
                qualname=qualname,
                kind=kind,
                path=self.path,
                language=self.language,
                start_line=first_line(outer if first is None else first),
                end_line=last_line(outer),
                signature=signature,
                doc=None if doc is None else doc[0],
                doc_lines=None if doc is None else doc[1],
                body_start_line=body_line,
                exported=exported,
            )
        )
