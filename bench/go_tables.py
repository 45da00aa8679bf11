"""Reading the tables of Go test files without running Go: string literals (raw and
interpreted), `+`, `fmt.Sprintf` with `%s %v %d %q`, `strings.Repeat`, `Join`,
`TrimSpace`, `ToUpper`, `ToLower`, and package- or function-level `var`/`const`/`:=`
values. bench/secrets_trufflehog.py reads the `{input, want}` tables of TruffleHog's
detector tests with it. What needs anything else raises Unresolved, and the caller counts
it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

# --- reading Go: tokens -------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f]+) | (?P<nl>\n) | (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<raw>`[^`]*`) | (?P<str>"(?:\\.|[^"\\\n])*") | (?P<rune>'(?:\\.|[^'\\\n])+')
    | (?P<ident>[^\W\d]\w*) | (?P<num>\d[\w.]*)
    | (?P<op>:=|\.\.\.|&&|\|\||[=!<>]=|<-|\+\+|--|[-+*/%|&^]=|.)
    """,
    re.X | re.S,
)


@dataclass(frozen=True)
class Tok:
    kind: str  # raw, str, rune, ident, num, op
    text: str
    line_start: bool  # first token on its line: where a statement can begin


def _tokens(src: str) -> list[Tok]:
    out: list[Tok] = []
    fresh = True
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup or "op"
        if kind == "space":
            continue
        if kind in ("nl", "comment"):
            fresh = fresh or kind == "nl" or "\n" in m.group()
            continue
        out.append(Tok(kind, m.group(), fresh))
        fresh = False
    out.append(Tok("eof", "", True))
    return out


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}
_ESCAPE = re.compile(r"\\(?:([abfnrtv\\'\"])|x([0-9a-fA-F]{2})|([0-7]{3})|u(\w{4})|U(\w{8}))")


def _unquote(lit: str) -> str:
    """A Go interpreted string literal's value: `\\x`/octal escapes are bytes, so the
    value is built as UTF-8 and decoded."""
    body, out, at = lit[1:-1], bytearray(), 0
    for m in _ESCAPE.finditer(body):
        out += body[at : m.start()].encode()
        simple, hex2, octal, u4, u8 = m.groups()
        if simple:
            out.append(_ESCAPES[simple])
        elif hex2 or octal:
            out.append(int(hex2, 16) if hex2 else int(octal, 8))
        else:
            out += chr(int(u4 or u8, 16)).encode("utf-8", "surrogatepass")
        at = m.end()
    out += body[at:].encode()
    return out.decode("utf-8", "replace")


def _go_quote(s: str) -> str:
    """Go's %q of a string (strconv.Quote), for the printable text these tests use."""
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    named |= {"\v": "\\v", "\\": "\\\\", '"': '\\"'}
    out = [named.get(c) or (c if c.isprintable() else f"\\x{ord(c):02x}") for c in s]
    return '"' + "".join(out) + '"'


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.\d+)?([a-zA-Z%])")

GoValue = str | int | bool | None | list["GoValue"]


class Unresolved(Exception):
    """An expression this reader does not evaluate (a call, an index, an unknown name)."""


def _sprintf(fmt: str, args: list[GoValue]) -> str:
    rest = iter(args)

    def verb(m: re.Match[str]) -> str:
        flags, width, v = m.groups()
        if v == "%":
            return "%"
        arg = next(rest, Unresolved)
        scalar = isinstance(arg, str | int) and not isinstance(arg, bool)
        if scalar and (v in "sv" or (v == "d" and isinstance(arg, int))):
            s = str(arg)
        elif v == "q" and isinstance(arg, str):
            s = _go_quote(arg)
        else:
            raise Unresolved(f"%{v} of {type(arg).__name__}")
        pad = int(width or 0)
        return s.ljust(pad) if "-" in flags else s.rjust(pad)

    out = _VERB.sub(verb, fmt)
    if next(rest, None) is not None:
        raise Unresolved("extra Sprintf arguments")
    return out


# --- reading Go: a file's declarations and expressions ------------------------------


_STRING_FUNCS: dict[str, Callable[[str], str]] = {
    "strings.ToUpper": str.upper,
    "strings.ToLower": str.lower,
    "strings.TrimSpace": str.strip,
    "string": str,
}


