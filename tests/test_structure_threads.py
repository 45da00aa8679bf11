"""bot.structure from many threads at once gives what it gives from one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.structure import calls_in, symbols_in
from tests.test_structure_go_java import CART_JAVA, SERVER_GO
from tests.test_structure_js import CART_JS, SHAPES_TS
from tests.test_structure_python import SOURCE as CART_PY

FILES = [
    ("cart.py", CART_PY),
    ("cart.js", CART_JS),
    ("shapes.ts", SHAPES_TS),
    ("server.go", SERVER_GO),
    ("Cart.java", CART_JAVA),
]


def read(path: str, source: bytes, blank_lines: int) -> list[tuple[str, list[str]]]:
    # Trailing blank lines make each source new to the parse cache: every thread parses.
    source += b"\n" * blank_lines
    return [(symbol.qualname, calls_in(symbol, source)) for symbol in symbols_in(path, source)]


def test_threads_read_the_same_as_one() -> None:
    alone = [read(path, source, 0) for path, source in FILES]
    work = [(path, source, 1 + index) for index, (path, source) in enumerate(FILES * 8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda item: read(*item), work))
    assert together == alone * 8
