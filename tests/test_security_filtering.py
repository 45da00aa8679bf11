"""reviewdog's filter modes over a change: pure, and exact about which lines count."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.change.model import Change, DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.security.filtering import FilterMode, filter_findings, parse_mode


@dataclass(frozen=True)
class Hit:
    path: str
    start_line: int | None
    end_line: int | None = None


def _change() -> Change:
    # app.py head lines: 10 context, 11 added, 12 added, 13 context; 40 context, 41 added.
    # Line 20 is in the file but outside every hunk.
    first = Hunk(
        old_start=10,
        old_len=3,
        new_start=10,
        new_len=4,
        section="",
        lines=[
            DiffLine(LineKind.CONTEXT, 10, 10, "a"),
            DiffLine(LineKind.REMOVED, 11, None, "old"),
            DiffLine(LineKind.ADDED, None, 11, "new"),
            DiffLine(LineKind.ADDED, None, 12, "newer"),
            DiffLine(LineKind.CONTEXT, 12, 13, "b"),
        ],
    )
    second = Hunk(
        old_start=39,
        old_len=1,
        new_start=40,
        new_len=2,
        section="",
        lines=[
            DiffLine(LineKind.CONTEXT, 39, 40, "c"),
            DiffLine(LineKind.ADDED, None, 41, "d"),
        ],
    )
    gone = Hunk(
        old_start=1,
        old_len=1,
        new_start=0,
        new_len=0,
        section="",
        lines=[DiffLine(LineKind.REMOVED, 1, None, "x")],
    )
    return Change(
        files=[
            FileChange("app.py", "app.py", FileStatus.MODIFIED, [first, second]),
            FileChange("gone.py", "gone.py", FileStatus.DELETED, [gone]),
        ]
    )


FINDINGS = {
    "added": Hit("app.py", 11),
    "added-2": Hit("app.py", 41),
    "context": Hit("app.py", 10),
    "range-into-added": Hit("app.py", 9, 11),
    "outside-hunks": Hit("app.py", 20),
    "file-level": Hit("app.py", None),
    "other-file": Hit("other.py", 11),
    "deleted-file": Hit("gone.py", 1),
}


def _kept(mode: str) -> set[str]:
    names = {id(f): n for n, f in FINDINGS.items()}
    out = filter_findings(_change(), list(FINDINGS.values()), mode)
    assert len(out.kept) + len(out.dropped) == len(FINDINGS)
    return {names[id(f)] for f in out.kept}


def test_added_keeps_findings_touching_added_lines() -> None:
    assert _kept("added") == {"added", "added-2", "range-into-added"}


def test_diff_context_keeps_any_head_line_of_a_hunk() -> None:
    assert _kept("diff_context") == {"added", "added-2", "context", "range-into-added"}


def test_file_keeps_everything_in_changed_files_not_deleted_ones() -> None:
    assert _kept("file") == {
        "added",
        "added-2",
        "context",
        "range-into-added",
        "outside-hunks",
        "file-level",
    }


def test_nofilter_keeps_everything() -> None:
    assert _kept("nofilter") == set(FINDINGS)


def test_default_mode_is_added() -> None:
    out = filter_findings(_change(), [FINDINGS["context"], FINDINGS["added"]])
    assert out.kept == [FINDINGS["added"]]
    assert out.dropped == [FINDINGS["context"]]


def test_mode_names_are_forgiving_and_unknown_ones_are_refused() -> None:
    assert parse_mode("diff-context") is FilterMode.DIFF_CONTEXT
    assert parse_mode(" NOFILTER ") is FilterMode.NOFILTER
    with pytest.raises(ValueError, match="added, diff_context, file, nofilter"):
        parse_mode("everything")


def test_a_removed_line_number_is_not_an_added_line() -> None:
    # Base line 11 was removed; head line 11 was added: only the head numbering counts.
    change = _change()
    change.files[0].hunks[0].lines[2] = DiffLine(LineKind.CONTEXT, 12, 11, "new")
    out = filter_findings(change, [Hit("app.py", 11)], "added")
    assert out.kept == []


def test_inverted_range_counts_as_its_start_line() -> None:
    out = filter_findings(_change(), [Hit("app.py", 11, 3)], "added")
    assert len(out.kept) == 1
