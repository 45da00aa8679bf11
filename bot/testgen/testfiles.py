"""Which files are tests, and which source stem a test file is named for, per language.

The conventions are the test runners' own defaults: pytest's `test_*.py` / `*_test.py`,
jest's and vitest's `*.test.*` / `*.spec.*` and `__tests__/`, mocha's `test/` folder, Go's
`*_test.go`, surefire's `*Test.java` / `*Tests.java` / `Test*.java`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from bot.testgen.languages import language_of

_JS_FAMILY = ("javascript", "typescript")
_JS_TEST = re.compile(r"^(?P<stem>.+)\.(test|spec)$")
_JAVA_TEST = re.compile(r"^(?:(?P<a>.+?)Tests?|Test(?P<b>[A-Z].*))$")


def same_family(a: str | None, b: str) -> bool:
    """JavaScript and TypeScript tests serve as examples for each other."""
    return a == b or (a in _JS_FAMILY and b in _JS_FAMILY)


def is_test_file(rel: str, language: str) -> bool:
    if not same_family(language_of(rel), language):
        return False
    return tested_stem(rel) is not None


def tested_stem(rel: str) -> str | None:
    """The source stem a test file is named for ("" for a file under `src/test/` that names
    no class, a Java helper); None when it is not a test file."""
    path = PurePosixPath(rel)
    language = language_of(rel)
    stem = path.stem
    parts = path.parts[:-1]
    if language == "python":
        if stem.startswith("test_"):
            return stem[len("test_") :]
        if stem.endswith("_test"):
            return stem[: -len("_test")]
        return None
    if language in _JS_FAMILY:
        if found := _JS_TEST.match(stem):
            return found["stem"]
        if "__tests__" in parts or (parts and parts[0] in ("test", "tests")):
            return stem
        return None
    if language == "go":
        return stem[: -len("_test")] if stem.endswith("_test") else None
    if language == "java":
        found = _JAVA_TEST.match(stem)
        if found is None:
            return "" if "/src/test/" in f"/{rel}" else None
        return found["a"] or found["b"]
    return None


def source_stem(rel: str) -> str:
    return PurePosixPath(rel).stem
