"""What a doc comment documents: its parameters, whether it documents a return value, the
errors it names, in the convention it is written in.

Pure text: the doc as bot/structure cleaned it (markers and common indent removed). Python
docstrings are Google (`Args:`), NumPy (`Parameters` over a dashed line) or reST
(`:param x:`); JSDoc, TSDoc and Javadoc use `@param`, `@returns`, `@throws`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Style = Literal["google", "numpy", "rest"]
STYLES: tuple[Style, ...] = ("google", "numpy", "rest")

_GOOGLE_PARAMS = frozenset(
    {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "kwargs"}
)
_GOOGLE_RETURNS = frozenset({"returns", "return", "yields", "yield"})
_GOOGLE_RAISES = frozenset({"raises", "raise", "exceptions"})
_GOOGLE_HEADER = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
_GOOGLE_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_][\w.]*)\s*(\([^)]*\))?\s*:")
_NUMPY_PARAMS = frozenset({"parameters", "other parameters", "keyword arguments"})
_NUMPY_RETURNS = frozenset({"returns", "yields"})
_NUMPY_RAISES = frozenset({"raises"})
_DASHES = re.compile(r"^\s*-{3,}\s*$")
_REST_PARAM = re.compile(
    r"^\s*:(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?(\*{0,2}\w+)\s*:"
)
_REST_RETURNS = re.compile(r"^\s*:(?:returns?|rtype|yields?)\s*:(.*)$")
_REST_RAISES = re.compile(r"^\s*:(?:raises?|except|exception)\s+([\w.]+)\s*:")
_TAG_PARAM = re.compile(r"^\s*@(?:param|arg|argument)\s+(?:\{[^}]*\}\s*)?\[?([\w$.]+)")
_TAG_RETURNS = re.compile(r"^\s*@returns?\b(.*)$")
# What a return section says when there is nothing to say: "-", "None", "{void}".
_NOTHING = frozenset({"", "-", "none", "nothing", "n/a", "null", "void", "{void}", "undefined"})
_TAG_THROWS = re.compile(r"^\s*@(?:throws|exception)\s+(?:\{([^}]*)\}|([\w.]+))")


@dataclass(slots=True)
class Documented:
    """What a doc comment says of its function. `structured` is False for a summary with
    no section or tag at all: nothing to compare with the code."""

    params: list[str] = field(default_factory=list)
    has_params: bool = False  # a parameter section or tag exists (even if empty)
    returns: bool = False
    raises: list[str] = field(default_factory=list)
    has_raises: bool = False
    style: Style | None = None

    @property
    def structured(self) -> bool:
        return self.has_params or self.returns or self.has_raises


def bare(name: str) -> str:
    """`*args` and `args` are one parameter; `opts.verbose` documents a property of `opts`."""
    return name.lstrip("*").split(".", 1)[0]


def python_style(doc: str) -> Style | None:
    """The convention one docstring is written in, or None when it has no section."""
    lines = doc.splitlines()
    if any(
        _REST_PARAM.match(ln) or _REST_RETURNS.match(ln) or _REST_RAISES.match(ln) for ln in lines
    ):
        return "rest"
    for i, line in enumerate(lines[:-1]):
        if line.strip().lower() in (
            _NUMPY_PARAMS | _NUMPY_RETURNS | _NUMPY_RAISES
        ) and _DASHES.match(lines[i + 1]):
            return "numpy"
    for line in lines:
        m = _GOOGLE_HEADER.match(line.strip())
        if m and m.group(1).lower() in (_GOOGLE_PARAMS | _GOOGLE_RETURNS | _GOOGLE_RAISES):
            return "google"
    return None


def read_python(doc: str) -> Documented:
    style = python_style(doc)
    if style == "rest":
        return _read_rest(doc)
    if style == "numpy":
        return _read_numpy(doc)
    if style == "google":
        return _read_google(doc)
    return Documented()


def read_tags(doc: str) -> Documented:
    """JSDoc, TSDoc and Javadoc: `@param`, `@returns`, `@throws`. Type parameters
    (`@param <T>`) and properties of a parameter (`@param opts.x`) are not parameters."""
    out = Documented()
    for line in doc.splitlines():
        if m := _TAG_PARAM.match(line):
            out.has_params = True
            name = bare(m.group(1))
            if name not in out.params:
                out.params.append(name)
        elif re.match(r"^\s*@param\s+<", line):
            out.has_params = True
        elif m := _TAG_RETURNS.match(line):
            out.returns = out.returns or not _nothing(m.group(1))
        elif m := _TAG_THROWS.match(line):
            out.has_raises = True
            out.raises.append((m.group(1) or m.group(2) or "").split(".")[-1])
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _sections(lines: list[str], starts: dict[int, str]) -> dict[str, list[str]]:
    """Lines under each header (by index), up to the next header."""
    out: dict[str, list[str]] = {}
    order = sorted(starts)
    for n, start in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(lines)
        out.setdefault(starts[start], []).extend(lines[start + 1 : end])
    return out


def _kind(
    name: str, params: frozenset[str], returns: frozenset[str], raises: frozenset[str]
) -> str:
    if name in params:
        return "params"
    if name in returns:
        return "returns"
    if name in raises:
        return "raises"
    return "other"


def _entries(body: list[str], pattern: re.Pattern[str] | None) -> list[str]:
    """Names of the entries of a section: its least-indented lines (continuations sit
    deeper); with `pattern`, its first group."""
    filled = [ln for ln in body if ln.strip() and not _DASHES.match(ln)]
    if not filled:
        return []
    base = min(_indent(ln) for ln in filled)
    names: list[str] = []
    for line in filled:
        if _indent(line) != base:
            continue
        text = line.strip()
        if pattern is not None:
            m = pattern.match(text)
            if m:
                names.append(m.group(1))
        else:
            names.extend(n.strip() for n in text.split(":", 1)[0].split(","))
    return [n for n in names if n]


def _read_google(doc: str) -> Documented:
    lines = doc.splitlines()
    starts: dict[int, str] = {}
    for i, line in enumerate(lines):
        m = _GOOGLE_HEADER.match(line.strip())
        if m and _indent(line) == 0:
            starts[i] = _kind(m.group(1).lower(), _GOOGLE_PARAMS, _GOOGLE_RETURNS, _GOOGLE_RAISES)
    return _from_sections(_sections(lines, starts), "google", _GOOGLE_ENTRY)


def _read_numpy(doc: str) -> Documented:
    lines = doc.splitlines()
    starts: dict[int, str] = {}
    for i, line in enumerate(lines[:-1]):
        name = line.strip().lower()
        if name and _DASHES.match(lines[i + 1]):
            starts[i] = _kind(name, _NUMPY_PARAMS, _NUMPY_RETURNS, _NUMPY_RAISES)
    return _from_sections(_sections(lines, starts), "numpy", None)


def _from_sections(
    found: dict[str, list[str]], style: Style, entry: re.Pattern[str] | None
) -> Documented:
    out = Documented(style=style)
    if "params" in found:
        out.has_params = True
        out.params = [bare(n) for n in _entries(found["params"], entry)]
    out.returns = "returns" in found and not _nothing(" ".join(found["returns"]))
    if "raises" in found:
        out.has_raises = True
        out.raises = [n.split(".")[-1] for n in _entries(found["raises"], entry)]
    return out


def _nothing(text: str) -> bool:
    """A return section that documents no value: empty, "-", "None", "{void}"."""
    lines = [ln for ln in text.split() if not _DASHES.match(ln)]
    return " ".join(lines).strip().lower().rstrip(".") in _NOTHING


def _read_rest(doc: str) -> Documented:
    out = Documented(style="rest")
    for line in doc.splitlines():
        if m := _REST_PARAM.match(line):
            out.has_params = True
            out.params.append(bare(m.group(1)))
        elif m := _REST_RETURNS.match(line):
            out.returns = out.returns or not _nothing(m.group(1))
        elif m := _REST_RAISES.match(line):
            out.has_raises = True
            out.raises.append(m.group(1).split(".")[-1])
    return out
