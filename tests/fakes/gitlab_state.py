"""The fake GitLab's state: users and tokens, projects with their files, branches and
commits, merge requests with their versions, discussions and notes, pipelines and commit
statuses. Plain data; the server (gitlab_server.py) reads and changes it under its lock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.gitlab_diffs import DiffEntry, entries_from_git_diff
from tests.fakes.http_base import ForgeRequest

GUEST, REPORTER, DEVELOPER, MAINTAINER, OWNER = 10, 20, 30, 40, 50


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def sha_of(*parts: object) -> str:
    return hashlib.sha1(":".join(str(p) for p in parts).encode()).hexdigest()


@dataclass(frozen=True)
class GitLabRequest(ForgeRequest):
    """One request; `path` is relative to /api/v4 and URL-decoded ("/projects/g/p/...")."""


@dataclass
class FakeUser:
    id: int
    username: str
    name: str
    bot: bool = False


@dataclass
class FakeToken:
    token: str
    user: FakeUser
    scopes: tuple[str, ...] = ("api",)


@dataclass
class FakeVersion:
    id: int
    head: str
    base: str  # the merge base: what the diff's old lines count from
    start: str  # the target branch's tip when the version was made
    diff: str
    created_at: str = field(default_factory=now)
    _entries: list[DiffEntry] | None = field(default=None, repr=False)

    def entries(self, hidden: dict[str, str] | None = None) -> list[DiffEntry]:
        if self._entries is None:
            self._entries = entries_from_git_diff(self.diff)
        for entry in self._entries:
            entry.hidden = (hidden or {}).get(entry.new_path, "")
        return self._entries

    def refs_match(self, position: dict[str, Any]) -> bool:
        return (position.get("base_sha"), position.get("start_sha"), position.get("head_sha")) == (
            self.base,
            self.start,
            self.head,
        )


@dataclass
class FakeNote:
    id: int
    author: FakeUser
    body: str
    type: str | None  # None (a plain note), "DiscussionNote", "DiffNote"
    position: dict[str, Any] | None = None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    system: bool = False


@dataclass
class FakeDiscussion:
    id: str
    individual_note: bool
    notes: list[FakeNote]


@dataclass
class FakePipeline:
    id: int
    sha: str
    ref: str
    source: str  # "push", "merge_request_event", "external"
    status: str = "running"


@dataclass
class FakeStatus:
    id: int
    sha: str
    ref: str
    name: str
    status: str
    pipeline_id: int
    author: FakeUser
    description: str | None = None
    target_url: str | None = None
    created_at: str = field(default_factory=now)


@dataclass
class FakeMR:
    project: FakeProject
    iid: int
    id: int
    title: str
    description: str
    author: FakeUser
    source_branch: str
    target_branch: str
    draft: bool
    labels: list[str]
    versions: list[FakeVersion]  # oldest first
    source_project_id: int
    state: str = "opened"
    discussions: list[FakeDiscussion] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)  # path -> too_large | collapsed
    head_pipeline_id: int | None = None

    @property
    def latest(self) -> FakeVersion:
        return self.versions[-1]

    @property
    def head_sha(self) -> str:
        return self.latest.head

    def entries(self, version: FakeVersion | None = None) -> list[DiffEntry]:
        return (version or self.latest).entries(self.hidden)

    def notes(self) -> list[FakeNote]:
        return [n for d in self.discussions for n in d.notes]

    @property
    def diff_notes(self) -> list[FakeNote]:
        return [n for n in self.notes() if n.type == "DiffNote"]

    @property
    def plain_notes(self) -> list[FakeNote]:
        return [n for d in self.discussions if d.individual_note for n in d.notes]


@dataclass
class FakeProject:
    id: int
    path: str  # path_with_namespace: "group/sub/proj"
    default_branch: str = "main"
    visibility: str = "private"
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # ref or SHA -> path
    branches: dict[str, str] = field(default_factory=dict)  # name -> SHA
    commits: dict[str, list[str]] = field(default_factory=dict)  # SHA -> parent SHAs
    members: dict[int, int] = field(default_factory=dict)  # user id -> access level
    mrs: dict[int, FakeMR] = field(default_factory=dict)
    pipelines: list[FakePipeline] = field(default_factory=list)
    statuses: list[FakeStatus] = field(default_factory=list)
    compares: dict[tuple[str, str], str] = field(default_factory=dict)  # (from, to) -> diff

    def resolve(self, ref: str) -> str | None:
        """A branch name or a SHA the project has, as a SHA."""
        ref = ref.removeprefix("refs/heads/")
        if ref in self.branches:
            return self.branches[ref]
        return ref if ref in self.commits else None

    def ancestors(self, sha: str) -> list[str]:
        """`sha` and every commit before it, nearest first."""
        seen: list[str] = []
        pending = [sha]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.append(current)
            pending += self.commits.get(current, [])
        return seen
