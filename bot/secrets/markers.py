"""The marker a secret's value is replaced with: `[REDACTED:<kind>]` in logs, reports and
answers, `[REDACTED:<kind>#<n>]` in a cloud prompt (the same value, the same number).

Text that holds a marker is no longer the code it was cut from: a committable suggestion
carrying one would write the marker into the file when a reviewer commits it
(bot/findings/anchor.py keeps such a suggestion readable, not committable)."""

from __future__ import annotations

import re

PREFIX = "[REDACTED:"
_MARKER = re.compile(r"\[REDACTED:[a-z0-9][a-z0-9-]*(?:#[0-9]+)?\]")
_WORD = "redacted"


def marker(slug: str, number: int | None = None) -> str:
    """The marker for a value of kind `slug`; numbered in a prompt, where the same value
    keeps its number."""
    return f"{PREFIX}{slug}]" if number is None else f"{PREFIX}{slug}#{number}]"


def markers_in(text: str) -> set[str]:
    """The markers `text` holds."""
    return set(_MARKER.findall(text)) if PREFIX in text else set()


def brings_a_mask(new: str, old: str) -> bool:
    """Whether `new` (code to replace `old`) holds a marker `old` does not, or the mask's
    word where `old` has none: a model shown `[REDACTED:password#1]` may write it back as
    `<REDACTED>` or `"REDACTED"`, which would overwrite the value just the same."""
    if markers_in(new) - markers_in(old):
        return True
    return _WORD in new.lower() and _WORD not in old.lower()
