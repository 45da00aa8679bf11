"""The code elsewhere that a changed definition reaches: the files the repository map says
use it (callers, importers, subclasses), cut to the lines around each use, and the
definitions that override a changed method in a subclass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config.classes import DataClass
from bot.impact.sites import Snippet, call_sites, numbered
from bot.repomap import RepoMap
from bot.structure import Symbol

# Files shown per changed definition, most used first (the map's rank around the change).
MAX_USER_FILES = 40
# Lines of an overriding definition shown: its header and the start of its body.
OVERRIDE_LINES = 8
_CONSTRUCTORS = frozenset({"__init__", "__new__", "constructor"})

Read = Callable[[str], str | None]  # a file's text at the change's head, None if unreadable


@dataclass(slots=True)
class Reach:
    """One changed definition and the code elsewhere that uses it."""

    symbol: Symbol
    name: str  # the name its users write: a constructor's class, else its own name
    snippets: list[Snippet] = field(default_factory=list)
    files_not_shown: int = 0  # users beyond MAX_USER_FILES


def used_name(symbol: Symbol) -> str:
    """What a caller writes to reach `symbol`: `Cart(...)` for Cart.__init__."""
    owner, _, _ = symbol.qualname.rpartition(".")
    if (symbol.name in _CONSTRUCTORS or symbol.kind == "constructor") and owner:
        return owner.rpartition(".")[2]
    return symbol.name


def reach_of(
    symbol: Symbol,
    repo_map: RepoMap,
    read: Read,
    *,
    head_text: str | None,
    max_files: int = MAX_USER_FILES,
) -> Reach:
    """Who uses `symbol` (a definition the change touches in `symbol.path`): the uses in
    the other files of the map that reference it, those in its own file outside its own
    lines, and the methods of the same name in files using its class (overrides)."""
    name = used_name(symbol)
    reach = Reach(symbol, name)
    here = repo_map.files.get(symbol.path)
    own_class = here.data_class if here is not None else DataClass.INTERNAL
    if head_text is not None:
        reach.snippets += call_sites(
            symbol.path, head_text, name, own_class, f"uses {name}", skip=symbol.extent
        )
    users = [
        p
        for definer in (symbol.path, *_counterparts(symbol.path))
        for p in repo_map.users_of(definer, name)
        if p != symbol.path
    ]
    users = list(dict.fromkeys(users))
    reach.files_not_shown = max(0, len(users) - max_files)
    for path in users[:max_files]:
        text = read(path)
        if text is not None:
            cls = repo_map.files[path].data_class
            reach.snippets += call_sites(path, text, name, cls, f"uses {name}")
    reach.snippets += _overrides(symbol, repo_map, read)
    return reach


def _counterparts(path: str) -> tuple[str, ...]:
    """The module a type stub describes: callers import `x`, which resolves to `x.py` (or
    `x.js`), not to the stub whose signatures a change edits."""
    if path.endswith(".pyi"):
        return (path[:-1],)
    if path.endswith(".d.ts"):
        stem = path[: -len(".d.ts")]
        return (f"{stem}.js", f"{stem}.ts")
    return ()


def _overrides(symbol: Symbol, repo_map: RepoMap, read: Read) -> list[Snippet]:
    """Same-named methods in files that use the changed method's class: the subclasses
    (or implementations) whose contract the change may break. A window that repeats
    one already shown is dropped when the item is packed."""
    owner, _, _ = symbol.qualname.rpartition(".")
    if symbol.kind not in ("method", "constructor") or not owner:
        return []
    owner_name = owner.rpartition(".")[2]
    out: list[Snippet] = []
    for path in repo_map.users_of(symbol.path, owner_name):
        mapped = repo_map.files[path]
        found = [
            d
            for d in mapped.definitions
            if d.name == symbol.name and d.kind == "method" and "." in d.qualname
        ]
        if not found:
            continue
        text = read(path)
        if text is None:
            continue
        lines = text.splitlines()
        for d in found:
            last = min(len(lines), d.line + OVERRIDE_LINES - 1)
            out.append(
                Snippet(
                    path, d.line, last, numbered(lines, d.line, last),
                    f"overrides {owner_name}.{symbol.name}", mapped.data_class,
                )
            )  # fmt: skip
    return out
