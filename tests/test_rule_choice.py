"""Which built-in rule files a scan is given: only its languages' (semgrep parses every
rule file before it looks at a target), never fewer than could apply; and how: as one JSON
file (semgrep reads YAML slowly), a repository's own rules as written."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.security.scanners.rule_choice import as_json, rule_files_for
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


def test_the_built_in_rules_go_to_semgrep_as_one_json_file_and_a_repositorys_as_written(
    tmp_path: Path,
) -> None:
    own = default_rule_files()
    house = tmp_path / "house.yml"
    house.write_text("rules:\n- id: house.x\n  languages: [python]\n  pattern: eval(...)\n")
    with as_json(own, [house]) as configs:
        combined, rest = configs[0], configs[1:]
        assert combined.suffix == ".json" and rest == [house]
        rules = json.loads(combined.read_text())["rules"]
    assert not combined.exists()  # a scan's own copy, gone after it
    written = [r for f in own for r in yaml.safe_load(f.read_text())["rules"]]
    # Every rule, with the taint sources the YAML shares through anchors spelled out.
    assert rules == written and len(rules) > 50
    assert not any(key.startswith("x-") for rule in rules for key in rule)


def test_a_rule_file_that_cannot_be_read_here_goes_to_semgrep_as_it_is(tmp_path: Path) -> None:
    broken = tmp_path / "python.yml"
    broken.write_text("rules: [\n")
    with as_json([broken], []) as configs:
        assert configs == [broken]  # semgrep reads it and says what is wrong
