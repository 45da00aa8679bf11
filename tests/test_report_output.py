"""Which format each report file gets: its name decides, --format fills in where a name
says nothing, and --format is what stdout gets."""

from __future__ import annotations

import json
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


def test_a_file_name_wins_over_format_which_is_what_stdout_gets() -> None:
    assert output_targets(("r.md",), "json") == [(Path("r.md"), "markdown")]
    got = output_targets(("r.sarif", "r.json"), "markdown")
    assert [k for _, k in got] == ["sarif", "json"]


def test_no_format_and_no_telling_name_is_refused() -> None:
    with pytest.raises(click.BadParameter, match="cannot tell the format"):
        output_targets(("report.txt",), None)


def test_format_goes_to_stdout_and_each_file_gets_its_own(tmp_path: Path) -> None:
    patch = tmp_path / "c.diff"
    patch.write_text("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")
    md = tmp_path / "r.md"
    r = switchyard(
        "security", "--diff", str(patch), "--no-model", "--format", "json",
        "--output", str(md), cwd=tmp_path, env=base_env(tmp_path), timeout=180,
    )  # fmt: skip
    assert r.code in (0, 3), r.both
    assert json.loads(r.out)["task"] == "security"  # stdout: the --format
    assert md.read_text().startswith("#")  # the file: Markdown, as its name says
