"""How many of the callers a change breaks does the impact prompt (`review --deep`) show?

On real public history: a commit C1 changes a function's signature (its parameter list,
as bot/structure reads it at C1's parent and at C1), and a later commit C2 on the same
first-parent line edits a call of that function in another file that C1 left untouched —
the caller C1 broke, fixed after the fact. For each such case the impact task is planned
on C1 (no model: the planned items are inspected) and the caller counts as included when
a "Code elsewhere" snippet of that file covers the caller's line at C1.

    .venv/bin/python bench/impact_eval.py [--mirror /work/.mirror] [--commits 1500]
        [--window 60] [--context 32768,128000] [--json] [REPO ...]

REPO is owner+name under the mirror folder (bare git repositories), cloned with
`--shared --no-checkout` into a temporary folder; the default is PyCQA+bandit,
juice-shop+juice-shop, securego+gosec, more-itertools+more-itertools. `--commits` is how
many of the newest first-parent commits are searched for C1, `--window` how many commits
after C1 for C2. Each context size is a cloud target's (the prompt budget is what it leaves
after the answer's allowance, as a run would plan it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.change.filters import UNFILTERED  # noqa: E402
from bot.change.git_source import change_from_git  # noqa: E402
from bot.config.model import Settings  # noqa: E402
from bot.impact.neighbours import used_name  # noqa: E402
from bot.impact.plan import plan_impact  # noqa: E402
from bot.impact.sites import uses_of  # noqa: E402
from bot.providers import build_providers  # noqa: E402
from bot.repomap import FactsCache  # noqa: E402
from bot.structure import language_of, symbols_changed_in, symbols_in  # noqa: E402

DEFAULT_REPOS = (
    "PyCQA+bandit",
    "juice-shop+juice-shop",
    "securego+gosec",
    "more-itertools+more-itertools",
)
_SNIPPET = re.compile(r"^--- (\S+) lines (\d+)-(\d+) \(", re.MULTILINE)
_PARAMS = re.compile(r"\((.*)\)", re.DOTALL)
# A removed line that defines rather than calls: another definition of the same name.
_DEFINES = re.compile(
    r"^\s*(?:export\s+)?(?:async\s+)?(?:def|func|function|public|private|protected|static)\b"
)
_IMPORT = re.compile(r"^\s*(?:import|from|export\s.*\sfrom)\b|require\(")
MAX_CASES_PER_REPO = 40


@dataclass(frozen=True, slots=True)
class Case:
    repo: str
    base: str  # C1's first parent
    change: str  # C1: changes the signature
    defined_in: str
    function: str  # qualname
    caller: str  # the file C2 fixes
    line: int  # the caller's line at C1
    fix: str  # C2


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "core.quotepath=off", *args],
        capture_output=True, check=False,
    )  # fmt: skip
    return done.stdout.decode("utf-8", "replace")


def show(repo: Path, sha: str, path: str) -> bytes | None:
    done = subprocess.run(
        ["git", "-C", str(repo), "show", f"{sha}:{path}"], capture_output=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=4096)
def diff_of(repo: Path, a: str, b: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """path -> (removed lines, added lines) of `git diff a b`, renames followed."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    path = None
    for line in git(repo, "diff", "-U0", "--no-color", "-M", a, b).splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
            if path is not None:
                out.setdefault(path, ([], []))
        elif path is not None and line.startswith("-") and not line.startswith("--- "):
            out[path][0].append(line[1:])
        elif path is not None and line.startswith("+"):
            out[path][1].append(line[1:])
    return {p: (tuple(r), tuple(a_)) for p, (r, a_) in out.items()}


def _params(signature: str) -> str:
    found = _PARAMS.search(signature)
    return " ".join((found.group(1) if found else signature).split())


def signature_changes(repo: Path, parent: str, sha: str) -> list[tuple[str, str, str]]:
    """(path, qualname, the name callers write) of every function or method whose
    parameter list `sha` changed, in a hunk of the diff (a definition whose header text
    differs only because lines around it moved is not a change of it)."""
    out: list[tuple[str, str, str]] = []
    for path in diff_of(repo, parent, sha):
        if language_of(path) is None:
            continue
        old, new = show(repo, parent, path), show(repo, sha, path)
        if old is None or new is None:
            continue
        before = {s.qualname: s for s in symbols_in(path, old)}
        for s in symbols_in(path, new):
            was = before.get(s.qualname)
            if (
                was is not None
                and s.kind in ("function", "method", "constructor")
                and _params(was.signature) != _params(s.signature)
                and len(used_name(s)) >= 3
                and s.qualname in _touched(repo, parent, sha, path, new)
            ):
                out.append((path, s.qualname, used_name(s)))
    return out


def _touched(repo: Path, parent: str, sha: str, path: str, new: bytes) -> set[str]:
    change = change_from_git(repo, parent, sha, UNFILTERED)
    files = [f for f in change.files if f.path == path]
    return {s.qualname for f in files for s in symbols_changed_in(f, new)}


