"""What the impact task asks for: a review's findings on changed lines, and notes on the
code outside the diff that the change affects."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from bot.findings.model import Severity
from bot.tasks.review import (
    BODY_CHARS,
    SUMMARY_CHARS,
    TITLE_CHARS,
    Category,
    ReviewComment,
    Said,
    clip,
)


# A problem the change causes in code it does not touch: a caller left with the old
# signature, an override whose contract no longer holds. Required: every field but category.
class OutsideNote(BaseModel):
    path: Said = Field(description="A file shown under 'Code elsewhere', not one of the diff's")
    line: int = Field(description="The line number shown beside that code")
    severity: Severity
    category: Category = "bug"
    title: Annotated[Said, clip(TITLE_CHARS)] = Field(description="One line, at most 200 chars")
    body: Annotated[Said, clip(BODY_CHARS)]


# All three fields required, as a review's: `{ }` is no answer.
class ImpactAnswer(BaseModel):
    summary: Annotated[Said, clip(SUMMARY_CHARS)] = Field(
        description="What the change does to the code that uses it, in a few sentences"
    )
    findings: list[ReviewComment] = Field(description="Problems on the diff's lines; [] when none")
    elsewhere: list[OutsideNote] = Field(
        description="Problems the change causes in code outside the diff; [] when none"
    )
