"""The existing test nearest to a source file (its text is the prompt's style example), and
where a new test for that source goes, following the repository's own layout.

Nearest means, in this order: a test named for the same stem (`test_foo.py`, `foo.test.js`,
`foo_test.go`, `FooTest.java`), then a test in the source's folder or the one above it,
then any test of the language; within each, fewest folder steps from the source first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.testgen.framework_types import Framework
from bot.testgen.languages import language_of, suffixes_of
from bot.testgen.listing import repo_files
from bot.testgen.testfiles import is_test_file, same_family, source_stem, tested_stem

EXAMPLE_MAX_CHARS = 12_000
_TEST_DIRS = ("tests", "test")
# Leading folders a tests/ tree does not repeat when it mirrors the sources.
_SOURCE_ROOTS = ("src", "lib", "app")


@dataclass(frozen=True)
class StyleExample:
    path: str  # relative to the checkout root
    why: str  # "named for the same file" | "in the same folder" | "nearest test"
    text: str  # the file's text, cut to EXAMPLE_MAX_CHARS
    truncated: bool


@dataclass(frozen=True)
class TestTarget:
    path: str  # where the new test is written, relative to the checkout root; free
    # "beside" | "beside the existing test" | "__tests__" | "package tests folder"
    # | "tests mirror" | "tests flat" | "src/test mirror"
    layout: str
    reason: str
    existing: str | None  # a test already named for the same source, if any


def nearest_test(
    root: Path, source: str, *, files: list[str] | None = None, max_chars: int = EXAMPLE_MAX_CHARS
) -> StyleExample | None:
    language = language_of(source)
    if language is None:
        return None
    tests = _tests(files if files is not None else repo_files(root), language, exclude=source)
    if not tests:
        return None
    stem = source_stem(source)
    home = _folder(source)

    def rank(test: str) -> tuple[int, int, str]:
        folder = _folder(test)
        if tested_stem(test) == stem:
            tier = 0
        elif folder in (home, home[:-1]):
            tier = 1
        else:
            tier = 2
        return tier, _distance(home, folder), test

    best = min(tests, key=rank)
    why = ("named for the same file", "in the same folder", "nearest test")[rank(best)[0]]
    text = (root / best).read_text(encoding="utf-8", errors="replace")
    return StyleExample(best, why, text[:max_chars], len(text) > max_chars)


def new_test_path(
    root: Path, source: str, framework: Framework, *, files: list[str] | None = None
) -> TestTarget:
    listing = files if files is not None else repo_files(root)
    language = framework.language
    tests = _tests(listing, language, exclude=source)
    stem = source_stem(source)
    existing = next(
        (
            t
            for t in sorted(tests, key=lambda t: _distance(_folder(source), _folder(t)))
            if tested_stem(t) == stem
        ),
        None,
    )
    folder, layout, reason = _place(source, framework, tests, listing, existing)
    taken = set(listing)
    name = framework.test_name(stem)
    path = (PurePosixPath(folder) / name).as_posix()
    number = 0
    while path in taken or (root / path).exists():
        number += 1
        path = (
            PurePosixPath(folder) / framework.test_name(_renamed(stem, language, number))
        ).as_posix()
    return TestTarget(path, layout, reason, existing)


def _place(
    source: str, framework: Framework, tests: list[str], listing: list[str], existing: str | None
) -> tuple[str, str, str]:
    src = PurePosixPath(source)
    here = src.parent.as_posix() if src.parent != PurePosixPath(".") else ""
    if existing is not None:
        return _folder_str(existing), "beside the existing test", f"{existing} tests this file"
    if framework.language == "go":
        return here, "beside", "Go tests live in the package's folder"
    if framework.language == "java" and "src/main/" in f"/{source}":
        mirrored = source.replace("src/main/", "src/test/", 1)
        return _folder_str(mirrored), "src/test mirror", "Maven/Gradle layout"
    folders = {_folder_str(t) for t in tests}
    for name in _TEST_DIRS:
        if _join(here, name) in folders:
            return _join(here, name), "package tests folder", f"{_join(here, name)} holds tests"
    layout = _layout(tests, listing, framework.language)
    if layout == "__tests__":
        return _join(here, "__tests__"), layout, "the repository's tests sit in __tests__ folders"
    if layout == "beside":
        return here, layout, "the repository's tests sit beside their sources"
    project = framework.project_dir
    top = _top_test_dir(tests, project) or _join(project, framework.test_dir or "tests")
    rel = PurePosixPath(source).relative_to(project) if project else PurePosixPath(source)
    parts = list(rel.parts[:-1])
    if parts and parts[0] in _SOURCE_ROOTS:
        parts = parts[1:]
    # The longest tail of the source's folder that the tests tree already has.
    for start in range(len(parts)):
        candidate = _join(top, *parts[start:])
        if candidate in folders:
            return candidate, "tests mirror", f"{candidate} mirrors the source's folder"
    if any(_folder_str(t) != top and t.startswith(f"{top}/") for t in tests):
        return _join(top, *parts), "tests mirror", f"{top} mirrors the source tree"
    return top, "tests flat", f"the tests sit in {top}"


def _layout(tests: list[str], listing: list[str], language: str) -> str:
    sources = {
        _folder_str(f)
        for f in listing
        if same_family(language_of(f), language) and not is_test_file(f, language)
    }
    votes: Counter[str] = Counter()
    for test in tests:
        parts = PurePosixPath(test).parts
        if "__tests__" in parts:
            votes["__tests__"] += 1
        elif any(p in _TEST_DIRS for p in parts[:-1]):
            votes["tests dir"] += 1
        elif _folder_str(test) in sources:
            votes["beside"] += 1
    if not votes:
        return "beside" if language in ("javascript", "typescript") else "tests dir"
    return votes.most_common(1)[0][0]


def _top_test_dir(tests: list[str], project: str) -> str | None:
    tops: Counter[str] = Counter()
    for test in tests:
        rel = test[len(project) + 1 :] if project else test
        first = rel.split("/", 1)[0]
        if first in _TEST_DIRS and "/" in rel:
            tops[_join(project, first)] += 1
    return tops.most_common(1)[0][0] if tops else None


def _renamed(stem: str, language: str, number: int) -> str:
    tail = "" if number == 1 else str(number)
    if language == "java":
        return f"{stem}Generated{tail}"
    if language in ("javascript", "typescript"):
        return f"{stem}.generated{tail}"
    return f"{stem}_generated{tail}"


def _tests(files: list[str], language: str, *, exclude: str) -> list[str]:
    wanted = {s for lang in ("javascript", "typescript") for s in suffixes_of(lang)}
    if language not in ("javascript", "typescript"):
        wanted = set(suffixes_of(language))
    return [
        f
        for f in files
        if f != exclude and PurePosixPath(f).suffix in wanted and is_test_file(f, language)
    ]


def _folder(path: str) -> tuple[str, ...]:
    return PurePosixPath(path).parts[:-1]


def _folder_str(path: str) -> str:
    return "/".join(_folder(path))


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return len(a) - common + len(b) - common
