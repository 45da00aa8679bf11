"""The repository's own policy files as on a change's base commit, read with git.

A change must not alter the policy it is reviewed under: on a pull request the GitHub door
reads `.switchyard.yml` and the semgrep rules it names from the base branch. A branch
checked out in CI (the GitLab template, a Jenkins build, `review --base`) holds the change's
own versions of those files in its working tree, so they are read from the merge-base
instead, into a private temporary folder.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.change.repo_paths import repo_relative

SETTINGS_NAMES = (".switchyard.yml", ".switchyard.yaml")
_GIT_TIMEOUT_S = 60


class BaseFiles:
    """Files of the repository at `sha`, written under a folder this object owns."""

    def __init__(self, repo_root: Path, sha: str) -> None:
        self.repo_root = repo_root
        self.sha = sha
        self._tmp = tempfile.TemporaryDirectory(prefix="switchyard-base-")
        self.dir = Path(self._tmp.name)
        self._settings: dict[str, bytes | None] = {}  # name -> its text at the base

    def close(self) -> None:
        self._tmp.cleanup()

    def settings_dir(self) -> Path:
        """A folder holding the settings file(s) as on the base; empty when it had none."""
        for name in SETTINGS_NAMES:
            text = self._settings[name] = self._show(name)
            if text is not None:
                (self.dir / name).write_bytes(text)
        return self.dir

    def settings_edited(self, head: str) -> list[str]:
        """The settings files whose text at `head` differs from the base (after
        settings_dir, which read the base's)."""
        return [n for n in SETTINGS_NAMES if self._show(n, head) != self._settings.get(n)]

    def extract(self, names: Sequence[str]) -> list[str]:
        """Writes the files and folders `names` as on the base under this folder; returns a
        note for each that could not be. Links are written as committed (members never land
        outside this folder): the caller resolves each path and refuses one that leads
        outside (security.run.repo_rule_paths), as it does in a checkout."""
        notes: list[str] = []
        for name in names:
            rel = repo_relative(name)
            if rel is None or self._show(rel, kind=True) is None:
                notes.append(f"{name} does not exist at the base ({self.sha[:12]}): not run")
                continue
            archive = self._git("archive", "--format=tar", self.sha, "--", rel)
            if archive is None:
                notes.append(f"{name} could not be read at the base ({self.sha[:12]}): not run")
                continue
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                for member in tar.getmembers():
                    try:
                        tar.extract(member, self.dir, filter="tar")
                    except tarfile.FilterError:
                        notes.append(f"{member.name} cannot be written here: not read")
        return notes

    def _show(self, path: str, rev: str | None = None, *, kind: bool = False) -> bytes | None:
        spec = f"{rev or self.sha}:{path}"
        if kind:
            return self._git("cat-file", "-t", spec)
        return self._git("show", spec)

    def _git(self, *args: str) -> bytes | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.repo_root), *args],
                capture_output=True,
                check=False,
                timeout=_GIT_TIMEOUT_S,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None
