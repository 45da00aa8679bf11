"""The repository's own semgrep rules read through the contents API (no checkout), and
what the security task says when a change has no checkout and none were read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from github import Github

from bot.config.model import Settings
from bot.execution import Services
from bot.forges.github import github_client
from bot.forges.github.repo_files import MAX_RULE_FILES, fetch_rule_files
from bot.security.run import run_security
from tests.fakes.github_server import FakeGitHub
from tests.test_scanners import make_change

REPO = "acme/api"
RULE = (
    "rules:\n  - id: house.no-print\n    languages: [python]\n    severity: WARNING\n"
    "    message: use the logger\n    pattern: print(...)\n"
)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo(REPO)
        server.add_token("tok", "bot")
        yield server
        server.assert_no_violations()


def gh_for(fake: FakeGitHub) -> Github:
    return github_client("tok", fake.base_url, pace=False, max_wait_s=5)


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_folders_are_read_recursively_keeping_paths_and_only_their_rule_files(
    fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.set_file(REPO, "main", "ci/semgrep/a.yml", RULE)
    fake.set_file(REPO, "main", "ci/semgrep/deep/b.yaml", RULE)
    fake.set_file(REPO, "main", "ci/semgrep/README.md", "notes\n")
    fake.set_file(REPO, "main", "rules/house.json", "{}")  # named itself: read whatever it is
    fake.set_file(REPO, "feature", "ci/semgrep/head.yml", RULE)  # another ref: not read
    got = fetch_rule_files(
        gh_for(fake), REPO, "main", ["./ci/semgrep/", "rules/house.json"], tmp_path
    )
    assert got.paths == [tmp_path / "ci/semgrep", tmp_path / "rules/house.json"]
    assert files_under(tmp_path) == [
        "ci/semgrep/a.yml",
        "ci/semgrep/deep/b.yaml",
        "rules/house.json",
    ]
    assert (tmp_path / "ci/semgrep/a.yml").read_text() == RULE
    assert got.notes == []


def test_what_is_not_read_is_named_with_the_reason(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.set_file(REPO, "main", "docs/README.md", "notes\n")
    fake.set_file(REPO, "main", "big/huge.yml", b"#" * (1024 * 1024 + 1))
    names = ["gone.yml", "docs", "big/", "../outside.yml", "/etc/passwd", "."]
    got = fetch_rule_files(gh_for(fake), REPO, "main", names, tmp_path)
    assert got.paths == []
    assert files_under(tmp_path) == []
    text = "\n".join(got.notes)
    assert "gone.yml does not exist on main of acme/api" in text
    assert "folder docs on main holds no .yml or .yaml files" in text
    assert "big/huge.yml is over 1 MB" in text
    for bad in ("'../outside.yml'", "'/etc/passwd'", "'.'"):
        assert f"{bad} is not a file or folder inside the repository" in text
    assert not (tmp_path.parent / "outside.yml").exists()


def test_at_most_so_many_rule_files_are_read(fake: FakeGitHub, tmp_path: Path) -> None:
    for i in range(MAX_RULE_FILES + 5):
        fake.set_file(REPO, "main", f"rules/r{i:03}.yml", RULE)
    got = fetch_rule_files(gh_for(fake), REPO, "main", ["rules", "later.yml"], tmp_path)
    assert len(files_under(tmp_path)) == MAX_RULE_FILES
    assert got.paths == [tmp_path / "rules"]
    assert any(f"more than {MAX_RULE_FILES} rule files" in n for n in got.notes)
    assert any("later.yml was not read" in n for n in got.notes)
    assert fake.count("GET", "/contents/") == MAX_RULE_FILES + 2  # the list and the 101st


def _security(change_rules: list[Path] | None, **kw: object) -> list[str]:
    settings = Settings.model_validate({"security": {"semgrep_rules": ["rules/house.yml"]}})
    change = make_change({"app/cli.py": (None, "def main():\n    print('hi')\n")})
    assert change.repo_root is None
    report = run_security(
        change, settings, Services(providers={}), use_model=False, repo_rules=change_rules
    )
    return [*report.notes, *(f.rule_id or "" for f in report.findings)]


def test_without_a_checkout_the_rules_are_not_looked_for_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules/house.yml").write_text(RULE)
    monkeypatch.chdir(tmp_path)
    said = _security(None)
    assert "house.no-print" not in said
    assert any(
        "semgrep rules of the repository (rules/house.yml" in n and "no checkout" in n for n in said
    )
    # The rules a caller fetched are run, and nothing is said to be missing.
    said = _security([tmp_path / "rules/house.yml"])
    assert "house.no-print" in said
    assert not any("no checkout" in n for n in said)
