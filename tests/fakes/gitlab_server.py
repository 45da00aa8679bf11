"""A stateful fake of GitLab's REST API v4 on loopback, for python-gitlab (or any client).

Served: GET /user; projects by id or URL-encoded path; a merge request, its diffs (and the
older /changes), its versions, its discussions (diff notes with a position) and notes;
repository files (raw) and trees at a ref; compare; commit statuses; project members with
their access levels. Answers carry the fields GitLab's documentation gives, errors GitLab's
bodies (`{"message": "404 Project Not Found"}`, Grape's `{"error": "body is missing"}`).

Rules the fake keeps because clients trip over them on the real service:
- a diff note's position must name the SHAs of one of the merge request's versions and a
  line of that version's diff: new_line alone for an added line, old_line alone for a
  removed one, both for an unchanged one (tests/fakes/gitlab_diffs.py); anything else is
  GitLab's 400 "Note {:line_code=>[...]}";
- a commit status goes to the newest pipeline of its commit (an external one is created
  when there is none); a pending or running status of the same name is updated along
  GitLab's state machine, and a move it does not allow (pending to pending, running to
  pending or skipped) is GitLab's 400 "Cannot transition status";
- tokens: unknown -> 401; a token without the `api` scope (read_api) -> 403
  insufficient_scope on every write; a project member below Developer may not set a
  status, nobody may edit another's note; a private project is a 404 to a non-member;
- lists page as GitLab pages them (20 by default, 100 at most, X-Page / X-Next-Page /
  X-Total headers and a Link header), python-gitlab follows them;
- `rate_limit(...)` answers 429 "Retry later" with Retry-After and RateLimit-* headers.

A push (`push`) adds a version; diff notes on files the push did not touch are moved to the
new version, as GitLab moves a note whose line did not change; the others keep their
SHAs and are outdated.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.fakes.gitlab_diffs import LINE_CODE_ERROR, check_position, entries_from_git_diff
from tests.fakes.gitlab_shapes import Shapes
from tests.fakes.gitlab_state import (
    DEVELOPER,
    GUEST,
    MAINTAINER,
    OWNER,
    REPORTER,
    FakeDiscussion,
    FakeMR,
    FakeNote,
    FakePipeline,
    FakeProject,
    FakeStatus,
    FakeToken,
    FakeUser,
    FakeVersion,
    GitLabRequest,
    now,
    sha_of,
)
from tests.fakes.http_base import (
    FakeHandler,
    FakeHTTPServer,
    Fault,
    Faults,
    ForgeRecord,
    RecordedRequest,
)

__all__ = [
    "DEVELOPER",
    "GUEST",
    "MAINTAINER",
    "OWNER",
    "REPORTER",
    "FakeGitLab",
    "FakeMR",
    "FakeProject",
    "GitLabRequest",
]

API = "/api/v4"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the "
    "access token.",
    "scope": "api",
}
STATES = ("pending", "running", "success", "failed", "canceled", "skipped")
# GitLab's commit status state machine (CommitStatus): the event that takes a status to each
# state, and the states it may leave from. A pending or running status is the only kind
# found again by name; a finished one is left and a new one made.
_TRANSITION = {
    "pending": "enqueue",
    "running": "run",
    "skipped": "skip",
    "success": "succeed",
    "failed": "drop",
    "canceled": "cancel",
}
_ALLOWED_FROM = {
    "pending": ("created",),
    "running": ("created", "pending"),  # the API enqueues a new status, then runs it
    "skipped": ("created", "pending"),
    "success": ("created", "pending", "running"),
    "failed": ("created", "pending", "running"),
    "canceled": ("created", "pending", "running"),
}


# -- the server ----------------------------------------------------------------------------


class FakeGitLab(FakeHTTPServer[None], ForgeRecord):
    """GitLab in memory. `url` is what python-gitlab takes as its `url` (the API is below
    /api/v4)."""

    request_type = GitLabRequest

    def __init__(self) -> None:
        super().__init__(lambda _request: None)
        self.users: dict[int, FakeUser] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.projects: dict[int, FakeProject] = {}
        self.problems: list[str] = []  # requests the fake could not answer as GitLab would
        self.state_lock = threading.RLock()
        self._faults = Faults()
        self._ids = itertools.count(1000)

    @property
    def url(self) -> str:
        return self.root_url

    # -- setup -------------------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def add_user(self, username: str, *, name: str = "", bot: bool = False) -> FakeUser:
        with self.state_lock:
            user = FakeUser(self.next_id(), username, name or username.title(), bot)
            self.users[user.id] = user
            return user

    def user(self, username: str) -> FakeUser:
        found = [u for u in self.users.values() if u.username == username]
        return found[0] if found else self.add_user(username)

    def add_token(self, token: str, username: str, *, scopes: Iterable[str] = ("api",)) -> None:
        """A token of `username` (created when new); scopes ("read_api",) reads only."""
        with self.state_lock:
            self.tokens[token] = FakeToken(token, self.user(username), tuple(scopes))

    def add_project(
        self, path: str, *, default_branch: str = "main", visibility: str = "private"
    ) -> FakeProject:
        with self.state_lock:
            project = FakeProject(self.next_id(), path, default_branch, visibility)
            self.projects[project.id] = project
            return project

    def set_member(self, path: str, username: str, access_level: int) -> None:
        with self.state_lock:
            self.project(path).members[self.user(username).id] = access_level

    def add_mr(
        self,
        path: str,
        iid: int,
        *,
        base_sha: str,
        head_sha: str,
        diff: str,
        start_sha: str | None = None,
        source_branch: str = "feature",
        target_branch: str = "main",
        title: str = "",
        description: str = "",
        author: str = "alice",
        draft: bool = False,
        labels: Iterable[str] = (),
        fork: bool = False,
    ) -> FakeMR:
        """Merge request !iid from `source_branch` at `head_sha` into `target_branch`, whose
        tip is `start_sha` (default `base_sha`, the merge base); `diff` is base...head."""
        start = start_sha or base_sha
        with self.state_lock:
            project = self.project(path)
            project.commits.setdefault(base_sha, [])
            project.commits.setdefault(start, [base_sha] if start != base_sha else [])
            project.commits[head_sha] = [base_sha]
            project.branches.setdefault(target_branch, start)
            if not fork:
                project.branches[source_branch] = head_sha
            version = FakeVersion(self.next_id(), head_sha, base_sha, start, diff)
            version.entries()  # a diff the fake cannot read fails here, not mid-request
            mr = FakeMR(
                project=project,
                iid=iid,
                id=self.next_id(),
                title=title or f"Merge request {iid}",
                description=description,
                author=self.user(author),
                source_branch=source_branch,
                target_branch=target_branch,
                draft=draft,
                labels=list(labels),
                versions=[version],
                source_project_id=self.next_id() if fork else project.id,
            )
            project.mrs[iid] = mr
            return mr

    def push(
        self,
        path: str,
        iid: int,
        new_head: str,
        new_diff: str,
        *,
        since_diff: str | None = None,
        force: bool = False,
    ) -> FakeMR:
        """A push to the merge request's source branch: a new version whose diff (base...head)
        is `new_diff`. `since_diff` is what compare answers from the old head; `force`: the
        old head is not an ancestor of the new one."""
        with self.state_lock:
            mr = self.mr(path, iid)
            project, old = mr.project, mr.latest
            project.commits[new_head] = [old.base if force else old.head]
            version = FakeVersion(self.next_id(), new_head, old.base, old.start, new_diff)
            version.entries()
            mr.versions.append(version)
            project.branches[mr.source_branch] = new_head
            if since_diff is not None and not force:
                project.compares[(old.head, new_head)] = since_diff
            touched: set[str] | None = None
            if since_diff is not None and not force:
                pushed = entries_from_git_diff(since_diff)
                touched = {e.new_path for e in pushed} | {e.old_path for e in pushed}
            for note in mr.diff_notes:
                position = note.position or {}
                untouched = touched is not None and position.get("new_path") not in touched
                if untouched and position.get("head_sha") == old.head:
                    position.update(
                        base_sha=version.base, start_sha=version.start, head_sha=version.head
                    )
            return mr

    def hide_diff(self, path: str, iid: int, file_path: str, why: str = "too_large") -> None:
        """GitLab sends no diff text for this file (too large, or collapsed)."""
        with self.state_lock:
            self.mr(path, iid).hidden[file_path] = why

    def add_pipeline(self, path: str, sha: str, ref: str, *, source: str = "push") -> int:
        with self.state_lock:
            project = self.project(path)
            pipeline = FakePipeline(self.next_id(), sha, ref, source)
            project.pipelines.append(pipeline)
            for mr in project.mrs.values():
                if mr.head_sha == sha:
                    mr.head_pipeline_id = pipeline.id
            return pipeline.id

    def set_file(self, path: str, ref: str, file_path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        with self.state_lock:
            self.project(path).files.setdefault(ref, {})[file_path.strip("/")] = data

    def add_compare(self, path: str, from_sha: str, to_sha: str, diff: str) -> None:
        entries_from_git_diff(diff)
        with self.state_lock:
            self.project(path).compares[(from_sha, to_sha)] = diff

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` requests matching `method` and `path_regex` (searched in the
        decoded path below /api/v4) get `status` with `body` (a dict: JSON; a str: text;
        None: GitLab's `{"message": "<status> ..."}`)."""
        self._faults.add(method, path_regex, status, body, headers, times)

    def rate_limit(
        self, method: str, path_regex: str, *, retry_after: int = 1, times: int = 1
    ) -> None:
        """GitLab's throttle (Rack::Attack): 429, "Retry later", Retry-After in seconds."""
        reset = int(time.time()) + retry_after
        headers = {
            "Retry-After": str(retry_after),
            "RateLimit-Name": "throttle_authenticated_api",
            "RateLimit-Limit": "60",
            "RateLimit-Observed": "61",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(reset),
            "RateLimit-ResetTime": datetime.fromtimestamp(reset, UTC).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            ),
        }
        self.fail_next(method, path_regex, 429, "Retry later\n", headers, times)

    # -- inspection --------------------------------------------------------------------------

    def project(self, path_or_id: str | int) -> FakeProject:
        with self.state_lock:
            for project in self.projects.values():
                if (
                    str(project.id) == str(path_or_id)
                    or project.path.lower() == str(path_or_id).lower()
                ):
                    return project
        raise KeyError(f"no project {path_or_id!r}: add_project first")

    def mr(self, path: str, iid: int) -> FakeMR:
        return self.project(path).mrs[iid]

    def gl_requests(self) -> list[GitLabRequest]:
        return self.forge_requests()

    def assert_no_problems(self) -> None:
        assert not self.problems, "requests the fake could not answer:\n" + "\n".join(self.problems)

    # -- used by the handler -----------------------------------------------------------------

    def take_fault(self, method: str, path: str) -> Fault | None:
        return self._faults.take(method, path)


