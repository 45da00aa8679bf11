"""Which tree-sitter grammar reads a path, and parsers over those grammars.

Each grammar is an official per-language wheel (tree-sitter-python, -javascript, ...),
loaded on first use and then shared: a Language is immutable, so threads may share it.
A Parser holds parse state, so every call gets its own (making one costs under a
microsecond). Names come from bot/change/language.py, but finer: TSX needs its own
grammar, so ".tsx" is "tsx" here and "typescript" there.
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from pathlib import PurePosixPath

from tree_sitter import Language, Parser, Tree

from bot.change.language import language_for

# Grammar name: (module of its official wheel, function that returns the language).
# Imported on first use, so a run that reads no Go never loads the Go grammar.
_WHEELS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
}

LANGUAGES: frozenset[str] = frozenset(_WHEELS)

_lock = threading.Lock()
_grammars: dict[str, Language] = {}


def language_of(path: str) -> str | None:
    """The grammar name for `path` from its name, or None when none of ours reads it."""
    if PurePosixPath(path).suffix.lower() == ".tsx":
        return "tsx"
    language = language_for(path)
    return language if language in LANGUAGES else None


def grammar(language: str) -> Language:
    """The tree-sitter Language for a name in LANGUAGES, loaded once per process."""
    found = _grammars.get(language)
    if found is not None:
        return found
    if language not in _WHEELS:
        raise ValueError(f"no tree-sitter grammar for {language!r}")
    with _lock:
        found = _grammars.get(language)
        if found is None:
            module, function = _WHEELS[language]
            found = Language(getattr(importlib.import_module(module), function)())
            _grammars[language] = found
    return found


def parser_for(language: str) -> Parser:
    """A new Parser for `language` (raises ValueError for a name not in LANGUAGES)."""
    return Parser(grammar(language))


@lru_cache(maxsize=32)
def parse(language: str, source: bytes) -> Tree:
    """The syntax tree of `source`, cached: symbols_in, calls_in and imports_in over the same
    file parse it once. bytes hash once per object, so a repeated lookup costs nothing."""
    return parser_for(language).parse(source)
