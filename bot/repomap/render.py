"""The map as text that fits a token budget.

Files in rank order, each with its definitions most used elsewhere (then the rest of what
it exports; a file with neither is not shown), shown as their signatures in file order, a
member under its owner. How many (file, definition) entries fit is found by binary search
over whole renders, counted with bot.tokens.estimate_tokens, the better half of the
entries with their doc lines; the rest get theirs while they still fit. Everything is
sorted on fixed keys, so the same map renders the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.repomap.model import Definition
from bot.tokens import estimate_tokens

if TYPE_CHECKING:
    from bot.repomap.build import RepoMap

# Past this many, a file's definitions are mostly noise next to the next file's best ones.
MAX_DEFINITIONS_PER_FILE = 12
_HASH_COMMENT = frozenset({"python"})

Entry = tuple[str, Definition]


@dataclass(frozen=True, slots=True)
class RenderedMap:
    text: str
    tokens: int  # estimate_tokens(text); never above the budget unless the header alone is
    budget: int
    files_shown: int
    files_total: int
    definitions_shown: int
    docs_shown: int


def render_map(repo_map: RepoMap, budget: int) -> RenderedMap:
    entries = _entries(repo_map)

    def size(k: int, docs: int) -> int:
        return estimate_tokens(_text(repo_map, entries[:k], docs))

    # Doc lines for the better half of what is shown, then for more of it if room is left:
    # a few explained definitions beat a few more bare ones, but not all of them.
    count = _most(lambda k: size(k, k // 2) <= budget, len(entries))
    docs = count // 2 + _most(lambda d: size(count, count // 2 + d) <= budget, count - count // 2)
    chosen = entries[:count]
    text = _text(repo_map, chosen, docs)
    return RenderedMap(
        text=text,
        tokens=estimate_tokens(text),
        budget=budget,
        files_shown=len({path for path, _ in chosen}),
        files_total=len(repo_map.files),
        definitions_shown=len(chosen),
        docs_shown=sum(1 for _, d in chosen[:docs] if d.doc),
    )


def _most(fits: Callable[[int], bool], limit: int) -> int:
    """The largest n in [0, limit] with fits(n), for a `fits` true up to some n and false
    after. Grows by doubling first, so a small budget over a large map renders little."""
    if limit == 0 or not fits(1):
        return 0
    low, high = 1, 2
    while high < limit and fits(high):
        low, high = high, high * 2
    high = min(high, limit)
    if fits(high):
        return high
    while high - low > 1:  # fits(low), not fits(high)
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def _entries(repo_map: RepoMap) -> list[Entry]:
    scores = repo_map.definition_scores()
    out: list[Entry] = []
    for path, mapped in repo_map.files.items():
        ranked = sorted(
            (d for d in mapped.definitions if d.exported or scores.get((path, d.name), 0) > 0),
            key=lambda d: (-scores.get((path, d.name), 0.0), d.line, d.qualname),
        )[:MAX_DEFINITIONS_PER_FILE]
        # A file with nothing to show (an __init__.py that only imports) costs its
        # path line and tells the model nothing it can use.
        out.extend((path, d) for d in ranked)
    return out


def _text(repo_map: RepoMap, entries: list[Entry], docs: int) -> str:
    by_file: dict[str, list[tuple[Definition, bool]]] = {}
    for i, (path, definition) in enumerate(entries):
        by_file.setdefault(path, []).append((definition, i < docs))
    lines = _header(repo_map, len(by_file))
    for path, shown in by_file.items():
        lines.append(f"{path}:")
        marker = "#" if repo_map.files[path].language in _HASH_COMMENT else "//"
        lines.extend(_file_lines(shown, marker))
    return "\n".join(lines) + "\n"


def _file_lines(shown: list[tuple[Definition, bool]], marker: str) -> list[str]:
    # A member goes under its owner when the owner is shown too (a Go method is declared
    # apart from its struct), else it is named with its owner: "Cart: def total(self)".
    at = {d.qualname: d.line for d, _ in shown}

    def owners(d: Definition) -> list[str]:
        parts = d.qualname.split(".")
        return [q for q in (".".join(parts[:i]) for i in range(1, len(parts))) if q in at]

    def place(d: Definition) -> tuple[tuple[int, ...], str]:
        return (*(at[q] for q in owners(d)), d.line), d.qualname

    out: list[str] = []
    for d, with_doc in sorted(shown, key=lambda s: place(s[0])):
        indent = "  " * (len(owners(d)) + 1)
        owner = d.qualname.rpartition(".")[0]
        prefix = f"{owner}: " if owner and owner not in at else ""
        out.append(f"{indent}{prefix}{d.signature}")
        if with_doc and d.doc:
            out.append(f"{indent}  {marker} {d.doc}")
    return out


def _header(repo_map: RepoMap, shown: int) -> list[str]:
    around = f", around {len(repo_map.focus)} given files" if repo_map.focus else ""
    lines = [f"Repository map: {shown} of {len(repo_map.files)} files, most used first{around}."]
    if repo_map.left_out:
        counts = "; ".join(f"{n} ({reason})" for reason, n in repo_map.left_out.items())
        lines.append(f"Files left out: {counts}.")
    return lines
