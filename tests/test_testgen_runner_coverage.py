"""Coverage reports read back into executed lines per file: Node's lcov and Go's cover
profile (no Go toolchain on the test machines: the profile is a sample in Go's format)."""

from __future__ import annotations

from pathlib import Path

from bot.testgen.line_coverage import go_profile_lines, lcov_lines, plan

GO_PROFILE = """mode: set
example.com/svc/pkg/calc.go:3.24,5.2 1 1
example.com/svc/pkg/calc.go:7.24,9.2 1 0
example.com/svc/pkg/other.go:10.1,10.20 1 3
"""


def test_a_go_profile_maps_import_paths_to_files() -> None:
    executed, executable = go_profile_lines(GO_PROFILE, "example.com/svc", "svc")
    assert executed == {"svc/pkg/calc.go": {3, 4, 5}, "svc/pkg/other.go": {10}}
    # A block never run is executable all the same: its lines count as missed.
    assert executable == {"svc/pkg/calc.go": {3, 4, 5, 7, 8, 9}, "svc/pkg/other.go": {10}}


def test_lcov_keeps_lines_hit_and_files_inside_the_checkout(tmp_path: Path) -> None:
    text = (
        f"SF:{tmp_path}/web/lib/a.js\nDA:1,1\nDA:2,0\nDA:3,4\nend_of_record\n"
        "SF:lib/b.js\nDA:5,1\nend_of_record\n"
        "SF:/usr/lib/node/internal.js\nDA:1,1\nend_of_record\n"
    )
    executed, executable = lcov_lines(text, tmp_path, "web")
    assert executed == {"web/lib/a.js": {1, 3}, "web/lib/b.js": {5}}
    assert executable == {"web/lib/a.js": {1, 2, 3}, "web/lib/b.js": {5}}


def test_the_plans_change_the_command_as_each_tool_wants(tmp_path: Path) -> None:
    go = plan(["go", "test", "-count=1", "./pkg"], "go", tmp_path, "")
    assert not isinstance(go, str)
    assert go.argv == ["go", "test", f"-coverprofile={tmp_path}/cover.out", "-count=1", "./pkg"]
    node = plan(["node", "--test", "a.test.js"], "javascript", tmp_path, "")
    assert not isinstance(node, str)
    # lcov to a file, and the spec reporter kept on stdout for the log.
    assert node.argv[:3] == ["node", "--test", "--experimental-test-coverage"]
    assert "--test-reporter=spec" in node.argv and node.argv[-1] == "a.test.js"
    assert plan(["mvn", "test"], "java", tmp_path, "") == "no coverage tool for this command (java)"
    missing = plan(["/bin/false", "-m", "pytest"], "python", tmp_path, "")
    assert missing == "coverage.py is not installed for /bin/false"
