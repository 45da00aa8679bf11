"""Which format each report file gets: its name decides, --format fills in where a name
says nothing, and a contradiction between the two is refused before any work is done."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from bot.cli.report_output import output_targets
from tests.cli import base_env, switchyard


def test_each_file_takes_the_format_its_name_says() -> None:
    got = output_targets(("r.md", "r.json", "r.sarif", "ci/gl-sast-report.json"), None)
    assert [kind for _, kind in got] == ["markdown", "json", "sarif", "gitlab-sast"]


def test_format_fills_in_where_the_name_says_nothing() -> None:
    assert output_targets(("report.txt",), "json") == [(Path("report.txt"), "json")]
    assert output_targets(("sast.json",), "gitlab-sast") == [(Path("sast.json"), "gitlab-sast")]
    # --format agreeing with every name, with several files: each still gets its own.
    assert [k for _, k in output_targets(("a.json", "b.json"), "json")] == ["json", "json"]


@pytest.mark.parametrize(
    ("outputs", "fmt"),
    [(("r.md",), "json"), (("r.json", "r.md"), "json"), (("r.sarif",), "markdown")],
)
def test_a_format_that_contradicts_a_file_name_is_refused(
    outputs: tuple[str, ...], fmt: str
) -> None:
    with pytest.raises(click.BadParameter, match="drop --format"):
        output_targets(outputs, fmt)


def test_no_format_and_no_telling_name_is_refused() -> None:
    with pytest.raises(click.BadParameter, match="cannot tell the format"):
        output_targets(("report.txt",), None)


def test_the_command_refuses_before_any_work(tmp_path: Path) -> None:
    patch = tmp_path / "c.diff"
    patch.write_text("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")
    r = switchyard(
        "review", "--diff", str(patch), "--format", "json", "--output", str(tmp_path / "r.md"),
        cwd=tmp_path, env=base_env(tmp_path),
    )  # fmt: skip
    assert r.code == 2, r.both
    assert "names a markdown file but --format is json" in r.err
    assert not (tmp_path / "r.md").exists()
