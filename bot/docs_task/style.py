"""The Python docstring convention a repository already writes in: the majority of its
docstrings that have a section at all (Google, NumPy or reST), Google when none has.

Reads at most MAX_FILES Python files of the checkout (bot/structure's parser), so a
large repository costs a bounded, small scan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.docs_task.docstrings import STYLES, Style, python_style
from bot.structure.symbols import symbols_in

MAX_FILES = 300
DEFAULT: Style = "google"


@dataclass(frozen=True, slots=True)
class Detected:
    style: Style
    counts: dict[str, int]  # docstrings with a section, per style
    why: str


def detect_style(
    paths: Iterable[str], read: Callable[[str], bytes | None], configured: str = "auto"
) -> Detected:
    """`configured` (docs.style) wins when it names a style; else the majority."""
    counts: Counter[str] = Counter()
    if configured in STYLES:
        return Detected(configured, {}, f"docs.style is {configured}")  # type: ignore[arg-type]
    files = [p for p in paths if p.endswith(".py")][:MAX_FILES]
    for path in files:
        source = read(path)
        if source is None:
            continue
        for symbol in symbols_in(path, source):
            found = python_style(symbol.doc) if symbol.doc else None
            if found:
                counts[found] += 1
    if not counts:
        return Detected(DEFAULT, {}, f"no docstring with sections found: {DEFAULT} by default")
    # Ties go in STYLES order, so the same repository always gets the same answer.
    best = max(STYLES, key=lambda s: (counts[s], -STYLES.index(s)))
    shown = ", ".join(f"{s} {counts[s]}" for s in STYLES if counts[s])
    return Detected(best, dict(counts), f"the repository's docstrings: {shown}")
