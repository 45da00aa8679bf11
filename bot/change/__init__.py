"""Change: what a pull request, merge request, branch or patch changes."""

from bot.change.linemap import LineMap
from bot.change.model import (
    Change,
    DiffLine,
    FileChange,
    FileStatus,
    Hunk,
    LineKind,
    Side,
    SkippedFile,
)

__all__ = [
    "Change",
    "DiffLine",
    "FileChange",
    "FileStatus",
    "Hunk",
    "LineKind",
    "LineMap",
    "Side",
    "SkippedFile",
]
