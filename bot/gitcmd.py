"""One `git` subprocess, for the places that ask a checkout a question or run one command in
it: text out, never a prompt for credentials, and a failure to start or a timeout answered
as a failed run (rc 1 / 124) rather than raised, so each caller says in its own words what
did not happen."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def git(
    root: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            env={**(env if env is not None else os.environ), "GIT_TERMINAL_PROMPT": "0"},
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", f"git {args[0]} timed out")
    except OSError as exc:
        return subprocess.CompletedProcess(args, 1, "", f"git could not start: {exc}")


def toplevel(path: Path) -> Path | None:
    """The top folder of the work tree holding `path`; None outside one."""
    if not path.is_dir():
        return None
    done = git(path, "rev-parse", "--show-toplevel")
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None
