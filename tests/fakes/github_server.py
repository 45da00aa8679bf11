"""A stateful fake of GitHub's REST API on loopback, for PyGithub (or any client) to talk to.

Answers are shaped from the examples in GitHub's own OpenAPI description, with the fake's
state written over them, so clients parse them as they parse GitHub's. Every request is
recorded and checked against that description (tests/fakes/openapi_check.py); a request
GitHub would refuse is answered 422 and listed in `.violations`, which
`assert_no_violations()` turns into a test failure.

Rules the fake keeps because clients trip over them on the real service:
- the diff media type of a pull request answers 406 "too_large" past 300 files or
  20,000 lines; the files list pages at most 100 per page and stops at 3,000 files;
- a review comment must sit on a line of the diff (its side, its hunk), else 422 and
  nothing of the review is kept;
- a review created without `event` is PENDING: only its author sees it (and its comments),
  the author may hold one per pull request (any further review, pending or not, is a 422
  until it is submitted or deleted), and only a pending review can be deleted;
- at most 50 check-run annotations per request;
- tokens: unknown -> 401; an installation token reaches only its installation's
  repositories and cannot read /user; `checks_write=False` -> 403 on check runs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

from bot.change.model import FileChange, FileStatus, LineKind, Side
from bot.change.parse import parse_diff
from tests.fakes.http_base import (
    FakeHandler,
    FakeHTTPServer,
    Fault,
    Faults,
    ForgeRecord,
    ForgeRequest,
)
from tests.fakes.openapi_check import DEFAULT_SPEC, Match, SpecIndex, load_index

__all__ = [
    "ANNOTATIONS_LIMIT_MESSAGE",
    "DIFF_MEDIA_TYPE",
    "DIFF_TOO_LARGE_FILES",
    "DIFF_TOO_LARGE_LINES",
    "INTEGRATION_FORBIDDEN",
    "ONE_PENDING_REVIEW",
    "REVIEW_LINE_NOT_IN_DIFF",
    "SECONDARY_RATE_LIMIT",
    "FakeGitHub",
    "FakePR",
    "FakeRepo",
    "GitHubRequest",
]

DIFF_MEDIA_TYPE = "application/vnd.github.v3.diff"
DOCS = "https://docs.github.com/rest"
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID "
    "C0DE:1234:5678:9ABC:DEF0."
)
INTEGRATION_FORBIDDEN = "Resource not accessible by integration"
DIFF_TOO_LARGE_FILES = (
    "Sorry, the diff exceeded the maximum number of files (300). Consider using "
    "'List pull requests files' API or locally cloning the repository instead."
)
DIFF_TOO_LARGE_LINES = "Sorry, the diff exceeded the maximum number of lines (20000)"
REVIEW_LINE_NOT_IN_DIFF = (
    "Pull request review thread line must be part of the diff and "
    "Pull request review thread diff hunk can't be blank"
)
REVIEW_START_LINE_HUNK = (
    "Pull request review thread start line must be part of the same hunk as the line."
)
REVIEW_PATH_UNKNOWN = "Path could not be resolved"
ONE_PENDING_REVIEW = "User can only have one pending review per pull request"
NOT_PENDING_DELETE = "Can not delete a non-pending pull request review"
ALREADY_SUBMITTED = "Could not comment pull request review."
ANNOTATIONS_LIMIT_MESSAGE = (
    "Invalid request.\n\nNo more than 50 items are allowed; {n} were supplied."
)

_JWT_EXPIRED = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time "
    "at which the assertion expires"
)
MAX_DIFF_FILES = 300
MAX_DIFF_LINES = 20_000
MAX_LISTED_FILES = 3_000
MAX_ANNOTATIONS = 50
MAX_CONTENT_BYTES = 1024 * 1024  # the contents API leaves `content` empty above this
_PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
_REPORTED_PERMISSION = {"triage": "read", "maintain": "write"}
_REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
    None: "PENDING",
}
_STATUS_TEXT = {
    400: "Bad Request",
    401: "Bad credentials",
    403: "Forbidden",
    404: "Not Found",
    406: "Not Acceptable",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id_for(text: str) -> int:
    return zlib.crc32(text.encode()) & 0x7FFFFFFF or 1


def _blob_sha(*parts: str) -> str:
    return hashlib.sha1(":".join(parts).encode()).hexdigest()


# -- state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GitHubRequest(ForgeRequest):
    """One request as received; `path` is relative to the API root ("/repos/o/r")."""


@dataclass
class FakeFile:
    """One entry of `pulls/{n}/files`, derived from the pull request's diff."""

    change: FileChange
    status: str  # GitHub's word: added, removed, modified, renamed, copied, changed
    patch: str | None  # the hunks as GitHub lists them; None for binary files
    additions: int
    deletions: int


@dataclass
class FakePR:
    repo: FakeRepo
    number: int
    base_ref: str
    head_ref: str
    base_sha: str
    head_sha: str
    title: str
    body: str
    user: str
    labels: list[str]
    fork: bool
    head_repo: str  # full name of the repository the head branch lives in
    draft: bool
    state: str = "open"
    commits: list[str] = field(default_factory=list)  # head SHAs, oldest first
    diffs: dict[str, str] = field(default_factory=dict)  # head SHA -> base...head diff
    reviews: list[dict[str, Any]] = field(default_factory=list)
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    _files: dict[str, list[FakeFile]] = field(default_factory=dict, repr=False)

    @property
    def diff(self) -> str:
        return self.diffs[self.head_sha]

    @property
    def submitted_reviews(self) -> list[dict[str, Any]]:
        return [r for r in self.reviews if r["state"] != "PENDING"]

    @property
    def pending_reviews(self) -> list[dict[str, Any]]:
        return [r for r in self.reviews if r["state"] == "PENDING"]

    def visible_to(self, login: str | None, review_id: int | None) -> bool:
        """A pending review, and each of its comments, is seen by its author alone."""
        for review in self.reviews:
            if review["id"] == review_id:
                return review["state"] != "PENDING" or review["user"] == login
        return True

    def files(self, sha: str | None = None) -> list[FakeFile]:
        sha = sha or self.head_sha
        if sha not in self._files:
            self._files[sha] = files_from_diff(self.diffs[sha], f"{self.repo.full_name}#{sha}")
        return self._files[sha]

    def push(self, new_head_sha: str, new_diff: str, *, since_diff: str | None = None) -> None:
        """A push to the head branch: `new_diff` is the new base...head diff; `since_diff`,
        when given, the diff from the previous head (served by the compare endpoint)."""
        old = self.head_sha
        files_from_diff(new_diff, f"{self.repo.full_name}#{self.number}")  # fail early
        self.commits.append(new_head_sha)
        self.diffs[new_head_sha] = new_diff
        self.head_sha = new_head_sha
        if not self.fork:
            self.repo.branches[self.head_ref] = new_head_sha
        if since_diff is not None:
            self.repo.compares[(old, new_head_sha)] = since_diff


@dataclass
class FakeRepo:
    full_name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # ref or SHA -> path
    branches: dict[str, str] = field(default_factory=dict)  # branch -> SHA, from PRs
    permissions: dict[str, str] = field(default_factory=dict)  # login -> permission
    pulls: dict[int, FakePR] = field(default_factory=dict)
    issue_comments: list[dict[str, Any]] = field(default_factory=list)
    check_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    compares: dict[tuple[str, str], str] = field(default_factory=dict)  # (base, head) -> diff

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass
class FakeToken:
    token: str
    login: str
    type: str = "User"  # "User" or "Bot"
    checks_write: bool = True
    installation_id: int | None = None
    expires_at: float | None = None  # epoch seconds; installation tokens expire


@dataclass
class FakeApp:
    app_id: int
    public_key_pem: str
    slug: str


@dataclass
class FakeInstallation:
    installation_id: int
    app_id: int
    repos: list[str]


@dataclass(frozen=True)
class Identity:
    kind: str  # "anonymous", "token", "app"
    token: FakeToken | None = None
    app: FakeApp | None = None

    @property
    def login(self) -> str | None:
        return self.token.login if self.token else None


def files_from_diff(diff: str, source: str) -> list[FakeFile]:
    """The files list GitHub derives from a git diff, one entry per `diff --git` section."""
    if not diff.strip():
        return []
    changes = parse_diff(diff, source)
    chunks = _split_git_diff(diff)
    if len(chunks) != len(changes):
        raise ValueError(f"{source}: the fake needs a git diff ('diff --git' headers)")
    out: list[FakeFile] = []
    for change, chunk in zip(changes, chunks, strict=True):
        lines = chunk.split("\n")
        first_hunk = next((i for i, ln in enumerate(lines) if ln.startswith("@@")), None)
        patch = None if first_hunk is None else "\n".join(lines[first_hunk:]).rstrip("\n")
        out.append(
            FakeFile(
                change=change,
                status=_github_status(change),
                patch=None if change.binary else patch,
                additions=change.added,
                deletions=change.removed,
            )
        )
    return out


