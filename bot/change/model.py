"""What changed: files, hunks and lines, as plain data built by a source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Side(StrEnum):
    """Which side of the diff a line belongs to (GitHub's vocabulary)."""

    LEFT = "LEFT"  # the base: removed lines, old line numbers
    RIGHT = "RIGHT"  # the head: added and context lines, new line numbers


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


class LineKind(StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    old_no: int | None  # None for added lines
    new_no: int | None  # None for removed lines
    text: str  # without the leading +/-/space and without the newline


@dataclass(slots=True)
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str  # the text after the second @@ (enclosing function), may be ""
    lines: list[DiffLine] = field(default_factory=list)
    # "\ No newline at end of file" after the hunk's last base or head line
    old_unterminated: bool = False
    new_unterminated: bool = False

    @property
    def added(self) -> int:
        return sum(1 for ln in self.lines if ln.kind is LineKind.ADDED)

    @property
    def removed(self) -> int:
        return sum(1 for ln in self.lines if ln.kind is LineKind.REMOVED)


@dataclass(slots=True)
class FileChange:
    path: str  # path at head; for a deleted file, the path it had at base
    old_path: str | None  # path at base; None for an added file
    status: FileStatus
    hunks: list[Hunk] = field(default_factory=list)
    language: str | None = None
    binary: bool = False
    submodule: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    # Why a default filter would drop this file: "lockfile", "generated", "vendored", "minified".
    flags: set[str] = field(default_factory=set)

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks)

    @property
    def mode_changed(self) -> bool:
        return bool(self.old_mode and self.new_mode and self.old_mode != self.new_mode)


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file, or part of one, that was not reviewed, and why. Always reported."""

    path: str
    reason: str


# Loads a file's text at one side of the change; None when unknown (patch input) or binary.
ContentLoader = Callable[[str, Side], "str | None"]


@dataclass(slots=True)
class Change:
    files: list[FileChange]  # what survived the filters: the tasks see these
    skipped: list[SkippedFile] = field(default_factory=list)  # filtered, with reasons
    source: str = ""  # human description: "git origin/main...HEAD", "patch fix.diff", "stdin"
    base_sha: str | None = None
    head_sha: str | None = None
    repo_root: str | None = None
    load_content: ContentLoader | None = None

    @property
    def changed_lines(self) -> int:
        return sum(f.added + f.removed for f in self.files)
