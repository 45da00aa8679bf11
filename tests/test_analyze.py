"""The analyze task: figures computed from a real git repository (branches per function,
churn, dead-code candidates, test gaps, modules), the whole repository routed cloud-first,
and per-package chunks to the self-hosted runner, merged, when the cloud is down or the
repository is restricted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.analyze.churn import churn_of
from bot.analyze.complexity import complexity_of
from bot.analyze.plan import CHUNKS, CLOUD, plan_analyze
from bot.analyze.render import to_json, to_markdown
from bot.analyze.run import run_analyze
from bot.config.model import Settings
from bot.execution import Services
from bot.providers import build_providers
from tests.fakes.openai_server import FakeOpenAIServer, Reply, unused_port
from tests.gitrepo import GitRepo

BRANCHY = (
    "def route(order, user):\n"
    "    if order.total > 100 and user.vip:\n        return 'fast'\n"
    "    for line in order.lines:\n        if line.fragile:\n            return 'careful'\n"
    "    return 'slow' if order.heavy else 'normal'\n"
)


def _module(name: str, n: int) -> str:
    return "".join(
        f'def {name}_step_{i}(value):\n    """Step {i} of {name}."""\n    return value + {i}\n\n'
        for i in range(n)
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = GitRepo.init(tmp_path_factory.mktemp("analyze") / "repo")
    for i in range(8):
        repo.write(f"shop/part{i}.py", _module(f"shop{i}", 6))
        repo.write(f"billing/ledger{i}.py", _module(f"ledger{i}", 6) + "# books-secret-ish\n")
    repo.write("shop/routing.py", BRANCHY)
    repo.write("shop/use.py", "from shop.part0 import shop0_step_1\n\nshop0_step_1(2)\n")
    repo.write(
        "tests/test_routing.py", "from shop.routing import route\n\ndef test_r():\n    route\n"
    )
    repo.commit("start")
    for n in range(3):  # churn: the branchy file changes again and again
        repo.write("shop/routing.py", BRANCHY + f"# revision {n}\n")
        repo.commit(f"tweak {n}")
    return repo


def test_branches_are_counted_per_function_on_the_syntax_tree() -> None:
    [f] = complexity_of("shop/routing.py", BRANCHY.encode())
    # if, and, for, if, conditional expression: five decisions, plus one.
    assert (f.qualname, f.branches) == ("route", 6)
    go = (
        b"package p\nfunc F(a int) int {\n\tif a > 1 && a < 3 {\n\t\treturn 1\n\t}\n\treturn 0\n}\n"
    )
    assert [c.branches for c in complexity_of("p/f.go", go)] == [3]


def test_figures_join_complexity_with_churn_and_find_dead_code_and_test_gaps(
    repo: GitRepo,
) -> None:
    churn = churn_of(repo.path)
    assert churn.total_commits == 4 and churn.commits["shop/routing.py"] == 4
    plan = plan_analyze(_settings(_down(), None), {}, checkout=repo.path)
    facts = plan.facts
    [hot] = facts.hot_spots
    assert (hot.path, hot.qualname, hot.branches, hot.commits) == ("shop/routing.py", "route", 6, 4)
    unused = {(u.path, u.qualname) for u in facts.unused}
    assert ("shop/part0.py", "shop0_step_2") in unused
    assert ("shop/part0.py", "shop0_step_1") not in unused  # shop/use.py calls it
    assert "shop/part1.py" in facts.untested and "shop/routing.py" not in facts.untested
    assert {m.name for m in facts.modules} == {"billing", "shop", "tests"}


def _settings(
    local: str, cloud: str | None, *, local_context: int = 3000, **extra: Any
) -> Settings:
    providers: dict[str, dict[str, Any]] = {
        "gpu": {"base_url": local, "model": "qwen", "location": "local",
                "context_tokens": local_context, "max_retries": 0},
    }  # fmt: skip
    if cloud is not None:
        providers["gateway"] = {
            "base_url": cloud, "model": "gpt", "location": "cloud", "max_retries": 0,
            "context_tokens": 128000,
        }  # fmt: skip
    policy = {"paths": [{"glob": "billing/**", "class": "restricted"}]}
    return Settings.model_validate({"providers": providers, "data_classes": policy, **extra})


def _down() -> str:
    return f"http://127.0.0.1:{unused_port()}/v1"


def _answer(request: dict[str, Any]) -> Reply:
    text = request["messages"][-1]["content"]
    scope = text.split("Write the report for ", 1)[1].split(".\n", 1)[0]
    return Reply(
        {
            "summary": f"About {scope}.",
            "architecture": f"Modules of {scope}.",
            "risks": [
                {
                    "path": "shop/routing.py",
                    "severity": "major",
                    "title": "Branchy and hot",
                    "detail": "route() changes often and has six branches.",
                }
            ],
        }
    )


@pytest.fixture
def local() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as server:
        server.responder = _answer
        yield server


@pytest.fixture
def cloud() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["gpt"]) as server:
        server.responder = _answer
        yield server


def test_the_whole_repository_goes_to_the_cloud_without_restricted_files(
    repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer
) -> None:
    settings = _settings(local.base_url, cloud.base_url)
    report = run_analyze(settings, Services(build_providers(settings, {})), checkout=repo.path)
    assert report.route == CLOUD and "repository scope: cloud first" in report.why
    assert len(cloud.chat_requests()) == 1 and local.chat_requests() == []
    sent = cloud.received_text()
    assert "shop/routing.py" in sent and "def route(order, user)" in sent
    assert "billing/" not in sent and "ledger0_step" not in sent
    assert "8 restricted files were left out of the map sent to the cloud" in report.notes
    assert report.summary == "About the whole repository." and report.complete
    md = to_markdown(report)
    assert "**Route:** cloud: analyze → gateway/gpt (repository scope: cloud first" in md
    assert "| shop/routing.py:1 route | 6 | 4 |" in md


def test_cloud_down_splits_into_package_chunks_for_the_local_runner_and_merges(
    repo: GitRepo, local: FakeOpenAIServer
) -> None:
    settings = _settings(local.base_url, _down())
    report = run_analyze(settings, Services(build_providers(settings, {})), checkout=repo.path)
    asked = local.chat_requests()
    assert report.route == CHUNKS and report.why.startswith("cloud unavailable (")
    assert len(asked) == 3 == report.items and report.complete
    assert all(_tokens(r) <= 3000 for r in asked)
    # One answer per package, merged: the narrative per package, each risk once.
    assert [label for label, _ in report.architecture] == ["billing", "shop", "tests"]
    assert report.summary is not None
    assert report.summary.startswith("billing: About the packages billing (one part of ")
    assert [r.title for r in report.risks] == ["Branchy and hot"]  # merged once
    data = to_json(report)
    assert '"taken": "self-hosted chunks"' in data and "cloud unavailable" in data


def test_a_restricted_repository_is_analysed_on_premises_only(
    repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer
) -> None:
    settings = _settings(local.base_url, cloud.base_url, data_class="restricted")
    report = run_analyze(settings, Services(build_providers(settings, {})), checkout=repo.path)
    assert report.route == CHUNKS and "restricted" in report.why
    assert cloud.received() == [] and len(local.chat_requests()) == 3


def _tokens(request: dict[str, Any]) -> int:
    from bot.tokens.counting import estimate_tokens

    return sum(estimate_tokens(m["content"]) for m in request["messages"])


def test_a_whole_map_over_the_budget_is_split_into_chunks_before_any_call(repo: GitRepo) -> None:
    settings = _settings(_down(), _down())
    whole = plan_analyze(settings, build_providers(settings, {}), checkout=repo.path)
    assert whole.route_taken == CLOUD and len(whole.items) == 1
    plan = plan_analyze(settings, build_providers(settings, {}), checkout=repo.path, budget=1200)
    assert plan.route_taken == CHUNKS and plan.why.startswith("over budget: the whole map in")
    assert [p.route.targets[0].name for p in plan.items] == ["gpu"] * 3
    assert all("chunk" in p.route.reason and "gpu/qwen" in p.route.reason for p in plan.items)


def test_a_package_too_big_for_one_local_item_is_shown_whole_over_several(
    repo: GitRepo,
) -> None:
    settings = _settings(_down(), None, local_context=1600)
    plan = plan_analyze(settings, build_providers(settings, {}), checkout=repo.path)
    labels = [plan.chunks[p.item.id].label for p in plan.items]
    billing = [label for label in labels if label.startswith("billing (part ")]
    assert len(billing) > 1 and billing[-1] == f"billing (part {len(billing)} of {len(billing)})"
    assert all(p.item.prompt_tokens <= plan.budget_tokens for p in plan.items)
    shown = "\n".join(p.item.messages[1].content for p in plan.items)
    assert all(f"ledger{i}_step_5" in shown for i in range(8))  # every file's definitions
