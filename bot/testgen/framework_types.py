"""The answer of test framework detection (bot/testgen/frameworks.py), in its own module so
the per-language detectors and the settings layer can both build it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

Which = Callable[[str], str | None]


@dataclass(frozen=True)
class Framework:
    language: str  # python | javascript | typescript | go | java
    # pytest | unittest | vitest | jest | mocha | node:test | go test | junit5 | junit4 | custom
    name: str
    command: list[str]  # a template, see the module's docstring for its slots
    file_pattern: str  # test_{stem}.py, {stem}.test.js, {stem}_test.go, {Name}Test.java
    test_dir: str  # where new tests go by default, relative to project_dir; "" beside the source
    reason: str  # why this framework and command, in words
    project_dir: str = ""  # the folder the command runs in, relative to the checkout root
    # JUnit XML the tool writes on its own (Maven, Gradle), as globs relative to project_dir.
    reports: tuple[str, ...] = field(default=())

    def render(self, test_file: str, *, python: str, junit: str) -> list[str]:
        """The command for `test_file` (relative to the checkout root)."""
        rel = PurePosixPath(test_file)
        if self.project_dir:
            rel = rel.relative_to(self.project_dir)
        folder = rel.parent.as_posix()
        values = {
            "file": rel.as_posix(),
            "package": "./" if folder == "." else f"./{folder}",
            "python": python,
            "junit": junit,
        }
        if self.language == "java":
            values["test_id"] = rel.stem
        elif self.language == "go":
            values["test_id"] = values["package"]
        else:
            values["test_id"] = values["file"]
        return [_fill(part, values) for part in self.command]

    def test_name(self, source_stem: str) -> str:
        """The file name a new test for `source_stem` gets under this framework."""
        name = source_stem[:1].upper() + source_stem[1:]
        return self.file_pattern.replace("{stem}", source_stem).replace("{Name}", name)


@dataclass(frozen=True)
class Undetected:
    language: str
    hint: str  # what to set, with an example
    reason: str = ""  # what was looked at and missing


def _fill(part: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        part = part.replace("{" + key + "}", value)
    return part
