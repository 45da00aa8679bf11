"""bot.structure over JavaScript, TypeScript and TSX."""

from __future__ import annotations

import textwrap

from bot.structure import calls_in, imports_in, symbols_in
from tests.structure_helpers import by_qualname, changed_names, exported_names, outline

CART_JS = textwrap.dedent(
    """\
    import express, { Router as R } from 'express';
    const db = require('./db');

    /**
     * A basket of products.
     * @example new Cart([])
     */
    class Cart extends Base {
      constructor(items) {
        super();
        this.items = items;
      }

      /** Sum of prices. */
      total() {
        return this.items.reduce((sum, item) => sum + price(item), 0);
      }

      #audit() {}

      onChange = (event) => {
        this.emit('change', event);
      };
    }

    /**
     * Adds two numbers.
     * @param {number} a
     */
    export const add = (a, b) => a + b;

    export default function main() {
      const cart = new Cart(db.load());
      return cart.total();
    }

    function helper() {}

    module.exports.legacy = function () {
      return helper();
    };
    """
).encode()

SHAPES_TS = textwrap.dedent(
    """\
    import type { Point } from "./geometry";

    /** Something with an area. */
    export interface Shape {
      area(): number;
      readonly name: string;
    }

    export function largest<T extends Shape>(
      shapes: readonly T[],
      by: (s: T) => number = (s) => s.area(),
    ): T | undefined {
      return [...shapes].sort((a, b) => by(b) - by(a))[0];
    }

    @Injectable()
    export class ShapeService {
      constructor(private readonly http: HttpClient) {}

      @Get(':id')
      find(id: string): Observable<Shape> {
        return this.http.get<Shape>(`/shapes/${id}`);
      }

      private cache(): void {}
    }

    function internal(): void {}

    export { internal };
    """
).encode()


def test_js_symbols() -> None:
    assert outline("cart.js", CART_JS) == [
        ("Cart", "class", 8, 24),
        ("Cart.constructor", "constructor", 9, 12),
        ("Cart.total", "method", 15, 17),
        ("Cart.#audit", "method", 19, 19),
        ("Cart.onChange", "method", 21, 23),
        ("add", "function", 30, 30),
        ("main", "function", 32, 35),
        ("helper", "function", 37, 37),
        ("legacy", "function", 39, 41),
    ]
    assert {s.language for s in symbols_in("cart.js", CART_JS)} == {"javascript"}


def test_js_signatures_docs_and_exports() -> None:
    symbols = by_qualname("cart.js", CART_JS)
    assert symbols["Cart"].signature == "class Cart extends Base"
    assert symbols["Cart"].doc == "A basket of products.\n@example new Cart([])"
    assert symbols["Cart"].doc_lines == (4, 7)
    assert symbols["Cart.total"].signature == "total()"
    assert symbols["Cart.total"].doc == "Sum of prices."
    assert symbols["Cart.total"].doc_lines == (14, 14)
    assert symbols["add"].signature == "export const add = (a, b) =>"
    assert symbols["add"].doc == "Adds two numbers.\n@param {number} a"
    assert symbols["add"].doc_lines == (26, 29)
    assert symbols["Cart.onChange"].signature == "onChange = (event) =>"
    assert symbols["main"].signature == "export default function main()"
    assert symbols["main"].doc is None
    assert exported_names("cart.js", CART_JS) == {"add", "main", "legacy"}


