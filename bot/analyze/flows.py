"""Security-relevant flows across files, from the repository map: files that take requests
(entry points) and the files they reach, through the reference graph, that run a command,
build a query, evaluate code, deserialise or write HTML (sinks).

This is a map of where to look, not a taint analysis: a flow says "a request handler uses,
within three hops, a file that calls `subprocess`", not that untrusted data reaches the
call. Which names mark an entry point or a sink is from the frameworks' and libraries'
public APIs, by the names the map already records per file (callee parts, imported names,
type names), so it costs no parse. `switchyard security` runs the taint rules on a change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.repomap import RepoMap

MAX_HOPS = 3
MAX_FLOWS = 50

_PY, _JS, _TS, _GO, _JAVA = "python", "javascript", "typescript", "go", "java"
_SCRIPT = (_JS, _TS, "tsx")

# Names that make a file an entry point: it receives a request (or a command line's
# arguments) from outside.
_ENTRY: dict[str, frozenset[str]] = {
    _PY: frozenset({"route", "APIRouter", "FastAPI", "Flask", "Blueprint", "HttpRequest",
                    "APIView", "api_view", "request", "Request", "argparse", "click"}),
    _JS: frozenset({"express", "Router", "createServer", "fastify", "koa", "Koa", "req"}),
    _GO: frozenset({"HandleFunc", "Handle", "ResponseWriter", "gin", "echo", "mux"}),
    _JAVA: frozenset({"HttpServletRequest", "RequestMapping", "GetMapping", "PostMapping",
                      "RestController", "Controller", "RequestParam", "PathVariable"}),
}  # fmt: skip
for _lang in _SCRIPT:
    _ENTRY[_lang] = _ENTRY[_JS]

# Name -> what kind of sink a file that uses it has. Module or class names where a bare
# method name would be ambiguous (`run`, `exec`, `query` are everywhere).
_SINKS: dict[str, dict[str, str]] = {
    _PY: {
        "subprocess": "command", "system": "command", "popen": "command",
        "eval": "code evaluation", "exec": "code evaluation",
        "execute": "SQL", "executemany": "SQL", "executescript": "SQL", "raw": "SQL",
        "pickle": "deserialisation", "marshal": "deserialisation",
        "render_template_string": "template", "Markup": "HTML", "mark_safe": "HTML",
        "urlopen": "outbound request",
    },
    _JS: {
        "child_process": "command", "execSync": "command", "spawn": "command",
        "eval": "code evaluation", "Function": "code evaluation",
        "innerHTML": "HTML", "dangerouslySetInnerHTML": "HTML", "outerHTML": "HTML",
        "sequelize": "SQL", "knex": "SQL",
    },
    _GO: {
        "Command": "command", "CommandContext": "command",
        "Query": "SQL", "QueryRow": "SQL", "Exec": "SQL",
        "HTML": "HTML",
    },
    _JAVA: {
        "Runtime": "command", "ProcessBuilder": "command",
        "createStatement": "SQL", "executeQuery": "SQL", "executeUpdate": "SQL",
        "ObjectInputStream": "deserialisation", "readObject": "deserialisation",
        "ScriptEngine": "code evaluation", "getWriter": "HTML",
    },
}  # fmt: skip
for _lang in _SCRIPT:
    _SINKS[_lang] = _SINKS[_JS]


@dataclass(frozen=True, slots=True)
class Flow:
    entry: str  # the file that takes requests
    sink: str  # the file with the sink (the entry itself when both are in one file)
    kinds: tuple[str, ...]  # what the sink file does: "command", "SQL", ...
    via: tuple[str, ...]  # the files in between, in order


def entry_points(uses: Mapping[str, Sequence[str]], languages: Mapping[str, str]) -> set[str]:
    return {
        p for p, names in uses.items() if _ENTRY.get(languages.get(p, ""), frozenset()) & set(names)
    }


def sink_kinds(
    uses: Mapping[str, Sequence[str]], languages: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for p, names in uses.items():
        table = _SINKS.get(languages.get(p, ""), {})
        kinds = sorted({table[n] for n in names if n in table})
        if kinds:
            out[p] = tuple(kinds)
    return out


def security_flows(repo_map: RepoMap, tests: set[str]) -> list[Flow]:
    """Entry points and the sink files they reach within MAX_HOPS uses, shortest first."""
    graph = repo_map.graph
    if graph is None:
        return []
    languages = {p: f.language for p, f in repo_map.files.items()}
    uses = {p: names for p, names in graph.uses.items() if p in repo_map.files and p not in tests}
    sinks = sink_kinds(uses, languages)
    flows: list[Flow] = []
    for entry in sorted(entry_points(uses, languages), key=lambda p: -repo_map.ranks.get(p, 0)):
        for sink, via in _reached(entry, graph.edges, sinks, tests):
            flows.append(Flow(entry, sink, sinks[sink], via))
    flows.sort(key=lambda f: (len(f.via), -repo_map.ranks.get(f.sink, 0), f.entry, f.sink))
    return flows[:MAX_FLOWS]


def _reached(
    entry: str,
    edges: Mapping[str, Mapping[str, float]],
    sinks: Mapping[str, tuple[str, ...]],
    tests: set[str],
) -> list[tuple[str, tuple[str, ...]]]:
    """(sink file, files in between) for each sink within MAX_HOPS of `entry` (breadth
    first: the shortest way to each)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    seen = {entry}
    queue: deque[tuple[str, tuple[str, ...]]] = deque([(entry, ())])
    while queue:
        here, path = queue.popleft()
        if here in sinks:
            found.append((here, path[:-1] if path else ()))
        if len(path) >= MAX_HOPS:
            continue
        for used in sorted(edges.get(here, {})):
            if used not in seen and used not in tests:
                seen.add(used)
                queue.append((used, (*path, used)))
    return found
