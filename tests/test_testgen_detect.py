"""Test framework detection, the nearest style example and where a new test goes, on small
repositories laid out the way each language's projects usually are (plain folders)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.testgen.frameworks import Framework, Undetected, detect, detect_for_file
from bot.testgen.nearest import nearest_test, new_test_path


def layout(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def has(*tools: str) -> Callable[[str], str | None]:
    """A `shutil.which` stand-in that finds only `tools`."""
    return lambda name: f"/usr/bin/{name}" if name in tools else None


def framework(found: Framework | Undetected) -> Framework:
    assert isinstance(found, Framework), found
    return found


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "pyproject.toml names pytest"),
        ({"requirements-dev.txt": "pytest==8.0\n"}, "requirements-dev.txt names pytest"),
        ({"tox.ini": "[testenv]\ncommands = pytest\n"}, "tox.ini names pytest"),
        ({"tests/conftest.py": ""}, "tests/conftest.py exists"),
        (
            {".github/workflows/ci.yml": "steps:\n  - run: python -m pytest\n"},
            ".github/workflows/ci.yml names pytest",
        ),
        # No configuration at all, but the tests there are bare pytest functions.
        (
            {"tests/test_core.py": "from pkg import f\n\n\ndef test_f():\n    assert f()\n"},
            "tests/test_core.py is written for pytest",
        ),
    ],
)
def test_python_uses_pytest_on_any_sign_of_it(
    tmp_path: Path, files: dict[str, str], reason: str
) -> None:
    found = framework(detect(layout(tmp_path, files), "python"))
    assert (found.name, found.reason) == ("pytest", reason)
    command = found.render("tests/test_a.py", python="/py", junit="/j.xml")
    assert command == ["/py", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=/j.xml",
                       "tests/test_a.py"]  # fmt: skip


def test_python_without_pytest_is_unittest_and_settings_override(tmp_path: Path) -> None:
    unittest_style = "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n"
    root = layout(
        tmp_path,
        {
            "setup.py": "from setuptools import setup\n",
            "a.py": "",
            "tests/test_a.py": unittest_style,
        },
    )
    assert framework(detect(root, "python")).name == "unittest"
    settings = {"python": {"framework": "unittest", "command": "python -m unittest {file}"}}
    found = framework(detect_for_file(root, "a.py", settings=settings))
    assert found.command == ["python", "-m", "unittest", "{file}"]
    assert found.reason.startswith("command set in settings")


def test_javascript_runners_from_package_json(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {
            "web/package.json": '{"devDependencies": {"vitest": "^1"}}',
            "web/node_modules/.bin/vitest": "",
            "web/src/a.spec.ts": "",
            "web/src/b.ts": "",
            "api/package.json": '{"scripts": {"test": "jest --coverage"}}',
            "plain/package.json": '{"name": "p"}',
            "mocha/package.json": '{"devDependencies": {"mocha": "10"}}',
            "node_modules/.bin/mocha": "",  # hoisted to the workspace's top
        },
    )
    vitest = framework(detect_for_file(root, "web/src/b.ts", which=has("node")))
    assert (vitest.name, vitest.project_dir, vitest.file_pattern) == (
        "vitest",
        "web",
        "{stem}.spec.ts",
    )
    assert vitest.render("web/src/b.spec.ts", python="", junit="") == [
        "node_modules/.bin/vitest", "run", "src/b.spec.ts"]  # fmt: skip
    jest = detect_for_file(root, "api/x.js", which=has("node"))
    assert isinstance(jest, Undetected)
    assert "node_modules/.bin/jest is missing" in jest.hint and "npm ci" in jest.hint
    assert "set tests.command.javascript in .switchyard.yml" in jest.hint
    plain = framework(detect_for_file(root, "plain/x.js", which=has("node")))
    assert plain.name == "node:test" and plain.command[:2] == ["node", "--test"]
    mocha = framework(detect_for_file(root, "mocha/x.js", which=has("node")))
    assert mocha.command == ["../node_modules/.bin/mocha", "{file}"] and mocha.test_dir == "test"
    typescript = detect_for_file(root, "plain/x.ts", which=has("node"))
    assert isinstance(typescript, Undetected) and "vitest, jest or tsx" in typescript.hint
    assert isinstance(detect_for_file(root, "plain/x.js", which=has()), Undetected)


def test_go_runs_the_package_of_the_nearest_go_mod(tmp_path: Path) -> None:
    root = layout(tmp_path, {"svc/go.mod": "module example.com/svc\n", "svc/pkg/x.go": ""})
    found = framework(detect_for_file(root, "svc/pkg/x.go", which=has("go")))
    assert (found.name, found.project_dir) == ("go test", "svc")
    assert found.render("svc/pkg/x_test.go", python="", junit="") == [
        "go", "test", "-count=1", "./pkg"]  # fmt: skip
    missing = detect_for_file(root, "svc/pkg/x.go", which=has())
    assert isinstance(missing, Undetected)
    assert missing.hint.startswith(
        "`go` is not on PATH; or set tests.command.go in .switchyard.yml"
    )
    assert "go test -count=1 {package}" in missing.hint


def test_java_maven_and_gradle(tmp_path: Path) -> None:
    pom = "<project><dependency><artifactId>junit-jupiter</artifactId></dependency></project>"
    root = layout(
        tmp_path,
        {
            "m/pom.xml": pom,
            "m/src/main/java/com/acme/Foo.java": "",
            "g/build.gradle": "testImplementation 'junit:junit:4.13.2'\n",
            "g/gradlew": "#!/bin/sh\n",
            "g/src/main/java/Bar.java": "",
        },
    )
    maven = framework(detect_for_file(root, "m/src/main/java/com/acme/Foo.java", which=has("mvn")))
    assert (maven.name, maven.project_dir) == ("junit5", "m")
    assert maven.render("m/src/test/java/com/acme/FooTest.java", python="", junit="")[:5] == [
        "mvn", "-q", "-o", "test", "-Dtest=FooTest"]  # fmt: skip
    assert maven.reports == ("target/surefire-reports/TEST-*.xml",)
    gradle = framework(detect_for_file(root, "g/src/main/java/Bar.java", which=has()))
    assert gradle.name == "junit4"
    assert gradle.command == ["./gradlew", "test", "--offline", "--tests", "{test_id}"]
    no_maven = detect_for_file(root, "m/src/main/java/com/acme/Foo.java", which=has())
    assert isinstance(no_maven, Undetected) and "mvn" in no_maven.hint


def test_an_unknown_language_is_undetected(tmp_path: Path) -> None:
    found = detect_for_file(tmp_path, "app/models/user.rb")
    assert isinstance(found, Undetected) and found.reason == "unknown language"


PYTHON_TREE = {
    "pyproject.toml": "[tool.pytest.ini_options]\n",
    "src/pkg/foo.py": "",
    "src/pkg/bar.py": "",
    "src/pkg/sub/deep.py": "",
    "tests/pkg/test_foo.py": "def test_foo():\n    assert True\n",
    "tests/test_cli.py": "",
}


def test_python_nearest_example_and_new_path(tmp_path: Path) -> None:
    root = layout(tmp_path, PYTHON_TREE)
    fw = framework(detect(root, "python"))
    same = nearest_test(root, "src/pkg/foo.py")
    assert same is not None and (same.path, same.why) == (
        "tests/pkg/test_foo.py",
        "named for the same file",
    )
    assert same.text.startswith("def test_foo")
    other = nearest_test(root, "src/pkg/bar.py")
    assert other is not None and (other.path, other.why) == ("tests/test_cli.py", "nearest test")
    mirror = new_test_path(root, "src/pkg/bar.py", fw)
    assert (mirror.path, mirror.layout) == ("tests/pkg/test_bar.py", "tests mirror")
    # A test for foo exists: the new one goes beside it, under a free name.
    beside = new_test_path(root, "src/pkg/foo.py", fw)
    assert (beside.path, beside.existing) == (
        "tests/pkg/test_foo_generated.py",
        "tests/pkg/test_foo.py",
    )
    assert new_test_path(root, "src/pkg/sub/deep.py", fw).path == "tests/pkg/sub/test_deep.py"


def test_javascript_layouts(tmp_path: Path) -> None:
    tree = {"package.json": "{}", "src/ui/__tests__/Button.test.js": "", "src/ui/Button.js": ""}
    colocated = layout(tmp_path / "a", {**tree, "src/util/fmt.js": ""})
    fw = framework(detect(colocated, "javascript", which=has("node")))
    target = new_test_path(colocated, "src/util/fmt.js", fw)
    assert (target.path, target.layout) == ("src/util/__tests__/fmt.test.js", "__tests__")
    example = nearest_test(colocated, "src/util/fmt.js")
    assert example is not None and example.path == "src/ui/__tests__/Button.test.js"
    beside = layout(tmp_path / "b", {"package.json": "{}", "lib/a.js": "", "lib/a.test.js": "",
                                      "lib/b.js": ""})  # fmt: skip
    fw = framework(detect(beside, "javascript", which=has("node")))
    assert new_test_path(beside, "lib/b.js", fw).path == "lib/b.test.js"


def test_go_and_java_layouts(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {
            "go.mod": "module m\n",
            "pkg/x.go": "",
            "pkg/y_test.go": "",
            "pom.xml": "<project/>",
            "src/main/java/com/acme/Foo.java": "",
            "src/test/java/com/acme/BarTest.java": "",
        },
    )
    go = framework(detect(root, "go", which=has("go")))
    assert new_test_path(root, "pkg/x.go", go).path == "pkg/x_test.go"
    example = nearest_test(root, "pkg/x.go")
    assert example is not None and (example.path, example.why) == (
        "pkg/y_test.go",
        "in the same folder",
    )
    java = framework(detect(root, "java", which=has("mvn")))
    target = new_test_path(root, "src/main/java/com/acme/Foo.java", java)
    assert (target.path, target.layout) == (
        "src/test/java/com/acme/FooTest.java",
        "src/test mirror",
    )
    example = nearest_test(root, "src/main/java/com/acme/Foo.java")
    assert example is not None and example.path == "src/test/java/com/acme/BarTest.java"
