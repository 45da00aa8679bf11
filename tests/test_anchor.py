"""Anchoring: findings sit on diff lines or become file-level notes, never elsewhere."""

from __future__ import annotations

from bot.change.linemap import LineMap
from bot.change.model import Change, Side
from bot.change.parse import parse_diff
from bot.findings.anchor import anchor_findings
from bot.findings.model import Finding, Severity

DIFF = (
    "diff --git a/svc.py b/svc.py\n--- a/svc.py\n+++ b/svc.py\n"
    "@@ -10,4 +10,5 @@ def handler():\n"
    " a = 1\n"
    "-b = 2\n"
    "+b = 3\n"
    "+c = b * 2\n"
    " d = 4\n"
    " e = 5\n"
    "@@ -40,2 +41,3 @@ def other():\n"
    " x = 1\n"
    "+y = 2\n"
    " z = 3\n"
)


def _run(**kw: object) -> tuple[list[Finding], list[str]]:
    change = Change(files=parse_diff(DIFF, "t"), source="t")
    base = {
        "path": "svc.py",
        "severity": Severity.MAJOR,
        "category": "bug",
        "title": "t",
        "body": "b",
    }
    result = anchor_findings([Finding(**{**base, **kw})], change, LineMap(change.files))
    return result.findings, result.notes


def test_finding_on_added_lines_keeps_its_range_and_suggestion() -> None:
    [f], _ = _run(start_line=11, end_line=12, suggestion="b = 3\nc = b * 3")
    assert (f.start_line, f.end_line, f.suggestion) == (11, 12, "b = 3\nc = b * 3")
    assert f.fingerprint


def test_finding_outside_the_diff_becomes_a_file_level_note() -> None:
    [f], _ = _run(start_line=30, end_line=30, suggestion="zzz")
    assert f.start_line is None and f.end_line is None
    assert "line 30" in (f.anchor_note or "")
    assert f.suggestion is None and "zzz" in f.body


def test_range_across_two_hunks_is_narrowed_and_suggestion_not_committable() -> None:
    [f], _ = _run(start_line=12, end_line=42, suggestion="new")
    assert (f.start_line, f.end_line) == (12, 12)
    assert f.suggestion is None and "new" in f.body


def test_removed_line_on_the_left_side_is_anchored() -> None:
    [f], _ = _run(start_line=11, end_line=11, side=Side.LEFT)
    assert (f.start_line, f.side) == (11, Side.LEFT)


def test_left_side_cannot_carry_a_suggestion() -> None:
    [f], _ = _run(start_line=11, end_line=11, side=Side.LEFT, suggestion="x")
    assert f.suggestion is None and f.start_line == 11


def test_finding_on_a_file_outside_the_change_is_dropped_with_a_note() -> None:
    findings, notes = _run(path="other.py", start_line=1)
    assert findings == [] and "other.py" in notes[0]


def test_fingerprint_survives_the_code_moving() -> None:
    [a], _ = _run(start_line=12)
    shifted = DIFF.replace("@@ -10,4 +10,5 @@", "@@ -20,4 +20,5 @@").replace(
        "@@ -40,2 +41,3 @@", "@@ -50,2 +51,3 @@"
    )
    change = Change(files=parse_diff(shifted, "t"), source="t")
    moved = Finding(
        path="svc.py", start_line=22, severity=Severity.MAJOR, category="bug", title="t", body="b"
    )
    [b] = anchor_findings([moved], change, LineMap(change.files)).findings
    assert a.fingerprint == b.fingerprint


def test_a_suggestion_holding_a_mask_is_shown_but_not_committable() -> None:
    """The model quoted a secret on the line (masked in its answer) or a marker it was
    shown: committed, the suggestion would write the mask over the value in the code."""
    for masked in ('b = "[REDACTED:secret]"', 'b = "[REDACTED:password#1]"', 'b = "<redacted>"'):
        [f], _ = _run(start_line=11, end_line=11, suggestion=masked)
        assert (f.start_line, f.end_line) == (11, 11), "still on its line"
        assert f.suggestion is None and masked in f.body
        assert "mask" in (f.anchor_note or "")


def test_a_marker_the_lines_already_hold_is_code_and_stays_committable() -> None:
    diff = DIFF.replace("+b = 3\n", '+b = "[REDACTED:secret]"\n')
    change = Change(files=parse_diff(diff, "t"), source="t")
    suggestion = 'b = "[REDACTED:secret]"  # the marker, as the masker writes it'
    finding = Finding(
        path="svc.py", severity=Severity.MINOR, category="style", title="t", body="b",
        start_line=11, end_line=11, suggestion=suggestion,
    )  # fmt: skip
    [f] = anchor_findings([finding], change, LineMap(change.files)).findings
    assert f.suggestion == suggestion
