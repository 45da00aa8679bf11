"""Building a repository map: list, read what the cache lacks, admit, link, rank."""

from __future__ import annotations

import gc
import posixpath
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from bot.config.classes import DataClass
from bot.repomap.admission import (
    RESTRICTED_LEFT_OUT,
    MapScope,
    file_class,
    filter_reason,
    map_filters,
)
from bot.repomap.cache import FactsCache, cache_key
from bot.repomap.extract import facts_of_many
from bot.repomap.graph import ReferenceGraph
from bot.repomap.model import Definition, FileFacts
from bot.repomap.render import RenderedMap, render_map
from bot.repomap.resolve import ImportResolver
from bot.repomap.sources import SourceFile, Sources
from bot.structure import language_of

# Files read and parsed together: one secret scan each, a bounded amount of bytes held.
_READ_BATCH = 200
_NO_FACTS = FileFacts(None, (), (), (), (), False, ())


@dataclass(frozen=True, slots=True)
class MappedFile:
    path: str
    language: str
    data_class: DataClass
    definitions: tuple[Definition, ...]
    imports: tuple[str, ...]  # repository files its imports resolved to


@dataclass(frozen=True, slots=True)
class BuildStats:
    listed: int  # files the source listed
    mapped: int  # files in the map
    parsed: int  # files read and parsed by this build (the cache's misses)
    cached: int  # files whose facts came from the cache
    no_grammar: int  # files no grammar reads (documents, data, other languages)
    seconds: float


@dataclass(slots=True)
class RepoMap:
    """The files of a repository a target may see, ranked by how much the rest uses them."""

    files: dict[str, MappedFile]  # in rank order, highest first
    ranks: dict[str, float]
    # Why files were left out -> how many. Counts only: a restricted file's path is itself
    # something the target may not see.
    left_out: dict[str, int]
    stats: BuildStats
    focus: tuple[str, ...] = ()
    graph: ReferenceGraph | None = field(default=None, repr=False)

    def render(self, budget: int) -> RenderedMap:
        """The map as text within `budget` tokens (bot.tokens.estimate_tokens)."""
        return render_map(self, budget)

    def focused(self, paths: Iterable[str]) -> RepoMap:
        """The same map ranked around `paths` (such as a change's files): the files they
        use and that use them first. Paths not in the map are ignored."""
        focus = tuple(p for p in dict.fromkeys(paths) if p in self.files)
        ranks = self.graph.rank(focus) if self.graph is not None else dict(self.ranks)
        return RepoMap(
            _in_rank_order(self.files.values(), ranks), ranks, self.left_out, self.stats,
            focus, self.graph,
        )  # fmt: skip

    def only(self, paths: Iterable[str]) -> RepoMap:
        """The map cut down to `paths` (one package, say, for a model with a small
        context), ranks and links kept from the whole: what matters in the repository
        still comes first within the part."""
        wanted = set(paths)
        files = {p: f for p, f in self.files.items() if p in wanted}
        return RepoMap(files, self.ranks, self.left_out, self.stats, self.focus, self.graph)

    def users_of(self, path: str, name: str) -> list[str]:
        """Files that use `name` (a Definition's name, "save" for Cart.save) as defined in
        `path` — callers, subclasses, importers of it — by rank; what `impact` puts beside
        a changed definition. A name shared by too many files (see graph.py) has none."""
        if self.graph is None:
            return []
        found = set(self.graph.users_of(path, name))
        return [p for p in self.files if p in found]

    def definition_scores(self) -> dict[tuple[str, str], float]:
        """(path, name) -> how much the ranked rest of the map uses that definition."""
        scores: dict[tuple[str, str], float] = {}
        if self.graph is None:
            return scores
        for link in self.graph.links:
            key = (link.definer, link.name)
            scores[key] = scores.get(key, 0.0) + self.ranks.get(link.user, 0.0) * link.share
        return scores


