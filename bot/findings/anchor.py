"""Places findings on lines of the diff, or demotes them to file-level notes.

The one place that decides where a finding may sit; every task and publisher relies on it.
A finding is never placed on a line outside the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.change.linemap import LineMap
from bot.change.model import Change, FileChange, LineKind, Side
from bot.findings.fingerprint import fingerprint
from bot.findings.model import Finding
from bot.secrets.markers import brings_a_mask


@dataclass(slots=True)
class Anchored:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # for the report: what was dropped and why


def anchor_findings(findings: list[Finding], change: Change, line_map: LineMap) -> Anchored:
    files = {f.path: f for f in change.files}
    by_old = {f.old_path: f for f in change.files if f.old_path}
    out = Anchored()
    for finding in findings:
        f = files.get(finding.path) or by_old.get(finding.path)
        if f is None:
            out.notes.append(
                f"dropped a {finding.severity.value} finding on {finding.path!r}, "
                f"a file that is not part of this change: {finding.title}"
            )
            continue
        placed = _place(finding.model_copy(update={"path": f.path}), line_map)
        cited = _cited_text(f, placed)
        placed = _without_markers_to_commit(placed, cited)
        placed.fingerprint = fingerprint(placed, cited)
        out.findings.append(placed)
    return out


def _place(finding: Finding, line_map: LineMap) -> Finding:
    if finding.start_line is None:
        return finding
    start = finding.start_line
    end = finding.end_line if finding.end_line is not None else start
    side = finding.side
    if line_map.can_comment_range(finding.path, start, end, side):
        if finding.suggestion is not None and side is Side.LEFT:
            return _move_suggestion_to_body(finding, "a suggestion cannot replace removed lines")
        return finding
    for line in (start, end):
        if line_map.can_comment(finding.path, line, side):
            narrowed = finding.model_copy(update={"start_line": line, "end_line": line})
            if finding.suggestion is not None:
                return _move_suggestion_to_body(
                    narrowed, f"lines {start}-{end} are not all in one hunk of the diff"
                )
            return narrowed
    where = f"{'base ' if side is Side.LEFT else ''}line {start}"
    if end != start:
        where = f"{'base ' if side is Side.LEFT else ''}lines {start}-{end}"
    demoted = finding.model_copy(
        update={
            "start_line": None,
            "end_line": None,
            "anchor_note": f"cited {where}, which is not part of the diff",
        }
    )
    if finding.suggestion is not None:
        return _move_suggestion_to_body(demoted, None)
    return demoted


def _without_markers_to_commit(finding: Finding, cited: str) -> Finding:
    """A committable suggestion that brings a secret's mask into its lines (the model
    quoted the value and the answer was masked, or it wrote back a marker it was shown)
    would write the mask over the value in the code: kept readable, not committable."""
    if finding.suggestion is None or not brings_a_mask(finding.suggestion, cited):
        return finding
    return _move_suggestion_to_body(
        finding, "it shows a secret masked, and committing it would write the mask into the code"
    )


def _move_suggestion_to_body(finding: Finding, why: str | None) -> Finding:
    """Keeps a suggestion readable where a committable one would be wrong."""
    fence = "````" if "```" in (finding.suggestion or "") else "```"
    body = f"{finding.body}\n\nSuggested code:\n{fence}\n{finding.suggestion}\n{fence}"
    update: dict[str, object] = {"body": body, "suggestion": None}
    if why and not finding.anchor_note:
        update["anchor_note"] = f"suggestion not committable: {why}"
    return finding.model_copy(update=update)


def _cited_text(f: FileChange, finding: Finding) -> str:
    """The diff text under the finding, so its fingerprint survives lines moving."""
    if finding.start_line is None:
        return ""
    end = finding.end_line or finding.start_line
    parts: list[str] = []
    for hunk in f.hunks:
        for ln in hunk.lines:
            n = ln.old_no if finding.side is Side.LEFT else ln.new_no
            if finding.side is Side.LEFT and ln.kind is LineKind.ADDED:
                continue
            if n is not None and finding.start_line <= n <= end:
                parts.append(ln.text.strip())
    return "\n".join(parts)
