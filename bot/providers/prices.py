"""What a call costs: list prices of cloud models, an internal rate for the self-hosted runner.

Prices are USD per million tokens (Mtok), input and output apart. A provider's own
input_per_mtok / output_per_mtok in the configuration always win. Otherwise a cloud target
is priced from the table below by model name, and a local one at its internal rate: the
amortised cost of the GPU server, so that "local is free" never flatters the comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.config.model import ProviderConfig

# -- list prices ---------------------------------------------------------------------------
# Standard (non-batch, uncached) prices in USD per Mtok, taken 2026-11-27 from stored copies
# of the public pricing pages; long-context surcharges (Gemini 2.5 Pro and Claude Sonnet 4.x
# above 200k input tokens) are left out: work items are far smaller than that.
#  - Anthropic: platform.claude.com/docs/en/about-claude/pricing and the per-model overview
#    pages (checked against the official pages).
#  - OpenAI: developers.openai.com/api/docs/pricing as quoted by third-party price lists
#    (the official page itself was not available to check).
#  - Google: ai.google.dev/gemini-api/docs/pricing as quoted by third-party price lists;
#    the Gemini 1.5 and 2.0 figures are the last published ones (≤128k prompt tier) and were
#    not re-checked. Gemini is reached through its OpenAI-compatible endpoint.
# Matched by model-name prefix, longest first, at a "-" boundary: "gpt-4o-2024-08-06" is
# gpt-4o, "gpt-4o-mini" is not; "openai/gpt-4o" and "models/gemini-2.5-pro" lose their path.
LIST_PRICES: dict[str, tuple[float, float]] = {
    # OpenAI
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5.1": (1.25, 10.00),
    "gpt-5.2": (1.75, 14.00),
    "gpt-5.4": (2.50, 15.00),
    "o1": (15.00, 60.00),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o3-pro": (20.00, 80.00),
    "o4-mini": (1.10, 4.40),
    # Anthropic
    "claude-3-haiku": (0.25, 1.25),
    "claude-3-opus": (15.00, 75.00),
    "claude-3-5-haiku": (0.80, 4.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-7-sonnet": (3.00, 15.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-sonnet-4-5": (3.00, 15.00),
    "claude-sonnet-4-6": (3.00, 15.00),
    "claude-sonnet-5": (2.00, 10.00),
    "claude-sonnet-5-5": (2.00, 10.00),
    "claude-opus-4": (15.00, 75.00),
    "claude-opus-4-1": (15.00, 75.00),
    "claude-opus-4-5": (5.00, 25.00),
    "claude-opus-4-6": (5.00, 25.00),
    "claude-opus-4-7": (5.00, 25.00),
    "claude-opus-4-8": (5.00, 25.00),
    "claude-opus-5": (5.00, 25.00),
    "claude-opus-5-5": (4.00, 20.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-fable-5": (10.00, 50.00),
    "claude-fable-5-1": (10.00, 50.00),
    # Google Gemini
    "gemini-1.5-pro": (1.25, 5.00),
    "gemini-1.5-flash": (0.075, 0.30),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.0-flash-lite": (0.075, 0.30),
    "gemini-2.5-pro": (1.25, 10.00),
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-3-pro": (2.00, 12.00),
}

# -- the internal rate of the self-hosted runner --------------------------------------------
# From the hybrid business case (shared/seeds/000_79cd36ebc2d732e0.txt, "Total Cost Summary"),
# at the middle of each range, over its 3-year horizon:
#   on-premises investment  $115,000-134,000 -> $124,500 (2x A100 80GB server, network, setup)
#   annual operating costs   $15,000-25,000  ->  $20,000 a year (power, cooling, maintenance)
#   3 years: 124,500 + 3 x 20,000 = $184,500 over 3 x 8,760 = 26,280 h -> $7.02 per hour.
# The business case states no token throughput, so we assume one: per A100, vLLM serving a
# 13-34B coding model batches prompt tokens at ~10,000 tok/s and generates ~1,000 tok/s; a
# review's 4:1 input:output mix (its "20K input + 5K output" code review) then runs at
# 5 / (4/10,000 + 1/1,000) = 3,570 tok/s per GPU, 7,140 tok/s for two, and at the business
# case's target of >70 % average utilisation ~5,000 tok/s = 18 Mtok per hour.
#   $7.02 / 18 Mtok = $0.39 per Mtok, input and output alike.
# A team that measures its own runner sets gpu_cost_per_hour and throughput_tokens_per_s.
ONPREM_INVESTMENT_USD = 124_500.0
ONPREM_OPERATING_USD_PER_YEAR = 20_000.0
AMORTISATION_YEARS = 3
DEFAULT_GPU_COST_PER_HOUR = (
    ONPREM_INVESTMENT_USD + AMORTISATION_YEARS * ONPREM_OPERATING_USD_PER_YEAR
) / (AMORTISATION_YEARS * 8_760)
DEFAULT_THROUGHPUT_TOKENS_PER_S = 5_000.0

# The all-cloud counterfactual when a route has no cloud target: the business case's own
# all-cloud baseline model.
DEFAULT_REFERENCE_MODEL = "gpt-4o"


@dataclass(frozen=True, slots=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    source: str  # "config" | "table:<prefix>" | "internal rate" | ASSUMED_RATE | "unknown"

    @property
    def known(self) -> bool:
        return self.source != "unknown"

    @property
    def assumed(self) -> bool:
        """A self-hosted rate from the business case's defaults, not the operator's figures."""
        return self.source == ASSUMED_RATE


ASSUMED_RATE = "internal rate (assumed)"


def cost_usd(price: Price, tokens_in: int, tokens_out: int) -> float:
    return (tokens_in * price.input_per_mtok + tokens_out * price.output_per_mtok) / 1e6


def table_price(model: str) -> Price:
    """The list price of `model` by longest matching prefix; zero and "unknown" if none."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    for prefix in sorted(LIST_PRICES, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "-"):
            inp, out = LIST_PRICES[prefix]
            return Price(inp, out, f"table:{prefix}")
    return Price(0.0, 0.0, "unknown")


