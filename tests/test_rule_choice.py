"""Which built-in rule files a scan is given: only its languages' (semgrep parses every
rule file before it looks at a target), never fewer than could apply."""

from __future__ import annotations

from pathlib import Path

from bot.security.scanners.rule_choice import rule_files_for
from bot.security.scanners.semgrep_runner import default_rule_files


def names(paths: list[str]) -> list[str]:
    return [f.name for f in rule_files_for(default_rule_files(), paths)]


def test_a_change_gets_the_rule_files_of_its_languages_only() -> None:
    assert names(["app/views.py", "README.md", "setup.cfg"]) == ["python.yml"]
    assert names(["web/index.ts", "cmd/main.go"]) == ["go.yml", "javascript.yml"]
    assert names(["Main.java", "docs/guide.md"]) == ["java.yml"]
    assert names(["docs/guide.md"]) == []


def test_a_script_without_an_extension_gets_every_rule_file() -> None:
    assert names(["bin/deploy", "a.py"]) == [f.name for f in default_rule_files()]


def test_a_rule_file_for_another_language_is_always_given(tmp_path: Path) -> None:
    ruby = tmp_path / "ruby.yml"
    ruby.write_text("rules:\n- id: x\n  languages: [ruby]\n  pattern: eval(...)\n")
    py = tmp_path / "py.yml"
    py.write_text("rules:\n- id: y\n  languages: [python]\n  pattern: eval(...)\n")
    assert rule_files_for([ruby, py], ["a.py"]) == [ruby, py]