def reaches(lines: list[str], path: str, defined_in: str) -> bool:
    """Whether the file at `path` (its `lines`) can call into `defined_in` at all, read
    without the repository map (whose reach is what is measured): the same folder for Go
    and Java (one package), else an import line naming the defining module's file stem
    (Python, JavaScript, TypeScript) or its folder (Go's import path). A sibling Python or
    JavaScript module calls only what it imports."""
    source, target = PurePosixPath(path), PurePosixPath(defined_in)
    if source.parent == target.parent and target.suffix in (".go", ".java"):
        return True
    names = {target.stem} if target.suffix != ".go" else {target.parent.name}
    return any(
        _IMPORT.search(line) and any(re.search(rf"\b{re.escape(n)}\b", line) for n in names)
        for line in lines
    )


def mine(repo: Path, name: str, commits: int, window: int) -> list[Case]:
    line = git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    start = max(1, len(line) - commits)
    cases: list[Case] = []
    seen: set[tuple[str, str, str]] = set()
    for i in range(start, len(line)):
        parent, sha = line[i - 1], line[i]
        changed = diff_of(repo, parent, sha)
        for defined_in, qualname, called in signature_changes(repo, parent, sha):
            pattern = uses_of(called)
            for j in range(i + 1, min(len(line), i + 1 + window)):
                for path, (removed, added) in diff_of(repo, line[j - 1], line[j]).items():
                    if path == defined_in or path in changed or language_of(path) is None:
                        continue
                    if (sha, qualname, path) in seen or not any(pattern.search(a) for a in added):
                        continue
                    calls = [
                        r
                        for r in removed
                        if pattern.search(r) and f"{called}(" in r and not _DEFINES.match(r)
                    ]
                    if not calls:
                        continue
                    at_c1 = (show(repo, sha, path) or b"").decode("utf-8", "replace").splitlines()
                    if not reaches(at_c1, path, defined_in):
                        continue
                    lines = [n for n, text in enumerate(at_c1, 1) if text in calls]
                    if lines:
                        seen.add((sha, qualname, path))
                        cases.append(
                            Case(name, parent, sha, defined_in, qualname, path, lines[0], line[j])
                        )
            if len(cases) >= MAX_CASES_PER_REPO:
                return cases
    return cases


def included(repo: Path, case: Case, context: int, cache: FactsCache) -> tuple[bool, bool]:
    """(the caller's line is in a snippet of the planned items, the caller's file is)."""
    settings = Settings.model_validate(
        {"providers": {"cloud": {"base_url": "http://127.0.0.1:9/v1", "model": "gpt-4o",
                                 "location": "cloud", "context_tokens": context}}}
    )  # fmt: skip
    change = change_from_git(repo, case.base, case.change, settings.filters)
    plan = plan_impact(change, settings, build_providers(settings, {}), checkout=repo, cache=cache)
    text = "\n".join(m.content for p in plan.items for m in p.item.messages)
    spans = [(p, int(a), int(b)) for p, a, b in _SNIPPET.findall(text)]
    line_in = any(p == case.caller and a <= case.line <= b for p, a, b in spans)
    return line_in, any(p == case.caller for p, _, _ in spans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="*", default=list(DEFAULT_REPOS))
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--commits", type=int, default=1500)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--context", default="32768,128000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    contexts = [int(c) for c in args.context.split(",")]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = FactsCache(Path(tmp) / "facts.sqlite3")
        for name in args.repos:
            clone = Path(tmp) / name
            subprocess.run(
                ["git", "clone", "-q", "--shared", "--no-checkout",
                 str(args.mirror / name / "repo"), str(clone)], check=True,
            )  # fmt: skip
            head = git(clone, "rev-parse", "HEAD").strip()
            for case in mine(clone, name, args.commits, args.window):
                row: dict[str, object] = {**asdict(case), "mirror_head": head}
                for context in contexts:
                    line_in, file_in = included(clone, case, context, cache)
                    row[f"line_in_{context}"] = line_in
                    row[f"file_in_{context}"] = file_in
                results.append(row)
                if not args.json:
                    marks = " ".join(
                        f"{c}:{'yes' if row[f'line_in_{c}'] else 'no'}" for c in contexts
                    )
                    print(
                        f"{name} {case.change[:10]} {case.function} ({case.defined_in}) → "
                        f"{case.caller}:{case.line} fixed in {case.fix[:10]}: {marks}",
                        flush=True,
                    )
    summary = {}
    for context in contexts:
        hits = sum(1 for r in results if r[f"line_in_{context}"])
        files = sum(1 for r in results if r[f"file_in_{context}"])
        summary[context] = {"cases": len(results), "caller_line": hits, "caller_file": files}
    if args.json:
        print(json.dumps({"cases": results, "summary": summary}, indent=2))
        return
    for context, s in summary.items():
        n = s["cases"] or 1
        print(
            f"context {context}: {s['caller_line']} of {s['cases']} broken callers' lines in "
            f"the impact prompt ({100 * s['caller_line'] / n:.0f}%); their file in "
            f"{s['caller_file']} ({100 * s['caller_file'] / n:.0f}%)"
        )


if __name__ == "__main__":
    main()
