"""Unified diff text (git's flavour or plain) to FileChange values.

unidiff does the line-level parsing; this module turns its objects into the shared
model, decides paths and status the way a forge shows them, and turns every parse
failure into an InputError that names the source and the line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from unidiff import PatchSet
from unidiff.constants import DEV_NULL, SUBMODULE_FILE_MODE
from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UnidiffHunk
from unidiff.patch import PatchedFile

from bot.change.language import language_for
from bot.change.model import DiffLine, FileChange, FileStatus, Hunk, LineKind
from bot.errors import InputError

_KINDS: dict[str, LineKind] = {
    "+": LineKind.ADDED,
    "-": LineKind.REMOVED,
    " ": LineKind.CONTEXT,
}

# The first header line of a diff; used to tell a whole-file CRLF conversion (a patch
# saved on Windows) from CRLF content inside an otherwise LF diff.
_FIRST_HEADER = re.compile(r"^(?:diff --git |--- |\+\+\+ |@@ -)[^\n]*\n", re.MULTILINE)

_GIT_PREFIX = re.compile(r"^[abciow12]/")
_SUBPROJECT = "Subproject commit "
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


class _CountingLines:
    """Feeds lines to unidiff while remembering the last line number handed out.

    unidiff's errors carry no position, and a message without one leaves the user to
    search a 50,000-line patch by eye.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self.line_no = 0

    def __iter__(self) -> Iterator[str]:
        # StringIO splits on "\n" only; str.splitlines would also split on \x0c, \x1c,
        # \u2028 and friends, which are legitimate inside source lines.
        for line in io.StringIO(self._text):
            self.line_no += 1
            yield line


def parse_diff(text: str, source: str) -> list[FileChange]:
    """Parse a unified diff into one FileChange per file, in diff order.

    `source` names where the text came from ("patch fix.diff", "stdin") for messages.
    Raises InputError for malformed text or text that holds no diff at all.
    """
    text = _normalise_crlf_patch(text)
    lines = _CountingLines(text)
    try:
        patch = PatchSet(lines)
    except UnidiffParseError as exc:
        raise InputError(
            f"malformed diff in {source} at line {lines.line_no}: {_clean_error(exc)}",
            hint="the input must be a unified diff, e.g. the output of `git diff` "
            "or `git format-patch`, unmodified",
        ) from None
    if not patch:
        raise InputError(
            f"no diff found in {source}: expected 'diff --git' or '---'/'+++' file headers",
            hint="pass the output of `git diff` or `git format-patch`",
        )
    return [_file_change(pf) for pf in patch]


def parse_hunks(patch: str, source: str) -> list[Hunk]:
    """The hunks of one file's diff body (from its first `@@`), as a forge lists it per file
    without headers. Raises InputError as parse_diff does."""
    body = patch.rstrip("\n")
    return parse_diff(f"--- a/file\n+++ b/file\n{body}\n", source)[0].hunks


def _normalise_crlf_patch(text: str) -> str:
    match = _FIRST_HEADER.search(text)
    if match and match.group(0).endswith("\r\n"):
        # Every line, headers included, was converted: undo it, or no header regex
        # matches and paths end in "\r".
        return text.replace("\r\n", "\n")
    return text


def _clean_error(exc: UnidiffParseError) -> str:
    message = " ".join(str(exc).split())
    return message if len(message) <= 120 else message[:117] + "..."


