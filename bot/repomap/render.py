"""The map as text that fits a token budget.

Files in rank order, each with its definitions most used elsewhere (then the rest of what
it exports), shown as their signatures in file order, a method under its class. How many
(file, definition) entries fit is found by binary search over whole renders, counted with
bot.tokens.estimate_tokens; doc lines are then added to as many of the chosen entries as
still fit. Everything is sorted on fixed keys, so the same map renders the same text.
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

Entry = tuple[str, Definition | None]


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

    count = _most(lambda k: size(k, 0) <= budget, len(entries))
    docs = _most(lambda d: size(count, d) <= budget, count)
    chosen = entries[:count]
    text = _text(repo_map, chosen, docs)
    return RenderedMap(
        text=text,
        tokens=estimate_tokens(text),
        budget=budget,
        files_shown=len({path for path, _ in chosen}),
        files_total=len(repo_map.files),
        definitions_shown=sum(1 for _, d in chosen if d is not None),
        docs_shown=sum(1 for _, d in chosen[:docs] if d is not None and d.doc),
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
        if ranked:
            out.extend((path, d) for d in ranked)
        else:
            out.append((path, None))
    return out


def _text(repo_map: RepoMap, entries: list[Entry], docs: int) -> str:
    by_file: dict[str, list[tuple[Definition, bool]]] = {}
    for i, (path, definition) in enumerate(entries):
        shown = by_file.setdefault(path, [])
        if definition is not None:
            shown.append((definition, i < docs))
    lines = _header(repo_map, len(by_file))
    for path, shown in by_file.items():
        lines.append(f"{path}:")
        marker = "#" if repo_map.files[path].language in _HASH_COMMENT else "//"
        names = {d.qualname for d, _ in shown}
        for definition, with_doc in sorted(shown, key=lambda s: (s[0].line, s[0].qualname)):
            owner, _, _ = definition.qualname.rpartition(".")
            depth = definition.qualname.count(".") if owner in names else 0
            indent = "  " * (depth + 1)
            prefix = f"{owner}: " if owner and owner not in names else ""
            lines.append(f"{indent}{prefix}{definition.signature}")
            if with_doc and definition.doc:
                lines.append(f"{indent}  {marker} {definition.doc}")
    return "\n".join(lines) + "\n"


def _header(repo_map: RepoMap, shown: int) -> list[str]:
    around = f", around {len(repo_map.focus)} given files" if repo_map.focus else ""
    lines = [f"Repository map: {shown} of {len(repo_map.files)} files, most used first{around}."]
    if repo_map.left_out:
        counts = "; ".join(f"{n} ({reason})" for reason, n in repo_map.left_out.items())
        lines.append(f"Files left out: {counts}.")
    return lines
