"""Routing: local first, cloud as fallback, rules, data classes; every route says why."""

from __future__ import annotations

from bot.config.classes import DataClass
from bot.config.routing import RouteRule
from bot.routing import Target, preference, route
from bot.routing.policy import RouteRequest

LOCAL = Target("local", "qwen2.5-coder-14b", "local", 16384, 2048)
CLOUD = Target("openai", "gpt-4o-mini", "cloud", 128000, 4096)
CLAUDE = Target("claude", "claude-sonnet-4", "cloud", 200000, 4096)


def req(tokens: int, **kw: object) -> RouteRequest:
    return RouteRequest(
        task=kw.pop("task", "review"),
        prompt_tokens=tokens,  # type: ignore[arg-type]
        max_output_tokens=2048,
        **kw,
    )  # type: ignore[arg-type]


def names(r: object) -> list[str]:
    return [t.name for t in r.targets]  # type: ignore[attr-defined]


def test_local_first_with_cloud_fallback_and_a_readable_reason() -> None:
    r = route(req(2100), preference([CLOUD, LOCAL], []))
    assert names(r) == ["local", "openai"]
    assert r.reason == (
        "review → local/qwen2.5-coder-14b (2.1k tokens ≤ 14.3k local limit; "
        "fallback openai; class internal)"
    )


def test_a_prompt_too_big_for_local_goes_to_the_cloud_and_says_why() -> None:
    r = route(req(20000), preference([LOCAL, CLOUD], []))
    assert names(r) == ["openai"]
    assert "20.0k tokens > 14.3k local limit" in r.reason
    assert "local: 20.0k prompt + 2.0k answer > 16.4k context" in r.passed_over


def test_repository_scope_goes_to_the_cloud_first() -> None:
    r = route(req(2000, scope="repository"), preference([LOCAL, CLOUD], []))
    assert names(r) == ["openai", "local"]
    assert "repository scope" in r.reason


def test_restricted_never_gets_a_cloud_target_even_from_a_rule() -> None:
    rule = RouteRule(name="cloud-everything", targets=["openai", "local"])
    r = route(req(2000, data_class=DataClass.RESTRICTED), [LOCAL, CLOUD], [rule])
    assert names(r) == ["local"]
    assert "class restricted: local only" in r.reason
    big = route(req(20000, data_class=DataClass.RESTRICTED), [LOCAL, CLOUD])
    assert names(big) == [] and "restricted code stays on premises" in big.reason


def test_first_matching_rule_wins_and_is_named() -> None:
    rules = [
        RouteRule(name="security-to-claude", tasks=["security"], targets=["claude", "local"]),
        RouteRule(name="docs", paths=["docs/**"], targets=["openai"]),
    ]
    r = route(req(1000, task="security"), [LOCAL, CLOUD, CLAUDE], rules)
    assert names(r) == ["claude", "local"] and "rule security-to-claude" in r.reason
    r = route(req(1000, paths=("docs/guide.md",)), [LOCAL, CLOUD, CLAUDE], rules)
    assert names(r) == ["openai"]
    r = route(req(1000, paths=("src/app.py",)), [LOCAL, CLOUD, CLAUDE], rules)
    assert names(r) == ["local", "openai", "claude"]


def test_rules_match_on_tokens_labels_and_repository() -> None:
    rule = RouteRule(
        min_tokens=5000, labels=["deep-review"], repositories=["acme/*"], targets=["claude"]
    )
    hit = req(6000, labels=("deep-review",), repository="acme/api")
    assert names(route(hit, [LOCAL, CLAUDE], [rule])) == ["claude"]
    miss = req(6000, labels=("deep-review",), repository="other/api")
    assert names(route(miss, [LOCAL, CLAUDE], [rule])) == ["local", "claude"]


def test_configured_order_wins() -> None:
    assert [t.name for t in preference([LOCAL, CLOUD], ["openai", "local"])] == ["openai", "local"]


def test_no_target_fits() -> None:
    r = route(req(200000), [LOCAL, CLOUD])
    assert not r.routable and "no target" in r.reason
