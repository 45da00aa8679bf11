"""A Change from a GitHub pull request, and the repository's settings from its base branch.

The PR's unified diff (the diff media type) is parsed exactly as a patch is, so a PR and
`git diff` of the same commits give the same Change. GitHub refuses that media type past
300 files or 20,000 lines (406 "too_large"); the Change is then rebuilt from the paged
files list, whose per-file `patch` holds the same hunks. Files the list has no patch for
(binary, or past GitHub's limits) are listed as skipped, never dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote

import requests
from github import Github, GithubException
from urllib3.exceptions import HTTPError as Urllib3Error

from bot.change.content import SideLoader
from bot.change.filters import apply_filters
from bot.change.language import language_for
from bot.change.model import Change, FileChange, FileStatus, Side, SkippedFile
from bot.change.parse import parse_diff, parse_hunks
from bot.config.model import FilterConfig
from bot.forges.base_settings import repo_settings
from bot.forges.contract import ChangeRequest
from bot.forges.github.client import github_error

__all__ = ["MAX_LISTED_FILES", "change_from_github", "repo_config_from_base"]

DIFF_MEDIA_TYPE = "application/vnd.github.v3.diff"
MAX_LISTED_FILES = 3000  # GitHub's files list stops here, whatever the page size
_NETWORK_ERRORS = (requests.RequestException, Urllib3Error, ConnectionError, TimeoutError)
_GITHUB_ERRORS = (GithubException, *_NETWORK_ERRORS)
_STATUS = {
    "added": FileStatus.ADDED,
    "removed": FileStatus.DELETED,
    "renamed": FileStatus.RENAMED,
    "copied": FileStatus.ADDED,  # the model has no "copied"; old_path keeps the source
}
# What filters say of a file with no hunks; wrong for a file GitHub sent no patch for.
_NO_HUNK_REASONS = ("empty file added", "no line changes", "mode change only")


def change_from_github(
    gh: Github, repository: str, number: int, filters: FilterConfig
) -> tuple[Change, ChangeRequest]:
    """Fetch pull request `repository#number` and build its filtered Change.

    Raises InputError (not found), ConfigError (token refused or lacking permission) or
    IncompleteError (network, rate limit, GitHub failing).
    """
    api_url = _api_url(gh)
    action = f"read pull request {repository}#{number}"
    try:
        _, pr = gh.requester.requestJsonAndCheck("GET", f"/repos/{repository}/pulls/{number}")
        info = _info(pr, repository, number)
        text = _fetch_diff(gh, repository, number)
        if text is None:
            files, skipped_extra = _files_from_list(gh, repository, number, pr)
        else:
            files = parse_diff(text, f"github {repository}#{number}") if text.strip() else []
            skipped_extra = []
    except _GITHUB_ERRORS as exc:
        raise github_error(exc, action, api_url=api_url) from None

    old_paths = {f.path: f.old_path for f in files if f.old_path and f.old_path != f.path}
    no_patch = {s.path for s in skipped_extra}
    kept, skipped = apply_filters(files, filters)
    kept, skipped = _explain_missing_patches(kept, skipped, skipped_extra, no_patch)
    loader = GitHubContentLoader(gh, repository, info.base_sha, info.head_sha, old_paths)
    change = Change(
        files=kept,
        skipped=skipped,
        source=f"github {repository}#{number}",
        base_sha=info.base_sha,
        head_sha=info.head_sha,
        repo_root=None,
        load_content=loader,
    )
    return change, info


def repo_config_from_base(gh: Github, repository: str, base_ref: str) -> dict[str, Any] | None:
    """The repository's .switchyard.yml (or .yaml) as on `base_ref`, parsed; None if absent
    (base_settings.repo_settings). Raises ConfigError also for a token that may not read
    contents."""

    def read(path: str, ref: str) -> bytes | None:
        return get_file(gh, repository, path, ref, purpose="read its settings")

    return repo_settings(read, repository, base_ref)


class GitHubContentLoader(SideLoader):
    """Loads file text through the contents API (content.SideLoader: once per path and
    side, thread-safe). LEFT is read at the merge base (what the diff's old line numbers
    count from), found on first use from the compare API; RIGHT at the head SHA. None when
    the file is absent on that side, binary, not UTF-8, or too large for the API.
    """

    def __init__(
        self,
        gh: Github,
        repository: str,
        base_sha: str,
        head_sha: str,
        old_paths: dict[str, str],
    ) -> None:
        super().__init__(old_paths)
        self._gh = gh
        self._repository = repository
        self._base_sha = base_sha
        self._head_sha = head_sha
        self._merge_base: str | None = None

    def read(self, path: str, side: Side) -> bytes | None:
        ref = self._left_ref() if side is Side.LEFT else self._head_sha
        return get_file(self._gh, self._repository, path, ref, purpose="read file contents")

    def _left_ref(self) -> str:
        if self._merge_base is None:
            url = f"/repos/{self._repository}/compare/{self._base_sha}...{self._head_sha}"
            try:
                _, data = self._gh.requester.requestJsonAndCheck(
                    "GET", url, parameters={"per_page": 1}
                )
                self._merge_base = str(data["merge_base_commit"]["sha"])
            except (GithubException, KeyError, TypeError):
                # Without a merge base the base tip is the nearest answer; it differs
                # only when the base branch moved after the PR branched off.
                self._merge_base = self._base_sha
            except _NETWORK_ERRORS as exc:
                action = "compare the PR's commits"
                raise github_error(exc, action, api_url=_api_url(self._gh)) from None
        return self._merge_base


# -- fetching --------------------------------------------------------------------------------


def _api_url(gh: Github) -> str:
    # PyGithub keeps the base URL on its requester; only messages need it.
    return str(getattr(gh.requester, "base_url", "") or "GitHub")


def _info(pr: dict[str, Any], repository: str, number: int) -> ChangeRequest:
    head, base = pr["head"], pr["base"]
    head_repo = head["repo"]["full_name"] if head.get("repo") else None
    base_repo = base["repo"]["full_name"] if base.get("repo") else repository
    return ChangeRequest(
        repository=repository,
        number=number,
        title=pr.get("title") or "",
        body=pr.get("body") or "",
        author=(pr.get("user") or {}).get("login", ""),
        labels=tuple(label["name"] for label in pr.get("labels") or ()),
        draft=bool(pr.get("draft")),
        state=pr.get("state") or "open",
        base_ref=base["ref"],
        base_sha=base["sha"],
        head_ref=head["ref"],
        head_sha=head["sha"],
        head_repo=head_repo,
        fork=head_repo is None or head_repo.lower() != base_repo.lower(),
        web_url=pr.get("html_url") or "",
    )


def _fetch_diff(gh: Github, repository: str, number: int) -> str | None:
    """The PR's unified diff, or None when GitHub finds it too large to send."""
    url = f"/repos/{repository}/pulls/{number}"
    status, headers, text = gh.requester.requestJson(
        "GET", url, headers={"Accept": DIFF_MEDIA_TYPE}
    )
    if status == 200:
        return text
    data = _json_or_none(text)
    if status in (406, 422) and _too_large(data):
        return None
    raise gh.requester.createException(status, headers, data)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return {"message": text[:200]}


