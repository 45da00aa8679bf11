"""A patch's files read from the checkout it was made in, when the checkout holds them.

A patch alone (`--diff`, the CI recipe `git diff main | switchyard review --diff -`) has
hunks and no files: classification could not judge a value shown without its name (a key's
body lines as context), review had no lines around a hunk. CI runs it in the checkout of
the change's head, so a file there whose every line the patch shows is where the patch puts
it is the head; the base is the head with the hunks taken back. A file that departs from
the patch anywhere is not read (another version would put lines where the change has
none), nor one outside the checkout, through a symbolic link or `..`: the checkout is the
pull request author's, and its files are read only to judge or show what the patch changes.
"""

from __future__ import annotations

import threading
from pathlib import Path, PurePosixPath

from bot.change.model import FileChange, FileStatus, LineKind, Side


def differs_from_patch(f: FileChange, text: str) -> str | None:
    """Where `text` (a file in a checkout) departs from the head side of `f`'s hunks, or
    None when every added and context line is where the patch puts it."""
    lines = text.splitlines()
    for h in f.hunks:
        for ln in h.lines:
            if ln.new_no is None:
                continue
            have = lines[ln.new_no - 1] if 0 < ln.new_no <= len(lines) else None
            if have is None or have.rstrip("\r") != ln.text.rstrip("\r"):
                return f"line {ln.new_no} differs"
    return None


def safe_relative(path: str) -> PurePosixPath | None:
    """The path as a relative one inside a tree, or None if it would leave it."""
    p = PurePosixPath(path.replace("\\", "/"))
    if p.is_absolute() or not p.parts or any(part in ("..", "") for part in p.parts):
        return None
    return p


def base_of(f: FileChange, head: str) -> str:
    """The base text of `f`, from its head text (which matches the patch) with each hunk's
    lines put back as they were, and the last newline as the patch says it was."""
    lines = head.split("\n")
    head_terminated = lines[-1] == ""
    if head_terminated:
        lines.pop()
    # A hunk's lines are parsed without a carriage return: a context line is taken from the
    # head as it is, a removed one ends as most of the file's lines do.
    end = "\r" if head.count("\r\n") * 2 > head.count("\n") else ""
    out: list[str] = []
    pos = 0
    for h in sorted(f.hunks, key=lambda h: h.new_start):
        # A hunk that only removes lines stands after head line new_start.
        at = h.new_start - 1 if h.new_len else h.new_start
        out += lines[pos:at]
        for ln in h.lines:
            if ln.kind is LineKind.CONTEXT and ln.new_no is not None:
                out.append(lines[ln.new_no - 1])
            elif ln.kind is LineKind.REMOVED:
                out.append(ln.text if ln.text.endswith("\r") else ln.text + end)
        pos = at + h.new_len
    out += lines[pos:]
    if any(h.old_unterminated for h in f.hunks):
        terminated = False
    elif any(h.new_unterminated for h in f.hunks):
        terminated = True  # (the head lost its last newline; the base had one)
    else:
        terminated = head_terminated
    return "\n".join(out) + ("\n" if terminated and out else "")


# A file larger than this is not read (a pull request may commit one of gigabytes): no
# reader here would use more of it (classification stops at 20 MB).
MAX_BYTES = 20_000_000


class CheckoutLoader:
    """load_content for a patch's change: each file's head read from `root` when it matches
    the patch, its base rebuilt from that head; None otherwise, and `why_unread` says why.
    Read once, cached."""

    def __init__(self, root: Path, files: list[FileChange], max_bytes: int = MAX_BYTES) -> None:
        self.root = root.resolve()
        self._max_bytes = max_bytes
        self._files = {f.path: f for f in files}
        self._heads: dict[str, str | None] = {}
        self._why: dict[str, str] = {}
        self._lock = threading.Lock()

    def why_unread(self, path: str) -> str | None:
        """Why the head of `path` was not read from the checkout (once it was asked for)."""
        return self._why.get(path)

    def __call__(self, path: str, side: Side) -> str | None:
        f = self._files.get(path)
        if f is None or f.binary:
            return None
        if side is Side.LEFT:
            if f.status is FileStatus.ADDED:
                return None
            if f.status is FileStatus.DELETED:
                old = [ln.text for h in f.hunks for ln in h.lines if ln.kind is not LineKind.ADDED]
                return "\n".join(old) + "\n" if old else None
        if f.status is FileStatus.DELETED:
            return None
        head = self._head(f)
        if head is None or side is Side.RIGHT:
            return head
        return base_of(f, head)

    def _head(self, f: FileChange) -> str | None:
        with self._lock:
            if f.path not in self._heads:
                self._heads[f.path] = self._read(f)
            return self._heads[f.path]

    def _read(self, f: FileChange) -> str | None:
        text, why = self._text(f)
        if text is not None and (mismatch := differs_from_patch(f, text)) is not None:
            text, why = None, f"the checkout's copy is not the patch's head ({mismatch})"
        if text is None:
            self._why[f.path] = why
        return text

    def _text(self, f: FileChange) -> tuple[str | None, str]:
        rel = safe_relative(f.path)
        if rel is None:
            return None, "its path leaves the checkout"
        candidate = self.root.joinpath(*rel.parts)
        try:
            if candidate.is_symlink() or not candidate.is_file():
                return None, f"not found in {self.root}, or a symbolic link there"
            if candidate.stat().st_size > self._max_bytes:
                return None, f"over {self._max_bytes // 1_000_000} MB in the checkout"
            if not candidate.resolve().is_relative_to(self.root):
                # (a folder on the way is a link out of the checkout)
                return None, f"not found in {self.root}, or a symbolic link there"
            # (line ends as they are, as git's)
            return candidate.read_bytes().decode("utf-8"), ""
        except UnicodeDecodeError:
            return None, "not UTF-8 text in the checkout"
        except OSError as exc:
            return None, f"reading the checkout failed ({exc.strerror or exc})"
