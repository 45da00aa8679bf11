"""The repository map over small real projects, one per language: definitions with their
signatures and doc lines, imports resolved to the project's files, and which files use
which definitions. Fixtures: tests/fixtures/public/repomap/README.md (origins, licences)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.repomap import RepoMap, Sources, build_map, from_blobs

FIXTURES = Path(__file__).parent / "fixtures" / "public"
TOOLZ = FIXTURES / "testgen" / "toolz-partition-all-bad-len" / "base"
REPOMAP = FIXTURES / "repomap"
JAVA_HELPERS = "src/main/java/org/owasp/benchmark/helpers"


def fixture_sources(root: Path) -> Sources:
    """Every file under `root`, as a forge door would hand them over."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return from_blobs((p.relative_to(root).as_posix(), p.read_bytes()) for p in files)


@pytest.fixture(scope="module")
def maps() -> dict[str, RepoMap]:
    roots = {
        "python": TOOLZ,
        "javascript": REPOMAP / "fastify-plugin",
        "typescript": REPOMAP / "juice-shop",
        "go": REPOMAP / "gitleaks",
        "java": REPOMAP / "benchmark-java",
    }
    return {language: build_map(fixture_sources(root)) for language, root in roots.items()}


def definition(repo_map: RepoMap, path: str, qualname: str) -> tuple[str, str | None, bool]:
    found = {d.qualname: d for d in repo_map.files[path].definitions}[qualname]
    return found.signature, found.doc, found.exported


def test_python_toolz(maps: dict[str, RepoMap]) -> None:
    m = maps["python"]
    assert definition(m, "toolz/itertoolz.py", "partition_all") == (
        "def partition_all(n, seq)",
        "Partition all elements of sequence into tuples of length at most n",
        True,
    )
    # `from .itertoolz import *` and `from toolz.utils import no_default` resolve; the
    # standard library's `import operator` does not land on toolz/curried/operator.py.
    assert set(m.files["toolz/__init__.py"].imports) >= {"toolz/itertoolz.py", "toolz/functoolz.py"}
    assert m.files["toolz/itertoolz.py"].imports == ("toolz/utils.py",)
    assert set(m.users_of("toolz/itertoolz.py", "partition_all")) == {
        "toolz/sandbox/parallel.py",
        "toolz/tests/test_itertoolz.py",
    }
    # The modules everything uses outrank the leaves, which nothing uses.
    top = list(m.files)[:3]
    assert set(top) == {"toolz/functoolz.py", "toolz/itertoolz.py", "toolz/utils.py"}
    assert m.ranks["toolz/tests/test_itertoolz.py"] < m.ranks["toolz/recipes.py"]


def test_javascript_fastify_plugin(maps: dict[str, RepoMap]) -> None:
    m = maps["javascript"]
    # require('./lib/getPluginName') names lib/getPluginName.js.
    assert m.files["index.js"].imports == ("lib/getPluginName.js", "lib/toCamelCase.js")
    assert m.users_of("lib/toCamelCase.js", "toCamelCase") == ["index.js"]
    assert definition(m, "lib/toCamelCase.js", "toCamelCase") == (
        "module.exports = function toCamelCase (name)",
        None,
        True,
    )
    assert list(m.files)[-1] == "index.js"  # used by nothing in the project


def test_typescript_juice_shop(maps: dict[str, RepoMap]) -> None:
    m = maps["typescript"]
    assert m.files["routes/premiumReward.ts"].imports == ("lib/challengeUtils.ts",)
    assert m.files["routes/appVersion.ts"].imports == ("lib/utils.ts",)
    # `challengeUtils.solveIf(...)` through `import * as challengeUtils`.
    assert m.users_of("lib/challengeUtils.ts", "solveIf") == ["routes/premiumReward.ts"]
    assert "routes/appVersion.ts" in m.users_of("lib/utils.ts", "version")
    assert next(iter(m.files)) == "lib/utils.ts"


def test_go_gitleaks(maps: dict[str, RepoMap]) -> None:
    m = maps["go"]
    # The import path github.com/zricethezav/gitleaks/v8/config under go.mod's module.
    assert set(m.files["report/sarif.go"].imports) == {"config/rule.go", "config/allowlist.go"}
    assert "go.mod" not in m.files
    assert m.users_of("config/rule.go", "Rule") == ["report/sarif.go"]
    assert set(m.users_of("report/finding.go", "Finding")) >= {"report/json.go", "report/sarif.go"}
    signature, _, exported = definition(m, "report/finding.go", "Finding.Redact")
    assert signature.startswith("func (f *Finding) Redact(")
    assert exported


