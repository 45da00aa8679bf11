"""How much each file changed over a window of history: `git log --numstat`."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WINDOW = "12 months"


@dataclass(slots=True)
class Churn:
    window: str
    commits: Counter[str] = field(default_factory=Counter)  # path -> commits touching it
    lines: Counter[str] = field(default_factory=Counter)  # path -> lines added + deleted
    total_commits: int = 0


def churn_of(root: Path, ref: str = "HEAD", window: str = DEFAULT_WINDOW) -> Churn:
    """Commits and changed lines per path in `window` before now, up to `ref`; renames are
    followed to the new path. Binary files count commits only. A shallow clone sees the
    history it has (the report says how many commits that was)."""
    out = Churn(window)
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "core.quotepath=off", "log", "--numstat", "-M",
         "--no-merges", "--format=@%H", f"--since={window} ago", ref, "--"],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return out
    for raw in done.stdout.decode("utf-8", "replace").splitlines():
        if raw.startswith("@"):
            out.total_commits += 1
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        path = _renamed_to(path)
        out.commits[path] += 1
        if added.isdigit() and deleted.isdigit():
            out.lines[path] += int(added) + int(deleted)
    return out


def _renamed_to(path: str) -> str:
    """numstat writes a rename as `dir/{old => new}/f` or `old => new`."""
    if "=>" not in path:
        return path
    if "{" in path and "}" in path:
        head, rest = path.split("{", 1)
        inner, tail = rest.split("}", 1)
        new = inner.split("=>", 1)[1].strip()
        return (head + new + tail).replace("//", "/")
    return path.split("=>", 1)[1].strip()