def _too_large(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    errors = data.get("errors") or []
    if any(isinstance(e, dict) and e.get("code") == "too_large" for e in errors):
        return True
    return "diff exceeded the maximum" in str(data.get("message", ""))


def _files_from_list(
    gh: Github, repository: str, number: int, pr: dict[str, Any]
) -> tuple[list[FileChange], list[SkippedFile]]:
    files: list[FileChange] = []
    no_patch: list[SkippedFile] = []
    url: str | None = f"/repos/{repository}/pulls/{number}/files"
    params: dict[str, Any] | None = {"per_page": 100}
    while url:
        headers, page = gh.requester.requestJsonAndCheck("GET", url, parameters=params)
        for entry in page or []:
            change, reason = _file_change(entry, number)
            files.append(change)
            if reason:
                no_patch.append(SkippedFile(change.path, reason))
        url, params = _next_link(headers), None  # the next link carries the query
    missing = int(pr.get("changed_files") or 0) - len(files)
    if missing > 0 and len(files) >= MAX_LISTED_FILES:
        no_patch.append(
            SkippedFile(
                f"({missing:,} more files)",
                f"not listed: GitHub lists at most {MAX_LISTED_FILES:,} files of a pull request",
            )
        )
    return files, no_patch


def _next_link(headers: dict[str, Any]) -> str | None:
    for part in str(headers.get("link") or headers.get("Link") or "").split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return url.strip().strip("<>")
    return None


def _file_change(entry: dict[str, Any], number: int) -> tuple[FileChange, str | None]:
    """One listed file as a FileChange, and why it has no hunks when GitHub sent no patch."""
    path = entry["filename"]
    kind = entry.get("status", "modified")
    status = _STATUS.get(kind, FileStatus.MODIFIED)
    previous = entry.get("previous_filename")
    patch = entry.get("patch")
    changes = int(entry.get("changes") or 0)
    if status is FileStatus.ADDED:
        old_path = previous if kind == "copied" else None
    else:
        old_path = previous or path
    hunks = []
    if patch:
        # Only the hunks are taken from the parse; path and status come from GitHub's
        # fields, which need no quoting rules.
        hunks = parse_hunks(patch, f"github PR #{number} file {path}")
    change = FileChange(
        path=path,
        old_path=old_path,
        status=status,
        hunks=hunks,
        language=language_for(path),
    )
    if patch or status is FileStatus.DELETED:
        return change, None
    if status is FileStatus.RENAMED and not changes:
        return change, None  # a pure rename: the filters explain it
    if changes:
        return change, f"GitHub sent no patch: too large to show ({changes:,} changed lines)"
    return change, "GitHub sent no patch: binary or empty file"


def _explain_missing_patches(
    kept: list[FileChange],
    skipped: list[SkippedFile],
    extra: list[SkippedFile],
    no_patch: set[str],
) -> tuple[list[FileChange], list[SkippedFile]]:
    reasons = {s.path: s.reason for s in extra}
    still: list[FileChange] = []
    out_skipped: list[SkippedFile] = []
    for s in skipped:
        # The user's patterns and the default filters explain themselves; "no line
        # changes" would hide that GitHub withheld the lines.
        if s.path in no_patch and s.reason.startswith(_NO_HUNK_REASONS):
            out_skipped.append(SkippedFile(s.path, reasons[s.path]))
        else:
            out_skipped.append(s)
    for f in kept:
        if f.path in no_patch:
            out_skipped.append(SkippedFile(f.path, reasons[f.path]))
        else:
            still.append(f)
    listed = {f.path for f in kept} | {s.path for s in skipped}
    out_skipped += [s for s in extra if s.path not in listed]
    return still, out_skipped


def get_file(gh: Github, repository: str, path: str, ref: str, *, purpose: str) -> bytes | None:
    """A file's bytes at `ref` through the contents API; None when absent or too large."""
    return file_bytes(get_contents(gh, repository, path, ref, purpose=purpose))


def get_contents(gh: Github, repository: str, path: str, ref: str, *, purpose: str) -> Any:
    """The contents API's answer for `path` at `ref` (a file's object, a folder's list of
    entries), or None when there is nothing there. Raises what `github_error` makes of any
    other refusal or failure."""
    url = f"/repos/{repository}/contents/{quote(path)}"
    try:
        _, data = gh.requester.requestJsonAndCheck("GET", url, parameters={"ref": ref})
    except GithubException as exc:
        if exc.status == 404:
            return None
        raise github_error(
            exc,
            f"{purpose} ({path} at {ref} in {repository})",
            api_url=_api_url(gh),
            permission="Contents: read",
        ) from None
    except _NETWORK_ERRORS as exc:
        raise github_error(exc, f"{purpose} ({path})", api_url=_api_url(gh)) from None
    return data


def file_bytes(data: Any) -> bytes | None:
    """The bytes of a contents API file object; None for anything else or no content."""
    if not isinstance(data, dict) or data.get("type") != "file":
        return None  # a directory, symlink or submodule by that name
    if data.get("encoding") != "base64":
        return None  # over 1 MB the API sends no content
    try:
        return base64.b64decode(data.get("content") or "")
    except (binascii.Error, ValueError):
        return None
