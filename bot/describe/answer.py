"""What a model answers for a description and for a commit message, validated by pydantic.

An answer that does not validate gets the one repair round every structured call has
(bot/providers/structured.py). Length limits are enforced here after parsing and never
sent in the schema (a maxLength becomes grammar rules a runner may refuse): long text is
cut, except a commit subject, whose limit is the convention itself and is asked again.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from bot.tasks.review import Said, clip

TITLE_CHARS = 120
SUMMARY_CHARS = 3000
THEME_CHARS = 1500
RISK_CHARS = 600
SUBJECT_CHARS = 72
BODY_CHARS = 2000

# The Conventional Commits types most tools accept (commitlint's config-conventional).
CommitType = Literal[
    "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore", "revert"
]
_SCOPE = re.compile(r"^[A-Za-z0-9._/-]{1,40}$")


def _one_line(text: str) -> str:
    return " ".join(text.split())


# One theme of the walkthrough: the files that serve one purpose, and what they do for it.
class Theme(BaseModel):
    theme: Annotated[Said, AfterValidator(_one_line), clip(80)] = Field(
        description="A few words naming what these files do together"
    )
    files: list[str] = Field(description="The changed files of this theme, as shown")
    notes: Annotated[Said, clip(THEME_CHARS)] = Field(
        description="What changed in these files, in one to three sentences"
    )


# Required: title, summary, walkthrough, risks, labels.
class DescribeAnswer(BaseModel):
    title: Annotated[Said, AfterValidator(_one_line), clip(TITLE_CHARS)] = Field(
        description="A title for the change, one line, under 72 characters"
    )
    summary: Annotated[Said, clip(SUMMARY_CHARS)] = Field(
        description="What the change does and why, in two to four sentences"
    )
    walkthrough: list[Theme] = Field(description="The changed files grouped by theme")
    risks: list[Annotated[Said, clip(RISK_CHARS)]] = Field(
        description="What a reviewer should check or could break; [] when none"
    )
    labels: list[str] = Field(description="Labels from the allowed list only; [] when none fit")


def _scope(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    scope = text.strip().strip("()")
    if not _SCOPE.match(scope):
        raise ValueError(f"scope {text!r} must be one short word (letters, digits, . _ / -)")
    return scope


def _subject(text: str) -> str:
    subject = _one_line(text).rstrip(".").rstrip()
    if not subject:
        raise ValueError("must not be blank")
    if len(subject) > SUBJECT_CHARS:
        raise ValueError(f"a subject of {len(subject)} characters is longer than {SUBJECT_CHARS}")
    return subject


def _body(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    return text if len(text) <= BODY_CHARS else text[: BODY_CHARS - 1].rstrip() + "…"


# Required: type, subject. The scope and body may be left out.
class CommitMessage(BaseModel):
    type: CommitType = Field(description="feat, fix, docs, style, refactor, perf, test, ...")
    scope: Annotated[str | None, AfterValidator(_scope)] = Field(
        default=None, description="The part of the code touched, one word; omit if unclear"
    )
    subject: Annotated[str, AfterValidator(_subject)] = Field(
        description="Imperative, lower case, under 72 characters, no final period"
    )
    body: Annotated[str | None, AfterValidator(_body)] = Field(
        default=None, description="Why the change was made, wrapped at 72; omit if obvious"
    )
    breaking: bool = Field(default=False, description="True if it breaks a public interface")

    def header(self) -> str:
        scope = f"({self.scope})" if self.scope else ""
        return f"{self.type}{scope}{'!' if self.breaking else ''}: {self.subject}"

    def text(self) -> str:
        """The message as `git commit` takes it: the header, a blank line, the body."""
        body = (self.body or "").strip()
        return f"{self.header()}\n\n{body}\n" if body else f"{self.header()}\n"
