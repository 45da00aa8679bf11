"""Per-language evidence for bot/testgen/frameworks.py: which runner a repository uses,
where its project folder is, and whether the runner is there to call."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from bot.testgen.framework_types import Framework, Undetected, Which
from bot.testgen.listing import repo_files
from bot.testgen.node import node_reporters
from bot.testgen.testfiles import is_test_file

PYTEST = [
    *("{python}", "-m", "pytest", "-q", "-p", "no:cacheprovider"),
    *("--junitxml={junit}", "{file}"),
]
UNITTEST = ["{python}", "-m", "unittest", "-v", "{file}"]
# The spec reporter for the log, and a JUnit file for per-test outcomes (Node 20.11+).
NODE_TEST = [
    "node",
    "--test",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=junit",
    "--test-reporter-destination={junit}",
    "{file}",
]
_PYTHON_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini")
_JAVA_MARKERS = ("pom.xml", "build.gradle", "build.gradle.kts")
_JS_RUNNERS = ("vitest", "jest", "mocha")
_PATTERNS = {
    "python": "test_{stem}.py",
    "javascript": "{stem}.test.js",
    "typescript": "{stem}.test.ts",
    "go": "{stem}_test.go",
    "java": "{Name}Test.java",
}


def custom(language: str, reason: str) -> Framework:
    """A framework for a command the settings give where none was detected."""
    return Framework(
        language=language,
        name="custom",
        command=[],
        file_pattern=_PATTERNS.get(language, "test_{stem}"),
        test_dir="src/test/java" if language == "java" else "",
        reason=reason or "nothing detected",
    )


def detect(
    root: Path, language: str, *, source: str | None, named: str | None, which: Which
) -> Framework | Undetected:
    if language == "python":
        return _python(root, source, named)
    if language in ("javascript", "typescript"):
        return _javascript(root, language, source, named, which)
    if language == "go":
        return _go(root, source, which)
    if language == "java":
        return _java(root, source, named, which)
    return Undetected(language, hint=f"no test framework is known for {language}")


def _python(root: Path, source: str | None, named: str | None) -> Framework:
    project = _nearest_with(root, source, _PYTHON_MARKERS) or ""
    where = root / project
    if named is None:
        evidence = _pytest_evidence(root, where)
        named = "pytest" if evidence else "unittest"
        reason = evidence or "no sign of pytest (config, requirements, conftest.py): unittest"
    else:
        reason = f"{named} named in settings"
    test_dir = next((d for d in ("tests", "test") if (where / d).is_dir()), "tests")
    return Framework(
        language="python",
        name=named,
        command=list(PYTEST if named == "pytest" else UNITTEST),
        file_pattern=_PATTERNS["python"],
        test_dir=test_dir,
        reason=reason,
        project_dir=project,
    )


def _pytest_evidence(root: Path, where: Path) -> str:
    for folder in dict.fromkeys((where, root)):
        if (folder / "pytest.ini").is_file():
            return f"{_rel(root, folder / 'pytest.ini')} exists"
        for conftest in (folder / "conftest.py", folder / "tests" / "conftest.py"):
            if conftest.is_file():
                return f"{_rel(root, conftest)} exists"
        candidates = ["pyproject.toml", "setup.cfg", "tox.ini", "setup.py", "noxfile.py"]
        candidates += ["Makefile"]
        candidates += sorted(p.name for p in folder.glob("requirements*.txt"))
        candidates += sorted(f"requirements/{p.name}" for p in folder.glob("requirements/*.txt"))
        candidates += sorted(
            f".github/workflows/{p.name}" for p in folder.glob(".github/workflows/*.y*ml")
        )
        for name in candidates:
            if re.search(r"\bpytest\b", _read(folder / name)):
                return f"{_rel(root, folder / name)} names pytest"
        # Tests already written for pytest: they import it, or are bare test functions
        # (unittest's are methods of a TestCase).
        for test in _some_tests(folder):
            if _PYTEST_STYLE.search(_read(test)):
                return f"{_rel(root, test)} is written for pytest"
    return ""


_PYTEST_STYLE = re.compile(r"^(?:import pytest|from pytest\b|def test_)", re.MULTILINE)
_SOME_TESTS = 20


def _some_tests(folder: Path) -> list[Path]:
    """A few of the folder's Python test files, nearest first: enough to see their style."""
    found: list[Path] = []
    for pattern in ("test_*.py", "*_test.py", "tests/test_*.py", "tests/**/test_*.py",
                    "test/test_*.py"):  # fmt: skip
        for p in sorted(folder.glob(pattern)):
            if p not in found:
                found.append(p)
            if len(found) >= _SOME_TESTS:
                return found
    return found


def _javascript(
    root: Path, language: str, source: str | None, named: str | None, which: Which
) -> Framework | Undetected:
    project = _nearest_with(root, source, ("package.json",)) or ""
    manifest = _package_json(root / project / "package.json")
    reason = f"{named} named in settings" if named else ""
    if named is None:
        named, reason = _js_runner(manifest, project)
    if which("node") is None:
        return Undetected(language, hint="`node` is not on PATH", reason="no node")
    ext = ".ts" if language == "typescript" else ".js"
    kind = "spec" if _mostly_spec(root, project, language) else "test"
    shape = {
        "language": language,
        "name": named,
        "file_pattern": f"{{stem}}.{kind}{ext}",
        "test_dir": "test" if named == "mocha" else "",
        "project_dir": project,
    }
    if named == "node:test":
        node_test = NODE_TEST if node_reporters() else [*NODE_TEST[:2], NODE_TEST[-1]]
        if language == "javascript":
            return Framework(command=list(node_test), reason=reason, **shape)
        if _installed(root, project, "tsx") is None:
            return Undetected(
                language,
                hint="TypeScript tests need vitest, jest or tsx installed in node_modules",
                reason="no TypeScript test runner",
            )
        command = [node_test[0], "--import", "tsx", *node_test[1:]]
        return Framework(command=command, reason=f"{reason}; TypeScript through tsx", **shape)
    binary = _installed(root, project, f".bin/{named}")
    if binary is None:
        return Undetected(
            language,
            hint=(
                f"{named} is named in package.json but node_modules/.bin/{named} is missing: "
                "install the dependencies (npm ci) before the bot runs"
            ),
            reason=f"{named} not installed",
        )
    command = {
        "vitest": [binary, "run", "{file}"],
        "jest": [binary, "--ci", "--runTestsByPath", "{file}"],
        "mocha": [binary, "{file}"],
    }[named]
    return Framework(command=command, reason=reason, **shape)