def _split_git_diff(diff: str) -> list[str]:
    starts = [m.start() for m in re.finditer(r"^diff --git ", diff, re.MULTILINE)]
    return [diff[a:b] for a, b in itertools.pairwise([*starts, len(diff)])]


def _github_status(change: FileChange) -> str:
    if change.status is FileStatus.DELETED:
        return "removed"
    if change.status is FileStatus.RENAMED:
        return "renamed"
    if change.status is FileStatus.ADDED:
        return "copied" if change.old_path else "added"
    if not change.hunks and change.mode_changed:
        return "changed"
    return "modified"


# -- the server ----------------------------------------------------------------------------


class FakeGitHub(FakeHTTPServer[None], ForgeRecord):
    """GitHub's REST API, in memory. `base_url` is what PyGithub takes as `base_url`.

    `api_prefix="/api/v3"` serves the API below that path, as GitHub Enterprise Server
    does; `spec="ghes-3.17"` checks requests against that release's description.
    """

    request_type = GitHubRequest

    def __init__(self, *, api_prefix: str = "", spec: str = DEFAULT_SPEC) -> None:
        super().__init__(lambda _request: None)
        self.api_prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""
        self.spec: SpecIndex = load_index(spec)
        self.repos: dict[str, FakeRepo] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.apps: dict[int, FakeApp] = {}
        self.installations: dict[int, FakeInstallation] = {}
        self.tokens_issued = 0
        self.violations: list[str] = []
        self.unimplemented: list[str] = []
        self.state_lock = threading.RLock()
        self._faults = Faults()
        self._ids = itertools.count(1000)

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.root_url + self.api_prefix

    @property
    def html_url(self) -> str:
        return self.root_url

    # -- setup -------------------------------------------------------------------------------

    def add_repo(
        self, full_name: str, default_branch: str = "main", private: bool = False
    ) -> FakeRepo:
        if full_name.count("/") != 1:
            raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
        with self.state_lock:
            repo = FakeRepo(full_name, _id_for(full_name), default_branch, private)
            self.repos[full_name] = repo
            return repo

    def add_pr(
        self,
        full_name: str,
        number: int,
        *,
        base_ref: str = "main",
        head_ref: str = "feature",
        base_sha: str,
        head_sha: str,
        diff: str,
        title: str = "",
        body: str = "",
        user: str = "alice",
        labels: Iterable[str] = (),
        fork: bool = False,
        head_repo: str | None = None,
        draft: bool = False,
    ) -> FakePR:
        with self.state_lock:
            repo = self.repos.get(full_name) or self.add_repo(full_name)
            if head_repo is None:
                head_repo = f"{user}/{repo.name}" if fork else full_name
            pr = FakePR(
                repo=repo,
                number=number,
                base_ref=base_ref,
                head_ref=head_ref,
                base_sha=base_sha,
                head_sha=head_sha,
                title=title or f"PR {number}",
                body=body,
                user=user,
                labels=list(labels),
                fork=fork,
                head_repo=head_repo,
                draft=draft,
                commits=[head_sha],
                diffs={head_sha: diff},
            )
            pr.files()  # a diff the fake cannot read fails here, not mid-request
            repo.pulls[number] = pr
            repo.branches.setdefault(base_ref, base_sha)
            if not fork:
                repo.branches[head_ref] = head_sha
            return pr

    def push(
        self,
        pr_number: int,
        new_head_sha: str,
        new_diff: str,
        *,
        repo: str | None = None,
        since_diff: str | None = None,
    ) -> FakePR:
        """Simulate a push to a pull request's head branch (see FakePR.push)."""
        pr = self.pr(pr_number, repo=repo)
        with self.state_lock:
            pr.push(new_head_sha, new_diff, since_diff=since_diff)
        return pr

    def add_compare(self, full_name: str, base: str, head: str, diff: str) -> None:
        """What GET compare/{base}...{head} answers, for pairs no pull request implies."""
        files_from_diff(diff, f"{full_name} {base}...{head}")
        with self.state_lock:
            self.repo(full_name).compares[(base, head)] = diff

    def set_file(self, full_name: str, ref_or_sha: str, path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with self.state_lock:
            self.repo(full_name).files.setdefault(ref_or_sha, {})[path.strip("/")] = data

    def add_token(
        self, token: str, login: str, *, type: str = "User", checks_write: bool = True
    ) -> FakeToken:
        entry = FakeToken(token, login, type, checks_write)
        with self.state_lock:
            self.tokens[token] = entry
        return entry

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        if permission not in _PERMISSIONS:
            raise ValueError(f"permission must be one of {_PERMISSIONS}, got {permission!r}")
        with self.state_lock:
            self.repo(full_name).permissions[login] = permission

    def add_app(self, app_id: int, public_key_pem: str | bytes, *, slug: str = "") -> FakeApp:
        pem = public_key_pem.decode() if isinstance(public_key_pem, bytes) else public_key_pem
        app = FakeApp(int(app_id), pem, slug or f"app-{app_id}")
        with self.state_lock:
            self.apps[app.app_id] = app
        return app

    def add_installation(
        self, installation_id: int, repos: Iterable[str], *, app_id: int | None = None
    ) -> FakeInstallation:
        with self.state_lock:
            if app_id is None:
                if len(self.apps) != 1:
                    raise ValueError("add_app first, or name app_id when there are several")
                app_id = next(iter(self.apps))
            inst = FakeInstallation(int(installation_id), int(app_id), list(repos))
            for name in inst.repos:
                if name not in self.repos:
                    self.add_repo(name)
            self.installations[inst.installation_id] = inst
            return inst

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` requests matching (method, path_regex searched in the path
        relative to the API root) get `status` and `body` (default: GitHub's error body).
        Status 0 closes the connection without an answer (a network failure)."""
        self._faults.add(method, path_regex, status, body, headers, times)

    def outage(self, method: str, path_regex: str, status: int, seconds: float) -> None:
        """Every matching request answers `status` for `seconds` of wall time."""
        self._faults.add_outage(method, path_regex, status, seconds)

    def fail_secondary_rate_limit(
        self, method: str, path_regex: str, retry_after: int | None = 1, times: int = 1
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        headers["X-RateLimit-Remaining"] = "4000"
        body = {"message": SECONDARY_RATE_LIMIT, "documentation_url": DOCS}
        self.fail_next(method, path_regex, 403, body, headers, times)

    # -- inspection --------------------------------------------------------------------------

    def repo(self, full_name: str) -> FakeRepo:
        try:
            return self.repos[full_name]
        except KeyError:
            raise KeyError(f"no repository {full_name!r}: add_repo first") from None

    def pr(self, number: int, *, repo: str | None = None) -> FakePR:
        with self.state_lock:
            if repo is not None:
                return self.repo(repo).pulls[number]
            found = [r.pulls[number] for r in self.repos.values() if number in r.pulls]
        if len(found) != 1:
            raise KeyError(f"{len(found)} pull requests numbered {number}: name the repo")
        return found[0]

    def gh_requests(self) -> list[GitHubRequest]:
        return self.forge_requests()

    def assert_no_violations(self) -> None:
        problems = [*self.violations, *self.unimplemented]
        assert not problems, "requests GitHub would not accept:\n" + "\n".join(problems)

    # -- internals used by the handler -------------------------------------------------------

    def take_fault(self, method: str, path: str) -> Fault | None:
        return self._faults.take(method, path)

    def next_id(self) -> int:
        return next(self._ids)

    def access(self, who: Identity, repo: FakeRepo) -> str:
        """The permission `who` has on `repo`: none, read, triage, write, maintain, admin."""
        if who.kind == "token" and who.token and who.token.installation_id is not None:
            inst = self.installations.get(who.token.installation_id)
            return "write" if inst and repo.full_name in inst.repos else "none"
        if who.kind == "token" and who.login:
            if who.login in repo.permissions:
                return repo.permissions[who.login]
            if who.login == repo.owner:
                return "admin"
        return "none" if repo.private else "read"

    def issue_installation_token(self, inst: FakeInstallation) -> FakeToken:
        app = self.apps[inst.app_id]
        token = FakeToken(
            token=f"ghs_{hashlib.sha1(str(self.next_id()).encode()).hexdigest()[:36]}",
            login=f"{app.slug}[bot]",
            type="Bot",
            installation_id=inst.installation_id,
            expires_at=time.time() + 3600,
        )
        with self.state_lock:
            self.tokens[token.token] = token
            self.tokens_issued += 1
        return token


# -- answers ---------------------------------------------------------------------------------


class _Shapes:
    """Answers built from GitHub's examples with the fake's state written over them."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.api = fake.base_url
        self.html = fake.html_url

    def example(self, name: str, first: bool = False) -> Any:
        value = self.fake.spec.example(name)
        if first:
            value = value[0]
        text = json.dumps(value)
        text = text.replace("https://api.github.com", self.api)
        text = text.replace("https://github.com", self.html)
        return json.loads(text)

    def user(self, login: str, type: str = "User") -> dict[str, Any]:
        u = self.example("simple-user")
        api_login = login.replace("[bot]", "%5Bbot%5D")
        u.update(
            login=login,
            id=_id_for(login),
            node_id=f"U_{_id_for(login)}",
            url=f"{self.api}/users/{api_login}",
            html_url=f"{self.html}/{login}",
            type=type,
            site_admin=False,
        )
        for key in list(u):
            if key.endswith("_url") and key not in ("url", "html_url", "avatar_url"):
                u[key] = f"{self.api}/users/{api_login}/{key[:-4]}"
        return u

    def repo(self, repo: FakeRepo | str, *, who: Identity | None = None) -> dict[str, Any]:
        if isinstance(repo, str):
            full_name, private, branch, repo_id = repo, False, "main", _id_for(repo)
        else:
            full_name, private = repo.full_name, repo.private
            branch, repo_id = repo.default_branch, repo.id
        r = self.example("full-repository")
        text = json.dumps(r).replace("octocat/Hello-World", full_name)
        r = json.loads(text)
        owner, name = full_name.split("/", 1)
        for key in ("organization", "parent", "source", "template_repository"):
            r.pop(key, None)
        r.update(
            id=repo_id,
            node_id=f"R_{repo_id}",
            name=name,
            full_name=full_name,
            owner=self.user(owner),
            private=private,
            visibility="private" if private else "public",
            fork=not isinstance(repo, FakeRepo),
            license=None,
            has_discussions=False,
            default_branch=branch,
            url=f"{self.api}/repos/{full_name}",
            html_url=f"{self.html}/{full_name}",
            clone_url=f"{self.html}/{full_name}.git",
            git_url=f"git://127.0.0.1/{full_name}.git",
            ssh_url=f"git@127.0.0.1:{full_name}.git",
            svn_url=f"{self.html}/{full_name}",
        )
        if who is not None and isinstance(repo, FakeRepo):
            level = _PERMISSIONS.index(self.fake.access(who, repo))
            r["permissions"] = {
                "admin": level >= 5,
                "maintain": level >= 4,
                "push": level >= 3,
                "triage": level >= 2,
                "pull": level >= 1,
            }
        return r

    def label(self, repo: FakeRepo, name: str) -> dict[str, Any]:
        label = self.example("label-items", first=True)
        label.update(
            id=_id_for(f"{repo.full_name}:{name}"),
            node_id=f"LA_{_id_for(name)}",
            url=f"{self.api}/repos/{repo.full_name}/labels/{name}",
            name=name,
            description=None,
            default=False,
        )
        return label

    def pull(self, pr: FakePR) -> dict[str, Any]:
        repo = pr.repo
        base = f"{self.api}/repos/{repo.full_name}"
        p = self.example("pull-request")
        files = pr.files()
        p.update(
            url=f"{base}/pulls/{pr.number}",
            id=_id_for(f"{repo.full_name}#{pr.number}"),
            node_id=f"PR_{pr.number}",
            html_url=f"{self.html}/{repo.full_name}/pull/{pr.number}",
            diff_url=f"{self.html}/{repo.full_name}/pull/{pr.number}.diff",
            patch_url=f"{self.html}/{repo.full_name}/pull/{pr.number}.patch",
            issue_url=f"{base}/issues/{pr.number}",
            commits_url=f"{base}/pulls/{pr.number}/commits",
            review_comments_url=f"{base}/pulls/{pr.number}/comments",
            review_comment_url=f"{base}/pulls/comments{{/number}}",
            comments_url=f"{base}/issues/{pr.number}/comments",
            statuses_url=f"{base}/statuses/{pr.head_sha}",
            number=pr.number,
            state=pr.state,
            locked=False,
            title=pr.title,
            user=self.user(pr.user),
            body=pr.body or None,
            labels=[self.label(repo, name) for name in pr.labels],
            milestone=None,
            assignee=None,
            assignees=[],
            requested_reviewers=[],
            requested_teams=[],
            closed_at=None,
            merged_at=None,
            merge_commit_sha=None,
            draft=pr.draft,
            merged=False,
            mergeable=None,
            rebaseable=None,
            mergeable_state="unknown",
            merged_by=None,
            auto_merge=None,
            comments=sum(1 for c in repo.issue_comments if c["issue_number"] == pr.number),
            review_comments=sum(
                1 for c in pr.review_comments if pr.visible_to(None, c["review_id"])
            ),
            commits=len(pr.commits),
            additions=sum(f.additions for f in files),
            deletions=sum(f.deletions for f in files),
            changed_files=len(files),
            author_association="CONTRIBUTOR",
        )
        head_owner = pr.head_repo.split("/", 1)[0]
        head_repo: FakeRepo | str = repo if pr.head_repo == repo.full_name else pr.head_repo
        p["head"] = {
            "label": f"{head_owner}:{pr.head_ref}",
            "ref": pr.head_ref,
            "sha": pr.head_sha,
            "user": self.user(head_owner),
            "repo": self.repo(head_repo),
        }
        p["base"] = {
            "label": f"{repo.owner}:{pr.base_ref}",
            "ref": pr.base_ref,
            "sha": pr.base_sha,
            "user": self.user(repo.owner),
            "repo": self.repo(repo),
        }
        p["_links"] = {
            "self": {"href": p["url"]},
            "html": {"href": p["html_url"]},
            "issue": {"href": p["issue_url"]},
            "comments": {"href": p["comments_url"]},
            "review_comments": {"href": p["review_comments_url"]},
            "review_comment": {"href": p["review_comment_url"]},
            "commits": {"href": p["commits_url"]},
            "statuses": {"href": p["statuses_url"]},
        }
        return p

    def file(self, repo: FakeRepo, sha: str, f: FakeFile) -> dict[str, Any]:
        entry = self.example("diff-entry-items", first=True)
        path = f.change.path
        entry.update(
            sha=_blob_sha(sha, path),
            filename=path,
            status=f.status,
            additions=f.additions,
            deletions=f.deletions,
            changes=f.additions + f.deletions,
            blob_url=f"{self.html}/{repo.full_name}/blob/{sha}/{path}",
            raw_url=f"{self.html}/{repo.full_name}/raw/{sha}/{path}",
            contents_url=f"{self.api}/repos/{repo.full_name}/contents/{path}?ref={sha}",
        )
        entry.pop("patch", None)
        if f.patch is not None:
            entry["patch"] = f.patch
        if f.status in ("renamed", "copied") and f.change.old_path:
            entry["previous_filename"] = f.change.old_path
        return entry

    def commit(self, repo: FakeRepo, sha: str, parent: str | None) -> dict[str, Any]:
        c = self.example("commit-items", first=True)
        text = json.dumps(c).replace("octocat/Hello-World", repo.full_name)
        c = json.loads(text.replace("6dcb09b5b57875f334f61aebed695e2e4193db5e", sha))
        c["node_id"] = f"C_{sha[:12]}"
        c["commit"]["message"] = f"commit {sha[:7]}"
        c["commit"]["tree"]["sha"] = _blob_sha("tree", sha)
        c["parents"] = (
            [
                {
                    "sha": parent,
                    "url": f"{self.api}/repos/{repo.full_name}/commits/{parent}",
                    "html_url": f"{self.html}/{repo.full_name}/commit/{parent}",
                }
            ]
            if parent
            else []
        )
        return c

    def review(self, pr: FakePR, review: dict[str, Any]) -> dict[str, Any]:
        r = self.example("pull-request-review")
        pr_url = f"{self.api}/repos/{pr.repo.full_name}/pulls/{pr.number}"
        html = f"{self.html}/{pr.repo.full_name}/pull/{pr.number}#pullrequestreview-{review['id']}"
        r.update(
            id=review["id"],
            node_id=f"PRR_{review['id']}",
            user=self.user(review["user"], review["user_type"]),
            body=review["body"],
            state=review["state"],
            html_url=html,
            pull_request_url=pr_url,
            _links={"html": {"href": html}, "pull_request": {"href": pr_url}},
            submitted_at=review["submitted_at"],
            commit_id=review["commit_id"],
            author_association="NONE",
        )
        if review["submitted_at"] is None:
            r.pop("submitted_at", None)  # a pending review has not been submitted
        return r

    def review_comment(self, pr: FakePR, c: dict[str, Any]) -> dict[str, Any]:
        r = self.example("pull-request-review-comment")
        full = pr.repo.full_name
        html = f"{self.html}/{full}/pull/{pr.number}#discussion_r{c['id']}"
        pr_url = f"{self.api}/repos/{full}/pulls/{pr.number}"
        r.update(
            url=f"{self.api}/repos/{full}/pulls/comments/{c['id']}",
            pull_request_review_id=c["review_id"],
            id=c["id"],
            node_id=f"PRRC_{c['id']}",
            diff_hunk=c["diff_hunk"],
            path=c["path"],
            position=c.get("position"),
            original_position=c.get("position"),
            commit_id=c["commit_id"],
            original_commit_id=c["commit_id"],
            user=self.user(c["user"], c["user_type"]),
            body=c["body"],
            created_at=c["created_at"],
            updated_at=c["created_at"],
            html_url=html,
            pull_request_url=pr_url,
            author_association="NONE",
            _links={
                "self": {"href": f"{self.api}/repos/{full}/pulls/comments/{c['id']}"},
                "html": {"href": html},
                "pull_request": {"href": pr_url},
            },
            start_line=c.get("start_line"),
            original_start_line=c.get("start_line"),
            start_side=c.get("start_side"),
            line=c.get("line"),
            original_line=c.get("line"),
            side=c.get("side"),
            subject_type="line",
        )
        r.pop("in_reply_to_id", None)
        return r

    def issue_comment(self, repo: FakeRepo, c: dict[str, Any]) -> dict[str, Any]:
        r = self.example("issue-comment")
        full = repo.full_name
        r.update(
            id=c["id"],
            node_id=f"IC_{c['id']}",
            url=f"{self.api}/repos/{full}/issues/comments/{c['id']}",
            html_url=f"{self.html}/{full}/pull/{c['issue_number']}#issuecomment-{c['id']}",
            body=c["body"],
            user=self.user(c["user"], c["user_type"]),
            created_at=c["created_at"],
            updated_at=c["updated_at"],
            issue_url=f"{self.api}/repos/{full}/issues/{c['issue_number']}",
            author_association="NONE",
        )
        return r

    def check_run(self, repo: FakeRepo, run: dict[str, Any]) -> dict[str, Any]:
        r = self.example("check-run")
        full = repo.full_name
        output = run.get("output") or {}
        r.update(
            id=run["id"],
            node_id=f"CR_{run['id']}",
            head_sha=run["head_sha"],
            external_id=run.get("external_id") or "",
            url=f"{self.api}/repos/{full}/check-runs/{run['id']}",
            html_url=f"{self.html}/{full}/runs/{run['id']}",
            details_url=run.get("details_url"),
            status=run.get("status") or "queued",
            conclusion=run.get("conclusion"),
            started_at=run.get("started_at"),
            completed_at=run.get("completed_at"),
            name=run["name"],
            pull_requests=[],
        )
        r["output"] = {
            "title": output.get("title"),
            "summary": output.get("summary"),
            "text": output.get("text"),
            "annotations_count": len(run["annotations"]),
            "annotations_url": f"{self.api}/repos/{full}/check-runs/{run['id']}/annotations",
        }
        return r

    def status(self, repo: FakeRepo, s: dict[str, Any]) -> dict[str, Any]:
        r = self.example("status")
        r.update(
            url=f"{self.api}/repos/{repo.full_name}/statuses/{s['sha']}",
            id=s["id"],
            node_id=f"SC_{s['id']}",
            state=s["state"],
            description=s.get("description"),
            target_url=s.get("target_url"),
            context=s.get("context") or "default",
            created_at=s["created_at"],
            updated_at=s["created_at"],
            creator=self.user(s["user"], s["user_type"]),
        )
        return r


# -- the handler -----------------------------------------------------------------------------


@dataclass
class Call:
    """What an endpoint gets: the matched operation's parameters, the query, the body."""

    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    who: Identity
    accept: str

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


Endpoint = Callable[["_Handler", Call], None]


class _Handler(FakeHandler):
    fake: FakeGitHub
    endpoints: ClassVar[dict[tuple[str, str], Endpoint]] = {}

    # -- plumbing ----------------------------------------------------------------------------

    def do_PATCH(self) -> None:
        self.handle_any("PATCH")

    def do_PUT(self) -> None:
        self.handle_any("PUT")

    def do_DELETE(self) -> None:
        self.handle_any("DELETE")

    def common_headers(self) -> dict[str, str]:
        return {
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Request-Id": f"FAKE:{len(self.fake.requests)}",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "4999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
            "X-RateLimit-Used": "1",
            "X-RateLimit-Resource": "core",
        }

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.json_reply(status, payload, {**self.common_headers(), **(headers or {})})

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.gh_error(status, message, headers=headers)

    def gh_error(
        self,
        status: int,
        message: str,
        *,
        errors: list[Any] | None = None,
        doc: str = DOCS,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload: dict[str, Any] = {"message": message}
        if errors is not None:
            payload["errors"] = errors
        payload["documentation_url"] = doc
        payload["status"] = str(status)
        self.reply(status, payload, headers)

    def not_found(self) -> None:
        self.gh_error(404, "Not Found")

    def handle_any(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        prefix = fake.api_prefix
        if prefix and not (split.path == prefix or split.path.startswith(prefix + "/")):
            self.gh_error(404, "Not Found")
            return
        path = split.path[len(prefix) :] or "/"
        query = parse_qs(split.query, keep_blank_values=True)
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        fake.record(
            GitHubRequest(
                method,
                path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                query={k: v[-1] for k, v in query.items()},
            )
        )
        if bad_json:
            self.gh_error(400, "Problems parsing JSON")
            return
        match = fake.spec.match(method, path)
        if match is None:
            fake.violations.append(f"{method} {path}: no such operation in GitHub's REST API")
            self.gh_error(404, "Not Found")
            return
        problems = fake.spec.check_operation(match.operation, query, body)
        if problems:
            fake.violations.extend(problems)
            self.gh_error(422, "Invalid request.\n\n" + "\n".join(problems))
            return
        self.dispatch(method, path, match, query, body)

    def dispatch(
        self, method: str, path: str, match: Match, query: dict[str, list[str]], body: Any
    ) -> None:
        fake = self.fake
        who = self.identify(match)
        if who is None:
            return
        fault = fake.take_fault(method, path)
        if fault is not None:
            self.play(fault)
            return
        endpoint = self.endpoints.get((method, match.operation.template))
        if endpoint is None:
            fake.unimplemented.append(f"{match.operation.label}: not implemented by FakeGitHub")
            self.gh_error(404, "Not Found")
            return
        accept = self.headers.get("Accept") or ""
        with fake.state_lock:
            endpoint(self, Call(match.params, query, body, who, accept))

    def play(self, fault: Fault) -> None:
        if fault.status == 0:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        if fault.body is None or isinstance(fault.body, str):
            message = fault.body or _STATUS_TEXT.get(fault.status, "Error")
            self.gh_error(fault.status, message, headers=fault.headers)
        else:
            self.reply(fault.status, fault.body, fault.headers)

    # -- authentication ----------------------------------------------------------------------

    def identify(self, match: Match) -> Identity | None:
        fake = self.fake
        header = self.headers.get("Authorization") or ""
        scheme, _, credential = header.partition(" ")
        credential = credential.strip()
        app_route = match.operation.template.startswith("/app")
        if not header:
            if app_route:
                self.gh_error(401, "A JSON web token could not be decoded")
                return None
            return Identity("anonymous")
        if scheme.lower() not in ("token", "bearer") or not credential:
            self.gh_error(401, "Bad credentials")
            return None
        if scheme.lower() == "bearer" and credential.count(".") == 2:
            return self.identify_app(credential)
        token = fake.tokens.get(credential)
        if token is None or (token.expires_at is not None and token.expires_at < time.time()):
            self.gh_error(401, "Bad credentials")
            return None
        if app_route:
            self.gh_error(401, "A JSON web token could not be decoded")
            return None
        return Identity("token", token=token)

    def identify_app(self, credential: str) -> Identity | None:
        try:
            claims = jwt.decode(credential, options={"verify_signature": False})
            app = self.fake.apps.get(int(claims.get("iss")))
        except (jwt.PyJWTError, TypeError, ValueError):
            app = None
        if app is None:
            self.gh_error(401, "A JSON web token could not be decoded")
            return None
        try:
            claims = jwt.decode(
                credential,
                app.public_key_pem,
                algorithms=["RS256"],
                options={"require": ["exp", "iat", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            self.gh_error(401, _JWT_EXPIRED)
            return None
        except jwt.PyJWTError:
            self.gh_error(401, "A JSON web token could not be decoded")
            return None
        if claims["exp"] - time.time() > 600 + 30:
            self.gh_error(401, "'Expiration time' claim ('exp') is too far in the future")
            return None
        return Identity("app", app=app)

    # -- helpers for endpoints ---------------------------------------------------------------

    def repo_for(self, call: Call, need: str = "read") -> FakeRepo | None:
        """The repository in the path, or None after answering as GitHub does."""
        fake = self.fake
        if call.who.kind == "app":
            self.gh_error(
                401, "A JSON web token could not be decoded"
            )  # an app JWT only reaches /app
            return None
        repo = fake.repos.get(f"{call.params['owner']}/{call.params['repo']}")
        if repo is None:
            self.not_found()
            return None
        level = fake.access(call.who, repo)
        if level == "none":
            self.not_found()
            return None
        if need != "read" and call.who.kind == "anonymous":
            self.gh_error(401, "Requires authentication")
            return None
        if _PERMISSIONS.index(level) < _PERMISSIONS.index(need):
            if call.who.token and call.who.token.installation_id is not None:
                self.gh_error(403, INTEGRATION_FORBIDDEN)
            else:
                self.not_found()
            return None
        return repo

    def pr_for(self, call: Call, need: str = "read") -> tuple[FakeRepo, FakePR] | None:
        repo = self.repo_for(call, need)
        if repo is None:
            return None
        number = call.params.get("pull_number") or call.params.get("issue_number") or ""
        pr = repo.pulls.get(int(number)) if number.isdigit() else None
        if pr is None:
            self.not_found()
            return None
        return repo, pr

    def paginate(self, call: Call, items: list[Any], path: str) -> None:
        try:
            per_page = max(1, min(100, int(call.q("per_page") or 30)))
            page = max(1, int(call.q("page") or 1))
        except ValueError:
            self.gh_error(400, "Bad Request")
            return
        pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        rel = {"next": page + 1, "last": pages} if page < pages else {}
        if page > 1:
            rel = {"prev": page - 1, "first": 1, **rel}
        for name, number in rel.items():
            url = f"{self.fake.base_url}{path}?{urlencode({'per_page': per_page, 'page': number})}"
            links.append(f'<{url}>; rel="{name}"')
        self.reply(200, chunk, {"Link": ", ".join(links)} if links else None)

    def author(self, call: Call) -> tuple[str, str]:
        token = call.who.token
        assert token is not None
        return token.login, token.type

    def send_diff(self, diff: str) -> None:
        self.send(
            200,
            diff.encode("utf-8"),
            "application/vnd.github.v3.diff; charset=utf-8",
            self.common_headers(),
        )

    # -- endpoints: users and apps -----------------------------------------------------------

    def get_user(self, call: Call) -> None:
        token = call.who.token
        if call.who.kind == "anonymous" or token is None:
            self.gh_error(401, "Requires authentication")
            return
        if token.installation_id is not None:
            self.gh_error(403, INTEGRATION_FORBIDDEN)
            return
        user = self.fake_shapes().example("private-user")
        user.update(self.fake_shapes().user(token.login, token.type))
        self.reply(200, user)

    def create_installation_token(self, call: Call) -> None:
        app = call.who.app
        if app is None:
            self.gh_error(401, "A JSON web token could not be decoded")
            return
        inst = self.fake.installations.get(int(call.params["installation_id"]))
        if inst is None or inst.app_id != app.app_id:
            self.not_found()
            return
        token = self.fake.issue_installation_token(inst)
        assert token.expires_at is not None
        answer = self.fake_shapes().example("installation-token")
        answer.pop("repositories", None)
        answer.update(
            token=token.token,
            expires_at=datetime.fromtimestamp(token.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            permissions={
                "checks": "write",
                "contents": "read",
                "issues": "write",
                "pull_requests": "write",
                "statuses": "write",
                "metadata": "read",
            },
            repository_selection="selected",
        )
        self.reply(201, answer)

    def get_repo_installation(self, call: Call) -> None:
        full = f"{call.params['owner']}/{call.params['repo']}"
        if call.who.kind != "app":
            self.gh_error(401, "A JSON web token could not be decoded")
            return
        for inst in self.fake.installations.values():
            if full in inst.repos and call.who.app and inst.app_id == call.who.app.app_id:
                self.reply(200, self.installation(inst))
                return
        self.not_found()

    def get_installation(self, call: Call) -> None:
        inst = self.fake.installations.get(int(call.params["installation_id"]))
        if inst is None or call.who.app is None or inst.app_id != call.who.app.app_id:
            self.not_found()
            return
        self.reply(200, self.installation(inst))

    def installation(self, inst: FakeInstallation) -> dict[str, Any]:
        shapes = self.fake_shapes()
        answer = shapes.example("installation")
        owner = inst.repos[0].split("/", 1)[0] if inst.repos else "octocat"
        answer.update(
            id=inst.installation_id,
            app_id=inst.app_id,
            app_slug=self.fake.apps[inst.app_id].slug,
            account=shapes.user(owner),
            access_tokens_url=f"{self.fake.base_url}/app/installations/"
            f"{inst.installation_id}/access_tokens",
            repository_selection="selected",
        )
        return answer

    # -- endpoints: repositories and pull requests -------------------------------------------

    def get_repo(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is not None:
            self.reply(200, self.fake_shapes().repo(repo, who=call.who))

    def get_pull(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        _, pr = found
        if "diff" in call.accept:
            files = pr.files()
            lines = pr.diff.count("\n")
            if len(files) > MAX_DIFF_FILES or lines > MAX_DIFF_LINES:
                message = DIFF_TOO_LARGE_FILES if len(files) > MAX_DIFF_FILES else (
                    DIFF_TOO_LARGE_LINES
                )  # fmt: skip
                self.gh_error(
                    406,
                    message,
                    errors=[{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
                    doc="https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
                )
                return
            self.send_diff(pr.diff)
            return
        self.reply(200, self.fake_shapes().pull(pr))

    def create_pull(self, call: Call) -> None:
        """POST a pull request, as GitHub checks it: both branches must exist in the
        repository (a head pushed elsewhere is `invalid`), and one open pull request per
        head and base (`A pull request already exists for ...`)."""
        repo = self.repo_for(call, "write")
        if repo is None:
            return
        if _PERMISSIONS.index(self.fake.access(call.who, repo)) < _PERMISSIONS.index("write"):
            self.gh_error(403, "Resource not accessible by integration")
            return
        body = call.body or {}
        head, base = str(body.get("head") or ""), str(body.get("base") or "")
        title = str(body.get("title") or "")
        invalid = [f for f, ref in (("head", head), ("base", base)) if ref not in repo.branches]
        if not title.strip():
            invalid.append("title")
        if invalid:
            errors = [{"resource": "PullRequest", "field": f, "code": "invalid"} for f in invalid]
            self.gh_error(422, "Validation Failed", errors=errors)
            return
        owner = repo.full_name.split("/")[0]
        if any(p.head_ref == head and p.base_ref == base and p.state == "open"
               for p in repo.pulls.values()):  # fmt: skip
            message = f"A pull request already exists for {owner}:{head}."
            errors = [{"resource": "PullRequest", "code": "custom", "message": message}]
            self.gh_error(422, "Validation Failed", errors=errors)
            return
        number = max([*repo.pulls, 0]) + 1
        pr = self.fake.add_pr(
            repo.full_name, number, base_ref=base, head_ref=head,
            base_sha=repo.branches[base], head_sha=repo.branches[head], diff="",
            title=title, body=str(body.get("body") or ""), user=call.who.login,
        )  # fmt: skip
        self.reply(201, self.fake_shapes().pull(pr))

    def update_pull(self, call: Call) -> None:
        """PATCH a pull request: its title and body (what Switchyard's description edits).
        GitHub lets its author or anyone with write access; it answers the updated PR."""
        found = self.pr_for(call)
        if found is None:
            return
        repo, pr = found
        login = call.who.login
        if login != pr.user and _PERMISSIONS.index(self.fake.access(call.who, repo)) < (
            _PERMISSIONS.index("write")
        ):
            self.gh_error(403, "Resource not accessible by integration")
            return
        body = call.body or {}
        title = body.get("title")
        if title is not None and (not str(title).strip() or len(str(title)) > 256):
            errors = [{"resource": "Issue", "field": "title", "code": "custom"}]
            self.gh_error(422, "Validation Failed", errors=errors)
            return
        text = body.get("body")
        if text is not None and len(str(text)) > 65536:
            errors = [{"resource": "Issue", "field": "body", "code": "custom",
                       "message": "body is too long (maximum is 65536 characters)"}]  # fmt: skip
            self.gh_error(422, "Validation Failed", errors=errors)
            return
        if title is not None:
            pr.title = str(title)
        if text is not None:
            pr.body = str(text)
        self.reply(200, self.fake_shapes().pull(pr))

    def add_labels(self, call: Call) -> None:
        """POST labels onto a pull request (an issue): added, never replaced; the labels
        the issue now has are answered."""
        found = self.pr_for(call, "write")
        if found is None:
            return
        repo, pr = found
        for name in (call.body or {}).get("labels") or []:
            if str(name) not in pr.labels:
                pr.labels.append(str(name))
        shapes = self.fake_shapes()
        self.reply(200, [shapes.label(repo, name) for name in pr.labels])

    def list_files(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        repo, pr = found
        shapes = self.fake_shapes()
        items = [shapes.file(repo, pr.head_sha, f) for f in pr.files()[:MAX_LISTED_FILES]]
        self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pr.number}/files")

    def list_commits(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        repo, pr = found
        shapes = self.fake_shapes()
        parents = [pr.base_sha, *pr.commits[:-1]]
        items = [
            shapes.commit(repo, sha, parent)
            for sha, parent in zip(pr.commits, parents, strict=True)
        ]
        self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pr.number}/commits")

    def compare(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        basehead = call.params["basehead"]
        base, sep, head = basehead.partition("...")
        if not sep:
            base, sep, head = basehead.partition("..")
        resolved = self.resolve_compare(repo, base, head)
        if resolved is None:
            self.not_found()
            return
        diff, commits = resolved
        if "diff" in call.accept:
            self.send_diff(diff)
            return
        shapes = self.fake_shapes()
        base_sha = repo.branches.get(base, base)
        answer = shapes.example("commit-comparison")
        answer.update(
            url=f"{self.fake.base_url}/repos/{repo.full_name}/compare/{basehead}",
            html_url=f"{self.fake.html_url}/{repo.full_name}/compare/{basehead}",
            permalink_url=f"{self.fake.html_url}/{repo.full_name}/compare/{basehead}",
            diff_url=f"{self.fake.html_url}/{repo.full_name}/compare/{basehead}.diff",
            patch_url=f"{self.fake.html_url}/{repo.full_name}/compare/{basehead}.patch",
            base_commit=shapes.commit(repo, base_sha, None),
            merge_base_commit=shapes.commit(repo, base_sha, None),
            status="ahead" if commits else "identical",
            ahead_by=len(commits),
            behind_by=0,
            total_commits=len(commits),
            commits=[
                shapes.commit(repo, sha, parent)
                for sha, parent in zip(commits, [base_sha, *commits[:-1]], strict=True)
            ],
            files=[
                shapes.file(repo, repo.branches.get(head, head), f)
                for f in files_from_diff(diff, f"compare {basehead}")
            ],
        )
        self.reply(200, answer)

    def resolve_compare(self, repo: FakeRepo, base: str, head: str) -> tuple[str, list[str]] | None:
        base_sha = repo.branches.get(base, base)
        head_sha = repo.branches.get(head, head)
        for pr in repo.pulls.values():
            if head_sha in pr.commits:
                upto = pr.commits[: pr.commits.index(head_sha) + 1]
                if base_sha in (pr.base_sha, pr.base_ref):
                    return pr.diffs[head_sha], upto
                if base_sha in upto and (base_sha, head_sha) in repo.compares:
                    return repo.compares[(base_sha, head_sha)], upto[upto.index(base_sha) + 1 :]
        if (base_sha, head_sha) in repo.compares:
            return repo.compares[(base_sha, head_sha)], [head_sha]
        if (base, head) in repo.compares:
            return repo.compares[(base, head)], [head_sha]
        return None

    def get_contents(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        path = call.params["path"].strip("/")
        ref = call.q("ref") or repo.default_branch
        data = self.lookup_file(repo, ref, path)
        if data is None:
            listing = self.list_folder(repo, ref, path)
            if listing is None:
                self.gh_error(404, "Not Found", doc=f"{DOCS}/repos/contents#get-repository-content")
            else:
                self.reply(200, listing)
            return
        full = repo.full_name
        sha = _blob_sha(ref, path, str(len(data)))
        answer = self.fake_shapes().example("content-file")
        too_big = len(data) > MAX_CONTENT_BYTES
        encoded = base64.b64encode(data).decode()
        # GitHub wraps the base64 text at 60 columns.
        wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))
        api = self.fake.base_url
        answer.update(
            type="file",
            encoding="none" if too_big else "base64",
            size=len(data),
            name=path.rsplit("/", 1)[-1],
            path=path,
            content="" if too_big else wrapped + "\n",
            sha=sha,
            url=f"{api}/repos/{full}/contents/{path}?ref={ref}",
            git_url=f"{api}/repos/{full}/git/blobs/{sha}",
            html_url=f"{self.fake.html_url}/{full}/blob/{ref}/{path}",
            download_url=f"{self.fake.html_url}/{full}/raw/{ref}/{path}",
            _links={
                "git": f"{api}/repos/{full}/git/blobs/{sha}",
                "self": f"{api}/repos/{full}/contents/{path}?ref={ref}",
                "html": f"{self.fake.html_url}/{full}/blob/{ref}/{path}",
            },
        )
        self.reply(200, answer)

    def lookup_file(self, repo: FakeRepo, ref: str, path: str) -> bytes | None:
        for key in self.ref_keys(repo, ref):
            if path in repo.files.get(key, {}):
                return repo.files[key][path]
        return None

    def ref_keys(self, repo: FakeRepo, ref: str) -> list[str]:
        """The keys `set_file` may have stored `ref`'s files under: the name as given, the
        branch's SHA, the branches at that SHA."""
        ref = ref.removeprefix("refs/heads/")
        candidates = [ref, repo.branches.get(ref, "")]
        candidates += [name for name, sha in repo.branches.items() if sha == ref]
        return [key for key in candidates if key]

    def list_folder(self, repo: FakeRepo, ref: str, path: str) -> list[dict[str, Any]] | None:
        """A folder's entries as the contents API lists them (schema content-directory):
        the files directly in it and its sub-folders, by name; None if no stored file at
        `ref` lies under `path` ("" is the repository's top)."""
        prefix = f"{path}/" if path else ""
        stored: dict[str, bytes] = {}
        for key in self.ref_keys(repo, ref):
            for name, data in repo.files.get(key, {}).items():
                stored.setdefault(name, data)
        entries: dict[str, dict[str, Any]] = {}
        for name, data in stored.items():
            if not name.startswith(prefix):
                continue
            first, _, rest = name[len(prefix) :].partition("/")
            child = f"{prefix}{first}"
            if child not in entries:
                entries[child] = self.folder_entry(repo, ref, child, None if rest else data)
        if not entries:
            return None
        return [entries[k] for k in sorted(entries)]

    def folder_entry(
        self, repo: FakeRepo, ref: str, path: str, data: bytes | None
    ) -> dict[str, Any]:
        """One entry of a folder listing: a file (`data`) or a sub-folder (None)."""
        full, api, html = repo.full_name, self.fake.base_url, self.fake.html_url
        is_dir = data is None
        sha = _blob_sha(ref, path, "tree" if is_dir else str(len(data or b"")))
        git_url = f"{api}/repos/{full}/git/{'trees' if is_dir else 'blobs'}/{sha}"
        html_url = f"{html}/{full}/{'tree' if is_dir else 'blob'}/{ref}/{path}"
        self_url = f"{api}/repos/{full}/contents/{path}?ref={ref}"
        return {
            "type": "dir" if is_dir else "file",
            "size": 0 if is_dir else len(data or b""),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "url": self_url,
            "git_url": git_url,
            "html_url": html_url,
            "download_url": None if is_dir else f"{html}/{full}/raw/{ref}/{path}",
            "_links": {"self": self_url, "git": git_url, "html": html_url},
        }

    def get_permission(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        login = call.params["username"]
        level = self.fake.access(Identity("token", token=FakeToken("", login)), repo)
        shapes = self.fake_shapes()
        answer = shapes.example(
            "repository-collaborator-permission-response-if-user-has-admin-permissions"
        )
        answer.update(
            permission=_REPORTED_PERMISSION.get(level, level),
            role_name=level,
            user={**shapes.user(login), "role_name": level},
        )
        self.reply(200, answer)

    # -- endpoints: reviews ------------------------------------------------------------------

    def create_review(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        _, pr = found
        if call.who.kind == "anonymous":
            self.gh_error(401, "Requires authentication")
            return
        body = call.body or {}
        login, user_type = self.author(call)
        event = body.get("event")
        commit_id = body.get("commit_id") or pr.head_sha
        doc = f"{DOCS}/pulls/reviews#create-a-review-for-a-pull-request"
        if commit_id not in pr.diffs:
            errors = ["The commitOID is not part of the pull request"]
            self.gh_error(422, "Unprocessable Entity", errors=errors, doc=doc)
            return
        if login == pr.user and event in ("APPROVE", "REQUEST_CHANGES"):
            what = "approve" if event == "APPROVE" else "request changes on"
            errors = [f"Review Can not {what} your own pull request"]
            self.gh_error(422, "Unprocessable Entity", errors=errors, doc=doc)
            return
        if any(r["user"] == login for r in pr.pending_reviews):
            # Submitted or not, a new review waits until the pending one is gone.
            self.gh_error(422, "Unprocessable Entity", errors=[ONE_PENDING_REVIEW], doc=doc)
            return
        files = {f.change.path: f for f in pr.files(commit_id)}
        errors: list[str] = []
        placed: list[dict[str, Any]] = []
        for comment in body.get("comments") or []:
            problem, hunk_text = _place_comment(comment, files)
            if problem:
                errors.append(problem)
            placed.append({**comment, "diff_hunk": hunk_text})
        if errors:
            # All or nothing, as on GitHub: a review with one bad comment posts nothing.
            self.gh_error(422, "Unprocessable Entity", errors=errors, doc=doc)
            return
        review = {
            "id": self.fake.next_id(),
            "user": login,
            "user_type": user_type,
            "body": body.get("body") or "",
            "event": event,
            "state": _REVIEW_STATES.get(event, "PENDING"),
            "commit_id": commit_id,
            "submitted_at": _now() if event else None,
            "comments": [],
        }
        for comment in placed:
            stored = {
                "id": self.fake.next_id(),
                "review_id": review["id"],
                "path": comment["path"],
                "body": comment["body"],
                "line": comment.get("line"),
                "side": comment.get("side") or ("RIGHT" if comment.get("line") else None),
                "start_line": comment.get("start_line"),
                "start_side": comment.get("start_side"),
                "position": comment.get("position")
                or _position_of(
                    files[comment["path"]].patch or "",
                    int(comment.get("line") or 0),
                    Side(comment.get("side") or "RIGHT"),
                ),
                "commit_id": commit_id,
                "diff_hunk": comment["diff_hunk"],
                "user": login,
                "user_type": user_type,
                "created_at": _now(),
            }
            review["comments"].append(stored)
            pr.review_comments.append(stored)
        pr.reviews.append(review)
        self.reply(200, self.fake_shapes().review(pr, review))

    def list_reviews(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        repo, pr = found
        shapes = self.fake_shapes()
        login = call.who.login
        items = [shapes.review(pr, r) for r in pr.reviews if pr.visible_to(login, r["id"])]
        self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pr.number}/reviews")

    def list_review_comments(self, call: Call) -> None:
        found = self.pr_for(call)
        if found is None:
            return
        repo, pr = found
        shapes = self.fake_shapes()
        login = call.who.login
        items = [
            shapes.review_comment(pr, c)
            for c in pr.review_comments
            if pr.visible_to(login, c["review_id"])
        ]
        self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pr.number}/comments")

    def find_review(self, call: Call) -> tuple[FakePR, dict[str, Any]] | None:
        """The review in the path, as its caller may see it (a pending one: its author)."""
        found = self.pr_for(call)
        if found is None:
            return None
        _, pr = found
        wanted = int(call.params["review_id"])
        for review in pr.reviews:
            if review["id"] == wanted and pr.visible_to(call.who.login, wanted):
                return pr, review
        self.not_found()
        return None

    def delete_pending_review(self, call: Call) -> None:
        found = self.find_review(call)
        if found is None:
            return
        pr, review = found
        if review["state"] != "PENDING":
            doc = f"{DOCS}/pulls/reviews#delete-a-pending-review-for-a-pull-request"
            self.gh_error(422, "Unprocessable Entity", errors=[NOT_PENDING_DELETE], doc=doc)
            return
        pr.reviews.remove(review)
        pr.review_comments[:] = [c for c in pr.review_comments if c["review_id"] != review["id"]]
        self.reply(200, self.fake_shapes().review(pr, review))

    def submit_review(self, call: Call) -> None:
        found = self.find_review(call)
        if found is None:
            return
        pr, review = found
        body = call.body or {}
        event = body["event"]
        doc = f"{DOCS}/pulls/reviews#submit-a-review-for-a-pull-request"
        if review["state"] != "PENDING":
            self.gh_error(422, "Validation Failed", errors=[ALREADY_SUBMITTED], doc=doc)
            return
        if review["user"] == pr.user and event in ("APPROVE", "REQUEST_CHANGES"):
            what = "approve" if event == "APPROVE" else "request changes on"
            errors = [f"Review Can not {what} your own pull request"]
            self.gh_error(422, "Unprocessable Entity", errors=errors, doc=doc)
            return
        if body.get("body"):
            review["body"] = body["body"]
        review.update(event=event, state=_REVIEW_STATES[event], submitted_at=_now())
        self.reply(200, self.fake_shapes().review(pr, review))

    # -- endpoints: issue comments -----------------------------------------------------------

    def list_issue_comments(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        number = int(call.params["issue_number"])
        if number not in repo.pulls:
            self.not_found()
            return
        shapes = self.fake_shapes()
        items = [
            shapes.issue_comment(repo, c)
            for c in repo.issue_comments
            if c["issue_number"] == number
        ]
        self.paginate(call, items, f"/repos/{repo.full_name}/issues/{number}/comments")

    def create_issue_comment(self, call: Call) -> None:
        repo = self.repo_for(call, "read")
        if repo is None:
            return
        if call.who.kind == "anonymous":
            self.gh_error(401, "Requires authentication")
            return
        number = int(call.params["issue_number"])
        if number not in repo.pulls:
            self.not_found()
            return
        login, user_type = self.author(call)
        comment = {
            "id": self.fake.next_id(),
            "issue_number": number,
            "body": call.body["body"],
            "user": login,
            "user_type": user_type,
            "created_at": _now(),
            "updated_at": _now(),
        }
        repo.issue_comments.append(comment)
        self.reply(201, self.fake_shapes().issue_comment(repo, comment))

    def find_issue_comment(self, call: Call) -> tuple[FakeRepo, dict[str, Any]] | None:
        repo = self.repo_for(call)
        if repo is None:
            return None
        wanted = int(call.params["comment_id"])
        for comment in repo.issue_comments:
            if comment["id"] == wanted:
                return repo, comment
        self.not_found()
        return None

    def get_issue_comment(self, call: Call) -> None:
        found = self.find_issue_comment(call)
        if found is not None:
            self.reply(200, self.fake_shapes().issue_comment(*found))

    def update_issue_comment(self, call: Call) -> None:
        found = self.find_issue_comment(call)
        if found is None:
            return
        repo, comment = found
        login = call.who.login
        if login != comment["user"] and _PERMISSIONS.index(
            self.fake.access(call.who, repo)
        ) < _PERMISSIONS.index("write"):
            self.gh_error(403, "Must have admin rights to Repository.")
            return
        comment["body"] = call.body["body"]
        comment["updated_at"] = _now()
        self.reply(200, self.fake_shapes().issue_comment(repo, comment))

    def delete_issue_comment(self, call: Call) -> None:
        found = self.find_issue_comment(call)
        if found is None:
            return
        repo, comment = found
        repo.issue_comments.remove(comment)
        self.send(204, b"", "application/json", self.common_headers())

    # -- endpoints: checks and statuses ------------------------------------------------------

    def checks_allowed(self, call: Call) -> FakeRepo | None:
        token = call.who.token
        if call.who.kind == "anonymous" or token is None:
            self.gh_error(401, "Requires authentication")
            return None
        if not token.checks_write:
            self.gh_error(403, INTEGRATION_FORBIDDEN, doc=f"{DOCS}/checks/runs#create-a-check-run")
            return None
        return self.repo_for(call, "write")

    def too_many_annotations(self, body: dict[str, Any]) -> bool:
        annotations = (body.get("output") or {}).get("annotations") or []
        if len(annotations) > MAX_ANNOTATIONS:
            self.gh_error(422, ANNOTATIONS_LIMIT_MESSAGE.format(n=len(annotations)))
            return True
        return False

    def create_check_run(self, call: Call) -> None:
        repo = self.checks_allowed(call)
        if repo is None:
            return
        body = call.body or {}
        if self.too_many_annotations(body):
            return
        output = dict(body.get("output") or {})
        run = {
            **body,
            "id": self.fake.next_id(),
            "annotations": list(output.pop("annotations", None) or []),
            "output": output,
            "updates": [],
        }
        if run.get("conclusion") and not run.get("status"):
            run["status"] = "completed"
        repo.check_runs[run["id"]] = run
        self.reply(201, self.fake_shapes().check_run(repo, run))

    def update_check_run(self, call: Call) -> None:
        repo = self.checks_allowed(call)
        if repo is None:
            return
        run = repo.check_runs.get(int(call.params["check_run_id"]))
        if run is None:
            self.not_found()
            return
        body = dict(call.body or {})
        if self.too_many_annotations(body):
            return
        run["updates"].append(dict(body))
        output = dict(body.pop("output", None) or {})
        # Annotations accumulate across updates; the rest of the output is replaced.
        run["annotations"].extend(output.pop("annotations", None) or [])
        if output:
            run["output"] = {**run.get("output", {}), **output}
        run.update(body)
        if run.get("conclusion") and run.get("status") != "completed":
            run["status"] = "completed"
        self.reply(200, self.fake_shapes().check_run(repo, run))

    def list_check_runs_for_ref(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        ref = call.params["ref"]
        name = call.q("check_name")
        runs = [
            r
            for r in repo.check_runs.values()
            if r.get("head_sha") == ref and (name is None or r.get("name") == name)
        ]
        runs.sort(key=lambda r: r["id"], reverse=True)
        if call.q("filter", "latest") == "latest":
            # GitHub's default: the newest run of each name.
            newest: dict[str, dict[str, Any]] = {}
            for r in runs:
                newest.setdefault(r.get("name", ""), r)
            runs = list(newest.values())
        shapes = self.fake_shapes()
        self.reply(
            200,
            {"total_count": len(runs), "check_runs": [shapes.check_run(repo, r) for r in runs]},
        )

    def get_check_run(self, call: Call) -> None:
        repo = self.repo_for(call)
        if repo is None:
            return
        run = repo.check_runs.get(int(call.params["check_run_id"]))
        if run is None:
            self.not_found()
            return
        self.reply(200, self.fake_shapes().check_run(repo, run))

    def create_status(self, call: Call) -> None:
        repo = self.repo_for(call, "write")
        if repo is None:
            return
        body = call.body or {}
        description = body.get("description") or ""
        if len(description) > 140:
            self.gh_error(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "Status",
                        "code": "custom",
                        "field": "description",
                        "message": "description is too long (maximum is 140 characters)",
                    }
                ],
            )
            return
        login, user_type = self.author(call)
        status = {
            **body,
            "id": self.fake.next_id(),
            "sha": call.params["sha"],
            "user": login,
            "user_type": user_type,
            "created_at": _now(),
        }
        repo.statuses.append(status)
        self.reply(201, self.fake_shapes().status(repo, status))

    def fake_shapes(self) -> _Shapes:
        return _Shapes(self.fake)


def _place_comment(comment: dict[str, Any], files: dict[str, FakeFile]) -> tuple[str | None, str]:
    """(GitHub's complaint or None, the diff hunk text the comment sits on)."""
    f = files.get(comment.get("path", ""))
    if f is None:
        return REVIEW_PATH_UNKNOWN, ""
    hunks = f.change.hunks
    if comment.get("position") is not None and comment.get("line") is None:
        lines = (f.patch or "").split("\n")
        position = int(comment["position"])
        if not 1 <= position < len(lines):
            return REVIEW_LINE_NOT_IN_DIFF, ""
        return None, "\n".join(lines[: position + 1])
    if comment.get("line") is None:
        return REVIEW_LINE_NOT_IN_DIFF, ""
    side = Side(comment.get("side") or "RIGHT")
    line_hunk = _hunk_of(hunks, int(comment["line"]), side)
    if line_hunk is None:
        return REVIEW_LINE_NOT_IN_DIFF, ""
    if comment.get("start_line") is not None:
        start_side = Side(comment.get("start_side") or side)
        if _hunk_of(hunks, int(comment["start_line"]), start_side) != line_hunk:
            return REVIEW_START_LINE_HUNK, ""
    return None, _hunk_text(f, line_hunk)


def _position_of(patch: str, line: int, side: Side) -> int | None:
    """The comment's `position`: lines below the file's first hunk header, as GitHub counts."""
    old = new = 0
    for position, text in enumerate(patch.split("\n")):
        if text.startswith("@@"):
            found = re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)", text)
            if found:
                old, new = int(found[1]), int(found[2])
            continue
        mark = text[:1]
        if mark == "\\":
            continue
        if side is Side.RIGHT and mark != "-" and new == line:
            return position
        if side is Side.LEFT and mark != "+" and old == line:
            return position
        if mark != "+":
            old += 1
        if mark != "-":
            new += 1
    return None


def _hunk_of(hunks: list[Any], line: int, side: Side) -> int | None:
    for index, hunk in enumerate(hunks):
        for ln in hunk.lines:
            if side is Side.RIGHT and ln.kind is not LineKind.REMOVED and ln.new_no == line:
                return index
            if side is Side.LEFT and ln.kind is not LineKind.ADDED and ln.old_no == line:
                return index
    return None


def _hunk_text(f: FakeFile, index: int) -> str:
    blocks = re.split(r"(?m)^(?=@@)", f.patch or "")
    blocks = [b for b in blocks if b]
    return blocks[index].rstrip("\n") if index < len(blocks) else ""


_R = "/repos/{owner}/{repo}"
_Handler.endpoints = {
    ("GET", "/user"): _Handler.get_user,
    ("POST", "/app/installations/{installation_id}/access_tokens"): (
        _Handler.create_installation_token
    ),
    ("GET", "/app/installations/{installation_id}"): _Handler.get_installation,
    ("GET", f"{_R}/installation"): _Handler.get_repo_installation,
    ("GET", _R): _Handler.get_repo,
    ("GET", f"{_R}/pulls/{{pull_number}}"): _Handler.get_pull,
    ("POST", f"{_R}/pulls"): _Handler.create_pull,
    ("PATCH", f"{_R}/pulls/{{pull_number}}"): _Handler.update_pull,
    ("POST", f"{_R}/issues/{{issue_number}}/labels"): _Handler.add_labels,
    ("GET", f"{_R}/pulls/{{pull_number}}/files"): _Handler.list_files,
    ("GET", f"{_R}/pulls/{{pull_number}}/commits"): _Handler.list_commits,
    ("GET", f"{_R}/compare/{{basehead}}"): _Handler.compare,
    ("GET", f"{_R}/contents/{{path}}"): _Handler.get_contents,
    ("GET", f"{_R}/collaborators/{{username}}/permission"): _Handler.get_permission,
    ("POST", f"{_R}/pulls/{{pull_number}}/reviews"): _Handler.create_review,
    ("GET", f"{_R}/pulls/{{pull_number}}/reviews"): _Handler.list_reviews,
    ("DELETE", f"{_R}/pulls/{{pull_number}}/reviews/{{review_id}}"): (
        _Handler.delete_pending_review
    ),
    ("POST", f"{_R}/pulls/{{pull_number}}/reviews/{{review_id}}/events"): _Handler.submit_review,
    ("GET", f"{_R}/pulls/{{pull_number}}/comments"): _Handler.list_review_comments,
    ("GET", f"{_R}/issues/{{issue_number}}/comments"): _Handler.list_issue_comments,
    ("POST", f"{_R}/issues/{{issue_number}}/comments"): _Handler.create_issue_comment,
    ("GET", f"{_R}/issues/comments/{{comment_id}}"): _Handler.get_issue_comment,
    ("PATCH", f"{_R}/issues/comments/{{comment_id}}"): _Handler.update_issue_comment,
    ("DELETE", f"{_R}/issues/comments/{{comment_id}}"): _Handler.delete_issue_comment,
    ("POST", f"{_R}/check-runs"): _Handler.create_check_run,
    ("PATCH", f"{_R}/check-runs/{{check_run_id}}"): _Handler.update_check_run,
    ("GET", f"{_R}/check-runs/{{check_run_id}}"): _Handler.get_check_run,
    ("GET", f"{_R}/commits/{{ref}}/check-runs"): _Handler.list_check_runs_for_ref,
    ("POST", f"{_R}/statuses/{{sha}}"): _Handler.create_status,
}

FakeGitHub.handler = _Handler
