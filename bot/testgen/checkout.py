"""A throwaway copy of the repository for one test run: a detached git worktree at a
revision, or a plain copy of a folder; removed afterwards either way."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Git locks .git/worktrees while it adds or removes one; parallel verifications of one
# repository would otherwise fail on each other's lock instead of waiting.
_WORKTREES = threading.Lock()


class CheckoutError(Exception):
    pass


@contextmanager
def checkout(repo: Path, rev: str | None, into: Path) -> Iterator[Path]:
    """`repo` at `rev` in `into/checkout`; with no `rev`, a copy of the folder as it is
    (without .git and node_modules: the run links the original's node_modules back)."""
    target = into / "checkout"
    if rev is None:
        ignored = shutil.ignore_patterns(".git", "node_modules")
        try:
            shutil.copytree(repo, target, symlinks=True, ignore=ignored)
        except OSError as failed:  # shutil.Error too: an unreadable file, a vanished one
            raise CheckoutError(f"could not copy {repo}: {failed}") from failed
        yield target
        return
    # No hooks: post-checkout would run the repository's configured code outside the sandbox.
    _git(repo, "-c", "core.hooksPath=/dev/null", "worktree", "add", "--detach", "--quiet",
         str(target), rev)  # fmt: skip
    try:
        yield target
    finally:
        try:
            _git(repo, "worktree", "remove", "--force", str(target))
        except CheckoutError:
            shutil.rmtree(target, ignore_errors=True)
            _git(repo, "worktree", "prune")


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    with _WORKTREES:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False
        )
    if done.returncode != 0:
        raise CheckoutError(f"git {' '.join(args)}: {done.stderr.strip()}")
