"""A definition found in a source file: plain data, the same for every language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Kept small on purpose: callers (test generation, docs, the repository map) branch on
# these. Go structs, Java enums and records are "class"; a TS enum or type alias is no symbol.
Kind = Literal["function", "method", "constructor", "class", "interface"]


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str  # as written: "total", "Handle", "Cart"; "default" for an anonymous default export
    # Dotted path of enclosing definitions within the file, no module or package prefix:
    # "Cart.total", "Server.Handle" for Go's (s *Server) Handle, "Outer.Inner.run".
    qualname: str
    kind: Kind
    path: str
    language: str  # a bot.structure.languages name: "python", "javascript", "tsx", ...
    start_line: int  # 1-based, inclusive; decorators, annotations and `export` included
    end_line: int  # 1-based, inclusive
    # The header up to the body on one line, whitespace collapsed, decorators and
    # annotations left out: "def total(self, items: list[Item]) -> int",
    # "public int total(List<T> xs) throws Exception", "func (s *Server) Handle(w W) error".
    signature: str
    doc: str | None  # docstring or doc comment, markers and common indent removed
    # Lines of the docstring (inside the range) or of the doc comment (just above it).
    doc_lines: tuple[int, int] | None
    # First line of the body; None for a declaration without one (an interface or abstract
    # method, a Go interface method).
    body_start_line: int | None
    # Reachable from outside the file: Python no leading underscore (dunders count as
    # public), Go capitalised, JS/TS exported by ES or CommonJS export, Java public; a
    # member is exported only when every enclosing definition is too.
    exported: bool

    @property
    def extent(self) -> tuple[int, int]:
        """Lines that belong to this definition, its doc comment above it included."""
        first = (
            self.start_line if self.doc_lines is None else min(self.start_line, self.doc_lines[0])
        )
        return first, self.end_line
