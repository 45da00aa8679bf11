"""What the analyze task asks a model for: the narrative around the computed figures."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from bot.findings.model import Severity
from bot.tasks.review import BODY_CHARS, SUMMARY_CHARS, TITLE_CHARS, Said, clip


# One risk a maintainer should look at. Required: every field.
class Risk(BaseModel):
    path: Said = Field(description="The file or module it is about")
    severity: Severity
    title: Annotated[Said, clip(TITLE_CHARS)] = Field(description="One line")
    detail: Annotated[Said, clip(BODY_CHARS)]


class AnalysisAnswer(BaseModel):
    summary: Annotated[Said, clip(SUMMARY_CHARS)] = Field(
        description="One paragraph: what the repository is and its main risks"
    )
    architecture: Annotated[Said, clip(SUMMARY_CHARS)] = Field(
        description="Its modules, their responsibilities and boundaries"
    )
    risks: list[Risk] = Field(description="Most important first; [] when none")
