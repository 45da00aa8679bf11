"""The impact task (`review --deep`): a changed definition's callers and overrides in other
files reach the prompt, restricted ones never reach a cloud-bound item, and what the model
says about code outside the diff is a file-level note with a link, never a line comment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.change.filters import UNFILTERED
from bot.change.git_source import change_from_git
from bot.change.model import Change
from bot.config.model import Settings
from bot.execution import Services
from bot.forges.publishing import publish
from bot.impact.links import WebRepo, web_repo, web_repo_of_change, where
from bot.impact.plan import plan_impact
from bot.impact.run import run_impact
from bot.providers import build_providers
from tests.fakes.openai_server import FakeOpenAIServer, Reply, unused_port
from tests.gitrepo import GitRepo
from tests.memory_forge import ChangeRequestState, MemoryPublisher, change_request

CART = (
    "class Cart:\n    def __init__(self, items):\n        self.items = items\n\n"
    "    def total(self, tax):\n        return sum(self.items) * (1 + tax)\n"
)
CHECKOUT = (
    "from shop.cart import Cart\n\n\ndef pay(items):\n    cart = Cart(items)\n"
    "    amount = cart.total(0.2)\n    return amount\n"
)
SPECIAL = (
    "from shop.cart import Cart\n\n\nclass Special(Cart):\n"
    "    def total(self, tax):\n        return 0\n"
)
LEDGER = (
    "from shop.cart import Cart\n\n\ndef book(x):\n    return Cart(x).total(0.1)  # ledger-only\n"
)
RESTRICTED = {"data_classes": {"paths": [{"glob": "billing/**", "class": "restricted"}]}}


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> Change:
    repo = GitRepo.init(tmp_path_factory.mktemp("impact") / "repo")
    base = {
        "shop/cart.py": CART,
        "shop/checkout.py": CHECKOUT,
        "shop/special.py": SPECIAL,
        "billing/ledger.py": LEDGER,
    }
    new_cart = CART.replace("total(self, tax)", "total(self, tax, discount)")
    repo.feature({"shop/cart.py": new_cart}, base)
    return change_from_git(repo.path, "main", "HEAD", UNFILTERED)


def _settings(local: str, cloud: str | None, **extra: object) -> Settings:
    providers = {"gpu": {"base_url": local, "model": "qwen", "location": "local"}}
    if cloud is not None:
        providers["gateway"] = {"base_url": cloud, "model": "gpt", "location": "cloud"}
    for p in providers.values():
        p["max_retries"] = 0  # type: ignore[assignment]
    return Settings.model_validate({"providers": providers, **extra})


def _down() -> str:
    return f"http://127.0.0.1:{unused_port()}/v1"


def _prompt(plan_items: list) -> str:  # type: ignore[type-arg]
    return "\n".join(m.content for p in plan_items for m in p.item.messages)


def test_callers_and_overrides_in_other_files_reach_the_prompt_cloud_first(
    change: Change,
) -> None:
    settings = _settings(_down(), _down(), **RESTRICTED)
    plan = plan_impact(change, settings, build_providers(settings, {}), checkout=_root(change))
    [item] = plan.items
    text = _prompt(plan.items)
    assert "Changed: method Cart.total (shop/cart.py line 5)" in text
    assert "--- shop/checkout.py lines 3-" in text and "amount = cart.total(0.2)" in text
    assert "(overrides Cart.total)" in text and "class Special(Cart)" not in text
    assert "    5 |     def total(self, tax):" in text  # the override, numbered as its file
    assert item.route.targets[0].name == "gateway"
    assert "repository scope: cloud first" in item.route.reason
    # The restricted caller stays out of the cloud-bound item, and the plan says so.
    assert "ledger-only" not in text and "billing/ledger.py" not in text
    assert any("1 uses in restricted files were left out" in n for n in plan.notes)
    assert set(plan.impacts[0].shown) == {"shop/cart.py", "shop/checkout.py", "shop/special.py"}


def test_without_a_cloud_target_restricted_callers_are_shown_and_the_item_stays_local(
    change: Change,
) -> None:
    settings = _settings(_down(), None, **RESTRICTED)
    plan = plan_impact(change, settings, build_providers(settings, {}), checkout=_root(change))
    [item] = plan.items
    assert "ledger-only" in _prompt(plan.items)
    assert item.data_class.value == "restricted" and "billing/ledger.py" in item.class_reason
    assert [t.name for t in item.route.targets] == ["gpu"]


@pytest.fixture
def cloud() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["gpt"]) as server:
        yield server


ANSWER = {
    "summary": "Cart.total takes a discount now.",
    "findings": [
        {
            "path": "shop/cart.py",
            "line": 5,
            "severity": "minor",
            "title": "No default for discount",
            "body": "Give discount a default of 0.",
        }
    ],
    "elsewhere": [
        {
            "path": "shop/checkout.py",
            "line": 6,
            "severity": "major",
            "title": "Caller still passes one argument",
            "body": "pay() calls total(0.2) and will raise TypeError.",
        },
        {
            "path": "shop/unseen.py",
            "line": 1,
            "severity": "major",
            "title": "Made up",
            "body": "A file the item never showed.",
        },
    ],
}


def test_notes_outside_the_diff_are_file_level_with_links_and_never_line_comments(
    change: Change, cloud: FakeOpenAIServer
) -> None:
    cloud.enqueue(Reply(ANSWER))
    settings = _settings(_down(), cloud.base_url, **RESTRICTED)
    services = Services(providers=build_providers(settings, {}))
    web = WebRepo("https://github.com/acme/shop", "github")
    report = run_impact(change, settings, services, checkout=_root(change), web=web)
    sent = cloud.received_text()
    assert "cart.total(0.2)" in sent and "ledger-only" not in sent
    by_path = {f.path: f for f in report.findings}
    assert set(by_path) == {"shop/cart.py", "shop/checkout.py"}
    assert by_path["shop/cart.py"].start_line == 5  # on the diff: anchored
    note = by_path["shop/checkout.py"]
    assert note.start_line is None and note.end_line is None and note.task == "impact"
    url = f"https://github.com/acme/shop/blob/{change.head_sha}/shop/checkout.py#L6"
    assert note.anchor_note == f"outside the diff, at [shop/checkout.py:6]({url})"
    assert any("'shop/unseen.py', a file the impact item did not show" in n for n in report.notes)
    # Published: one line comment, on the diff; the note sits in the summary with its link.
    state = ChangeRequestState(
        change_request("acme/shop", 1, base=change.base_sha or "", head=change.head_sha or ""),
        diff="",
    )
    publish(MemoryPublisher(state, "impact", change.head_sha or ""), report)
    assert [(p, line) for p, line, _ in state.comments] == [("shop/cart.py", 5)]
    [summary] = state.summaries
    assert url in summary.body and "Caller still passes one argument" in summary.body


def test_a_link_needs_a_known_forge_otherwise_path_and_line() -> None:
    assert where(None, "abc", "a/b.py", 3) == "`a/b.py:3`"
    gitlab = web_repo({"CI_PROJECT_URL": "https://gitlab.example.com/g/p"})
    assert gitlab is not None
    assert where(gitlab, "abc", "a b.py", 3) == (
        "[a b.py:3](https://gitlab.example.com/g/p/-/blob/abc/a%20b.py#L3)"
    )
    ssh = web_repo({}, "git@github.com:acme/shop.git")
    assert ssh == WebRepo("https://github.com/acme/shop", "github")
    assert web_repo({}, "/srv/git/shop.git") is None
    assert web_repo({"CI_PROJECT_URL": "javascript:alert(1)"}) is None
    assert web_repo_of_change("https://github.com/acme/shop/pull/42") == WebRepo(
        "https://github.com/acme/shop", "github"
    )
    assert web_repo_of_change("https://gitlab.example.com/g/sub/p/-/merge_requests/7#note_1") == (
        WebRepo("https://gitlab.example.com/g/sub/p", "gitlab")
    )
    assert web_repo_of_change("memory://acme/shop!1") is None


def _root(change: Change) -> Path:
    assert change.repo_root is not None
    return Path(change.repo_root)


def test_cloud_down_an_item_too_big_for_the_local_runner_is_packed_again_for_it(
    change: Change,
) -> None:
    with FakeOpenAIServer(models=["qwen"]) as local:
        local.enqueue(Reply(ANSWER))
        settings = _settings(local.base_url, _down())
        [planned] = plan_impact(
            change, settings, build_providers(settings, {}), checkout=_root(change)
        ).items
        # Just too small for the item and its answer: the chain passes over it.
        need = planned.item.prompt_tokens + planned.item.max_output_tokens
        settings.providers["gpu"].context_tokens = need - 1
        services = Services(providers=build_providers(settings, {}))
        report = run_impact(change, settings, services, checkout=_root(change))
        [asked] = local.chat_requests()
    assert "cloud unavailable: impact-1 re-packed for the self-hosted context as 1 item" in (
        report.notes
    )
    text = "\n".join(m["content"] for m in asked["messages"])
    assert "Changed: method Cart.total" in text and asked["max_tokens"] <= 512
    assert [c.target for c in report.calls if c.tokens_out] == ["gpu"]
    assert {f.path for f in report.findings} == {"shop/cart.py", "shop/checkout.py"}


def test_a_changed_stub_reaches_the_callers_of_the_module_it_describes() -> None:
    from bot.impact.neighbours import reach_of
    from bot.repomap import build_map, from_blobs
    from bot.structure import symbols_in

    stub = b"def nth(iterable, n, default=None, *, strict=False): ...\n"
    files = {
        "pkg/__init__.py": b"",
        "pkg/recipes.py": b"def nth(iterable, n, default=None):\n    return default\n",
        "pkg/recipes.pyi": stub,
        "pkg/more.py": b"from .recipes import nth\n\n\ndef first(xs):\n    return nth(xs, 0)\n",
    }
    repo_map = build_map(from_blobs(files.items()))
    [symbol] = symbols_in("pkg/recipes.pyi", stub)
    reach = reach_of(symbol, repo_map, lambda p: files[p].decode(), head_text=stub.decode())
    assert [(s.path, s.first, s.last) for s in reach.snippets] == [("pkg/more.py", 1, 5)]