def _js_runner(manifest: dict[str, object], project: str) -> tuple[str, str]:
    where = f"{project}/package.json" if project else "package.json"
    deps: set[str] = set()
    for key in ("devDependencies", "dependencies"):
        if isinstance(manifest.get(key), dict):
            deps |= set(manifest[key])  # type: ignore[arg-type]
    scripts = manifest.get("scripts")
    script = str(scripts.get("test", "")) if isinstance(scripts, dict) else ""
    for name in _JS_RUNNERS:
        if name in deps:
            return name, f"{where} depends on {name}"
        if re.search(rf"\b{name}\b", script):
            return name, f"{where}'s test script runs {name}"
    if "node --test" in script:
        return "node:test", f"{where}'s test script runs node --test"
    return "node:test", "no test runner in package.json: Node's built-in node --test"


def _mostly_spec(root: Path, project: str, language: str) -> bool:
    prefix = f"{project}/" if project else ""
    tests = [f for f in repo_files(root) if f.startswith(prefix) and is_test_file(f, language)]
    spec = sum(".spec." in f for f in tests)
    return spec * 2 > len(tests)


def _installed(root: Path, project: str, name: str) -> str | None:
    """node_modules/<name> in the project folder or a folder above it (a workspace hoists
    its dependencies to the top), as a path relative to the project folder."""
    folder = PurePosixPath(project)
    ups = 0
    while True:
        candidate = root / folder / "node_modules" / name
        if candidate.exists():
            return "/".join([".."] * ups + ["node_modules", name])
        if folder == PurePosixPath("."):
            return None
        folder = folder.parent
        ups += 1


def _go(root: Path, source: str | None, which: Which) -> Framework | Undetected:
    project = _nearest_with(root, source, ("go.mod",))
    if project is None:
        return Undetected("go", hint="no go.mod above the file", reason="no go.mod")
    if which("go") is None:
        return Undetected("go", hint="`go` is not on PATH", reason="no go")
    return Framework(
        language="go",
        name="go test",
        command=["go", "test", "-count=1", "{package}"],
        file_pattern=_PATTERNS["go"],
        test_dir="",
        reason=f"{project or '.'}/go.mod",
        project_dir=project,
    )


def _java(
    root: Path, source: str | None, named: str | None, which: Which
) -> Framework | Undetected:
    project = _nearest_with(root, source, _JAVA_MARKERS)
    if project is None:
        return Undetected("java", hint="no pom.xml or build.gradle above the file", reason="none")
    where = root / project
    maven = (where / "pom.xml").is_file()
    build = _read(where / "pom.xml") if maven else _read(where / "build.gradle")
    build = build or _read(where / "build.gradle.kts")
    wrapper = "mvnw" if maven else "gradlew"
    tool = "mvn" if maven else "gradle"
    runner = f"./{wrapper}" if (where / wrapper).is_file() else which(tool) and tool
    if not runner:
        return Undetected("java", hint=f"neither ./{wrapper} nor `{tool}` on PATH", reason=tool)
    if named is None:
        named, version = _junit(build)
    else:
        version = f"{named} named in settings"
    # Offline: the run has no network, and a download attempt would only cost the timeout.
    if maven:
        command = [runner, "-q", "-o", "test", "-Dtest={test_id}"]
        command.append("-Dsurefire.failIfNoSpecifiedTests=false")
        reports: tuple[str, ...] = ("target/surefire-reports/TEST-*.xml",)
    else:
        command = [runner, "test", "--offline", "--tests", "{test_id}"]
        reports = ("build/test-results/test/TEST-*.xml",)
    return Framework(
        language="java",
        name=named,
        command=command,
        file_pattern=_PATTERNS["java"],
        test_dir="src/test/java",
        reason=f"{'Maven' if maven else 'Gradle'} ({runner}), {version}",
        project_dir=project,
        reports=reports,
    )


def _junit(build: str) -> tuple[str, str]:
    if "junit-jupiter" in build or "org.junit.jupiter" in build:
        return "junit5", "JUnit 5 in the build file"
    if re.search(r"junit:junit|<artifactId>junit</artifactId>", build):
        return "junit4", "JUnit 4 in the build file"
    return "junit5", "no JUnit dependency seen: JUnit 5 assumed"


def _nearest_with(root: Path, source: str | None, markers: tuple[str, ...]) -> str | None:
    """The folder nearest to `source` (itself or above, up to root) holding a marker."""
    folder = PurePosixPath(source).parent if source else PurePosixPath(".")
    while True:
        if any((root / folder / m).is_file() for m in markers):
            return "" if folder == PurePosixPath(".") else folder.as_posix()
        if folder == PurePosixPath("."):
            return None
        folder = folder.parent


def _package_json(path: Path) -> dict[str, object]:
    try:
        loaded = json.loads(_read(path) or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
