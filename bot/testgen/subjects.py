"""Which changed files get tests: their changed functions (bot/structure's parser on the
head version), the framework that runs their tests, the nearest test file as a style
example, where the new test goes, and the signatures of what the changed code calls.

Every changed file that gets none says why, in the report's list of files not covered;
a language with no test command detected says once what to configure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bot.change.model import Change, FileChange, FileStatus, Side
from bot.config.model import TestsConfig
from bot.report import SkippedEntry, plural
from bot.structure.changed import calls_in, imports_in, symbols_changed_in
from bot.structure.model import Symbol
from bot.structure.symbols import symbols_in
from bot.testgen.framework_types import Framework, Undetected
from bot.testgen.frameworks import detect
from bot.testgen.languages import language_of
from bot.testgen.listing import repo_files
from bot.testgen.nearest import nearest_test, new_test_path
from bot.testgen.prompt import Shown
from bot.testgen.task import Subject
from bot.testgen.testfiles import is_test_file

# Signatures of callees shown per file: enough to call them right, not a second file.
MAX_CALLEES = 24
# Python source roots a package is imported from without the folder's name.
_PY_ROOTS = ("src", "lib")
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", "/index.js", "/index.ts")


@dataclass(slots=True)
class Found:
    subjects: list[Subject] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Languages with changed functions but no test command: the hint of what to set.
    undetected: dict[str, str] = field(default_factory=dict)
    symbols: int = 0  # changed functions found, before max_symbols


def find_subjects(change: Change, cfg: TestsConfig, checkout: Path) -> Found:
    found = Found()
    listing = repo_files(checkout)
    runners: dict[str, Framework | Undetected] = {}
    left = cfg.max_symbols
    for f in change.files:
        language = language_of(f.path)
        why = _not_a_subject(f, language, cfg)
        if why:
            found.skipped.append(SkippedEntry(path=f.path, reason=why))
            continue
        assert language is not None
        head = change.load_content(f.path, Side.RIGHT) if change.load_content else None
        if head is None:
            found.skipped.append(SkippedEntry(path=f.path, reason="its head version is unknown"))
            continue
        source = head.encode("utf-8", "surrogateescape")
        symbols = [s for s in symbols_changed_in(f, source) if s.body_start_line is not None]
        if not symbols:
            why = "no changed function, method or class"
            found.skipped.append(SkippedEntry(path=f.path, reason=why))
            continue
        found.symbols += len(symbols)
        runner = runners.get(language) or detect(
            checkout, language, source=f.path, settings=cfg.overrides()
        )
        runners[language] = runner
        if isinstance(runner, Undetected):
            found.undetected.setdefault(language, runner.hint)
            why = f"no {language} test command detected: {runner.hint}"
            found.skipped.append(SkippedEntry(path=f.path, reason=why))
            continue
        if left <= 0:
            why = f"tests.max_symbols ({cfg.max_symbols}) reached: no tests generated"
            found.skipped.append(SkippedEntry(path=f.path, reason=why))
            continue
        if len(symbols) > left:
            found.notes.append(
                f"{f.path}: tests for {left} of its {plural(len(symbols), 'changed function')} "
                f"only (tests.max_symbols is {cfg.max_symbols})"
            )
            symbols = symbols[:left]
        left -= len(symbols)
        found.subjects.append(_subject(f, language, head, symbols, runner, checkout, listing))
    for language, hint in found.undetected.items():
        found.notes.append(f"no test command detected for {language}: {hint}")
    return found


def _not_a_subject(f: FileChange, language: str | None, cfg: TestsConfig) -> str:
    if f.status is FileStatus.DELETED:
        return "deleted: nothing to test"
    if language is None:
        return "not source code tests are generated for"
    if language not in cfg.languages:
        return f"{language} is not in tests.languages"
    if is_test_file(f.path, language):
        return "a test file itself"
    if not f.added:
        return "no added lines"
    return ""


def _subject(
    f: FileChange,
    language: str,
    head: str,
    symbols: list[Symbol],
    runner: Framework,
    checkout: Path,
    listing: list[str],
) -> Subject:
    lines = head.splitlines()
    shown = [
        Shown(
            s.qualname,
            s.kind,
            s.start_line,
            s.end_line,
            "\n".join(lines[s.start_line - 1 : s.end_line]),
        )
        for s in symbols
    ]
    target = new_test_path(checkout, f.path, runner, files=listing)
    example = nearest_test(checkout, f.path, files=listing)
    source = head.encode("utf-8", "surrogateescape")
    callees, read = _callees(f.path, source, symbols, checkout, listing)
    return Subject(
        path=f.path,
        language=language,
        framework=runner.name,
        test_path=target.path,
        symbols=shown,
        callees=callees,
        example=(example.path, example.text) if example else None,
        import_hint=_import_hint(f.path, target.path, language),
        runner=runner,
        changed_lines=_changed_lines(f),
        read=read,
    )


def _changed_lines(f: FileChange) -> list[int]:
    return [ln.new_no for h in f.hunks for ln in h.lines if ln.kind.value == "+" and ln.new_no]


def _callees(
    path: str, source: bytes, changed: list[Symbol], checkout: Path, listing: list[str]
) -> tuple[list[str], list[str]]:
    """Signatures of what the changed code calls, found in the same file or in a file it
    imports from the repository (cheap: one parse each), and the files they came from."""
    wanted: dict[str, None] = {}
    for s in changed:
        for name in calls_in(s, source):
            wanted.setdefault(name.rsplit(".", 1)[-1], None)
    own = {s.qualname for s in changed}
    pool: list[Symbol] = [s for s in symbols_in(path, source) if s.qualname not in own]
    read: list[str] = []
    for module in imports_in(path, source):
        other = _module_file(path, module, listing)
        if other is None or other == path:
            continue
        try:
            text = (checkout / other).read_bytes()
        except OSError:
            continue
        pool += symbols_in(other, text)
        read.append(other)
    signatures: dict[str, None] = {}
    used: set[str] = set()
    for s in pool:
        if s.name in wanted:
            signatures.setdefault(s.signature, None)
            used.add(s.path)
        if len(signatures) >= MAX_CALLEES:
            break
    return list(signatures), [p for p in read if p in used]


def _module_file(path: str, module: str, listing: list[str]) -> str | None:
    """The repository file an import names, when it is one (Python and JS/TS only)."""
    files = set(listing)
    here = PurePosixPath(path).parent
    if path.endswith(".py"):
        dots = len(module) - len(module.lstrip("."))
        rel = module.lstrip(".").replace(".", "/")
        bases = [here.parents[dots - 2] if dots > 1 else here] if dots else [PurePosixPath(".")]
        if not dots:
            bases += [PurePosixPath(r) for r in _PY_ROOTS]
        for base in bases:
            for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
                name = (base / candidate).as_posix().removeprefix("./")
                if name in files:
                    return name
        return None
    if module.startswith("."):
        base = _normal(here / module)
        for candidate in (base, *(base + s for s in _JS_SUFFIXES)):
            if candidate in files:
                return candidate
    return None


def _normal(p: PurePosixPath) -> str:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _import_hint(path: str, test_path: str, language: str) -> str:
    """How the test reaches the code: a Python module name, a relative JS path."""
    p = PurePosixPath(path)
    if language == "python":
        parts = list(p.with_suffix("").parts)
        if parts and parts[0] in _PY_ROOTS and len(parts) > 1:
            parts = parts[1:]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return f"the module is {'.'.join(parts)}" if parts else ""
    if language in ("javascript", "typescript"):
        rel = _relative(PurePosixPath(test_path).parent, p)
        return f"from the test file the source is {rel}"
    if language == "go":
        return "the test sits in the source's package folder; use the source's package name"
    return "the test class goes in the same package as the class under test"


def _relative(start: PurePosixPath, target: PurePosixPath) -> str:
    a = [x for x in start.parts if x != "."]
    b = list(target.parts)
    common = 0
    while common < len(a) and common < len(b) - 1 and a[common] == b[common]:
        common += 1
    up = [".."] * (len(a) - common)
    rel = "/".join([*up, *b[common:]])
    return rel if rel.startswith("..") else f"./{rel}"
