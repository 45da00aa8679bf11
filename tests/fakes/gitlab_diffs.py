"""A merge request's diff as GitLab serves and checks it: the diff entries of the diffs,
versions and compare endpoints, and the rule GitLab applies to a diff note's position.

The entries come from a git diff (`diff --git` sections), as GitLab derives them from the
repository: paths and flags from the headers, the hunks as text from the first `@@`, and
binary files as git prints them ("Binary files a/x and b/x differ").

Lines are counted from that text the way GitLab's own parser (Gitlab::Diff::Parser) counts
them, not with the product's parser, so a mistake in the product's line codes or sides is
not repeated here: an added line has no old number but an old position (the next old line),
a removed line no new number but a new position, and a line code is
`sha1(path)_<old position>_<new position>`. A position is found only on a line whose
(old_line, new_line) pair is exactly the one sent: an added line takes new_line alone, a
removed line old_line alone, an unchanged line both.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from typing import Any

LINE_CODE_ERROR = (
    '400 Bad request - Note {:line_code=>["can\'t be blank", "must be a valid line code"]}'
)
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_LINE_CODE = re.compile(r"^([0-9a-f]{40})_(\d+)_(\d+)$")


@dataclass(frozen=True)
class DiffLine:
    """One line of a file's diff as GitLab numbers it."""

    type: str  # "new" (added), "old" (removed), "" (unchanged)
    old_pos: int
    new_pos: int

    @property
    def old_line(self) -> int | None:
        return None if self.type == "new" else self.old_pos

    @property
    def new_line(self) -> int | None:
        return None if self.type == "old" else self.new_pos


@dataclass
class DiffEntry:
    """One file of a diff, as the API lists it."""

    old_path: str
    new_path: str
    a_mode: str
    b_mode: str
    new_file: bool
    renamed_file: bool
    deleted_file: bool
    diff: str
    binary: bool = False
    hidden: str = ""  # "too_large" or "collapsed": GitLab sends no diff text for it

    def as_json(self) -> dict[str, Any]:
        shown = "" if self.hidden else self.diff
        return {
            "old_path": self.old_path,
            "new_path": self.new_path,
            "a_mode": self.a_mode,
            "b_mode": self.b_mode,
            "new_file": self.new_file,
            "renamed_file": self.renamed_file,
            "deleted_file": self.deleted_file,
            "generated_file": False,
            "too_large": self.hidden == "too_large",
            "collapsed": self.hidden == "collapsed",
            "diff": shown,
        }

    def lines(self) -> list[DiffLine]:
        return [] if self.binary else diff_lines(self.diff)


def line_code(path: str, old_pos: int, new_pos: int) -> str:
    return f"{hashlib.sha1(path.encode('utf-8')).hexdigest()}_{old_pos}_{new_pos}"


def diff_lines(text: str) -> list[DiffLine]:
    """The lines of one file's hunks, numbered as Gitlab::Diff::Parser numbers them."""
    out: list[DiffLine] = []
    old = new = 0
    for raw in text.split("\n"):
        header = _HUNK_HEADER.match(raw)
        if header:
            old, new = int(header[1]), int(header[2])
            continue
        mark = raw[:1]
        if mark == "+":
            out.append(DiffLine("new", old, new))
            new += 1
        elif mark == "-":
            out.append(DiffLine("old", old, new))
            old += 1
        elif mark == " ":
            out.append(DiffLine("", old, new))
            old += 1
            new += 1
        # "\ No newline at end of file" and the empty string after the last "\n": no line.
    return out


def entries_from_git_diff(diff: str) -> list[DiffEntry]:
    """The entries GitLab lists for a git diff, one per `diff --git` section."""
    if not diff.strip():
        return []
    starts = [m.start() for m in re.finditer(r"^diff --git ", diff, re.MULTILINE)]
    if not starts:
        raise ValueError("the fake needs a git diff ('diff --git' headers)")
    chunks = [diff[a:b] for a, b in itertools.pairwise([*starts, len(diff)])]
    return [_entry(chunk) for chunk in chunks]


