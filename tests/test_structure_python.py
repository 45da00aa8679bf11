"""bot.structure over Python: symbols, docstrings, changed definitions, calls, imports."""

from __future__ import annotations

import textwrap

from bot.change.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.structure import calls_in, imports_in, language_of, symbols_changed_in, symbols_in
from tests.structure_helpers import by_qualname, changed_names, outline

SOURCE = textwrap.dedent(
    '''\
    """Shopping cart."""

    from __future__ import annotations

    import os.path
    from decimal import Decimal
    from .pricing import tax_for


    class Cart:
        """A cart of items.

        Holds what the customer picked.
        """

        currency = "EUR"

        def __init__(self, items: list[Item]) -> None:
            self.items = items

        @property
        @cached
        def total(self) -> Decimal:  # summed once
            """Sum of the prices, tax included."""
            subtotal = sum(item.price for item in self.items)
            return subtotal + tax_for(subtotal, self.currency)

        def _audit(self):
            def inner():
                return os.path.join("a", "b")

            return inner()


    def checkout(cart: Cart, *, dry_run: bool = False) -> str:
        return Decimal(cart.total).quantize(Decimal("0.01")).to_eng_string()


    async def _fetch(url):
        """Get it."""
        return await client.get(url)
    '''
).encode()


def test_language_of_suffixes() -> None:
    assert [language_of(p) for p in ("a.py", "b.pyi", "c.mjs", "d.jsx", "e.cts", "f.tsx")] == [
        "python",
        "python",
        "javascript",
        "javascript",
        "typescript",
        "tsx",
    ]
    assert language_of("Main.JAVA") == "java"
    assert language_of("README.md") is None
    assert symbols_in("README.md", b"def f(): pass") == []


def test_python_symbols_names_ranges_and_kinds() -> None:
    assert outline("shop/cart.py", SOURCE) == [
        ("Cart", "class", 10, 32),
        ("Cart.__init__", "constructor", 18, 19),
        ("Cart.total", "method", 21, 26),  # from the first decorator
        ("Cart._audit", "method", 28, 32),  # inner() is part of it, no symbol of its own
        ("checkout", "function", 35, 36),
        ("_fetch", "function", 39, 41),
    ]
    symbols = symbols_in("shop/cart.py", SOURCE)
    assert {(s.path, s.language) for s in symbols} == {("shop/cart.py", "python")}


def test_python_signatures_docs_and_exports() -> None:
    symbols = by_qualname("cart.py", SOURCE)
    total = symbols["Cart.total"]
    assert total.signature == "def total(self) -> Decimal"  # no decorators, no comment
    assert total.doc == "Sum of the prices, tax included."
    assert total.doc_lines == (24, 24)
    assert total.body_start_line == 24
    assert total.exported
    cart = symbols["Cart"]
    assert cart.signature == "class Cart"
    assert cart.doc == "A cart of items.\n\nHolds what the customer picked."
    assert cart.doc_lines == (11, 14)
    assert symbols["checkout"].signature == (
        "def checkout(cart: Cart, *, dry_run: bool = False) -> str"
    )
    assert symbols["checkout"].doc is None and symbols["checkout"].doc_lines is None
    assert symbols["_fetch"].signature == "async def _fetch(url)"
    assert symbols["_fetch"].doc == "Get it."
    assert symbols["Cart.__init__"].exported  # a dunder is public
    assert not symbols["Cart._audit"].exported
    assert not symbols["_fetch"].exported


def test_python_private_class_hides_its_methods_and_blocks_are_searched() -> None:
    source = textwrap.dedent(
        """\
        try:
            import ujson as json
        except ImportError:
            def loads(text):
                return text

        class _Hidden:
            def visible_name(self):
                pass
        """
    ).encode()
    symbols = by_qualname("m.py", source)
    assert list(symbols) == ["loads", "_Hidden", "_Hidden.visible_name"]
    assert symbols["loads"].exported
    assert not symbols["_Hidden.visible_name"].exported


def test_python_broken_file_still_gives_what_parsed() -> None:
    source = b"def good(a):\n    return a\n\ndef broken(:\n    pass\n\nclass After:\n    pass\n"
    names = [s.qualname for s in symbols_in("b.py", source)]
    assert "good" in names and "After" in names


def test_changed_symbols_picks_the_innermost_definition() -> None:
    def changed(*lines: int) -> list[str]:
        return changed_names("cart.py", SOURCE, *lines)

    assert changed(25) == ["Cart.total"]  # inside the method, not the whole class
    assert changed(21) == ["Cart.total"]  # its decorator
    assert changed(16) == ["Cart"]  # a class attribute: the class body, outside methods
    assert changed(30) == ["Cart._audit"]  # in a nested helper: the method holding it
    assert changed(33) == []  # blank line between two definitions
    assert changed(5) == []  # an import
    assert changed(40, 19, 25, 26) == ["Cart.__init__", "Cart.total", "_fetch"]


def test_symbols_changed_in_a_file_change() -> None:
    def line(kind: LineKind, old: int | None, new: int | None) -> DiffLine:
        return DiffLine(kind, old, new, "")

    modified = Hunk(24, 3, 24, 3, "", [])
    modified.lines = [
        line(LineKind.CONTEXT, 24, 24),
        line(LineKind.REMOVED, 25, None),
        line(LineKind.ADDED, None, 25),
        line(LineKind.CONTEXT, 26, 26),
    ]
    # One line removed from checkout's body, nothing added in its place: lines 35 and 36
    # on either side of the gap are both in checkout.
    deleted = Hunk(36, 3, 35, 2, "", [])
    deleted.lines = [
        line(LineKind.CONTEXT, 36, 35),
        line(LineKind.REMOVED, 37, None),
        line(LineKind.CONTEXT, 38, 36),
    ]
    # A whole function removed between two blank lines selects neither neighbour.
    between = Hunk(39, 4, 37, 2, "", [])
    between.lines = [
        line(LineKind.CONTEXT, 40, 37),
        line(LineKind.REMOVED, 41, None),
        line(LineKind.REMOVED, 42, None),
        line(LineKind.CONTEXT, 43, 38),
    ]
    change = FileChange("shop/cart.py", "shop/cart.py", FileStatus.MODIFIED)
    change.hunks = [modified, deleted, between]
    assert [s.qualname for s in symbols_changed_in(change, SOURCE)] == ["Cart.total", "checkout"]
    gone = FileChange("shop/cart.py", "shop/cart.py", FileStatus.DELETED, [deleted])
    assert symbols_changed_in(gone, SOURCE) == []


def test_calls_in_python() -> None:
    symbols = by_qualname("cart.py", SOURCE)
    assert calls_in(symbols["Cart.total"], SOURCE) == ["sum", "tax_for"]
    assert calls_in(symbols["Cart._audit"], SOURCE) == ["os.path.join", "inner"]
    # A call on a call's result is named by the method it ends with.
    assert calls_in(symbols["checkout"], SOURCE) == ["Decimal", "quantize", "to_eng_string"]
    assert calls_in(symbols["_fetch"], SOURCE) == ["client.get"]


def test_imports_in_python() -> None:
    lazy = b"import a.b as ab, c\n\ndef f():\n    from ..up import x\n    import a.b\n"
    assert imports_in("cart.py", SOURCE) == ["__future__", "os.path", "decimal", ".pricing"]
    assert imports_in("lazy.py", lazy) == ["a.b", "c", "..up"]
    assert imports_in("x.txt", b"import os") == []
