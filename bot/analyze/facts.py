"""What the analyze report states without a model, from the repository map and history:
modules and the dependencies between them, hot spots (branchy functions in files that
change often), dead-code candidates and test gaps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from bot.analyze.churn import Churn
from bot.analyze.complexity import complexity_of
from bot.analyze.flows import Flow, security_flows
from bot.repomap import RepoMap
from bot.testgen.testfiles import is_test_file, tested_stem

# Folders that hold packages rather than being one: `src/billing` is the module, not `src`.
_CONTAINERS = frozenset(
    {"src", "lib", "libs", "packages", "pkg", "internal", "cmd", "apps", "modules", "app"}
)
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "testdata", "e2e"})
# Names the language or a framework calls, never the repository's own code.
_ENTRY_NAMES = frozenset({"main", "init", "setup", "teardown", "default", "handler", "app"})
_ENTRY_FILES = frozenset({"__main__.py", "setup.py", "conftest.py", "manage.py", "main.go"})
_MIN_NAME = 3  # the reference graph ignores shorter names, so it cannot tell them used
# Files whose functions are measured: the most changed ones, so a large repository costs
# a bounded number of parses.
MAX_MEASURED = 300
TOP = 15
MAX_MODULE_FILES = 60

ReadMany = Callable[[list[str]], dict[str, bytes]]  # paths -> their bytes, those readable


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    files: int
    definitions: int
    tests: int  # test files in it
    uses: tuple[tuple[str, float], ...]  # other modules it depends on, heaviest first


@dataclass(frozen=True, slots=True)
class HotSpot:
    path: str
    qualname: str
    line: int
    branches: int
    commits: int  # commits touching the file in the window
    lines_changed: int

    @property
    def score(self) -> int:
        return self.branches * self.commits


@dataclass(frozen=True, slots=True)
class Unused:
    path: str
    qualname: str
    kind: str
    line: int


@dataclass(slots=True)
class RepoFacts:
    files: int = 0
    modules: list[Module] = field(default_factory=list)
    hot_spots: list[HotSpot] = field(default_factory=list)
    unused: list[Unused] = field(default_factory=list)  # dead-code candidates
    untested: list[str] = field(default_factory=list)  # source files no test file uses
    flows: list[Flow] = field(default_factory=list)  # entry points to sink files (flows.py)
    window: str = ""
    commits: int = 0  # in the window
    left_out: dict[str, int] = field(default_factory=dict)  # the map's, counts only


def module_of(path: str, depth: int = 1) -> str:
    """A file's module: its top folder (`depth` folders), or the folder under a container
    (`src/x`), or Java's package folders under `src/main/java`."""
    parts = PurePosixPath(path).parts[:-1]
    for marker in ("java", "kotlin", "scala"):
        at = parts.index(marker) if marker in parts else -1
        if 2 <= at <= 3 and parts[at - 2] == "src":
            return "/".join(parts[at + 1 : at + 3 + depth]) or "(root)"
    if not parts:
        return "(root)"
    if parts[0] in _CONTAINERS and len(parts) > 1:
        depth += 1
    return "/".join(parts[:depth])


def modules_of(paths: Iterable[str]) -> dict[str, str]:
    """Each path's module; a module of more than MAX_MODULE_FILES files is split one
    folder deeper, so `bot` becomes `bot/routing`, `bot/forges`..."""
    paths = list(paths)
    of = {p: module_of(p) for p in paths}
    sizes = Counter(of.values())
    return {p: module_of(p, 2) if sizes[m] > MAX_MODULE_FILES else m for p, m in of.items()}


def is_test_path(path: str, language: str) -> bool:
    return is_test_file(path, language) or any(
        p in _TEST_DIRS for p in PurePosixPath(path).parts[:-1]
    )


def compute_facts(repo_map: RepoMap, churn: Churn, read: ReadMany) -> RepoFacts:
    facts = RepoFacts(len(repo_map.files), window=churn.window, commits=churn.total_commits)
    facts.left_out = dict(repo_map.left_out)
    tests = {p for p, f in repo_map.files.items() if is_test_path(p, f.language)}
    facts.modules = _modules(repo_map, tests)
    facts.hot_spots = _hot_spots(repo_map, churn, read, tests)
    facts.unused = _unused(repo_map, tests)
    facts.untested = _untested(repo_map, tests)
    facts.flows = security_flows(repo_map, tests)
    return facts


def _modules(repo_map: RepoMap, tests: set[str]) -> list[Module]:
    of = modules_of(repo_map.files)
    uses: dict[str, dict[str, float]] = {}
    if repo_map.graph is not None:
        for user, targets in repo_map.graph.edges.items():
            for target, weight in targets.items():
                a, b = of.get(user), of.get(target)
                if a is not None and b is not None and a != b:
                    out = uses.setdefault(a, {})
                    out[b] = out.get(b, 0.0) + weight
    files = Counter(of.values())
    definitions: Counter[str] = Counter()
    test_files: Counter[str] = Counter()
    for path, mapped in repo_map.files.items():
        definitions[of[path]] += len(mapped.definitions)
        test_files[of[path]] += path in tests
    return [
        Module(
            name, n, definitions[name], test_files[name],
            tuple((m, round(w, 1)) for m, w in _heaviest(uses.get(name, {}))),
        )
        for name, n in sorted(files.items(), key=lambda kv: (-kv[1], kv[0]))
    ]  # fmt: skip


def _heaviest(weights: dict[str, float], n: int = 5) -> list[tuple[str, float]]:
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _hot_spots(repo_map: RepoMap, churn: Churn, read: ReadMany, tests: set[str]) -> list[HotSpot]:
    changed = [p for p, _ in churn.commits.most_common() if p in repo_map.files and p not in tests]
    found: list[HotSpot] = []
    for path, data in read(changed[:MAX_MEASURED]).items():
        for fn in complexity_of(path, data):
            if fn.branches > 1:
                found.append(
                    HotSpot(
                        path, fn.qualname, fn.line, fn.branches, churn.commits[path],
                        churn.lines[path],
                    )
                )  # fmt: skip
    found.sort(key=lambda h: (-h.score, -h.branches, h.path, h.line))
    return found[:TOP]


def _unused(repo_map: RepoMap, tests: set[str]) -> list[Unused]:
    scores = repo_map.definition_scores()
    used = {key for key, score in scores.items() if score > 0}
    out: list[Unused] = []
    for path, mapped in repo_map.files.items():
        if path in tests or PurePosixPath(path).name in _ENTRY_FILES:
            continue
        for d in mapped.definitions:
            if (
                d.exported
                and "." not in d.qualname
                and d.kind in ("function", "class", "interface")
                and len(d.name) >= _MIN_NAME
                and d.name.lower() not in _ENTRY_NAMES
                and not d.name.startswith(("test", "Test", "__"))
                and (path, d.name) not in used
            ):
                out.append(Unused(path, d.qualname, d.kind, d.line))
    out.sort(key=lambda u: (u.path, u.line))
    return out


def _untested(repo_map: RepoMap, tests: set[str]) -> list[str]:
    covered: set[str] = set()
    if repo_map.graph is not None:
        for t in tests:
            covered.update(repo_map.graph.edges.get(t, {}))
    stems = {
        stem
        for t in tests
        if (stem := tested_stem(t)) and stem  # "" names no source file
    }
    return sorted(
        p
        for p, mapped in repo_map.files.items()
        if p not in tests
        and p not in covered
        and mapped.definitions
        and PurePosixPath(p).stem not in stems
        and PurePosixPath(p).name not in _ENTRY_FILES
    )