def test_java_benchmark(maps: dict[str, RepoMap]) -> None:
    m = maps["java"]
    test_case = "src/main/java/org/owasp/benchmark/testcode/BenchmarkTest00384.java"
    factory = f"{JAVA_HELPERS}/ThingFactory.java"
    interface = f"{JAVA_HELPERS}/ThingInterface.java"
    # A fully qualified call, org.owasp.benchmark.helpers.ThingFactory.createThing().
    assert m.users_of(factory, "createThing") == [test_case]
    # `implements ThingInterface` and the factory's return type.
    assert set(m.users_of(interface, "ThingInterface")) >= {
        f"{JAVA_HELPERS}/Thing1.java",
        f"{JAVA_HELPERS}/Thing2.java",
        factory,
    }
    assert next(iter(m.files)) == interface
    signature, _, exported = definition(m, factory, "ThingFactory.createThing")
    assert signature.startswith("public static ThingInterface createThing(")
    assert exported


def test_go_methods_are_shown_under_their_struct(maps: dict[str, RepoMap]) -> None:
    text = maps["go"].render(4000).text
    block = text.split("report/finding.go:\n", 1)[1].split("\n", 6)[:6]
    assert block == [
        "  type Finding struct",
        "    // Finding contains a whole bunch of information about a secret finding.",
        "    func (f *Finding) AddRequiredFindings(afs []*RequiredFinding)",
        "    func (f *Finding) Redact(percent uint)",
        "      // Redact removes sensitive information from a finding.",
        "    func (f *Finding) PrintRequiredFindings()",
    ]


@pytest.mark.parametrize(
    ("helper", "outsider", "insider"),
    [
        (
            ("tools/fmt.py", b"def dumps(x):\n    return x\n"),
            ("a.py", b"from json import dumps\n\ndumps(1)\n"),
            ("b.py", b"from tools.fmt import dumps\n\ndumps(1)\n"),
        ),
        (
            ("src/fmt.ts", b"export function dumps (x: number) { return x }\n"),
            ("src/a.ts", b"import { dumps } from 'serializer'\ndumps(1)\n"),
            ("src/b.ts", b"import { dumps } from './fmt'\ndumps(1)\n"),
        ),
        (
            ("src/main/java/t/Checks.java", b"package t;\npublic class Checks {\n"
             b"  public static void assertThat(Object o) {}\n}\n"),
            ("src/test/java/t/ATest.java", b"package t;\n"
             b"import static org.assertj.core.api.Assertions.assertThat;\n"
             b"class ATest { void t() { assertThat(1); } }\n"),
            ("src/test/java/u/BTest.java", b"package u;\nimport static t.Checks.assertThat;\n"
             b"class BTest { void t() { assertThat(1); } }\n"),
        ),
    ],
    ids=["python", "typescript", "java"],
)  # fmt: skip
def test_a_name_imported_from_outside_the_repository_links_nothing(
    helper: tuple[str, bytes], outsider: tuple[str, bytes], insider: tuple[str, bytes]
) -> None:
    m = build_map(from_blobs([helper, outsider, insider]))
    name = "assertThat" if helper[0].endswith(".java") else "dumps"
    assert m.users_of(helper[0], name) == [insider[0]]


def test_a_name_every_file_of_a_package_defines_links_nothing() -> None:
    # OWASP Benchmark's 2,740 servlets share one package and each defines doGet: linking
    # each to all others would make millions of links that say nothing.
    servlet = (
        "package t;\npublic class Case{n} {{\n  public void doGet() {{ doGet(); shared(); }}\n}}\n"
    )
    files = [(f"src/t/Case{n}.java", servlet.format(n=n).encode()) for n in range(40)]
    files.append(
        ("src/t/Shared.java", b"package t;\npublic class Shared {\n  void shared() {}\n}\n")
    )
    m = build_map(from_blobs(files))
    assert m.graph is not None
    assert {link.name for link in m.graph.links} == {"shared"}
    assert len(m.users_of("src/t/Shared.java", "shared")) == 40


def test_from_a_package_import_a_module_imports_that_module() -> None:
    m = build_map(
        from_blobs(
            [
                ("pkg/__init__.py", b""),
                ("pkg/mod.py", b"def run():\n    pass\n"),
                ("pkg/inner.py", b"from . import mod\n\nmod.run()\n"),
                ("app.py", b"from pkg import mod, missing\n\nmod.run()\n"),
            ]
        )
    )
    assert m.files["app.py"].imports == ("pkg/__init__.py", "pkg/mod.py")
    assert m.files["pkg/inner.py"].imports == ("pkg/__init__.py", "pkg/mod.py")
    assert m.users_of("pkg/mod.py", "run") == sorted(
        ["app.py", "pkg/inner.py"], key=list(m.files).index
    )
