"""The `prepare-commit-msg` hook: a Conventional Commits message for the staged diff,
written into the message file only when git gives no message of its own.

Git passes the hook the message file and the message's source: empty for a plain
`git commit`, "message" for -m/-F, "template", "merge", "squash", or "commit" for
--amend/-c/-C. The script returns at once unless the source is empty; this module then
also checks that the file holds no message yet. It never blocks a commit: on any failure
(no model, a timeout, a refusal) the file is left as it was and one line says why.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from bot.gitcmd import git

HOOK_NAME = "prepare-commit-msg"
HOOK_MARK = "# switchyard:prepare-commit-msg"
# The most a commit waits for the model; past it the commit goes on without a message.
TIMEOUT_ENV = "SWITCHYARD_HOOK_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 30.0


def hook_script(python: str) -> str:
    """The hook file's text: it runs this installation's Python, found at install time."""
    py = shlex.quote(python)
    return f"""#!/bin/sh
{HOOK_MARK}
# Written by `switchyard hooks install`. A message for the staged diff, only for a plain
# `git commit` (not -m, a template, a merge, a squash or an amend); never blocks a commit.
[ -n "$2" ] && exit 0
if [ ! -x {py} ]; then  # moved or removed since: `switchyard hooks install` again
  echo "switchyard: no commit message written: {py} is gone" >&2
  exit 0
fi
{py} -m bot describe --commit-message --message-file "$1" || true
exit 0
"""


def has_message(text: str) -> bool:
    """Whether the message file already says something besides git's comments."""
    return any(line.strip() and not line.startswith("#") for line in text.splitlines())


def hooks_dir(repo: Path) -> Path | None:
    """Where git looks for hooks: core.hooksPath when set, else the repository's own;
    None outside a repository."""
    done = git(repo, "rev-parse", "--git-path", "hooks")
    if done.returncode != 0:
        return None
    path = Path(done.stdout.strip())
    return path if path.is_absolute() else (repo / path)


def staged_diff(repo: Path) -> str:
    done = git(repo, "diff", "--cached", "--no-color", "--no-ext-diff", "-M")
    if done.returncode != 0:
        raise OSError(done.stderr.strip() or "git diff --cached failed")
    return done.stdout


def hook_timeout(environ: dict[str, str] | os._Environ[str] = os.environ) -> float:
    try:
        return max(1.0, float(environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def current_python() -> str:
    return sys.executable