def build_map(
    sources: Sources,
    *,
    scope: MapScope | None = None,
    cache: FactsCache | None = None,
    focus: Sequence[str] = (),
    for_cloud: bool = False,
) -> RepoMap:
    """The map of `sources` under `scope` (filters, data classes; all classes allowed by
    default). `for_cloud` narrows the scope to what a cloud target may receive.
    `cache` keeps facts between builds (one in memory for this build when None)."""
    with _no_cycle_collection():
        return _build(sources, scope, cache, focus, for_cloud)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # A build makes a few hundred thousand small objects (definitions, links) and no
    # cycles; the cycle collector's passes over them took a third of a warm build of
    # spring-boot. Paused, then restored as it was (it is process-wide).
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _build(
    sources: Sources,
    scope: MapScope | None,
    cache: FactsCache | None,
    focus: Sequence[str],
    for_cloud: bool,
) -> RepoMap:
    started = time.perf_counter()
    scope = scope or MapScope()
    if for_cloud:
        scope = scope.for_cloud()
    cache = cache or FactsCache(None)
    left_out: Counter[str] = Counter()
    candidates: list[SourceFile] = []
    no_grammar = 0
    for f in sources.files:
        name = posixpath.basename(f.path)
        if _grammar_of(name) is None and name != "go.mod":
            no_grammar += 1
        elif not _allowed(f.path, _NO_FACTS, scope):
            left_out[RESTRICTED_LEFT_OUT] += 1  # by policy, before anything is read
        else:
            candidates.append(f)
    facts, parsed = _facts(sources, candidates, cache)

    filters = map_filters(scope.filters)
    admitted: dict[str, tuple[FileFacts, DataClass]] = {}
    go_modules: dict[str, str] = {}
    for f in candidates:
        found = facts.get(cache_key(f.digest, f.path))
        if found is None:
            left_out["unreadable"] += 1
            continue
        if found.go_module is not None:
            go_modules[posixpath.dirname(f.path)] = found.go_module
            continue
        cls = file_class(f.path, found, scope)
        if cls.data_class not in scope.allowed:
            left_out[RESTRICTED_LEFT_OUT] += 1
        elif (reason := filter_reason(f.path, found, filters)) is not None:
            left_out[reason] += 1
        else:
            admitted[f.path] = (found, cls.data_class)

    resolver = ImportResolver(admitted, go_modules)
    files: list[MappedFile] = []
    direct: dict[str, list[str]] = {}
    external: dict[str, set[str]] = {}
    for path, (found, cls) in admitted.items():
        assert found.language is not None
        resolved: dict[str, None] = {}
        for module in [*found.imports, *_submodules(found)]:
            targets = resolver.resolve(path, found.language, module)
            resolved.update(dict.fromkeys(targets))
            if len(targets) == 1:
                direct.setdefault(path, []).append(targets[0])
        outside = _external_names(path, found, resolver)
        if outside:
            external[path] = outside
        files.append(MappedFile(path, found.language, cls, found.definitions, tuple(resolved)))
    graph = ReferenceGraph(
        languages={f.path: f.language for f in files},
        defines={f.path: [d.name for d in f.definitions] for f in files},
        uses={path: found.references for path, (found, _) in admitted.items()},
        imports={f.path: f.imports for f in files},
        direct=direct,
        external=external,
    )
    focus = tuple(p for p in dict.fromkeys(focus) if p in admitted)
    ranks = graph.rank(focus)
    stats = BuildStats(
        listed=len(sources.files) + len(sources.unreadable),
        mapped=len(files),
        parsed=parsed,
        cached=len(candidates) - parsed,
        no_grammar=no_grammar,
        seconds=time.perf_counter() - started,
    )
    left_out.update(reason for _, reason in sources.unreadable)
    return RepoMap(
        _in_rank_order(files, ranks), ranks, dict(sorted(left_out.items())), stats, focus, graph
    )


def _submodules(facts: FileFacts) -> list[str]:
    """`from pkg import mod` imports the module pkg/mod.py when there is one, not only
    pkg/__init__.py: the dotted names to try (a name that is no module resolves to none)."""
    if facts.language != "python":
        return []
    return [
        module + name if module.endswith(".") else f"{module}.{name}"
        for module, name in facts.imported_names
    ]


def _external_names(path: str, facts: FileFacts, resolver: ImportResolver) -> set[str]:
    """Names the file imports by name from outside the repository: `assertThat` from
    `import static org.assertj...Assertions.assertThat` is not the test helper of the
    same name some file in the repository defines."""
    language = facts.language or ""
    pairs = list(facts.imported_names)
    if language == "java":
        # `import a.b.C;` names C, `import static a.b.C.m;` names m; `a.b.*` names none.
        pairs += [(m, m.rsplit(".", 1)[-1]) for m in facts.imports if not m.endswith("*")]
    return {
        name
        for module, name in pairs
        if not module.startswith(".") and not resolver.resolve(path, language, module)
    }


@lru_cache(maxsize=4096)
def _grammar_of(name: str) -> str | None:
    return language_of(name)  # it reads the name only; a repository repeats few names


def _allowed(path: str, facts: FileFacts, scope: MapScope) -> bool:
    return file_class(path, facts, scope).data_class in scope.allowed


def _facts(
    sources: Sources, wanted: list[SourceFile], cache: FactsCache
) -> tuple[dict[str, FileFacts], int]:
    keys = [cache_key(f.digest, f.path) for f in wanted]
    found = cache.get_many(keys)
    missing = [f for f, key in zip(wanted, keys, strict=True) if key not in found]
    fresh: dict[str, FileFacts] = {}
    batch: list[tuple[SourceFile, bytes]] = []
    for item in sources.read(missing):
        batch.append(item)
        if len(batch) == _READ_BATCH:
            fresh.update(_extract(batch))
            batch = []
    fresh.update(_extract(batch))
    if fresh:
        cache.put_many(fresh)
    found.update(fresh)
    return found, len(fresh)


def _extract(batch: list[tuple[SourceFile, bytes]]) -> dict[str, FileFacts]:
    facts = facts_of_many([(f.path, data) for f, data in batch])
    return {cache_key(f.digest, f.path): one for (f, _), one in zip(batch, facts, strict=True)}


def _in_rank_order(files: Iterable[MappedFile], ranks: dict[str, float]) -> dict[str, MappedFile]:
    ordered = sorted(files, key=lambda f: (-ranks.get(f.path, 0.0), f.path))
    return {f.path: f for f in ordered}