# -- the handler -----------------------------------------------------------------------------


@dataclass
class Call:
    """What an endpoint gets: the path's parts, the parameters (query and JSON body merged, as
    Grape merges them), the caller, and the project and merge request when the path names
    them."""

    groups: dict[str, str]
    params: dict[str, Any]
    token: FakeToken
    raw_path: str
    project: FakeProject | None = None
    mr: FakeMR | None = None

    @property
    def user(self) -> FakeUser:
        return self.token.user


Endpoint = Callable[["_Handler", Call], None]
_P = r"/projects/(?P<project>[^/]+)"
_MR = _P + r"/merge_requests/(?P<iid>\d+)"


class _Handler(FakeHandler):
    fake: FakeGitLab
    table: ClassVar[list[tuple[str, re.Pattern[str], Endpoint]]] = []

    # -- plumbing ----------------------------------------------------------------------------

    def reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        base = {"X-Request-Id": f"fake-{len(self.fake.requests)}", "Cache-Control": "no-cache"}
        self.json_reply(status, payload, {**base, **(headers or {})})

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.reply(status, {"message": message}, headers)

    def grape_error(self, message: str) -> None:
        """A parameter Grape's validation refused: 400 with `error`, not `message`."""
        self.reply(400, {"error": message})

    def body_param(self, call: Call) -> str | None:
        """The note's text; None after Grape's 400 when there is none."""
        body = call.params.get("body")
        if not isinstance(body, str) or not body:
            self.grape_error("body is missing")
            return None
        return body

    def handle_any(self, method: str) -> None:
        fake = self.fake
        raw = self.read_body()
        split = urlsplit(self.path)
        raw_path = split.path
        if not raw_path.startswith(API + "/"):
            fake.record(RecordedRequest(method, raw_path, dict(self.headers.items()), None))
            self.error(404, "404 Not Found")
            return
        raw_path = raw_path[len(API) :]
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        fake.record(
            GitLabRequest(
                method,
                unquote(raw_path),
                {k.lower(): v for k, v in self.headers.items()},
                body,
                raw_body=raw,
                request_line=self.requestline,
                target=self.path,
                query=query,
            )
        )
        if method == "HEAD":
            self.send(404, b"", "application/json", {})
            return
        token = self.identify()
        if token is None:
            return
        if method != "GET" and "api" not in token.scopes:
            self.reply(403, INSUFFICIENT_SCOPE)
            return
        fault = fake.take_fault(method, unquote(raw_path))
        if fault is not None:
            self.play(fault)
            return
        params: dict[str, Any] = dict(query)
        if isinstance(body, dict):
            params.update(body)
        for verb, pattern, endpoint in self.table:
            match = pattern.fullmatch(raw_path.rstrip("/"))
            if verb == method and match:
                call = Call(match.groupdict(), params, token, raw_path)
                with fake.state_lock:
                    if self.locate(call):
                        endpoint(self, call)
                return
        self.error(404, "404 Not Found")

    def identify(self) -> FakeToken | None:
        given = self.headers.get("PRIVATE-TOKEN") or ""
        scheme, _, bearer = (self.headers.get("Authorization") or "").partition(" ")
        if not given and scheme.lower() == "bearer":
            given = bearer.strip()
        token = self.fake.tokens.get(given)
        if token is None:
            self.error(401, "401 Unauthorized")
        return token

    def play(self, fault: Fault) -> None:
        if isinstance(fault.body, str):
            self.send(fault.status, fault.body.encode(), "text/plain", fault.headers)
        elif fault.body is None:
            self.reply(fault.status, {"message": f"{fault.status} Error"}, fault.headers)
        else:
            self.reply(fault.status, fault.body, fault.headers)

    def locate(self, call: Call) -> bool:
        """Finds the project and merge request the path names, as the caller may see them;
        False after answering 404 as GitLab does."""
        ref = call.groups.get("project")
        if ref is None:
            return True
        wanted = unquote(ref)
        project = next(
            (
                p
                for p in self.fake.projects.values()
                if str(p.id) == wanted or p.path.lower() == wanted.lower()
            ),
            None,
        )
        if project is None or (project.visibility == "private" and self.level(call, project) < 10):
            self.error(404, "404 Project Not Found")
            return False
        call.project = project
        iid = call.groups.get("iid")
        if iid is not None:
            call.mr = project.mrs.get(int(iid))
            if call.mr is None:
                self.error(404, "404 Not found")
                return False
        return True

    def level(self, call: Call, project: FakeProject) -> int:
        return project.members.get(call.user.id, 0)

    def paginate(self, call: Call, items: list[Any]) -> None:
        try:
            per_page = min(max(int(call.params.get("per_page") or DEFAULT_PER_PAGE), 1), 100)
            page = max(int(call.params.get("page") or 1), 1)
        except ValueError:
            self.grape_error("page is invalid")
            return
        pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        query = {k: v for k, v in call.params.items() if k not in ("page", "per_page")}
        query = {k: v for k, v in query.items() if isinstance(v, str)}

        def url(number: int) -> str:
            q = urlencode({**query, "page": number, "per_page": per_page})
            return f"{self.fake.root_url}{API}{call.raw_path}?{q}"

        links = {"first": 1, "last": pages}
        if page < pages:
            links["next"] = page + 1
        if page > 1:
            links["prev"] = page - 1
        headers = {
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total": str(len(items)),
            "X-Total-Pages": str(pages),
            "X-Next-Page": str(page + 1) if page < pages else "",
            "X-Prev-Page": str(page - 1) if page > 1 else "",
            "Link": ", ".join(f'<{url(n)}>; rel="{rel}"' for rel, n in links.items()),
        }
        self.reply(200, chunk, headers)

    def shapes(self) -> Shapes:
        return Shapes(self.fake.root_url)

    # -- users, projects, members ------------------------------------------------------------

    def get_user(self, call: Call) -> None:
        self.reply(200, self.shapes().current_user(call.user))

    def get_project(self, call: Call) -> None:
        assert call.project is not None
        self.reply(200, self.shapes().project(call.project))

    def get_member_all(self, call: Call) -> None:
        assert call.project is not None
        user = self.fake.users.get(int(call.groups["user"]))
        level = call.project.members.get(user.id, 0) if user else 0
        if user is None or level == 0:
            self.error(404, "404 Not found")
            return
        self.reply(200, self.shapes().member(user, level))

    def list_members_all(self, call: Call) -> None:
        assert call.project is not None
        shapes = self.shapes()
        items = [
            shapes.member(self.fake.users[uid], level)
            for uid, level in sorted(call.project.members.items())
        ]
        self.paginate(call, items)

    # -- merge requests ----------------------------------------------------------------------

    def head_pipeline(self, mr: FakeMR) -> FakePipeline | None:
        found = [p for p in mr.project.pipelines if p.id == mr.head_pipeline_id]
        return found[0] if found and found[0].sha == mr.head_sha else None

    def get_mr(self, call: Call) -> None:
        assert call.mr is not None
        self.reply(200, self.shapes().mr(call.mr, self.head_pipeline(call.mr)))

    def create_mr(self, call: Call) -> None:
        """POST a merge request, with GitLab's checks: a Developer may; title, source and
        target branches are required (Grape's 400); both branches must exist (400 with the
        model's errors); one open merge request per source and target branch (409)."""
        project = call.project
        assert project is not None
        if self.level(call, project) < 30:
            self.error(403, "403 Forbidden")
            return
        p = call.params
        missing = [k for k in ("source_branch", "target_branch", "title") if not p.get(k)]
        if missing:
            self.grape_error(f"{', '.join(missing)} is missing")
            return
        source, target = str(p["source_branch"]), str(p["target_branch"])
        errors = {
            f"{k}_branch": ["does not exist"]
            for k, ref in (("source", source), ("target", target))
            if ref not in project.branches
        }
        if errors:
            self.reply(400, {"message": errors})
            return
        for mr in project.mrs.values():
            if mr.source_branch == source and mr.target_branch == target:
                self.error(
                    409,
                    f"Another open merge request already exists for this source branch: !{mr.iid}",
                )
                return
        iid = max([*project.mrs, 0]) + 1
        head = project.branches[source]
        created = self.fake.add_mr(
            project.path, iid, base_sha=project.branches[target], head_sha=head, diff="",
            source_branch=source, target_branch=target, title=str(p["title"]),
            description=str(p.get("description") or ""), author=call.user.username,
        )  # fmt: skip
        self.reply(201, self.shapes().mr(created, None))

    def update_mr(self, call: Call) -> None:
        """PUT a merge request: title, description, add_labels (what Switchyard's description
        edits). GitLab's own checks: one of the parameters is needed, the title must not be
        blank nor past 255 characters, the description not past 1,048,576; the author or a
        Developer may edit. It answers the updated merge request."""
        mr = call.mr
        assert mr is not None and call.project is not None
        p = call.params
        known = ("title", "description", "add_labels", "labels", "remove_labels")
        if not any(k in p for k in known):
            self.grape_error(
                "assignee_id, assignee_ids, ..., add_labels, description, ..., title are "
                "missing, at least one parameter must be provided"
            )
            return
        if mr.author.id != call.user.id and self.level(call, call.project) < 30:
            self.error(403, "403 Forbidden")
            return
        title = p.get("title")
        if title is not None and not str(title).strip():
            self.reply(400, {"message": {"title": ["can't be blank"]}})
            return
        if title is not None and len(str(title)) > 255:
            self.reply(400, {"message": {"title": ["is too long (maximum is 255 characters)"]}})
            return
        text = p.get("description")
        if text is not None and len(str(text)) > 1_048_576:
            self.reply(
                400,
                {"message": {"description": ["is too long (maximum is 1048576 characters)"]}},
            )
            return
        if title is not None:
            mr.title = str(title)
        if text is not None:
            mr.description = str(text)
        for name in str(p.get("add_labels") or "").split(","):
            if name.strip() and name.strip() not in mr.labels:
                mr.labels.append(name.strip())
        self.reply(200, self.shapes().mr(mr, self.head_pipeline(mr)))

    def get_changes(self, call: Call) -> None:
        assert call.mr is not None
        answer = self.shapes().mr(call.mr, self.head_pipeline(call.mr))
        answer["changes"] = [e.as_json() for e in call.mr.entries()]
        answer["overflow"] = False
        self.reply(200, answer)

    def list_diffs(self, call: Call) -> None:
        assert call.mr is not None
        self.paginate(call, [e.as_json() for e in call.mr.entries()])

    def list_versions(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        shapes = self.shapes()
        self.paginate(call, [shapes.version(mr, v) for v in reversed(mr.versions)])

    def get_version(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None and call.project is not None
        wanted = int(call.groups["version"])
        version = next((v for v in mr.versions if v.id == wanted), None)
        if version is None:
            self.error(404, "404 Not found")
            return
        shapes = self.shapes()
        answer = shapes.version(mr, version)
        answer["commits"] = [
            shapes.commit(call.project, sha)
            for sha in call.project.ancestors(version.head)
            if sha not in call.project.ancestors(version.base)
        ]
        answer["diffs"] = [e.as_json() for e in mr.entries(version)]
        self.reply(200, answer)

    # -- discussions and notes ---------------------------------------------------------------

    def list_discussions(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        shapes = self.shapes()
        self.paginate(call, [shapes.discussion(mr, d) for d in mr.discussions])

    def get_discussion(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        found = next((d for d in mr.discussions if d.id == call.groups["discussion"]), None)
        if found is None:
            self.error(404, "404 Not found")
            return
        self.reply(200, self.shapes().discussion(mr, found))

    def create_discussion(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        body = self.body_param(call)
        if body is None:
            return
        position = call.params.get("position")
        note_type = "DiscussionNote"
        if position is not None:
            problem = self.position_problem(mr, position)
            if problem is not None:
                if problem.startswith("position"):
                    self.grape_error(problem)
                else:
                    self.error(400, problem)
                return
            note_type = "DiffNote"
            position = _stored_position(position)
        note = FakeNote(self.fake.next_id(), call.user, body, note_type, position)
        discussion = FakeDiscussion(sha_of("discussion", note.id), False, [note])
        mr.discussions.append(discussion)
        self.reply(201, self.shapes().discussion(mr, discussion))

    def position_problem(self, mr: FakeMR, position: Any) -> str | None:
        """GitLab's refusal of a position (Grape's, then the note's), or None."""
        if not isinstance(position, dict):
            return "position is invalid"
        missing = [
            f"position[{key}] is missing"
            for key in ("base_sha", "start_sha", "head_sha", "position_type")
            if not position.get(key)
        ]
        if missing:
            return ", ".join(missing)
        kind = position.get("position_type")
        if kind not in ("text", "image", "file"):
            return "position[position_type] does not have a valid value"
        version = next((v for v in mr.versions if v.refs_match(position)), None)
        if version is None:
            # No diff between those SHAs for this merge request: no line to find.
            return LINE_CODE_ERROR
        entries = mr.entries(version)
        if kind != "text":
            known = any(e.new_path == position.get("new_path") for e in entries)
            return None if known else LINE_CODE_ERROR
        return check_position(position, entries)

    def list_notes(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        shapes = self.shapes()
        pairs = [(n, not d.individual_note) for d in mr.discussions for n in d.notes]
        # GitLab lists notes newest first unless asked otherwise.
        if call.params.get("sort", "desc") != "asc":
            pairs.reverse()
        self.paginate(call, [shapes.note(mr, n, r) for n, r in pairs])

    def find_note(self, call: Call) -> tuple[FakeNote, bool] | None:
        mr = call.mr
        assert mr is not None
        wanted = int(call.groups["note"])
        for d in mr.discussions:
            for n in d.notes:
                if n.id == wanted:
                    return n, not d.individual_note
        self.error(404, "404 Note Not Found")
        return None

    def get_note(self, call: Call) -> None:
        found = self.find_note(call)
        if found is not None:
            assert call.mr is not None
            self.reply(200, self.shapes().note(call.mr, *found))

    def create_note(self, call: Call) -> None:
        mr = call.mr
        assert mr is not None
        body = self.body_param(call)
        if body is None:
            return
        note = FakeNote(self.fake.next_id(), call.user, body, None)
        mr.discussions.append(FakeDiscussion(sha_of("discussion", note.id), True, [note]))
        self.reply(201, self.shapes().note(mr, note, False))

    def update_note(self, call: Call) -> None:
        found = self.find_note(call)
        if found is None:
            return
        note, resolvable = found
        if note.author.id != call.user.id:
            self.error(403, "403 Forbidden")
            return
        body = self.body_param(call)
        if body is None:
            return
        note.body = body
        note.updated_at = now()
        assert call.mr is not None
        self.reply(200, self.shapes().note(call.mr, note, resolvable))

    # -- repository --------------------------------------------------------------------------

    def stored(self, project: FakeProject, ref: str) -> dict[str, bytes] | None:
        """The files at `ref` (a branch, or a SHA), or None when the ref is unknown."""
        ref = ref.removeprefix("refs/heads/")
        sha = project.resolve(ref)
        keys = [ref, sha or ""] + [name for name, at in project.branches.items() if at == ref]
        found: dict[str, bytes] = {}
        for key in keys:
            found.update({k: v for k, v in project.files.get(key, {}).items() if k not in found})
        return found if (found or sha) else None

    def get_raw_file(self, call: Call) -> None:
        assert call.project is not None
        path = unquote(call.groups["file"])
        ref = call.params.get("ref") or call.project.default_branch
        files = self.stored(call.project, str(ref))
        if files is None or path not in files:
            self.error(404, "404 File Not Found")
            return
        self.send(200, files[path], "text/plain; charset=utf-8", {"X-Gitlab-File-Path": path})

    def get_tree(self, call: Call) -> None:
        assert call.project is not None
        ref = str(call.params.get("ref") or call.project.default_branch)
        folder = str(call.params.get("path") or "").strip("/")
        recursive = str(call.params.get("recursive", "false")).lower() == "true"
        files = self.stored(call.project, ref)
        prefix = f"{folder}/" if folder else ""
        names = sorted(n for n in (files or {}) if n.startswith(prefix))
        if files is None or (folder and not names):
            self.error(404, "404 Tree Not Found")
            return
        entries: dict[str, str] = {}
        for name in names:
            parts = name[len(prefix) :].split("/")
            depth = len(parts) if recursive else 1
            for i in range(1, depth + 1):
                path = prefix + "/".join(parts[:i])
                entries.setdefault(path, "blob" if i == len(parts) else "tree")
        items = [
            {
                "id": sha_of(ref, path),
                "name": path.rsplit("/", 1)[-1],
                "type": kind,
                "path": path,
                "mode": "040000" if kind == "tree" else "100644",
            }
            for path, kind in sorted(entries.items(), key=lambda pk: (pk[1] != "tree", pk[0]))
        ]
        self.paginate(call, items)

    def compare(self, call: Call) -> None:
        project = call.project
        assert project is not None
        from_sha = project.resolve(str(call.params.get("from") or ""))
        to_sha = project.resolve(str(call.params.get("to") or ""))
        if from_sha is None or to_sha is None:
            self.error(404, "404 Ref Not Found")
            return
        straight = str(call.params.get("straight", "false")).lower() == "true"
        start = from_sha
        if not straight:
            behind = project.ancestors(from_sha)
            start = next((a for a in project.ancestors(to_sha) if a in behind), from_sha)
        commits = [a for a in project.ancestors(to_sha) if a not in project.ancestors(start)]
        diff = self.diff_between(project, start, to_sha)
        if diff is None:
            self.fake.problems.append(f"compare {start[:12]}..{to_sha[:12]}: no diff known")
            self.error(404, "404 Ref Not Found")
            return
        shapes = self.shapes()
        self.reply(
            200,
            {
                "commit": shapes.commit(project, to_sha),
                "commits": [shapes.commit(project, sha) for sha in reversed(commits)],
                "diffs": [e.as_json() for e in entries_from_git_diff(diff)],
                "compare_timeout": False,
                "compare_same_ref": from_sha == to_sha,
                "web_url": f"{self.fake.root_url}/{project.path}/-/compare/{from_sha}...{to_sha}",
            },
        )

    def diff_between(self, project: FakeProject, start: str, end: str) -> str | None:
        if start == end:
            return ""
        if (start, end) in project.compares:
            return project.compares[(start, end)]
        for mr in project.mrs.values():
            for v in mr.versions:
                if (v.base, v.head) == (start, end):
                    return v.diff
        return None

    # -- commit statuses ---------------------------------------------------------------------

    def create_status(self, call: Call) -> None:
        project = call.project
        assert project is not None
        state = call.params.get("state")
        if not state:
            self.grape_error("state is missing")
            return
        if state not in STATES:
            self.grape_error("state does not have a valid value")
            return
        sha = call.groups["sha"]
        if sha not in project.commits:
            self.error(404, "404 Commit Not Found")
            return
        if self.level(call, project) < DEVELOPER:
            self.error(403, "403 Forbidden")
            return
        pipeline = self.pipeline_for(call, project, sha)
        if pipeline is None:
            return
        name = str(call.params.get("name") or call.params.get("context") or "default")
        status = next(
            (
                s
                for s in reversed(project.statuses)
                if (s.pipeline_id, s.name, s.ref, s.author.id)
                == (pipeline.id, name, pipeline.ref, call.user.id)
                and s.status in ("pending", "running")
            ),
            None,
        )
        if status is not None and status.status not in _ALLOWED_FROM[state]:
            event = _TRANSITION[state]
            self.error(
                400,
                f"Cannot transition status via :{event} from :{status.status} "
                f'(Reason(s): Status cannot transition via "{event}")',
            )
            return
        if status is None:
            status = FakeStatus(self.fake.next_id(), sha, pipeline.ref, name, "created",
                                pipeline.id, call.user)  # fmt: skip
            project.statuses.append(status)
        status.status = state
        for key in ("description", "target_url"):
            if key in call.params:
                setattr(status, key, call.params[key])
        self.reply(201, self.shapes().status(project, status))

    def pipeline_for(self, call: Call, project: FakeProject, sha: str) -> FakePipeline | None:
        """The pipeline a status goes to (Ci::CreateCommitStatusService): the one named, else
        the newest of the commit (on `ref` when given), else a new external one."""
        ref = call.params.get("ref")
        wanted = call.params.get("pipeline_id")
        candidates = [
            p
            for p in reversed(project.pipelines)
            if p.sha == sha
            and (ref is None or p.ref == ref)
            and (wanted is None or str(p.id) == str(wanted))
        ]
        if candidates:
            return candidates[0]
        if wanted is not None:
            self.error(404, "404 Pipeline for pipeline_id, sha and ref Not Found")
            return None
        if ref is None:
            ref = next(
                (b for b, tip in project.branches.items() if sha in project.ancestors(tip)), None
            )
        if ref is None:
            self.error(404, "404 References for commit Not Found")
            return None
        pipeline = FakePipeline(self.fake.next_id(), sha, str(ref), "external")
        project.pipelines.append(pipeline)
        return pipeline

    def list_statuses(self, call: Call) -> None:
        project = call.project
        assert project is not None
        sha = call.groups["sha"]
        if sha not in project.commits:
            self.error(404, "404 Commit Not Found")
            return
        found = [s for s in project.statuses if s.sha == sha]
        for key in ("ref", "name"):
            if call.params.get(key):
                found = [s for s in found if getattr(s, key) == call.params[key]]
        if str(call.params.get("all", "false")).lower() != "true":
            latest = {s.name: s for s in found}
            found = [s for s in found if latest[s.name] is s]
        shapes = self.shapes()
        self.paginate(call, [shapes.status(project, s) for s in found])


def _stored_position(position: dict[str, Any]) -> dict[str, Any]:
    """The position as GitLab answers it: every field, nulls included."""
    keys = ("base_sha", "start_sha", "head_sha", "old_path", "new_path", "position_type",
            "old_line", "new_line", "line_range")  # fmt: skip
    out = {key: position.get(key) for key in keys}
    for key in ("old_line", "new_line"):
        if out[key] is not None:
            out[key] = int(out[key])
    out["ignore_whitespace_change"] = False
    return out


def _route(method: str, pattern: str, endpoint: Endpoint) -> tuple[str, re.Pattern[str], Endpoint]:
    return method, re.compile(pattern), endpoint


_Handler.table = [
    _route("GET", r"/user", _Handler.get_user),
    _route("GET", _P, _Handler.get_project),
    _route("GET", _P + r"/members/all", _Handler.list_members_all),
    _route("GET", _P + r"/members/all/(?P<user>\d+)", _Handler.get_member_all),
    _route("GET", _MR, _Handler.get_mr),
    _route("POST", _P + r"/merge_requests", _Handler.create_mr),
    _route("PUT", _MR, _Handler.update_mr),
    _route("GET", _MR + r"/changes", _Handler.get_changes),
    _route("GET", _MR + r"/diffs", _Handler.list_diffs),
    _route("GET", _MR + r"/versions", _Handler.list_versions),
    _route("GET", _MR + r"/versions/(?P<version>\d+)", _Handler.get_version),
    _route("GET", _MR + r"/discussions", _Handler.list_discussions),
    _route("POST", _MR + r"/discussions", _Handler.create_discussion),
    _route("GET", _MR + r"/discussions/(?P<discussion>[0-9a-f]+)", _Handler.get_discussion),
    _route("GET", _MR + r"/notes", _Handler.list_notes),
    _route("POST", _MR + r"/notes", _Handler.create_note),
    _route("GET", _MR + r"/notes/(?P<note>\d+)", _Handler.get_note),
    _route("PUT", _MR + r"/notes/(?P<note>\d+)", _Handler.update_note),
    _route("GET", _P + r"/repository/files/(?P<file>[^/]+)/raw", _Handler.get_raw_file),
    _route("GET", _P + r"/repository/tree", _Handler.get_tree),
    _route("GET", _P + r"/repository/compare", _Handler.compare),
    _route("POST", _P + r"/statuses/(?P<sha>[0-9a-f]{7,64})", _Handler.create_status),
    _route(
        "GET", _P + r"/repository/commits/(?P<sha>[0-9a-f]{7,64})/statuses", _Handler.list_statuses
    ),
]
FakeGitLab.handler = _Handler
