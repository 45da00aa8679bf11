"""symbols_in: the functions, classes and methods a source file defines."""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from bot.structure.ecmascript_symbols import read_ecmascript
from bot.structure.go_symbols import read_go
from bot.structure.java_symbols import read_java
from bot.structure.languages import language_of, parse
from bot.structure.model import Kind, Symbol
from bot.structure.nodes import FileReader
from bot.structure.python_symbols import read_python

__all__ = ["Kind", "Symbol", "symbols_in"]

_READERS: dict[str, Callable[[FileReader, Node], None]] = {
    "python": read_python,
    "javascript": read_ecmascript,
    "typescript": read_ecmascript,
    "tsx": read_ecmascript,
    "go": read_go,
    "java": read_java,
}


def symbols_in(path: str, source: bytes) -> list[Symbol]:
    """Definitions in `source` (the file at `path`), ordered by where they start.

    The language comes from the path's suffix; an unknown one gives []. tree-sitter
    recovers from syntax errors, so a file that parses only in part still gives what it
    could read. Function bodies are not searched: nested helpers and callbacks belong to
    the function around them; classes nested in classes are found.
    """
    language = language_of(path)
    if language is None:
        return []
    reader = FileReader(source, path, language)
    _READERS[language](reader, parse(language, source).root_node)
    return sorted(reader.symbols, key=lambda symbol: (symbol.start_line, -symbol.end_line))
