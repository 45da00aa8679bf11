"""GitLab's diff entries (the merge request's /diffs, a version's, a compare's) as FileChanges.

Each entry holds one file's hunks without headers; path, status and modes come from the
entry's fields (old_path, new_path, new_file, renamed_file, deleted_file, a_mode, b_mode),
which need no quoting rules, and only the hunks from the shared diff parser. GitLab shows a
binary file as git prints it ("Binary files a/x and b/x differ"), and a file too large to
show (`too_large`) or collapsed past its limits with no text at all: those are listed as
skipped with the reason, never dropped, and never mistaken for a file without changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.change.language import language_for
from bot.change.model import FileChange, FileStatus, SkippedFile
from bot.change.parse import parse_hunks

_BINARY = "Binary files "
_NO_MODE = ("0", "", None)


def file_changes(
    entries: Iterable[dict[str, Any]], source: str
) -> tuple[list[FileChange], list[SkippedFile]]:
    """The files of `entries`, and those GitLab sent no diff text for, with why."""
    files: list[FileChange] = []
    withheld: list[SkippedFile] = []
    for entry in entries:
        change = file_change(entry, source)
        why = _withheld(entry)
        if why:
            withheld.append(SkippedFile(change.path, why))
        else:
            files.append(change)
    return files, withheld


def file_change(entry: dict[str, Any], source: str) -> FileChange:
    new_path = str(entry.get("new_path") or entry.get("old_path") or "")
    old_path = str(entry.get("old_path") or new_path)
    text = str(entry.get("diff") or "")
    if entry.get("new_file"):
        status, path, previous = FileStatus.ADDED, new_path, None
    elif entry.get("deleted_file"):
        status, path, previous = FileStatus.DELETED, old_path, old_path
    elif entry.get("renamed_file") or old_path != new_path:
        status, path, previous = FileStatus.RENAMED, new_path, old_path
    else:
        status, path, previous = FileStatus.MODIFIED, new_path, old_path
    binary = text.startswith(_BINARY)
    hunks = parse_hunks(text, f"{source} file {path}") if text.strip() and not binary else []
    return FileChange(
        path=path,
        old_path=previous,
        status=status,
        hunks=hunks,
        language=language_for(path),
        binary=binary,
        submodule="160000" in (entry.get("a_mode"), entry.get("b_mode")),
        old_mode=None if entry.get("a_mode") in _NO_MODE else str(entry.get("a_mode")),
        new_mode=None if entry.get("b_mode") in _NO_MODE else str(entry.get("b_mode")),
    )


def _withheld(entry: dict[str, Any]) -> str:
    if entry.get("diff"):
        return ""
    if entry.get("too_large"):
        return "GitLab sent no diff: too large to show"
    if entry.get("collapsed"):
        return "GitLab sent no diff: collapsed past its diff limits"
    return ""


def touched_paths(entries: Iterable[dict[str, Any]]) -> frozenset[str]:
    """Every path an entry names, before and after a rename."""
    paths: set[str] = set()
    for entry in entries:
        paths.update(str(p) for p in (entry.get("old_path"), entry.get("new_path")) if p)
    return frozenset(paths)
