"""Which repository a checkout is, as 'owner/name', for data-class policy."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# https://host/owner/name(.git), git@host:owner/name(.git), ssh://git@host/owner/name
_REMOTE = re.compile(r"[:/](?P<path>[^/:]+(?:/[^/:]+)*?/[^/:]+?)(?:\.git)?/?$")


def origin_repository(repo_dir: Path) -> str | None:
    """'owner/name' (GitLab: 'group/subgroup/name') from the origin remote, if there is one."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo_dir), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return repository_from_url(done.stdout.strip())


def repository_from_url(url: str) -> str | None:
    """None for a remote that is a local path: it names no repository on a forge."""
    stripped = re.sub(r"^[a-z+]+://(?:[^@/]+@)?[^/]+", "", url)  # scheme, credentials, host
    stripped = re.sub(r"^[^@/]+@[^:]+:", "/", stripped)  # scp-like git@host:
    if stripped == url or url.startswith("file://"):
        return None
    m = _REMOTE.search(stripped)
    return m.group("path").strip("/") if m else None
