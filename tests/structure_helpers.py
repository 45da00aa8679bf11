"""Short views of bot.structure results for the tests/test_structure_*.py assertions."""

from __future__ import annotations

from bot.structure import Symbol, changed_symbols, symbols_in


def by_qualname(path: str, source: bytes) -> dict[str, Symbol]:
    return {symbol.qualname: symbol for symbol in symbols_in(path, source)}


def outline(path: str, source: bytes) -> list[tuple[str, str, int, int]]:
    """(qualname, kind, start line, end line) of each symbol, in file order."""
    return [(s.qualname, s.kind, s.start_line, s.end_line) for s in symbols_in(path, source)]


def exported_names(path: str, source: bytes) -> set[str]:
    return {s.qualname for s in symbols_in(path, source) if s.exported}


def changed_names(path: str, source: bytes, *lines: int) -> list[str]:
    return [s.qualname for s in changed_symbols(path, source, lines)]