def _file_change(pf: PatchedFile) -> FileChange:
    info = list(pf.patch_info or ())
    is_git = bool(info) and info[0].startswith("diff --git ")
    rename_from = _header_value(info, "rename from ")
    rename_to = _header_value(info, "rename to ")
    copy_from = _header_value(info, "copy from ")
    copy_to = _header_value(info, "copy to ")

    old, new = _paths(pf.source_file, pf.target_file)
    old = rename_from or copy_from or old
    new = rename_to or copy_to or new

    if new is None:
        status, path, old_path = FileStatus.DELETED, old or "", old
    elif old is None:
        status, path, old_path = FileStatus.ADDED, new, None
    elif copy_from:
        # The model has no "copied"; the file is new at head, and its hunks are
        # relative to the copy source, which old_path keeps.
        status, path, old_path = FileStatus.ADDED, new, old
    elif is_git and (rename_from is not None or old != new):
        status, path, old_path = FileStatus.RENAMED, new, old
    else:
        # A plain diff of "old/x.c" against "new/x.c" is an edit of x.c, not a rename.
        status, path, old_path = FileStatus.MODIFIED, new, old

    hunks = [_hunk(h) for h in pf]
    return FileChange(
        path=path,
        old_path=old_path,
        status=status,
        hunks=hunks,
        language=language_for(path),
        binary=bool(pf.is_binary_file),
        submodule=pf.source_mode == SUBMODULE_FILE_MODE
        or pf.target_mode == SUBMODULE_FILE_MODE
        or _looks_like_submodule(hunks),
        old_mode=pf.source_mode,
        new_mode=pf.target_mode,
    )


def _hunk(h: UnidiffHunk) -> Hunk:
    # unidiff's Hunk is a list of Line; a trailing blank line after a hunk comes as
    # type "" and the "\ No newline" marker as "\\": neither is a line of the file.
    kinds = _KINDS
    lines: list[DiffLine] = []
    append = lines.append
    unterminated = {LineKind.REMOVED: False, LineKind.ADDED: False}
    for ln in h:
        kind = kinds.get(ln.line_type)
        if kind is None:
            if ln.line_type == "\\" and lines:  # the line before has no newline
                last = lines[-1].kind
                for side in unterminated:
                    unterminated[side] |= last in (side, LineKind.CONTEXT)
            continue
        text = ln.value
        if text.endswith("\n"):
            text = text[:-1]
            if text.endswith("\r"):
                text = text[:-1]
        append(DiffLine(kind, ln.source_line_no, ln.target_line_no, text))
    return Hunk(
        old_start=h.source_start,
        old_len=h.source_length,
        new_start=h.target_start,
        new_len=h.target_length,
        section=h.section_header.rstrip("\r\n"),
        lines=lines,
        old_unterminated=unterminated[LineKind.REMOVED],
        new_unterminated=unterminated[LineKind.ADDED],
    )


def _looks_like_submodule(hunks: list[Hunk]) -> bool:
    # Patches made without mode lines still show a gitlink as "Subproject commit <sha>".
    if len(hunks) != 1 or len(hunks[0].lines) > 2:
        return False
    return all(ln.text.startswith(_SUBPROJECT) for ln in hunks[0].lines)


def _header_value(info: list[str], prefix: str) -> str | None:
    for line in info:
        if line.startswith(prefix):
            return _unquote(line[len(prefix) :].rstrip("\r\n"))
    return None


def _paths(source: str, target: str) -> tuple[str | None, str | None]:
    """Both paths without git's a/ b/ prefixes; None stands for /dev/null."""
    src = None if source == DEV_NULL else _unquote(source.rstrip("\t"))
    tgt = None if target == DEV_NULL else _unquote(target.rstrip("\t"))
    # Strip only when every present side carries a prefix: a `--no-prefix` diff of
    # "a/readme" must keep its path.
    present = [p for p in (src, tgt) if p is not None]
    if present and all(_GIT_PREFIX.match(p) for p in present):
        src = src[2:] if src is not None else None
        tgt = tgt[2:] if tgt is not None else None
    return src, tgt


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths ("a/caf\\303\\251.txt")."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    out = bytearray()
    inner = path[1:-1]
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch != "\\" or i + 1 == len(inner):
            out += ch.encode("utf-8")
            i += 1
        elif inner[i + 1 : i + 4].isdigit() and len(inner[i + 1 : i + 4]) == 3:
            # Octal escapes are the bytes of a UTF-8 name; decode them together.
            out.append(int(inner[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out += _ESCAPES.get(inner[i + 1], inner[i + 1]).encode("utf-8")
            i += 2
    return out.decode("utf-8", errors="replace")
