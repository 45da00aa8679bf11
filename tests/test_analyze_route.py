"""`switchyard route --explain --task impact|analyze` and `review --deep --dry-run`: the
repository-scope plans are shown — map size, tokens, scope, target, reason, estimated
cost — before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer
from tests.gitrepo import GitRepo
from tests.test_impact import CART, CHECKOUT, LEDGER, SPECIAL


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAIServer, FakeOpenAIServer]]:
    with FakeOpenAIServer(models=["qwen"]) as local, FakeOpenAIServer(models=["gpt-4o"]) as cloud:
        yield local, cloud


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    base = {
        "shop/cart.py": CART,
        "shop/checkout.py": CHECKOUT,
        "shop/special.py": SPECIAL,
        "billing/ledger.py": LEDGER,
    }
    return git_repo.feature({"shop/cart.py": CART.replace("(self, tax)", "(self, tax, d)")}, base)


def _env(
    tmp_path: Path, local: FakeOpenAIServer, cloud: FakeOpenAIServer, extra: str = ""
) -> dict[str, str]:
    org = tmp_path / "org.yml"
    org.write_text(
        f"providers:\n  openai:\n    base_url: {cloud.base_url}\n    model: gpt-4o\n"
        "    api_key_file: /dev/null\n"
        f"  local:\n    base_url: {local.base_url}\n    model: qwen\n    location: local\n"
        "data_classes:\n  paths:\n    - {glob: 'billing/**', class: restricted}\n" + extra
    )
    return {**base_env(tmp_path), "SWITCHYARD_CONFIG": str(org)}


def test_route_explains_impact_and_analyze_as_repository_scope_before_any_call(
    repo: GitRepo, servers: tuple[FakeOpenAIServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    local, cloud = servers
    env = _env(tmp_path, local, cloud)
    r = switchyard(
        "route", "--explain", "--base", "main", "--task", "impact", cwd=repo.path, env=env
    )
    assert r.code == 0, r.both
    assert "scope: repository (cloud first)" in r.out
    assert "impact: repository map of 4 files" in r.out
    assert "impact-1: 2 uses elsewhere from 2 other files (0 left out)" in r.out
    assert "≤ $" in r.out  # gpt-4o has a list price: the estimate is shown
    assert "why: impact → openai/gpt-4o (repository scope: cloud first" in r.out
    assert "note: 1 uses in restricted files were left out" in r.out
    r = switchyard(
        "route", "--explain", "--base", "main", "--task", "analyze", cwd=repo.path, env=env
    )
    assert r.code == 0, r.both
    assert "Analyze plan: repository map of 3 files" in r.out  # the cloud's map: no billing/
    assert "route: cloud: analyze → openai/gpt-4o (repository scope: cloud first" in r.out
    assert cloud.chat_requests() == [] and local.chat_requests() == []


def test_a_restricted_repository_routes_analyze_to_local_chunks_and_says_why(
    repo: GitRepo, servers: tuple[FakeOpenAIServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    local, cloud = servers
    env = _env(tmp_path, local, cloud, "  repositories:\n    'acme/*': restricted\n")
    args = (
        "route",
        "--explain",
        "--base",
        "main",
        "--task",
        "analyze",
        "--repository",
        "acme/shop",
    )
    r = switchyard(*args, cwd=repo.path, env=env)
    assert r.code == 0, r.both
    assert "route: self-hosted chunks: the repository is restricted" in r.out
    assert "analyze → local/qwen (the repository is restricted" in r.out
    assert "openai" not in r.out.split("route:", 1)[1]


def test_review_deep_dry_run_shows_the_impact_plan(
    repo: GitRepo, servers: tuple[FakeOpenAIServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    local, cloud = servers
    r = switchyard(
        "review",
        "--base",
        "main",
        "--deep",
        "--dry-run",
        cwd=repo.path,
        env=_env(tmp_path, local, cloud),
    )
    assert r.code == 0, r.both
    assert "Impact plan: impact: repository map of 4 files" in r.out
    assert "impact-1: shop/cart.py with 2 uses elsewhere" in r.out
    assert "repository scope: cloud first" in r.out


def test_analyze_writes_its_report_and_says_the_route(
    repo: GitRepo, servers: tuple[FakeOpenAIServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    from tests.test_analyze import _answer

    local, cloud = servers
    local.responder = cloud.responder = _answer
    out = tmp_path / "analysis.json"
    args = ("analyze", "--format", "json", "--output", str(out))
    r = switchyard(*args, cwd=repo.path, env=_env(tmp_path, local, cloud))
    assert r.code == 0, r.both
    data = json.loads(out.read_text())
    assert data["route"]["taken"] == "cloud" and "cloud first" in data["route"]["why"]
    assert data["summary"] == "About the whole repository." and data["complete"] is True
    assert "route: cloud" in r.err and local.chat_requests() == []
    md = switchyard("analyze", cwd=repo.path, env=_env(tmp_path, local, cloud))
    assert md.out.startswith("# Repository analysis: ") and "## Test gaps" in md.out
