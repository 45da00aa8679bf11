"""Publishing a description: the forge's own edit of the pull/merge request's body.

    result = publish_description("github", opened.source, description, settings.describe)

Each forge does the edit its way (bot/forges/<forge>/description.py, reached through the
registry's forge object as every forge-specific module is); what to write is decided here,
once (`plan_edit`).

The body is read again just before it is written (not taken from the change as read at
the start of the run): an author's edit made in between is kept. Nothing is written when
nothing would change, so a re-run on the same head notifies nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.describe import DescribeConfig
    from bot.describe.description import Description
    from bot.forges.contract import ChangeSource


@dataclass(slots=True)
class EditResult:
    body_changed: bool = False
    title_changed: bool = False
    labels_added: list[str] = field(default_factory=list)
    url: str = ""
    note: str = ""  # why something was not done (a body past the forge's limit)

    def line(self, label: str) -> str:
        """What was done, in one line for the user."""
        if self.note:
            return f"{label}: {self.note}"
        done = []
        if self.body_changed:
            done.append("description updated")
        if self.title_changed:
            done.append("title replaced")
        if self.labels_added:
            done.append("labels added: " + ", ".join(self.labels_added))
        return f"{label}: " + ("; ".join(done) if done else "already up to date, nothing written")


@dataclass(frozen=True, slots=True)
class Limits:
    forge: str  # "GitHub"
    body_chars: int
    title_chars: int


@dataclass(slots=True)
class Planned:
    """What to write: the fields that change (none: nothing is written), and the result
    to report once written."""

    body: str | None
    title: str | None
    add_labels: list[str]
    result: EditResult


def plan_edit(
    body: str,
    title: str,
    labels: list[str],
    description: Description,
    cfg: DescribeConfig,
    limits: Limits,
    url: str,
) -> Planned:
    """The edit of a body and title as they are now (with `labels` on the request)."""
    from bot.describe.body import compose

    edit = compose(
        body,
        title,
        description.markdown(),
        description.title[: limits.title_chars],
        replace_title=cfg.title == "replace",
    )
    result = EditResult(url=url)
    if len(edit.body) > limits.body_chars:
        result.note = (
            f"not updated: the description would be {len(edit.body)} characters, past "
            f"{limits.forge}'s {limits.body_chars}; the author's text is never cut to make room"
        )
        return Planned(None, None, [], result)
    new_body = edit.body if edit.body != body else None
    new_title = edit.title if edit.title is not None and edit.title != title else None
    add = [x for x in description.labels if x not in labels] if cfg.apply_labels else []
    result.body_changed = new_body is not None
    result.title_changed = new_title is not None
    result.labels_added = add
    return Planned(new_body, new_title, add, result)


def publish_description(
    forge: str, source: ChangeSource, description: Description, cfg: DescribeConfig
) -> EditResult:
    """Edits the body of the change request `source` reads, through the forge named
    `forge` (the registry's name: Job.forge, ChangeRef.forge)."""
    from bot.forges import registry

    return registry.forge(forge).edit_description(source, description, cfg)