class GoFile:
    """One test file: its tokens, its declarations, and an evaluator for the constant
    string expressions the pattern tables use."""

    def __init__(self, src: str) -> None:
        self.toks = _tokens(src)
        self.funcs: list[tuple[str, int, int]] = []  # (name, body start, body end)
        self.package: dict[str, int] = {}  # name -> index of its value expression
        self.local: dict[str, list[tuple[int, int]]] = defaultdict(list)  # -> (where, value)
        self._scan()

    def _scan(self) -> None:
        toks, depth, func = self.toks, 0, -1
        for i, tok in enumerate(toks):
            if tok.text == "func" and depth == 0 and toks[i + 1].kind == "ident":
                func = i
            if tok.kind == "op" and tok.text in "{}":
                depth += 1 if tok.text == "{" else -1
                if depth == 0 and tok.text == "}" and func >= 0:
                    self.funcs.append((toks[func + 1].text, func, i))
                    func = -1
            value = self._declared(i)
            if value is not None:
                if depth == 0:
                    self.package.setdefault(tok.text, value)
                else:
                    self.local[tok.text].append((i, value))

    def _declared(self, i: int) -> int | None:
        """Where the value starts when `name [type] = value` (or `:=`) begins at `i`."""
        toks = self.toks
        if toks[i].kind != "ident" or not (
            toks[i].line_start or toks[i - 1].text in ("var", "const")
        ):
            return None
        j = i + 1
        if toks[j].kind == "ident":  # a typed declaration: `var x string = ...`
            j += 1
        return j + 1 if toks[j].text in ("=", ":=") else None

    def lookup(
        self, name: str, at: int, func: tuple[str, int, int], seen: frozenset[int]
    ) -> GoValue:
        # The function's own latest declaration before `at`, else the package's.
        local = [v for where, v in self.local.get(name, ()) if func[1] < where < at]
        if local:
            return self.value(local[-1], func, seen)
        if name in self.package:
            return self.value(self.package[name], func, seen)
        raise Unresolved(f"name {name}")

    def value(
        self, i: int, func: tuple[str, int, int], seen: frozenset[int] = frozenset()
    ) -> GoValue:
        v, _ = self.expr(i, func, seen)
        return v

    def expr(self, i: int, func: tuple[str, int, int], seen: frozenset[int]) -> tuple[GoValue, int]:
        if i in seen:
            raise Unresolved("a name defined by itself")
        seen = seen | {i}
        v, i = self.primary(i, func, seen)
        while self.toks[i].text == "+":
            w, i = self.primary(i + 1, func, seen)
            if isinstance(v, bool) or isinstance(w, bool) or type(v) is not type(w):
                raise Unresolved("+ of mixed values")
            v = v + w  # type: ignore[operator]
        if self.toks[i].text in ("[", ".", "("):
            raise Unresolved(f"{self.toks[i].text} after a value")
        return v, i

    def _items(
        self, i: int, func: tuple[str, int, int], seen: frozenset[int]
    ) -> tuple[list[GoValue], int]:
        """The values of a call's `(...)` or a composite literal's `{...}` (nested `{...}`
        too) opening at `i`, and the index after its close."""
        close = ")" if self.toks[i].text == "(" else "}"
        items: list[GoValue] = []
        i += 1
        while self.toks[i].text != close:
            if close == "}" and self.toks[i].text == "{":
                item, i = self._items(i, func, seen)
            else:
                item, i = self.expr(i, func, seen)
            items.append(item)
            if self.toks[i].text == ",":
                i += 1
            elif self.toks[i].text != close:
                raise Unresolved(f"a list closed by {close}")
        return items, i + 1

    def primary(
        self, i: int, func: tuple[str, int, int], seen: frozenset[int]
    ) -> tuple[GoValue, int]:
        tok, toks = self.toks[i], self.toks
        if tok.kind == "raw":
            return tok.text[1:-1].replace("\r", ""), i + 1
        if tok.kind == "str":
            return _unquote(tok.text), i + 1
        if tok.kind == "num":
            if not tok.text.isdigit():
                raise Unresolved(f"number {tok.text}")
            return int(tok.text), i + 1
        if tok.text == "(":
            v, i = self.expr(i + 1, func, seen)
            if toks[i].text != ")":
                raise Unresolved("a parenthesis")
            return v, i + 1
        if tok.text == "[":  # []string{...}, [][]string{...}
            j = i
            while toks[j].text in ("[", "]") or toks[j].kind == "ident":
                j += 1
            if toks[j].text != "{" or toks[j - 1].text not in ("string", "]"):
                raise Unresolved("a composite literal's type")
            return self._items(j, func, seen)
        if tok.kind != "ident":
            raise Unresolved(f"token {tok.text!r}")
        if tok.text in ("nil", "true", "false"):
            return {"nil": None, "true": True, "false": False}[tok.text], i + 1
        if toks[i + 1].text == "." and toks[i + 2].kind == "ident" and toks[i + 3].text == "(":
            return self._call(f"{tok.text}.{toks[i + 2].text}", i + 3, func, seen)
        if tok.text == "string" and toks[i + 1].text == "(":
            return self._call("string", i + 1, func, seen)
        if toks[i + 1].text in (".", "(", "["):
            raise Unresolved(f"{tok.text}{toks[i + 1].text}")
        return self.lookup(tok.text, i, func, seen), i + 1

    def _call(
        self, name: str, i: int, func: tuple[str, int, int], seen: frozenset[int]
    ) -> tuple[GoValue, int]:
        args, end = self._items(i, func, seen)
        strs = [a for a in args if isinstance(a, str)]
        if name == "fmt.Sprintf" and args and isinstance(args[0], str):
            return _sprintf(args[0], args[1:]), end
        if name == "fmt.Sprint" and len(strs) == len(args):
            return "".join(strs), end
        if name == "strings.Repeat" and len(args) == 2 and strs and isinstance(args[1], int):
            return strs[0] * args[1], end
        if name == "strings.Join" and len(args) == 2 and isinstance(args[0], list):
            parts = [p for p in args[0] if isinstance(p, str)]
            if len(parts) == len(args[0]) and isinstance(args[1], str):
                return args[1].join(parts), end
        if name in _STRING_FUNCS and len(strs) == len(args) == 1:
            return _STRING_FUNCS[name](strs[0]), end
        raise Unresolved(f"call {name}")
