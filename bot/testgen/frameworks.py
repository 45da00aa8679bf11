"""How a repository runs its tests, per language: a `Framework`, or `Undetected` with a hint.

Detection reads the repository's own files (package manifests, build files, test config)
and checks that the runner is there to call: a framework that cannot start is no answer.
The operator or the repository can override both the framework and the command through a
settings mapping, `{"python": {"framework": "unittest", "command": "python -m unittest
{file}"}}`; keys per language: `framework`, `command` (a string split like a shell would,
or a list), `file_pattern`, `test_dir`.

A command is a template. `Framework.render` fills its slots:

- `{file}`: the test file, relative to the folder the command runs in (`project_dir`);
- `{test_id}`: what the runner selects by: the class name for Java, the package (`./pkg`)
  for Go, the file otherwise;
- `{package}`: the Go package folder, `./` plus the file's folder;
- `{python}`: the Python interpreter;
- `{junit}`: where the runner may write a JUnit XML report, outside the checkout.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath

from bot.testgen import detectors
from bot.testgen.framework_types import Framework, Undetected, Which
from bot.testgen.languages import LANGUAGES, language_of

Settings = Mapping[str, Mapping[str, object]]

__all__ = ["Framework", "Undetected", "detect", "detect_for_file"]

HINTS = {
    "python": 'tests: {command: {python: "python -m pytest {file}"}}',
    "javascript": 'tests: {command: {javascript: "node --test {file}"}}',
    "typescript": 'tests: {command: {typescript: "npx --no-install vitest run {file}"}}',
    "go": 'tests: {command: {go: "go test -count=1 {package}"}}',
    "java": 'tests: {command: {java: "mvn -q -o test -Dtest={test_id}"}}',
}


def detect_for_file(
    root: Path, source: str, *, settings: Settings | None = None, which: Which = shutil.which
) -> Framework | Undetected:
    """The framework for the tests of `source` (relative to `root`), by its language."""
    language = language_of(source)
    if language is None:
        return Undetected(
            language=PurePosixPath(source).suffix or source,
            hint=f"no test framework is known for {source}; one of {', '.join(LANGUAGES)}",
            reason="unknown language",
        )
    return detect(root, language, source=source, settings=settings, which=which)


def detect(
    root: Path,
    language: str,
    *,
    source: str | None = None,
    settings: Settings | None = None,
    which: Which = shutil.which,
) -> Framework | Undetected:
    """The framework that runs `language`'s tests in the checkout at `root`. `source` (a
    path relative to root) picks the nearest project folder in a repository of several."""
    override = _settings_for(settings or {}, language)
    named = str(override.get("framework") or "") or None
    found = detectors.detect(root, language, source=source, named=named, which=which)
    if isinstance(found, Undetected) and "command" not in override:
        return replace(found, hint=_hint(found))
    if isinstance(found, Undetected):
        found = detectors.custom(language, found.reason)
    return _apply(found, override)


def _settings_for(settings: Settings, language: str) -> Mapping[str, object]:
    own = settings.get(language)
    if own is None and language == "typescript":
        own = settings.get("javascript")
    return own or {}


def _apply(found: Framework, override: Mapping[str, object]) -> Framework:
    if not override:
        return found
    command = override.get("command")
    changes: dict[str, object] = {}
    if command:
        changes["command"] = shlex.split(command) if isinstance(command, str) else list(command)
        changes["reason"] = f"command set in settings; {found.reason}"
        changes["reports"] = ()
    for key in ("file_pattern", "test_dir"):
        if isinstance(override.get(key), str):
            changes[key] = override[key]
    if override.get("framework") and not command:
        changes["reason"] = f"framework set in settings; {found.reason}"
    return replace(found, **changes)


def _hint(found: Undetected) -> str:
    example = HINTS.get(found.language, "tests: {command: {<language>: '<command> {file}'}}")
    lead = f"{found.hint}; or " if found.hint else ""
    return (
        f"{lead}set tests.command.{found.language} in .switchyard.yml, e.g. {example} "
        "(slots: {file}, {test_id}, {package}, {python})"
    )
