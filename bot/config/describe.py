"""The `describe:` block: what a generated pull/merge request description may say and do.

Who sets what (bot/config/policy.py): the label set, whether the labels are applied and
whether the title is replaced are the repository's editorial choices, read from its
`.switchyard.yml` as on the base branch, so a change cannot widen them for itself.
`max_diff_tokens` says how much of a staged diff a commit message call may send: it is
spend and latency, the operator's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bot.config.base import Strict

# GitHub refuses a label name longer than 50 characters; GitLab's `add_labels` takes a
# comma-separated list, so a comma would split one label into two.
LABEL_CHARS = 50


def label_problem(name: str) -> str | None:
    if not name.strip():
        return "describe.labels: a label needs a name"
    if len(name) > LABEL_CHARS:
        return f"describe.labels: {name[:20]!r}...: longer than {LABEL_CHARS} characters"
    if "," in name or "\n" in name:
        return f"describe.labels: {name!r}: a label cannot hold a comma or a line break"
    return None


class DescribeConfig(Strict):
    labels: list[str] = Field(
        default_factory=list,
        description="The labels a generated description may choose from; any other label a "
        "model names is dropped. Leave out labels that trigger automation (deploys, CI with "
        "secrets): a change's text can steer which of these the model picks",
    )
    apply_labels: bool = Field(
        default=False,
        description="Add the chosen labels to the pull/merge request (never removes one); "
        "otherwise they are only listed in the description",
    )
    title: Literal["keep", "replace"] = Field(
        default="keep",
        description="keep: the author's title stays; replace: the generated title is set and "
        "the author's is kept visible in the description",
    )
    max_diff_tokens: int = Field(
        default=3000,
        ge=200,
        le=32000,
        description="Most tokens of the staged diff a commit message call sends (the rest "
        "is listed by file name only)",
    )

    @field_validator("labels")
    @classmethod
    def _valid_labels(cls, labels: list[str]) -> list[str]:
        problems = [p for p in map(label_problem, labels) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return list(dict.fromkeys(x.strip() for x in labels))
