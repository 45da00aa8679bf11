"""Shared fixtures, and the session hooks that provide what the tests need (npm tools,
PostgreSQL). Keep this file to fixtures and hooks; helpers live in their own modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_cluster, tools
from tests import real_runner as runner_helpers
from tests.gitrepo import ISOLATED_ENV, GitRepo

_status: list[str] = []
_cluster: pg_cluster.ThrowawayCluster | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Once per session, in the process that starts any xdist workers (they inherit the
    environment): install the npm tools if node_modules is missing or stale, and start a
    throwaway PostgreSQL if SWITCHYARD_TEST_PG_URL is unset and PostgreSQL is installed."""
    global _cluster
    if hasattr(config, "workerinput") or config.option.help or config.option.version:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    echo = reporter.write_line if reporter is not None else print
    _status.append(tools.ensure_node_modules(echo))
    _cluster, line = pg_cluster.start_if_needed()
    _status.append(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def pytest_report_header(config: pytest.Config) -> list[str]:
    return list(_status)


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shield git, as run by the code under test, from the developer's own git config."""
    for key, value in ISOLATED_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def git_repo(tmp_path: Path, git_env: None) -> GitRepo:
    """An empty repository whose default branch is main."""
    return GitRepo.init(tmp_path / "repo")


@pytest.fixture(scope="session")
def real_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama.cpp server (llama-cpp-python, Gemma 3 270M, n_ctx 8192) on loopback:
    its base URL (".../v1"); the model is tests.real_runner.MODEL. Skipped without the `local`
    extra, failed under CI (tests/real_runner.py)."""
    with runner_helpers.serve(tmp_path_factory.mktemp("real-runner")) as base_url:
        yield base_url