def internal_rate(cfg: ProviderConfig) -> Price:
    """The self-hosted rate: GPU cost per hour over tokens per hour, each from the
    configuration or the business-case default."""
    per_hour = cfg.gpu_cost_per_hour
    if per_hour is None:
        per_hour = DEFAULT_GPU_COST_PER_HOUR
    throughput = cfg.throughput_tokens_per_s or DEFAULT_THROUGHPUT_TOKENS_PER_S
    per_mtok = per_hour / (throughput * 3600) * 1e6
    measured = cfg.gpu_cost_per_hour is not None and cfg.throughput_tokens_per_s is not None
    return Price(per_mtok, per_mtok, "internal rate" if measured else ASSUMED_RATE)


def price_for(name: str, cfg: ProviderConfig) -> Price:
    """What provider `name` charges per Mtok. Configured prices win (one of the two may be
    set: the other comes from the fallback); then a local target's internal rate, or a
    cloud target's list price."""
    del name  # the model decides the price; the name is kept for callers' symmetry and logs
    local = cfg.resolved_location() == "local"
    fallback = internal_rate(cfg) if local else table_price(cfg.model)
    if cfg.input_per_mtok is None and cfg.output_per_mtok is None:
        return fallback
    return Price(
        cfg.input_per_mtok if cfg.input_per_mtok is not None else fallback.input_per_mtok,
        cfg.output_per_mtok if cfg.output_per_mtok is not None else fallback.output_per_mtok,
        "config",
    )


def cloud_equivalent(
    targets_prices: Iterable[tuple[str, Price]],
    default_model: str = DEFAULT_REFERENCE_MODEL,
) -> Price:
    """The price local work is compared against: what it would have cost all-cloud.

    `targets_prices` are a route's targets in order, as (location, price). The first cloud
    target is where this work goes when the runner is down or full, so its price is the
    honest counterfactual. A route without one (code that may not leave the premises) has no
    real alternative; it is valued at `default_model`'s list price, a fixed yardstick that
    keeps "saved versus cloud" comparable across runs.
    """
    for location, price in targets_prices:
        if location == "cloud":
            return price
    return table_price(default_model)


def reference_price(
    providers: Mapping[str, ProviderConfig],
    route: Sequence[str] | None = None,
    default_model: str = DEFAULT_REFERENCE_MODEL,
) -> Price:
    """cloud_equivalent over configured providers: those named in `route`, in its order, or
    else all of them in configuration order."""
    names = list(route) if route is not None else list(providers)
    pairs = [
        (providers[n].resolved_location(), price_for(n, providers[n]))
        for n in names
        if n in providers
    ]
    return cloud_equivalent(pairs, default_model)
