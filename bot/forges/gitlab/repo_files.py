"""Files of a GitLab project at a ref: one file raw, and the repository's own semgrep rules
(`security.semgrep_rules`) through the tree API, read from the target branch.

Read from the target branch, never the merge request's head, as `.switchyard.yml` is: a
change must not alter the rules it is scanned under. GitLab's tree API lists a folder with
everything below it in one paged call (`recursive=true`), so a named folder costs one
listing and a read per rule file. The files are written under a folder the caller owns,
at their paths in the repository, so a named folder stays a folder semgrep can be given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitlab.exceptions import GitlabError

from bot.change.repo_paths import repo_relative
from bot.forges.contract import FetchedRules
from bot.forges.gitlab.client import NETWORK_ERRORS, GitLabAPI, gitlab_error

MAX_RULE_FILES = 100  # files read in all, whatever the named folders hold
MAX_LISTED = 5000  # tree entries looked at per named folder
RULE_SUFFIXES = (".yml", ".yaml")
_PURPOSE = "read the repository's semgrep rules"


def read_raw(api: GitLabAPI, project: Any, path: str, ref: str, *, purpose: str) -> bytes | None:
    """The bytes of `path` at `ref`; None when there is no such file there."""
    try:
        data = project.files.raw(file_path=path, ref=ref)
    except GitlabError as exc:
        if exc.response_code == 404:
            return None
        raise gitlab_error(exc, f"{purpose} ({path} at {ref})", url=api.url) from None
    except NETWORK_ERRORS as exc:
        raise gitlab_error(exc, f"{purpose} ({path})", url=api.url) from None
    return bytes(data) if data is not None else None


def fetch_rule_files(
    api: GitLabAPI, project: Any, ref: str, rules: list[str], dest: Path
) -> FetchedRules:
    """Write the rule files and folders named in `rules` as they are on `ref` under `dest`;
    folders are read recursively, their .yml/.yaml files only. Raises ConfigError or
    IncompleteError (gitlab_error) for a refusal or an outage."""
    return _Fetch(api, project, ref, dest).run(rules)


class _Fetch:
    def __init__(self, api: GitLabAPI, project: Any, ref: str, dest: Path) -> None:
        self.api = api
        self.project = project
        self.ref = ref
        self.dest = dest
        self.out = FetchedRules()
        self.written: set[str] = set()

    def run(self, rules: list[str]) -> FetchedRules:
        for name in rules:
            rel = repo_relative(name)
            if rel is None:
                self.note(f"{name!r} is not a file or folder inside the repository: not read")
                continue
            if len(self.written) >= MAX_RULE_FILES:
                self.note(f"{rel} was not read: more than {MAX_RULE_FILES} rule files")
                continue
            data = None if name.endswith("/") else self.read(rel)
            if data is not None:
                self.write(rel, data)
                self.out.paths.append(self.dest / rel)
                continue
            listed = self.list_folder(rel)
            if listed is None:
                self.note(f"{rel} does not exist on {self.ref}: not run")
            elif self.folder(rel, listed):
                self.out.paths.append(self.dest / rel)
            else:
                self.note(f"folder {rel} on {self.ref} holds no .yml or .yaml files")
        return self.out

    def note(self, text: str) -> None:
        self.out.notes.append(f"semgrep rules (security.semgrep_rules): {text}")

    def read(self, path: str) -> bytes | None:
        return read_raw(self.api, self.project, path, self.ref, purpose=_PURPOSE)

    def list_folder(self, path: str) -> list[dict[str, Any]] | None:
        """Everything below folder `path`; None when it is no folder on the ref."""
        try:
            entries = self.project.repository_tree(
                path=path, ref=self.ref, recursive=True, iterator=True
            )
            found = [e for _, e in zip(range(MAX_LISTED), entries, strict=False)]
        except GitlabError as exc:
            if exc.response_code == 404:
                return None
            raise gitlab_error(exc, f"{_PURPOSE} ({path})", url=self.api.url) from None
        except NETWORK_ERRORS as exc:
            raise gitlab_error(exc, f"{_PURPOSE} ({path})", url=self.api.url) from None
        if len(found) >= MAX_LISTED:
            self.note(f"{path} lists more than {MAX_LISTED} entries: the rest were not read")
        return found or None

    def folder(self, rel: str, entries: list[dict[str, Any]]) -> bool:
        found = False
        for entry in sorted(entries, key=lambda e: str(e.get("path", ""))):
            path = repo_relative(str(entry.get("path", "")))
            if path is None or not path.startswith(f"{rel}/") or entry.get("type") != "blob":
                continue  # never written outside the folder asked for
            if not path.endswith(RULE_SUFFIXES):
                continue
            if len(self.written) >= MAX_RULE_FILES:
                self.note(f"more than {MAX_RULE_FILES} rule files: {path} and what follows")
                break
            data = self.read(path)
            if data is not None:
                self.write(path, data)
                found = True
        return found

    def write(self, path: str, data: bytes) -> None:
        target = self.dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written.add(path)
