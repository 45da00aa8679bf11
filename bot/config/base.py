"""The base of every settings model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    # Unknown keys are errors, so a typo is named instead of silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
