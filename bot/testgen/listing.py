"""The files of a checkout, as paths relative to its root (posix), for the test finders.

A git checkout lists what git tracks plus untracked files it does not ignore; a plain
folder is walked with dependency and build folders left out.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Folders that hold other people's code or build output, never the project's own tests.
SKIPPED_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "vendor", "target", "build", "dist", "__pycache__"}
)


def repo_files(root: Path) -> list[str]:
    if (root / ".git").exists():
        listed = ("ls-files", "-z", "--cached", "--others", "--exclude-standard")
        done = subprocess.run(
            ["git", "-C", str(root), *listed],
            capture_output=True,
            check=False,
        )
        if done.returncode == 0:
            names = done.stdout.decode("utf-8", "replace").split("\0")
            return sorted(n for n in names if n and not _skipped(n))
    return _walk(root)


def _skipped(rel: str) -> bool:
    return any(part in SKIPPED_DIRS for part in rel.split("/")[:-1])


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        base = Path(folder).relative_to(root)
        found.extend((base / f).as_posix() for f in files)
    return sorted(found)