def test_ts_interface_generic_function_and_decorated_class() -> None:
    symbols = by_qualname("shapes.ts", SHAPES_TS)
    assert list(symbols) == [
        "Shape",
        "Shape.area",
        "largest",
        "ShapeService",
        "ShapeService.constructor",
        "ShapeService.find",
        "ShapeService.cache",
        "internal",
    ]
    shape = symbols["Shape"]
    assert (shape.kind, shape.start_line, shape.end_line) == ("interface", 4, 7)
    assert shape.doc == "Something with an area." and shape.doc_lines == (3, 3)
    area = symbols["Shape.area"]
    assert (area.kind, area.signature, area.body_start_line) == ("method", "area(): number", None)
    largest = symbols["largest"]
    assert largest.signature == (
        "export function largest<T extends Shape>( shapes: readonly T[], "
        "by: (s: T) => number = (s) => s.area(), ): T | undefined"
    )
    assert (largest.start_line, largest.end_line, largest.body_start_line) == (9, 14, 12)
    service = symbols["ShapeService"]
    assert (service.start_line, service.signature) == (16, "export class ShapeService")
    find = symbols["ShapeService.find"]
    assert (find.start_line, find.end_line) == (20, 23)  # from its decorator
    assert find.signature == "find(id: string): Observable<Shape>"
    assert find.exported
    assert not symbols["ShapeService.cache"].exported  # private
    assert symbols["internal"].exported  # by `export { internal }`


def test_tsx_components() -> None:
    source = textwrap.dedent(
        """\
        import React from "react";

        type Props = { name: string };

        /** Greets. */
        export const Hello = ({ name }: Props): JSX.Element => {
          return <h1 onClick={() => track("hello")}>Hello {format(name)}</h1>;
        };
        """
    ).encode()
    [hello] = symbols_in("Hello.tsx", source)
    assert (hello.language, hello.qualname, hello.start_line, hello.end_line) == (
        "tsx",
        "Hello",
        6,
        8,
    )
    assert hello.doc == "Greets."
    assert calls_in(hello, source) == ["track", "format"]
    assert imports_in("Hello.tsx", source) == ["react"]


def test_js_changed_symbols() -> None:
    def changed(*lines: int) -> list[str]:
        return changed_names("cart.js", CART_JS, *lines)

    assert changed(16) == ["Cart.total"]
    assert changed(14) == ["Cart.total"]  # its JSDoc
    assert changed(13) == ["Cart"]  # a blank line inside the class, between methods
    assert changed(25) == []  # a blank line between two top-level definitions
    assert changed(3) == []
    assert changed(27) == ["add"]  # its JSDoc
    assert changed(30, 22) == ["Cart.onChange", "add"]


def test_ts_changed_decorator_selects_the_method() -> None:
    assert changed_names("shapes.ts", SHAPES_TS, 20) == ["ShapeService.find"]


def test_js_calls_and_imports() -> None:
    symbols = by_qualname("cart.js", CART_JS)
    assert calls_in(symbols["Cart.total"], CART_JS) == ["this.items.reduce", "price"]
    assert calls_in(symbols["main"], CART_JS) == ["Cart", "db.load", "cart.total"]
    assert calls_in(symbols["Cart.constructor"], CART_JS) == ["super"]
    assert calls_in(symbols["add"], CART_JS) == []
    assert imports_in("cart.js", CART_JS) == ["express", "./db"]
    ts_symbols = by_qualname("shapes.ts", SHAPES_TS)
    assert calls_in(ts_symbols["Shape.area"], SHAPES_TS) == []  # no body
    assert calls_in(ts_symbols["ShapeService.find"], SHAPES_TS) == ["this.http.get"]
    assert imports_in("shapes.ts", SHAPES_TS) == ["./geometry"]
    dynamic = (
        b"export * from './all';\nasync function f() { await import('./lazy'); x.require('no'); }"
    )
    assert imports_in("m.mjs", dynamic) == ["./all", "./lazy"]


def test_js_functions_assigned_to_members_at_module_level() -> None:
    source = textwrap.dedent(
        """\
        THREE.OrbitControls = function (object) {
          this.update = function () {};
        };
        Cart.prototype.total = function () { return 1; };
        window.onload = () => start();
        """
    ).encode()
    assert outline("legacy.js", source) == [
        ("THREE.OrbitControls", "function", 1, 3),  # this.update is inside its body
        ("Cart.total", "method", 4, 4),
        ("window.onload", "function", 5, 5),
    ]
    assert exported_names("legacy.js", source) == set()
