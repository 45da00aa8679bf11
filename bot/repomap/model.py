"""What the repository map knows about one file: plain data, cached by content hash."""

from __future__ import annotations

from dataclasses import dataclass

from bot.structure import Kind

# Raised whenever extraction changes what it stores, so an old cache row is read as a miss.
FACTS_VERSION = 2


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    qualname: str
    kind: Kind
    line: int  # 1-based start line
    signature: str  # one line, as bot.structure gives it (trimmed to a bound)
    doc: str | None  # the doc's first line, or None
    exported: bool


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one file's content gives the map; the same for any path holding that content,
    so it is keyed by the blob's hash (the path-dependent parts are worked out per run)."""

    language: str | None  # a bot.structure language name; None when no grammar reads it
    definitions: tuple[Definition, ...]
    # Names the file uses, sorted, each once: every part of every callee ("repo", "save"
    # for `self.repo.save()`), imported names, base classes and type names.
    references: tuple[str, ...]
    imports: tuple[str, ...]  # module strings as written: ".models", "./util", "net/http"
    # Default-filter categories the content itself puts the file in ("generated" by a
    # marker, "minified" by a long line), besides those its path gives.
    content_flags: tuple[str, ...]
    binary: bool
    # Kinds of secret found in what the map would show of this file (signatures and doc
    # lines), never the values: with secrets_make_restricted the file is restricted.
    secrets: tuple[str, ...]
    go_module: str | None = None  # the `module` line of a go.mod, for Go import paths
    # (module, local name) of each name imported by name: `from a.b import c` gives
    # ("a.b", "c"), `import { x as y } from 'pkg'` ("pkg", "y"). A name from a module
    # outside the repository is no reference to a definition in it.
    imported_names: tuple[tuple[str, str], ...] = ()
