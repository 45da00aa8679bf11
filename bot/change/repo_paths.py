"""Paths a repository names for its own files, and where they may lead.

A repository's `.switchyard.yml` is written by whoever can push to its base branch, so a path
it names (`security.semgrep_rules`) is held inside the repository twice: by its text, before
anything is read (`repo_relative`), and once joined to a checkout with symlinks resolved
(`resolve_inside`), since a link committed to the repository can point anywhere.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

# "https:", "file:", "git+ssh:", and a Windows drive ("C:"): none of them name a file here.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def repo_relative(name: str) -> str | None:
    """`name` as a clean path inside the repository ("ci/semgrep/" -> "ci/semgrep"); None
    for an absolute path, a home folder ("~"), a backslash (a Windows separator or an
    escape), a URL or drive, a control character, a path that climbs out with "..", or the
    repository itself."""
    if (
        not name
        or name.startswith(("/", "~"))
        or "\\" in name
        or _SCHEME.match(name)
        or any(ord(c) < 0x20 or c == "\x7f" for c in name)
    ):
        return None
    parts = [p for p in PurePosixPath(name).parts if p != "."]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def resolve_inside(root: Path, name: str) -> Path | None:
    """`name` joined to `root` with every symlink resolved, or None when the text of `name`
    is not a path inside the repository or the resolved path lands outside `root`."""
    rel = repo_relative(name)
    if rel is None:
        return None
    base = root.resolve()
    target = base.joinpath(*rel.split("/")).resolve()
    return target if target.is_relative_to(base) else None
