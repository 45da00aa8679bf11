"""README and docs/ text that still names what a change renamed or removed.

The names come from the changed files on both sides (bot/docs_task/references.py). A name
the base had and the head has nowhere in the change is gone; within one file and kind, one
gone and one new is a rename. A doc file that names the old one and not the new one gets
the rename, word for word; one that names a removed one gets its lines rewritten by the
model. A name still found at the head elsewhere in the repository (moved, not removed) is
left alone, as is a doc that already names the new one.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from bot.change.model import Change, FileStatus, Side
from bot.docs_task.references import KIND_WORDS, Name, is_config_file, names_in, needle
from bot.structure.languages import language_of

# Lines around a mention of a removed name that the model sees, and rewrites.
WINDOW = 2
MAX_DOC_FILES = 200
_DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ""})


@dataclass(frozen=True, slots=True)
class Renamed:
    old: Name
    new: Name
    path: str  # the code file it was renamed in


@dataclass(frozen=True, slots=True)
class Removed:
    old: Name
    path: str


@dataclass(slots=True)
class Changes:
    renamed: list[Renamed] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)


@dataclass(slots=True)
class Window:
    """Lines of one doc file around mentions of removed names, for the model to rewrite."""

    path: str
    start: int
    end: int
    names: list[Removed] = field(default_factory=list)


@dataclass(slots=True)
class DocEdits:
    """Per doc file: its head text and the line replacements decided so far."""

    texts: dict[str, str] = field(default_factory=dict)
    # path -> [(first line, last line, new text)], non-overlapping
    edits: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)


def pattern(text: str) -> re.Pattern[str]:
    """`text` as a whole token: `--port` not inside `--port-range`, `/users` not inside
    `/users/{id}`, `API_KEY` not inside `MY_API_KEY`."""
    return re.compile(rf"(?<![\w\-/$]){re.escape(text)}(?![\w\-/])")


def changed_names(change: Change) -> Changes:
    base: dict[str, set[Name]] = {}
    head: dict[str, set[Name]] = {}
    load = change.load_content
    if load is None:
        return Changes()
    for f in change.files:
        if f.status is not FileStatus.ADDED:
            old = load(f.path, Side.LEFT)
            if old is not None:
                base[f.path] = names_in(f.old_path or f.path, old.encode("utf-8", "replace"))
        if f.status is not FileStatus.DELETED:
            new = load(f.path, Side.RIGHT)
            if new is not None:
                head[f.path] = names_in(f.path, new.encode("utf-8", "replace"))
    everywhere = set().union(*head.values()) if head else set()
    out = Changes()
    for path, names in base.items():
        gone = sorted((n for n in names - everywhere if needle(n)), key=lambda n: n.text)
        new = sorted(
            (n for n in head.get(path, set()) - set().union(*base.values()) if needle(n)),
            key=lambda n: n.text,
        )
        for kind in KIND_WORDS:
            olds = [n for n in gone if n.kind == kind]
            news = [n for n in new if n.kind == kind]
            if len(olds) == 1 and len(news) == 1:
                out.renamed.append(Renamed(olds[0], news[0], path))
            else:
                out.removed += [Removed(n, path) for n in olds]
    return out


def doc_files(listing: list[str]) -> list[str]:
    """The README files and everything under docs/ that is prose."""
    out = []
    for path in listing:
        p = PurePosixPath(path)
        readme = p.name.lower().startswith("readme")
        if (readme or p.parts[0].lower() in ("docs", "doc")) and p.suffix.lower() in _DOC_SUFFIXES:
            out.append(path)
    return out[:MAX_DOC_FILES]


def still_defined(checkout: Path | None, head_sha: str | None, text: str, paths: list[str]) -> bool:
    """The name still appears in the head's code outside the docs (it moved, or another
    file still reads it): `git grep` on the head commit."""
    if checkout is None or head_sha is None:
        return False
    done = subprocess.run(
        ["git", "-C", str(checkout), "grep", "-l", "-F", "-e", text, head_sha, "--"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    found = {line.split(":", 1)[-1] for line in done.stdout.splitlines()}
    # Code and configuration only: a changelog that tells of the removal is no use of it.
    return any(language_of(p) or is_config_file(p) for p in found - set(paths))


def plan_edits(
    found: Changes,
    docs: list[str],
    read: Callable[[str], str | None],
    moved: Callable[[str], bool],
) -> DocEdits:
    """Renames applied word for word; mentions of removed names as windows for the model."""
    out = DocEdits()
    for path in docs:
        text = read(path)
        if text is None:
            continue
        lines = text.split("\n")
        last_line = len(lines) - 1 if text.endswith("\n") else len(lines)
        edits: list[tuple[int, int, str]] = []
        changed = list(lines)
        for r in found.renamed:
            old, new = needle(r.old), needle(r.new)
            assert old is not None and new is not None
            if pattern(new).search(text) or not pattern(old).search(text):
                continue
            swap = pattern(old)
            for n, line in enumerate(changed):
                if swap.search(line):
                    changed[n] = swap.sub(new, line)
            out.notes.append(
                f"{path}: {KIND_WORDS[r.old.kind]} {r.old.text} is {r.new.text} since this change "
                f"({r.path}): renamed in the docs patch"
            )
        for n, (before, after) in enumerate(zip(lines, changed, strict=True), start=1):
            if before != after:
                edits.append((n, n, after))
        spans: list[Window] = []
        for rm in found.removed:
            word = needle(rm.old)
            assert word is not None
            hits = [n for n, line in enumerate(lines, start=1) if pattern(word).search(line)]
            if not hits or moved(rm.old.text):
                continue
            for n in hits:
                spans.append(Window(path, max(1, n - WINDOW), min(last_line, n + WINDOW), [rm]))
        out.windows += _merged(spans)
        out.texts[path] = text
        if edits:
            out.edits[path] = edits
    return out


def _merged(spans: list[Window]) -> list[Window]:
    spans = sorted(spans, key=lambda w: w.start)
    merged: list[Window] = []
    for w in spans:
        last = merged[-1] if merged else None
        if last is not None and w.start <= last.end + 1:
            last.end = max(last.end, w.end)
            last.names += [n for n in w.names if n not in last.names]
        else:
            merged.append(Window(w.path, w.start, w.end, list(w.names)))
    return merged


def window_block(w: Window, text: str) -> str:
    lines = text.split("\n")
    what = "; ".join(
        f"{KIND_WORDS[r.old.kind]} {r.old.text} was removed from {r.path}" for r in w.names
    )
    shown = "\n".join(f"{n:>5} | {lines[n - 1]}" for n in range(w.start, w.end + 1))
    return f"file: {w.path} lines {w.start}-{w.end}\nremoved: {what}\n{shown}"


def add_edit(out: DocEdits, path: str, start: int, end: int, text: str) -> bool:
    """Adds a replacement unless it overlaps one already there (a rename wins)."""
    edits = out.edits.setdefault(path, [])
    if any(not (end < a or start > b) for a, b, _ in edits):
        return False
    edits.append((start, end, text))
    return True


def patch_of(out: DocEdits) -> str:
    """A unified diff of every doc file edited, as `git diff` writes one: `git apply`
    takes it."""
    parts: list[str] = []
    for path in sorted(out.edits):
        before = out.texts[path]
        lines = before.split("\n")
        for start, end, text in sorted(out.edits[path], reverse=True):
            lines[start - 1 : end] = text.split("\n")
        after = "\n".join(lines)
        if after == before:
            continue
        diff = list(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                f"a/{path}",
                f"b/{path}",
            )
        )
        parts.append(f"diff --git a/{path} b/{path}\n")
        for line in diff:
            parts.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(parts)
