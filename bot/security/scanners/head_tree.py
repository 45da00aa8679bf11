"""The head versions of the changed files, written into a scratch folder for the scanners.

Scanners read files, not diffs. The head contents come from the change's own loader (git,
a forge's API, or a patch's checkout: bot/change/checkout.py, which reads a file only where
its lines match the patch's head side), else, for a file the change adds, from its hunks,
which hold all of it. A file with none of these is listed as unreadable rather than left
out, with the loader's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.change.checkout import CheckoutLoader, safe_relative
from bot.change.model import Change, FileChange, FileStatus, LineKind, Side

_SYMLINK_MODE = "120000"
PYTHON_SUFFIXES = (".py", ".pyw", ".pyi")


@dataclass(slots=True)
class HeadTree:
    root: Path
    contents: dict[str, str] = field(default_factory=dict)  # path -> head text, as written
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    languages: dict[str, str | None] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return list(self.contents)

    def python_paths(self) -> list[str]:
        return [
            p
            for p in self.contents
            if self.languages.get(p) == "python" or p.lower().endswith(PYTHON_SUFFIXES)
        ]


def write_head_tree(change: Change, root: Path) -> HeadTree:
    tree = HeadTree(root=root)
    for f in change.files:
        if f.status is FileStatus.DELETED:
            continue  # nothing at head to scan
        why = _not_scannable(f)
        if why:
            tree.unreadable.append((f.path, why))
            continue
        rel = safe_relative(f.path)
        if rel is None:
            tree.unreadable.append((f.path, "path leaves the repository: not written"))
            continue
        text, why = _head_text(change, f)
        if text is None:
            tree.unreadable.append((f.path, why))
            continue
        target = root.joinpath(*rel.parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
        except (OSError, UnicodeError) as exc:
            tree.unreadable.append((f.path, f"could not be written for the scanners: {exc}"))
            continue
        tree.contents[f.path] = text
        tree.languages[f.path] = f.language
    return tree


def _not_scannable(f: FileChange) -> str | None:
    if f.submodule:
        return "submodule: its code is another repository's"
    if f.binary:
        return "binary file: scanners read text"
    if f.new_mode == _SYMLINK_MODE:
        return "symbolic link: its head content is a path, not code"
    return None


def _head_text(change: Change, f: FileChange) -> tuple[str | None, str]:
    problems: list[str] = []
    load = change.load_content
    if load is not None:
        try:
            text = load(f.path, Side.RIGHT)
        # A loader may be git, an HTTP client or a test double: whatever it raises, this
        # file goes unread and says why, and the other files are still scanned.
        except Exception as exc:
            problems.append(f"loading it failed ({type(exc).__name__}: {exc})")
        else:
            if text is not None:
                return text, ""
            if isinstance(load, CheckoutLoader) and (why := load.why_unread(f.path)):
                # Scanning another version than the patch's head would report findings on
                # lines the change does not have.
                problems.append(
                    f"not scanned: {why} (a patch is scanned against a checkout of its head: "
                    "run it there, or give --repo)"
                )
            else:
                problems.append("the change's source has no text for it")
    if f.status is FileStatus.ADDED and f.hunks:
        return _added_text(f), ""
    if not problems:
        problems.append(
            "not scanned: its text at head is unknown (a patch without a checkout; "
            "scan the branch with --base instead)"
        )
    return None, "; ".join(problems)


def _added_text(f: FileChange) -> str:
    lines = [ln.text for h in f.hunks for ln in h.lines if ln.kind is LineKind.ADDED]
    return "\n".join(lines) + "\n"
