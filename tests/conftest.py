"""Shared fixtures. Keep this file to fixtures only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitrepo import ISOLATED_ENV, GitRepo


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shield git, as run by the code under test, from the developer's own git config."""
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def git_repo(tmp_path: Path, git_env: None) -> GitRepo:
    """An empty repository whose default branch is main."""
    return GitRepo.init(tmp_path / "repo")
