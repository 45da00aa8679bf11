"""Shared fixtures, and the session hooks that provide what the tests need (npm tools,
PostgreSQL). Keep this file to fixtures and hooks; helpers live in their own modules."""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_cluster, tools
from tests import real_runner as runner_helpers
from tests.gitrepo import ISOLATED_ENV, GitRepo

# The suite starts hundreds of Python processes (the CLI, workers, launchers), and each xdist
# worker imports every test module. Without bytecode caches each process compiles Switchyard
# from source and each worker rewrites every test module's asserts again (11 s of a 17 s
# collection). A PYTHONDONTWRITEBYTECODE in the shell is dropped for the suite's processes,
# before the workers start.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

_status: list[str] = []
_cluster: pg_cluster.ThrowawayCluster | None = None


@pytest.fixture(autouse=True)
def _draws_seeded_by_the_test(request: pytest.FixtureRequest) -> None:
    """Reseed a test module's own random generators (`_RANDOM = random.Random(…)`) with the
    test's id before it runs: a value drawn in a test's body then does not depend on which
    tests ran before it in the same process, which xdist decides (a letters-only token drawn
    only under `-n 3` once failed a format test). Values drawn at import, for parametrize
    lists, are the same in every process already."""
    test_id = request.node.nodeid.split("@", 1)[0]  # xdist's loadgroup appends "@group"
    for value in vars(request.module).values():
        if isinstance(value, random.Random):
            value.seed(test_id)


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


@pytest.hookimpl(trylast=True)  # after xdist's own hook, so its suffix is seen when it works
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `-n 2 --dist loadgroup`, on each worker: a test's xdist_group, and for a test
    using a module- or session-scoped fixture of its own module (one semgrep scan, one CLI
    run, one Groovy harness) that module as its group, so the fixture runs on one worker,
    not on both. Tests of the module that do not use it stay free.

    The group travels as an "@group" suffix of the test id, which xdist 3.8 writes to a field
    pytest 9.2 no longer reads (pytest-xdist#1386): every test was spread as if ungrouped.
    The suffix is written here where xdist's is missing."""
    if not hasattr(config, "workerinput") or not config.getvalue("loadgroup"):
        return
    for item in items:
        group = _group(item)
        if group and not item.nodeid.endswith(f"@{group}"):
            _set_node_id(item, f"{item.nodeid}@{group}")


def _group(item: pytest.Item) -> str | None:
    marks = item.iter_markers("xdist_group")
    names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
    if names:
        return "_".join(sorted(names))  # as xdist joins several marks
    module = item.nodeid.split("::", 1)[0]
    info = getattr(item, "_fixtureinfo", None)  # pytest's own record; doctests have none
    if info is not None and any(
        defs and defs[-1].baseid == module and defs[-1].scope in ("module", "session")
        for defs in info.name2fixturedefs.values()
    ):
        return module
    return None


def _set_node_id(item: pytest.Item, node_id: str) -> None:
    if hasattr(item, "_id"):  # pytest >= 9.2: the structured id is the one read
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(node_id)
    else:
        item._nodeid = node_id


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
