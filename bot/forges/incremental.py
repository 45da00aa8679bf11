"""The incremental range: after a push, only what changed since the last reviewed head.

The summary comment's marker keeps the last head a task reviewed completely. When that head
is still an ancestor of the new one, only the files that commits since touched are
reviewed, with the change request's own hunks, so comments land on lines the forge shows.
After a force-push (or when the forge cannot say) the whole change is reviewed again; the
fingerprints keep what was posted from being posted twice.
"""

from __future__ import annotations

import dataclasses

from bot.change.model import Change, SkippedFile
from bot.forges.contract import ChangeSource


def since_last_review(
    source: ChangeSource, change: Change, head_sha: str, last_head: str | None
) -> Change:
    if not last_head or last_head == head_sha:
        return change
    touched = source.changed_since(last_head, head_sha)
    if touched is None:
        return change
    kept = [f for f in change.files if f.path in touched]
    unchanged = [
        SkippedFile(f.path, f"unchanged since the last review ({last_head[:12]})")
        for f in change.files
        if f.path not in touched
    ]
    return dataclasses.replace(change, files=kept, skipped=[*change.skipped, *unchanged])
