"""A description as the run made it: the model's answer checked against the change and the
configured labels, and rendered as the Markdown that goes into the pull request's body."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.describe.answer import DescribeAnswer
from bot.publish.markdown import block, code_span, inline

OTHER_THEME = "Other changes"


@dataclass(slots=True)
class Theme:
    theme: str
    files: list[str]
    notes: str


@dataclass(slots=True)
class Description:
    title: str
    summary: str
    walkthrough: list[Theme] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # from describe.labels only
    dropped_labels: list[str] = field(default_factory=list)  # named by the model, not allowed
    summarized: list[str] = field(default_factory=list)  # described from one line only
    left_out: list[str] = field(default_factory=list)  # not shown to the model at all
    head_sha: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def markdown(self) -> str:
        """The generated part of the body. Every piece of model text is escaped: it cannot
        open HTML, a comment (so never a marker of ours) or a heading that restructures
        the page."""
        out = ["### Summary", "", block(self.summary), "", "### Walkthrough", ""]
        for t in self.walkthrough:
            files = ", ".join(code_span(p) for p in t.files)
            out += [f"- **{inline(t.theme)}** ({files}): {inline(t.notes)}"]
        if self.risks:
            out += ["", "### Risks", ""]
            out += [f"- {inline(r)}" for r in self.risks]
        if self.labels:
            out += ["", "**Labels:** " + ", ".join(code_span(x) for x in self.labels)]
        if self.summarized or self.left_out:
            partial = []
            if self.summarized:
                partial.append(f"described from a one-line summary: {_paths(self.summarized)}")
            if self.left_out:
                partial.append(f"not shown to the model: {_paths(self.left_out)}")
            out += [
                "",
                f"_Part of the change did not fit the model's context; {'; '.join(partial)}._",
            ]
        return "\n".join(out)

    def text(self) -> str:
        """Title and body as `switchyard describe` prints them."""
        return f"{self.title}\n\n{self.markdown()}\n"


def _paths(paths: list[str], most: int = 20) -> str:
    shown = ", ".join(code_span(p) for p in paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def interpret(
    answer: DescribeAnswer, changed: list[str], allowed_labels: list[str]
) -> tuple[Description, list[str]]:
    """The answer held to the change and the configuration, and notes on what was dropped:
    a file the change does not touch leaves the walkthrough, a changed file the model
    skipped joins an "Other changes" theme, a label outside the allowed set is dropped."""
    notes: list[str] = []
    known = {p: p for p in changed}
    seen: set[str] = set()
    themes: list[Theme] = []
    invented: list[str] = []
    for t in answer.walkthrough:
        files = []
        for raw in t.files:
            path = raw.strip().strip("`").removeprefix("./")
            if path not in known:
                invented.append(raw)
            elif path not in seen:
                seen.add(path)
                files.append(path)
        if files:
            themes.append(Theme(t.theme.strip(), files, t.notes.strip()))
    missing = [p for p in changed if p not in seen]
    if missing:
        themes.append(Theme(OTHER_THEME, missing, "Not covered by the walkthrough above."))
    if invented:
        notes.append(f"walkthrough: dropped {len(invented)} file name(s) the change does not touch")
    by_lower = {x.lower(): x for x in allowed_labels}
    labels: list[str] = []
    dropped: list[str] = []
    for raw in answer.labels:
        hit = by_lower.get(raw.strip().lower())
        if hit is None:
            dropped.append(raw.strip())
        elif hit not in labels:
            labels.append(hit)
    if dropped:
        notes.append(
            f"labels dropped: {len(dropped)} not in describe.labels "
            f"({', '.join(repr(d[:40]) for d in dropped[:5])})"
        )
    risks = [r.strip() for r in answer.risks if r.strip()]
    return Description(
        answer.title.strip(), answer.summary.strip(), themes, risks, labels, dropped
    ), notes
