"""Prices: list prices by model prefix, configured overrides, the runner's internal rate."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.model import ProviderConfig
from bot.providers.prices import (
    DEFAULT_GPU_COST_PER_HOUR,
    Price,
    cloud_equivalent,
    cost_usd,
    price_for,
    reference_price,
    table_price,
)


def cfg(model: str = "gpt-4o", **kw: Any) -> ProviderConfig:
    return ProviderConfig(model=model, **kw)


def local(**kw: Any) -> ProviderConfig:
    return ProviderConfig(
        model="qwen2.5-coder-14b", base_url="http://gpu01:8000/v1", location="local", **kw
    )


@pytest.mark.parametrize(
    ("model", "source", "prices"),
    [
        ("gpt-4o", "table:gpt-4o", (2.50, 10.00)),
        ("gpt-4o-2024-08-06", "table:gpt-4o", (2.50, 10.00)),
        ("gpt-4o-mini", "table:gpt-4o-mini", (0.15, 0.60)),
        ("gpt-4.1-nano-2025-04-14", "table:gpt-4.1-nano", (0.10, 0.40)),
        ("o3-mini", "table:o3-mini", (1.10, 4.40)),
        ("claude-3-5-haiku-20241022", "table:claude-3-5-haiku", (0.80, 4.00)),
        ("claude-opus-4-20250514", "table:claude-opus-4", (15.00, 75.00)),
        ("claude-opus-4-5-20251101", "table:claude-opus-4-5", (5.00, 25.00)),
        ("claude-haiku-4-5-20251001", "table:claude-haiku-4-5", (1.00, 5.00)),
        ("models/gemini-2.5-flash-lite", "table:gemini-2.5-flash-lite", (0.10, 0.40)),
        ("openai/GPT-4.1", "table:gpt-4.1", (2.00, 8.00)),
    ],
)
def test_longest_prefix_wins(model: str, source: str, prices: tuple[float, float]) -> None:
    price = table_price(model)
    assert price.source == source
    assert (price.input_per_mtok, price.output_per_mtok) == prices


@pytest.mark.parametrize("model", ["gpt-4oo", "gpt-5.5", "llama-3-70b", ""])
def test_unknown_model(model: str) -> None:
    price = table_price(model)
    assert price == Price(0.0, 0.0, "unknown") and not price.known


def test_cloud_target_uses_the_table() -> None:
    assert price_for("openai", cfg("gpt-4.1-mini")).source == "table:gpt-4.1-mini"


def test_config_overrides_win_even_one_side() -> None:
    both = price_for("openai", cfg(input_per_mtok=1.0, output_per_mtok=2.0))
    assert both == Price(1.0, 2.0, "config")
    one = price_for("openai", cfg(output_per_mtok=7.0))
    assert one == Price(2.50, 7.0, "config")
    on_prem = price_for("gpu", local(input_per_mtok=0.2, output_per_mtok=0.6))
    assert on_prem == Price(0.2, 0.6, "config")


def test_internal_rate_from_gpu_cost_and_throughput() -> None:
    price = price_for("gpu", local(gpu_cost_per_hour=3.6, throughput_tokens_per_s=1000))
    # $3.60 an hour over 3.6 M tokens an hour: $1 per Mtok.
    assert price == Price(pytest.approx(1.0), pytest.approx(1.0), "internal rate")


def test_default_internal_rate_from_the_business_case() -> None:
    assert round(DEFAULT_GPU_COST_PER_HOUR, 6) == round(184_500 / 26_280, 6)
    price = price_for("gpu", local())
    # Not the operator's figures: the rate says it is assumed, so reports can say so.
    assert price.source == "internal rate (assumed)" and price.assumed
    assert price.input_per_mtok == price.output_per_mtok == pytest.approx(0.39, abs=0.005)
    # A cloud model's name on a local server does not make it cost list price.
    assert price_for("gpu", local().model_copy(update={"model": "gpt-4o"})).assumed


def test_only_one_runner_figure_configured_uses_the_default_for_the_other() -> None:
    price = price_for("gpu", local(throughput_tokens_per_s=2_500))
    assert price.input_per_mtok == pytest.approx(0.78, abs=0.01)
    assert price.assumed  # half of it is still the default


def test_cost_usd() -> None:
    assert cost_usd(Price(2.5, 10.0, "x"), 20_000, 5_000) == pytest.approx(0.10)
    assert cost_usd(Price(0.0, 0.0, "unknown"), 10**6, 10**6) == 0.0


def test_cloud_equivalent_is_the_first_cloud_target() -> None:
    internal = Price(0.39, 0.39, "internal rate")
    claude = Price(3.0, 15.0, "table:claude-sonnet-4-5")
    gemini = Price(0.3, 2.5, "table:gemini-2.5-flash")
    assert cloud_equivalent([("local", internal), ("cloud", claude), ("cloud", gemini)]) == claude
    assert cloud_equivalent([("local", internal)]).source == "table:gpt-4o"
    assert cloud_equivalent([], default_model="o3").source == "table:o3"


def test_reference_price_follows_the_route_order() -> None:
    providers = {
        "gpu": local(),
        "cheap": cfg("gemini-2.5-flash"),
        "claude": ProviderConfig(kind="anthropic", model="claude-sonnet-4-6"),
    }
    assert reference_price(providers).source == "table:gemini-2.5-flash"
    assert reference_price(providers, ["gpu", "claude"]).source == "table:claude-sonnet-4-6"
    assert reference_price(providers, ["gpu"]).source == "table:gpt-4o"
