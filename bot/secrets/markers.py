"""The marker a secret's value is replaced with: `[REDACTED:<kind>]` in logs, reports and
answers, `[REDACTED:<kind>#<n>]` in a cloud prompt (the same value, the same number).

Text that holds a marker is no longer the code it was cut from: a committable suggestion
carrying one would write the marker into the file when a reviewer commits it
(bot/findings/anchor.py keeps such a suggestion readable, not committable)."""

from __future__ import annotations

import re

PREFIX = "[REDACTED:"
_MARKER = re.compile(r"\[REDACTED:[a-z0-9][a-z0-9-]*(?:#[0-9]+)?\]")


def marker(slug: str, number: int | None = None) -> str:
    """The marker for a value of kind `slug`; numbered in a prompt, where the same value
    keeps its number."""
    return f"{PREFIX}{slug}]" if number is None else f"{PREFIX}{slug}#{number}]"


def markers_in(text: str) -> set[str]:
    """The markers `text` holds."""
    return set(_MARKER.findall(text)) if PREFIX in text else set()
