"""The `docs:` block: how the docs task writes doc comments.

Who sets what (bot/config/policy.py): the docstring convention is the repository's own
editorial choice, read from its `.switchyard.yml` as on the base branch; it changes the
wording of a suggestion, nothing about where code goes or what is spent. How many
definitions one run may send to a model is spend, the operator's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config.base import Strict


class DocsConfig(Strict):
    style: Literal["auto", "google", "numpy", "rest"] = Field(
        default="auto",
        description="Python docstring convention of written docstrings; auto: the majority "
        "of the repository's own docstrings (Google when none has sections)",
    )
    max_symbols: int = Field(
        default=30, ge=1, le=300, description="Most definitions given a written doc in one run"
    )
