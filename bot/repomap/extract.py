"""One file's facts for the map: definitions, names used, imports, content flags, secrets.

Runs only on a cache miss; everything here depends on the file's bytes alone (and on its
path only through the language its suffix names, which the cache key does not hold: see
cache.py for why that is sound).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.change.filters import default_flags
from bot.change.language import language_for
from bot.change.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.repomap.model import Definition, FileFacts
from bot.repomap.names import names_imported, names_used
from bot.secrets.detect import find_secrets
from bot.structure import Symbol, calls_in, imports_in, language_of, symbols_in

SIGNATURE_CHARS = 240
DOC_CHARS = 160
_BINARY_PROBE = 8000
_GO_MODULE = re.compile(rb"^\s*module\s+\"?([^\s\"/][^\s\"]*)\"?\s*$", re.MULTILINE)
_NAME = re.compile(r"[A-Za-z_$][\w$]*")
# As bot/change/filters.py reads a file: markers in its first lines, minified past 1,000.
_MARKER_LINES = 10
_LONG_LINE = re.compile(rb"^[^\n]{1001,}", re.MULTILINE)


def facts_of(path: str, source: bytes) -> FileFacts:
    """What the map keeps of `source`, the content of the file at `path`."""
    return facts_of_many([(path, source)])[0]


def facts_of_many(items: Sequence[tuple[str, bytes]]) -> list[FileFacts]:
    """facts_of for each (path, content), with one secret scan over all of them: the scan
    costs about a millisecond a call however little it reads."""
    unscanned = [_unscanned(path, source) for path, source in items]
    found = _secrets([(path, f.definitions) for (path, _), f in zip(items, unscanned, strict=True)])
    return [
        replace(f, secrets=kinds) if kinds else f for f, kinds in zip(unscanned, found, strict=True)
    ]


def _unscanned(path: str, source: bytes) -> FileFacts:
    binary = b"\0" in source[:_BINARY_PROBE]
    go_module = _go_module(source) if path.rsplit("/", 1)[-1] == "go.mod" else None
    language = None if binary else language_of(path)
    flags = () if binary else _content_flags(path, source)
    if language is None:
        return FileFacts(None, (), (), (), flags, binary, (), go_module)
    definitions = tuple(_definition(s) for s in symbols_in(path, source))
    references = _calls(path, language, source) | names_used(language, source)
    return FileFacts(
        language=language,
        definitions=definitions,
        references=tuple(sorted(references)),
        imports=tuple(imports_in(path, source)),
        imported_names=tuple(names_imported(language, source)),
        content_flags=flags,
        binary=False,
        secrets=(),
    )


def shown_text(definition: Definition) -> str:
    """The lines the map shows for a definition: its signature, then its doc line."""
    if definition.doc:
        return f"{definition.signature}\n{definition.doc}"
    return definition.signature


def _definition(symbol: Symbol) -> Definition:
    doc = None
    if symbol.doc:
        first = next((ln.strip() for ln in symbol.doc.splitlines() if ln.strip()), "")
        doc = _trim(first, DOC_CHARS) or None
    return Definition(
        name=symbol.name,
        qualname=symbol.qualname,
        kind=symbol.kind,
        line=symbol.start_line,
        signature=_trim(symbol.signature, SIGNATURE_CHARS),
        doc=doc,
        exported=symbol.exported,
    )


def _calls(path: str, language: str, source: bytes) -> set[str]:
    # calls_in reads a line range; one range over the whole file gives every call in it
    # (top-level ones included) from one query instead of one per definition.
    lines = source.count(b"\n") + 2
    whole = Symbol(
        name="", qualname="", kind="function", path=path, language=language,
        start_line=1, end_line=lines, signature="", doc=None, doc_lines=None,
        body_start_line=1, exported=False,
    )  # fmt: skip
    names: set[str] = set()
    for callee in calls_in(whole, source):
        names.update(_NAME.findall(callee))
    return names


def _content_flags(path: str, source: bytes) -> tuple[str, ...]:
    # The review's own default filters, asked about the file as if it were added whole,
    # less what its path alone says (that part is asked again per run, per path). They
    # read only the first lines (generator markers) and long lines (minified code), so
    # only those lines are handed over, with their numbers.
    head = source.split(b"\n", _MARKER_LINES)[:_MARKER_LINES]
    shown = dict(enumerate((ln.decode("utf-8", "replace") for ln in head), 1))
    for found in _LONG_LINE.finditer(source):
        number = source.count(b"\n", 0, found.start()) + 1
        shown.setdefault(number, found.group().decode("utf-8", "replace"))
    lines = [DiffLine(LineKind.ADDED, None, n, t) for n, t in sorted(shown.items())]
    language = language_for(path)
    whole = FileChange(path, None, FileStatus.ADDED, [Hunk(0, 0, 1, len(lines), "", lines)])
    whole.language = language
    by_path = FileChange(path, None, FileStatus.ADDED, language=language)
    return tuple(sorted(default_flags(whole) - default_flags(by_path)))


def _secrets(files: Sequence[tuple[str, tuple[Definition, ...]]]) -> list[tuple[str, ...]]:
    # Each file's shown lines, a blank line between files so no pattern spans two. No
    # path is given: a path only ever allows a hit (a test file, say), and a hit here
    # only ever keeps the file from a cloud target.
    blocks: list[str] = []
    owner: list[int] = []  # text line (0-based) -> index into files
    for index, (_, definitions) in enumerate(files):
        if not definitions:
            continue
        block = "\n".join(shown_text(d) for d in definitions)
        blocks.append(block)
        owner.extend([index] * (block.count("\n") + 2))
    kinds: list[set[str]] = [set() for _ in files]
    if blocks:
        for hit in find_secrets("\n\n".join(blocks)):
            kinds[owner[hit.line - 1]].add(hit.kind)
    return [tuple(sorted(k)) for k in kinds]


def _go_module(source: bytes) -> str | None:
    found = _GO_MODULE.search(source)
    return found.group(1).decode("utf-8", "replace") if found else None


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
