"""bot.structure over Go and Java."""

from __future__ import annotations

import textwrap

from bot.structure import calls_in, imports_in
from tests.structure_helpers import by_qualname, changed_names, exported_names, outline

SERVER_GO = textwrap.dedent(
    """\
    package server

    import (
    \t"fmt"
    \thttpx "net/http"
    )

    // Server answers requests for one store.
    type Server struct {
    \tstore Store
    }

    // Store keeps orders.
    type Store interface {
    \t// Get finds one order.
    \tGet(id string) (Order, error)
    }

    // Handle answers one request.
    //
    // It writes 404 when the order is unknown.
    func (s *Server) Handle(w httpx.ResponseWriter, r *httpx.Request) {
    \torder, err := s.store.Get(r.URL.Query().Get("id"))
    \tif err != nil {
    \t\thttpx.NotFound(w, r)
    \t\treturn
    \t}
    \tfmt.Fprintf(w, "%v", order)
    }

    func newServer[S Store](store S) *Server { return &Server{store: store} }

    func (Server) close() {}
    """
).encode()

CART_JAVA = textwrap.dedent(
    """\
    package shop;

    import java.util.List;
    import static java.util.Objects.requireNonNull;

    /** A basket of items. */
    @Entity
    public class Cart<T extends Item> extends Base {
        private final List<T> items;

        /** Makes an empty cart. */
        public Cart(List<T> items) {
            this.items = requireNonNull(items);
        }

        /**
         * The total price.
         *
         * @return cents
         */
        @Override
        public long total() throws PricingException {
            return items.stream().mapToLong(Item::price).sum() + Tax.of(this).cents();
        }

        void clear() { items.clear(); }

        public interface Listener {
            void changed(Cart<?> cart);
        }
    }
    """
).encode()


def test_go_symbols() -> None:
    assert outline("server/server.go", SERVER_GO) == [
        ("Server", "class", 9, 11),
        ("Store", "interface", 14, 17),
        ("Store.Get", "method", 16, 16),
        ("Server.Handle", "method", 22, 29),
        ("newServer", "function", 31, 31),
        ("Server.close", "method", 33, 33),
    ]
    named = by_qualname("server.go", SERVER_GO)
    handle = named["Server.Handle"]
    assert handle.name == "Handle"
    assert handle.signature == ("func (s *Server) Handle(w httpx.ResponseWriter, r *httpx.Request)")
    assert handle.doc == "Handle answers one request.\n\nIt writes 404 when the order is unknown."
    assert handle.doc_lines == (19, 21)
    assert handle.body_start_line == 22
    assert named["Server"].signature == "type Server struct"
    assert named["Server"].doc == "Server answers requests for one store."
    assert named["Store.Get"].doc == "Get finds one order."
    assert named["Store.Get"].body_start_line is None
    assert named["newServer"].signature == "func newServer[S Store](store S) *Server"
    assert exported_names("server.go", SERVER_GO) == {
        "Server",
        "Store",
        "Store.Get",
        "Server.Handle",
    }


def test_go_changed_calls_imports() -> None:
    def changed(*lines: int) -> list[str]:
        return changed_names("server.go", SERVER_GO, *lines)

    assert changed(25) == ["Server.Handle"]
    assert changed(20) == ["Server.Handle"]  # its doc comment
    assert changed(16) == ["Store.Get"]
    assert changed(10) == ["Server"]
    assert changed(12, 30, 32) == []  # blank lines
    handle = by_qualname("server.go", SERVER_GO)["Server.Handle"]
    assert calls_in(handle, SERVER_GO) == [
        "s.store.Get",
        "r.URL.Query",
        "Get",  # r.URL.Query().Get: a call on a call's result
        "httpx.NotFound",
        "fmt.Fprintf",
    ]
    assert imports_in("server.go", SERVER_GO) == ["fmt", "net/http"]


def test_java_symbols() -> None:
    assert outline("src/main/java/shop/Cart.java", CART_JAVA) == [
        ("Cart", "class", 7, 31),  # from its annotation
        ("Cart.Cart", "constructor", 12, 14),
        ("Cart.total", "method", 21, 24),
        ("Cart.clear", "method", 26, 26),
        ("Cart.Listener", "interface", 28, 30),
        ("Cart.Listener.changed", "method", 29, 29),
    ]
    named = by_qualname("Cart.java", CART_JAVA)
    cart = named["Cart"]
    assert cart.signature == "public class Cart<T extends Item> extends Base"
    assert (cart.doc, cart.doc_lines) == ("A basket of items.", (6, 6))
    total = named["Cart.total"]
    assert total.signature == "public long total() throws PricingException"
    assert total.doc == "The total price.\n\n@return cents"
    assert total.doc_lines == (16, 20)
    assert total.body_start_line == 22
    assert named["Cart.Cart"].signature == "public Cart(List<T> items)"
    assert named["Cart.Cart"].doc == "Makes an empty cart."
    assert named["Cart.Listener.changed"].signature == "void changed(Cart<?> cart)"
    # clear() is package-private; an interface's methods are public without saying so.
    assert exported_names("Cart.java", CART_JAVA) == {
        "Cart",
        "Cart.Cart",
        "Cart.total",
        "Cart.Listener",
        "Cart.Listener.changed",
    }


def test_java_changed_calls_imports() -> None:
    def changed(*lines: int) -> list[str]:
        return changed_names("Cart.java", CART_JAVA, *lines)

    assert changed(23) == ["Cart.total"]
    assert changed(21) == ["Cart.total"]  # its annotation
    assert changed(9) == ["Cart"]  # a field
    assert changed(15) == ["Cart"]  # blank line inside the class, between members
    assert changed(2, 32) == []
    named = by_qualname("Cart.java", CART_JAVA)
    # As written, a chained call after the call it is made on.
    assert calls_in(named["Cart.total"], CART_JAVA) == [
        "items.stream",
        "mapToLong",
        "sum",
        "Tax.of",
        "cents",
    ]
    assert calls_in(named["Cart.Cart"], CART_JAVA) == ["requireNonNull"]
    assert imports_in("Cart.java", CART_JAVA) == [
        "java.util.List",
        "java.util.Objects.requireNonNull",
    ]