def _entry(chunk: str) -> DiffEntry:
    lines = chunk.rstrip("\n").split("\n")
    first = lines[0].removeprefix("diff --git ")
    a_path, b_path = _split_header_paths(first)
    headers: dict[str, str] = {}
    body_at = len(lines)
    for i, line in enumerate(lines[1:], start=1):
        if line.startswith("@@") or line.startswith("Binary files "):
            body_at = i
            break
        for key in (
            "new file mode ", "deleted file mode ", "old mode ", "new mode ",
            "rename from ", "rename to ", "index ", "--- ", "+++ ",
        ):  # fmt: skip
            if line.startswith(key):
                headers[key.strip()] = line[len(key) :]
    old_path = headers.get("rename from", a_path)
    new_path = headers.get("rename to", b_path)
    new_file = "new file mode" in headers
    deleted = "deleted file mode" in headers
    _, _, mode = headers.get("index", "").partition(" ")
    mode = mode or "100644"
    a_mode = "0" if new_file else headers.get("old mode", headers.get("deleted file mode", mode))
    b_mode = "0" if deleted else headers.get("new mode", headers.get("new file mode", mode))
    body = "\n".join(lines[body_at:])
    binary = body.startswith("Binary files ")
    if binary:
        left = "/dev/null" if new_file else f"a/{old_path}"
        right = "/dev/null" if deleted else f"b/{new_path}"
        text = f"Binary files {left} and {right} differ\n"
    else:
        text = body + "\n" if body else ""
    return DiffEntry(
        old_path=old_path,
        new_path=new_path,
        a_mode=a_mode,
        b_mode=b_mode,
        new_file=new_file,
        renamed_file=old_path != new_path,
        deleted_file=deleted,
        diff=text,
        binary=binary,
    )


def _split_header_paths(text: str) -> tuple[str, str]:
    """`a/x b/x` into the two paths (no quoting: the fake's diffs use plain names)."""
    match = re.match(r"^a/(.+) b/(.+)$", text)
    if match is None:
        raise ValueError(f"cannot read the paths of 'diff --git {text}'")
    return match[1], match[2]


def check_position(position: dict[str, Any], entries: list[DiffEntry]) -> str | None:
    """None when GitLab places a text note at `position` on a diff of `entries`; else the
    message of GitLab's 400. The SHAs have been matched to a version already."""
    new_path, old_path = position.get("new_path"), position.get("old_path")
    entry = next((e for e in entries if e.new_path == new_path), None)
    if entry is None or (old_path and old_path != entry.old_path):
        return LINE_CODE_ERROR
    lines = entry.lines()
    wanted = (_int(position.get("old_line")), _int(position.get("new_line")))
    if wanted == (None, None) or not any((ln.old_line, ln.new_line) == wanted for ln in lines):
        return LINE_CODE_ERROR
    line_range = position.get("line_range")
    if line_range is not None and not _range_ok(line_range, entry, lines, wanted):
        return LINE_CODE_ERROR
    return None


def _range_ok(
    line_range: Any, entry: DiffEntry, lines: list[DiffLine], end_line: tuple[Any, Any]
) -> bool:
    """Both ends name lines of this file by line code, in order, ending at the note's line."""
    if not isinstance(line_range, dict):
        return False
    codes = {line_code(entry.new_path, ln.old_pos, ln.new_pos): i for i, ln in enumerate(lines)}
    at: list[int] = []
    for end in ("start", "end"):
        point = line_range.get(end)
        if not isinstance(point, dict) or point.get("type") not in ("new", "old", None):
            return False
        code = str(point.get("line_code") or "")
        if not _LINE_CODE.match(code) or code not in codes:
            return False
        at.append(codes[code])
    last = lines[at[1]]
    return at[0] <= at[1] and (last.old_line, last.new_line) == end_line


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
