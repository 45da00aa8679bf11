"""What a planned item would cost on its first target, before any call: its prompt and
its whole answer allowance at the target's price (an upper bound on the answer)."""

from __future__ import annotations

from bot.config.model import Settings
from bot.planning import PlannedItem
from bot.providers.prices import cost_usd, price_for


def estimated_usd(settings: Settings, planned: PlannedItem) -> float | None:
    """None when the item has no target or the target's price is unknown."""
    if not planned.route.targets:
        return None
    name = planned.route.targets[0].name
    cfg = settings.providers.get(name)
    if cfg is None:
        return None
    price = price_for(name, cfg)
    if not price.known:
        return None
    return cost_usd(price, planned.item.prompt_tokens, planned.item.max_output_tokens)


def cost_text(usd: float | None) -> str:
    return "cost unknown" if usd is None else f"≤ ${usd:.4f}"
