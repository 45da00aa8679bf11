"""Real git repositories in a temporary folder, built with the git command line.

The code under test reads repositories through gitpython; building them with plain
`git` keeps the fixtures independent of the thing being tested.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# A developer's ~/.gitconfig (diff.noprefix, diff.algorithm, color.ui...) must not
# change what the tests see; the source pins its own options, and these tests check it.
ISOLATED_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def init(cls, path: Path) -> GitRepo:
        path.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        repo.git("-c", "init.defaultBranch=main", "init", "-q")
        repo.git("config", "user.name", "Test User")
        repo.git("config", "user.email", "test@example.com")
        repo.git("config", "commit.gpgsign", "false")
        return repo

    def git(self, *args: str) -> str:
        env = {**os.environ, **ISOLATED_ENV}
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
        return done.stdout.strip()

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            # newline="" so a test can write CRLF content byte for byte
            target.write_text(content, encoding="utf-8", newline="")
        return target

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.sha()

    def sha(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)

    def switch(self, branch: str, create: bool = False) -> None:
        self.git("switch", "-q", *(["-c"] if create else []), branch)

    def feature(self, files: dict[str, str], base: dict[str, str] | None = None) -> GitRepo:
        """`main` with `base` (a README by default), then a checked-out `feature` branch
        one commit ahead that writes `files`: the shape of most pull requests."""
        for rel, text in (base or {"README.md": "demo\n"}).items():
            self.write(rel, text)
        self.commit("base")
        self.switch("feature", create=True)
        for rel, text in files.items():
            self.write(rel, text)
        self.commit("feature")
        return self

    def on_base(self, files: dict[str, str], message: str = "base policy") -> None:
        """Commit `files` on `main` and merge it into the checked-out `feature` branch: the
        base a change is reviewed under (its settings, its rules) moves on."""
        self.switch("main")
        for rel, text in files.items():
            self.write(rel, text)
        self.commit(message)
        self.switch("feature")
        self.git("merge", "-q", "--no-edit", "main")


def numbered(n: int, prefix: str = "line") -> str:
    """n lines "line 1" .. "line n", newline-terminated: easy to reason about in hunks."""
    return "".join(f"{prefix} {i}\n" for i in range(1, n + 1))
