"""Routing: local first, cloud as fallback, never a target too small for the prompt."""

from __future__ import annotations

from bot.routing import Target, preference, route

LOCAL = Target("local", "qwen2.5-coder-14b", "local", 16384, 2048)
CLOUD = Target("openai", "gpt-4o-mini", "cloud", 128000, 4096)


def test_local_first_with_cloud_fallback_and_a_readable_reason() -> None:
    r = route("review", 2100, 2048, preference([CLOUD, LOCAL], []))
    assert [t.name for t in r.targets] == ["local", "openai"]
    assert r.reason.startswith("review → local/qwen2.5-coder-14b (2.1k tokens ≤ 14.3k local")
    assert "fallback openai" in r.reason


def test_a_prompt_too_big_for_local_goes_to_the_cloud_and_says_why() -> None:
    r = route("review", 20000, 2048, preference([LOCAL, CLOUD], []))
    assert [t.name for t in r.targets] == ["openai"]
    assert "passed over local" in r.reason
    assert "local: 20.0k prompt + 2.0k answer > 16.4k context" in r.passed_over


def test_configured_order_wins() -> None:
    assert [t.name for t in preference([LOCAL, CLOUD], ["openai", "local"])] == ["openai", "local"]


def test_no_target_fits() -> None:
    r = route("review", 200000, 2048, [LOCAL, CLOUD])
    assert not r.routable and "no target" in r.reason
