"""Code structure from tree-sitter: the definitions in a file, which of them a change
touches, what they call and what the file imports. Pure functions over bytes."""

from bot.structure.changed import added_lines, changed_symbols, symbols_changed_in
from bot.structure.languages import LANGUAGES, language_of, parser_for
from bot.structure.model import Kind, Symbol
from bot.structure.references import calls_in, imports_in
from bot.structure.symbols import symbols_in

__all__ = [
    "LANGUAGES",
    "Kind",
    "Symbol",
    "added_lines",
    "calls_in",
    "changed_symbols",
    "imports_in",
    "language_of",
    "parser_for",
    "symbols_changed_in",
    "symbols_in",
]
