"""Which files matter: a reference graph between files, ranked by PageRank.

A file A links to a file B for every name A uses that B defines in the same language
family (as the better coding assistants' repository maps do: names, not types, so it
works the same in every language). A name several files define is shared among them, or
given to those of them A imports (or shares a Go or Java package with) when there are
any; a name still shared by very many files (`get`, `toString`) tells nothing and is
dropped, as are dunder names (protocols, not references) and names under three
characters; a private name (`_x`) weighs a tenth. An import of B alone (a module, a
class; not a Go package of many files) adds one more link. The edge weight is thus about
how many of B's definitions A uses.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

# A name defined in more files than this links nothing, even among those the user imports
# or shares a package with.
MAX_DEFINERS = 24
PRIVATE_WEIGHT = 0.1
_MIN_NAME = 3
# JavaScript calls TypeScript and back; Python never calls Go by name.
_PACKAGE_SCOPED = frozenset({"go", "java"})
_FAMILY = {"typescript": "ecmascript", "tsx": "ecmascript", "javascript": "ecmascript"}
DAMPING = 0.85
_TOLERANCE = 1e-6  # per node, as networkx
_MAX_ROUNDS = 100


@dataclass(frozen=True, slots=True)
class Link:
    user: str  # the file using the name
    definer: str  # the file defining it
    name: str
    share: float  # the name's weight (1, or less if private) / files it is shared among


class ReferenceGraph:
    """Links between `files`, from what each uses and defines and what it imports."""

    def __init__(
        self,
        languages: Mapping[str, str],
        defines: Mapping[str, Sequence[str]],
        uses: Mapping[str, Sequence[str]],
        imports: Mapping[str, Sequence[str]],
        direct: Mapping[str, Sequence[str]],
        external: Mapping[str, set[str]],
    ) -> None:
        """`imports`: every file a file's imports resolved to (a Go package is all of its
        files); `direct`: those imported one by one (a module, a class), which also link;
        `external`: names a file imports from outside the repository, which link nothing."""
        self.files = sorted(defines)
        self._family = {p: _FAMILY.get(lang, lang) for p, lang in languages.items()}
        self._uses = uses
        self._imports = imports
        self._external = external
        # In Go and Java a file sees its own package's names without importing them:
        # (package folder, family, name) -> the package's files defining it.
        self._scoped = {p for p in self.files if languages[p] in _PACKAGE_SCOPED}
        definers: dict[tuple[str, str], list[str]] = defaultdict(list)
        in_package: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for path in self.files:
            family = self._family[path]
            folder = posixpath.dirname(path) if path in self._scoped else None
            for name in dict.fromkeys(defines[path]):
                if len(name) >= _MIN_NAME and not (name.startswith("__") and name.endswith("__")):
                    definers[(family, name)].append(path)
                    if folder is not None:
                        in_package[(folder, family, name)].append(path)
        self._definers = definers
        self._in_package = in_package
        self._definer_sets: dict[tuple[str, str], set[str]] = {}
        self._users: dict[tuple[str, str], list[str]] | None = None  # built when first asked
        self.edges: dict[str, dict[str, float]] = {path: {} for path in self.files}
        # Kept: ranking per definition and `users_of` read them again.
        self.links: list[Link] = []
        for user in self.files:
            out = self.edges[user]
            for link in self._links_of(user):
                self.links.append(link)
                out[link.definer] = out.get(link.definer, 0.0) + link.share
            for target in direct.get(user, ()):
                if target in self.edges and target != user:
                    out[target] = out.get(target, 0.0) + 1.0

    @property
    def uses(self) -> Mapping[str, Sequence[str]]:
        """The names each file uses (callee parts, imported and type names)."""
        return self._uses

    def _links_of(self, user: str) -> Iterator[Link]:
        imported = set(self._imports.get(user, ()))
        folder = posixpath.dirname(user) if user in self._scoped else None
        family = self._family[user]
        outside = self._external.get(user, set())
        for name in self._uses.get(user, ()):
            found = self._definers.get((family, name))
            if not found or name in outside:
                continue
            if not imported:
                chosen = []
            elif len(found) <= len(imported):
                chosen = [p for p in found if p in imported]
            else:  # `get` is defined in thousands of files: look from the smaller side
                chosen = sorted(imported.intersection(self._definer_set(family, name)))
            near = self._in_package.get((folder, family, name)) if folder is not None else None
            if near:
                if len(near) > MAX_DEFINERS:
                    continue
                chosen = sorted({*chosen, *near}) if chosen else near
            if not chosen:
                chosen = found
            if len(chosen) > MAX_DEFINERS:
                continue  # `doGet` in each of a package's 2,700 servlets: it tells nothing
            share = (PRIVATE_WEIGHT if name.startswith("_") else 1.0) / len(chosen)
            for definer in chosen:
                if definer != user:
                    yield Link(user, definer, name, share)

    def _definer_set(self, family: str, name: str) -> set[str]:
        key = (family, name)
        found = self._definer_sets.get(key)
        if found is None:
            found = self._definer_sets[key] = set(self._definers[key])
        return found

    def users_of(self, definer: str, name: str) -> list[str]:
        """Files linking to `definer` through `name`, in path order."""
        if self._users is None:
            users: dict[tuple[str, str], list[str]] = defaultdict(list)
            for link in self.links:
                users[(link.definer, link.name)].append(link.user)
            self._users = users
        return self._users.get((definer, name), [])

    def rank(self, focus: Sequence[str] = ()) -> dict[str, float]:
        """PageRank of every file; with `focus`, personalised toward those files (the
        random walk restarts at them), so files around them rank first."""
        return pagerank(self.files, self.edges, [f for f in focus if f in self.edges])


def pagerank(
    nodes: Sequence[str], edges: Mapping[str, Mapping[str, float]], focus: Sequence[str] = ()
) -> dict[str, float]:
    """Power iteration; ranks sum to 1. A node without links hands its rank to the restart
    distribution (uniform, or `focus`), as networkx does."""
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    restart = [0.0] * n
    for node in focus or nodes:
        restart[index[node]] = 1.0 / len(focus or nodes)
    out: list[tuple[int, list[tuple[int, float]]]] = []
    for node in nodes:
        targets = edges.get(node, {})
        total = sum(targets.values())
        if total > 0:
            out.append((index[node], [(index[t], w / total) for t, w in targets.items()]))
    linked = {i for i, _ in out}
    dangling = [i for i in range(n) if i not in linked]
    rank = restart[:]
    for _ in range(_MAX_ROUNDS):
        spread = [0.0] * n
        for i, targets in out:
            r = DAMPING * rank[i]
            for j, w in targets:
                spread[j] += r * w
        lost = 1.0 - DAMPING + DAMPING * sum(rank[i] for i in dangling)
        new = [s + lost * r for s, r in zip(spread, restart, strict=True)]
        change = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if change < n * _TOLERANCE:
            break
    return {node: rank[i] for i, node in enumerate(nodes)}
