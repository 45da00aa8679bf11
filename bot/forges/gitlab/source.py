"""A merge request as the door's ChangeSource (bot/forges/contract.py).

The change is the merge request's /diffs (paged, one entry per file) read into the shared
model (diffs.py). The files' text is read raw at the SHAs GitLab's `diff_refs` name: the
head for new lines, the merge base (`base_sha`) for old ones, which is what the diff's old
line numbers count from. Settings are `.switchyard.yml` at the target branch
(base_settings.py), rule files through the tree and raw endpoints (repo_files.py).

After a push, the files changed since the last reviewed head come from compare, trusted only
when that head is one GitLab recorded as a version of this merge request (a push it saw)
and is an ancestor of the new head: after a force-push the whole change is reviewed again.
What the publishers need of the merge request (its diff refs, address, head pipeline, files)
is kept in `facts` as read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitlab.exceptions import GitlabError

from bot.change.content import SideLoader
from bot.change.model import Change, FileChange, Side, SkippedFile
from bot.forges.contract import ChangeRequest, FetchedRules
from bot.forges.gitlab.client import NETWORK_ERRORS, GitLabAPI, gitlab_error
from bot.forges.gitlab.diffs import file_changes, touched_paths
from bot.forges.gitlab.repo_files import fetch_rule_files, read_raw

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DiffRefs:
    """The three SHAs a diff note's position names (the merge request's latest version)."""

    base_sha: str  # the merge base
    start_sha: str  # the target branch's tip
    head_sha: str


@dataclass(slots=True)
class MergeRequestFacts:
    """What the publishers need of the merge request, as the source read it."""

    project_id: int
    iid: int
    web_url: str
    refs: DiffRefs
    source_branch: str
    fork: bool
    head_pipeline: tuple[int, str, str] | None  # (id, sha, ref) of the head pipeline
    files: dict[str, FileChange] = field(default_factory=dict)  # by path at head

    def note_url(self, note_id: int) -> str:
        return f"{self.web_url}#note_{note_id}"


class GitLabSource:
    def __init__(self, api: GitLabAPI, project: str, iid: int) -> None:
        self.api = api
        self._project = project
        self.iid = iid
        self._facts: MergeRequestFacts | None = None

    @property
    def repository(self) -> str:
        return self._project

    @property
    def facts(self) -> MergeRequestFacts:
        if self._facts is None:
            raise RuntimeError("read_change first: the merge request has not been read")
        return self._facts

    def project(self) -> Any:
        return self.api.gl.projects.get(self._project, lazy=True)

    def merge_request(self) -> Any:
        """The merge request as a lazy python-gitlab object: no request until used."""
        return self.project().mergerequests.get(self.iid, lazy=True)

    def read_change(self) -> tuple[Change, ChangeRequest]:
        label = f"{self._project}!{self.iid}"
        try:
            mr = self.project().mergerequests.get(self.iid).attributes
            path = f"/projects/{mr['project_id']}/merge_requests/{self.iid}/diffs"
            entries = list(self.api.gl.http_list(path, iterator=True))
        except (GitlabError, *NETWORK_ERRORS) as exc:
            raise gitlab_error(exc, f"read merge request {label}", url=self.api.url) from None
        files, withheld = file_changes(entries, f"gitlab {label}")
        info = _info(mr, self._project)
        refs = _refs(mr)
        self._facts = MergeRequestFacts(
            project_id=int(mr["project_id"]),
            iid=self.iid,
            web_url=info.web_url,
            refs=refs,
            source_branch=info.head_ref,
            fork=info.fork,
            head_pipeline=_pipeline(mr.get("head_pipeline")),
            files={f.path: f for f in files},
        )
        if str(mr.get("changes_count") or "").endswith("+"):
            # GitLab stops listing files past its diff limits and says so only here.
            more = f"more than {mr['changes_count'].rstrip('+')} files"
            withheld.append(SkippedFile(f"({more})", "not listed: past GitLab's diff limits"))
        old_paths = {f.path: f.old_path for f in files if f.old_path}
        change = Change(
            files=files,
            skipped=withheld,
            source=f"gitlab {label}",
            base_sha=info.base_sha,
            head_sha=info.head_sha,
            repo_root=None,
            load_content=ContentLoader(self, refs, old_paths),
        )
        return change, info

    def read_file(self, path: str, ref: str, *, purpose: str) -> bytes | None:
        return read_raw(self.api, self.project(), path, ref, purpose=purpose)

    def rule_files(self, ref: str, rules: list[str], dest: Path) -> FetchedRules:
        return fetch_rule_files(self.api, self.project(), ref, rules, dest)

    def changed_since(self, old_head: str, new_head: str) -> frozenset[str] | None:
        try:
            versions = self.merge_request().diffs.list(get_all=True)
            if old_head not in {v.head_commit_sha for v in versions}:
                log.info("%s is no version of !%d: reviewing it all", old_head[:12], self.iid)
                return None
            compared = self.project().repository_compare(old_head, new_head)
        except (GitlabError, *NETWORK_ERRORS) as exc:
            # Whatever GitLab says, the safe answer is to review the whole change.
            log.info("incremental range unavailable (%s): reviewing it all", exc)
            return None
        commits = compared.get("commits") or []
        if not any(old_head in (c.get("parent_ids") or []) for c in commits):
            return None  # not an ancestor: a force-push (or nothing new)
        return touched_paths(compared.get("diffs") or [])


class ContentLoader(SideLoader):
    """A file's text read raw: new lines at the head, old ones at the merge base."""

    def __init__(self, source: GitLabSource, refs: DiffRefs, old_paths: dict[str, str]) -> None:
        super().__init__(old_paths)
        self.source = source
        self.refs = refs

    def read(self, path: str, side: Side) -> bytes | None:
        ref = self.refs.base_sha if side is Side.LEFT else self.refs.head_sha
        return self.source.read_file(path, ref, purpose="read file contents")


def _info(mr: dict[str, Any], project: str) -> ChangeRequest:
    refs = mr.get("diff_refs") or {}
    fork = mr.get("source_project_id") != mr.get("target_project_id")
    labels = [lb if isinstance(lb, str) else lb.get("name", "") for lb in mr.get("labels") or []]
    return ChangeRequest(
        repository=project,
        number=int(mr["iid"]),
        title=mr.get("title") or "",
        body=mr.get("description") or "",
        author=(mr.get("author") or {}).get("username", ""),
        labels=tuple(label for label in labels if label),
        draft=bool(mr.get("draft") or mr.get("work_in_progress")),
        state="open" if mr.get("state") == "opened" else "closed",
        base_ref=mr.get("target_branch") or "",
        base_sha=refs.get("start_sha") or refs.get("base_sha") or "",
        head_ref=mr.get("source_branch") or "",
        head_sha=refs.get("head_sha") or mr.get("sha") or "",
        head_repo=project if not fork else f"project {mr.get('source_project_id')}",
        fork=fork,
        web_url=mr.get("web_url") or "",
        ref_kind="mr",
    )


def _refs(mr: dict[str, Any]) -> DiffRefs:
    refs = mr.get("diff_refs") or {}
    head = refs.get("head_sha") or mr.get("sha") or ""
    base = refs.get("base_sha") or ""
    return DiffRefs(base_sha=base, start_sha=refs.get("start_sha") or base, head_sha=head)


def _pipeline(data: Any) -> tuple[int, str, str] | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return data["id"], str(data.get("sha") or ""), str(data.get("ref") or "")
