"""The repository's own semgrep rules (`security.semgrep_rules`), read from a pull
request's base branch through the contents API when there is no checkout.

Read from the base, never the PR's head, as `.switchyard.yml` is: a pull request must not
change the rules it is scanned under. The files are written under a folder the caller
owns (and removes), keeping their paths in the repository, so a named folder stays a
folder semgrep can be given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.change.repo_paths import repo_relative
from bot.forges.contract import FetchedRules
from bot.forges.github.source import file_bytes, get_contents

if TYPE_CHECKING:
    from github import Github

__all__ = ["MAX_RULE_FILES", "fetch_rule_files"]

MAX_RULE_FILES = 100  # files read in all, whatever the named folders hold
MAX_RULE_FOLDERS = 100  # folder listings, one API call each
MAX_CONTENT_BYTES = 1024 * 1024  # the contents API sends no content above this
_LISTING_LIMIT = 1000  # the contents API lists at most this many entries of a folder
RULE_SUFFIXES = (".yml", ".yaml")
_PURPOSE = "read the repository's semgrep rules"


def fetch_rule_files(
    gh: Github, repository: str, ref: str, rules: list[str], dest: Path
) -> FetchedRules:
    """Write the rule files and folders named in `rules` (paths in the repository) as they
    are on `ref` under `dest`; folders are read recursively, their .yml/.yaml files only.

    Raises ConfigError (token refused or lacking permission) or IncompleteError (network,
    rate limit, GitHub failing) as the other contents reads do.
    """
    return _Fetch(gh, repository, ref, dest).run(rules)


class _Fetch:
    def __init__(self, gh: Github, repository: str, ref: str, dest: Path) -> None:
        self.gh = gh
        self.repository = repository
        self.ref = ref
        self.dest = dest
        self.out = FetchedRules()
        self.written: set[str] = set()
        self.folders = 0
        self.full = False  # a limit was reached: nothing more is read

    def run(self, rules: list[str]) -> FetchedRules:
        for name in rules:
            if self.full:
                self.note(f"{name} was not read: the limit above was reached first")
                continue
            rel = repo_relative(name)
            if rel is None:
                self.note(f"{name!r} is not a file or folder inside the repository: not read")
                continue
            data = get_contents(self.gh, self.repository, rel, self.ref, purpose=_PURPOSE)
            if data is None:
                self.note(f"{rel} does not exist on {self.ref} of {self.repository}: not run")
            elif isinstance(data, list):
                self.folders += 1
                if self.folder(rel, data):
                    self.out.paths.append(self.dest / rel)
                elif not self.full:
                    self.note(f"folder {rel} on {self.ref} holds no .yml or .yaml files")
            elif self.file(rel, data):
                self.out.paths.append(self.dest / rel)
        return self.out

    def note(self, text: str) -> None:
        self.out.notes.append(f"semgrep rules (security.semgrep_rules): {text}")

    def folder(self, rel: str, entries: list[Any]) -> bool:
        """Reads the rule files under folder `rel`; True if any was written."""
        found = False
        pending = [(rel, entries)]
        while pending and not self.full:
            here, listed = pending.pop()
            if len(listed) >= _LISTING_LIMIT:
                self.note(
                    f"GitHub lists at most {_LISTING_LIMIT:,} entries of a folder: "
                    f"rule files past them in {here} were not read"
                )
            for entry in sorted(listed, key=lambda e: str(e.get("path", ""))):
                path = repo_relative(str(entry.get("path", "")))
                if path is None or not path.startswith(f"{here}/"):
                    continue  # never written outside the folder asked for
                kind = entry.get("type")
                if kind == "dir":
                    sub = self.list_folder(path)
                    if sub is not None:
                        pending.append((path, sub))
                    if self.full:
                        break
                elif path.endswith(RULE_SUFFIXES):
                    if kind != "file":
                        self.note(f"{path} is a {kind}, not a file: not read")
                    elif int(entry.get("size") or 0) > MAX_CONTENT_BYTES:
                        self.note(f"{path} is over 1 MB, more than the contents API sends")
                    else:
                        data = get_contents(
                            self.gh, self.repository, path, self.ref, purpose=_PURPOSE
                        )
                        found = self.file(path, data) or found
                    if self.full:
                        break
        return found

    def list_folder(self, path: str) -> list[Any] | None:
        if self.folders >= MAX_RULE_FOLDERS:
            self.full = True
            self.note(f"more than {MAX_RULE_FOLDERS} folders: {path} and what follows not read")
            return None
        self.folders += 1
        listed = get_contents(self.gh, self.repository, path, self.ref, purpose=_PURPOSE)
        return listed if isinstance(listed, list) else None

    def file(self, path: str, data: Any) -> bool:
        """Writes one file's contents; True if written (or already written)."""
        if path in self.written:
            return True
        if len(self.written) >= MAX_RULE_FILES:
            self.full = True
            self.note(f"more than {MAX_RULE_FILES} rule files: {path} and what follows not read")
            return False
        content = file_bytes(data)
        if content is None:
            self.note(
                f"{path} on {self.ref} was not read: GitHub sent no content for it "
                "(over 1 MB, or a symlink or submodule)"
            )
            return False
        target = self.dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.written.add(path)
        return True
