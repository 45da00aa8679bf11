"""GitLab's entities (lib/api/entities) as the fake answers them, with the fields clients
read, built from the fake's state."""

from __future__ import annotations

from typing import Any

from tests.fakes.gitlab_state import (
    FakeDiscussion,
    FakeMR,
    FakeNote,
    FakePipeline,
    FakeProject,
    FakeStatus,
    FakeUser,
    FakeVersion,
    now,
    sha_of,
)


class Shapes:
    """GitLab's entities (lib/api/entities), with the fields clients read."""

    def __init__(self, web: str) -> None:
        self.web = web

    def user(self, u: FakeUser) -> dict[str, Any]:
        return {
            "id": u.id,
            "username": u.username,
            "name": u.name,
            "state": "active",
            "locked": False,
            "avatar_url": None,
            "web_url": f"{self.web}/{u.username}",
        }

    def current_user(self, u: FakeUser) -> dict[str, Any]:
        return {
            **self.user(u),
            "created_at": "2024-01-01T00:00:00.000Z",
            "bio": "",
            "bot": u.bot,
            "public_email": None,
            "two_factor_enabled": False,
            "external": False,
            "private_profile": False,
        }

    def project(self, p: FakeProject) -> dict[str, Any]:
        namespace, _, name = p.path.rpartition("/")
        return {
            "id": p.id,
            "description": "",
            "name": name,
            "name_with_namespace": p.path.replace("/", " / "),
            "path": name,
            "path_with_namespace": p.path,
            "created_at": "2024-01-01T00:00:00.000Z",
            "default_branch": p.default_branch,
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@127.0.0.1:{p.path}.git",
            "http_url_to_repo": f"{self.web}/{p.path}.git",
            "web_url": f"{self.web}/{p.path}",
            "readme_url": None,
            "avatar_url": None,
            "visibility": p.visibility,
            "namespace": {
                "id": int(sha_of(namespace)[:6], 16),
                "name": namespace.rsplit("/", 1)[-1],
                "path": namespace.rsplit("/", 1)[-1],
                "kind": "group",
                "full_path": namespace,
                "parent_id": None,
                "avatar_url": None,
                "web_url": f"{self.web}/groups/{namespace}",
            },
        }

    def mr(self, mr: FakeMR, pipeline: FakePipeline | None) -> dict[str, Any]:
        p = mr.project
        v = mr.latest
        return {
            "id": mr.id,
            "iid": mr.iid,
            "project_id": p.id,
            "title": mr.title,
            "description": mr.description,
            "state": mr.state,
            "created_at": mr.versions[0].created_at,
            "updated_at": v.created_at,
            "merged_by": None,
            "merged_at": None,
            "closed_by": None,
            "closed_at": None,
            "target_branch": mr.target_branch,
            "source_branch": mr.source_branch,
            "user_notes_count": len(mr.notes()),
            "upvotes": 0,
            "downvotes": 0,
            "author": self.user(mr.author),
            "assignees": [],
            "assignee": None,
            "reviewers": [],
            "source_project_id": mr.source_project_id,
            "target_project_id": p.id,
            "labels": list(mr.labels),
            "draft": mr.draft,
            "work_in_progress": mr.draft,
            "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": "can_be_merged",
            "detailed_merge_status": "mergeable",
            "sha": v.head,
            "merge_commit_sha": None,
            "squash_commit_sha": None,
            "discussion_locked": None,
            "should_remove_source_branch": None,
            "force_remove_source_branch": False,
            "reference": f"!{mr.iid}",
            "references": {
                "short": f"!{mr.iid}",
                "relative": f"!{mr.iid}",
                "full": f"{p.path}!{mr.iid}",
            },
            "web_url": f"{self.web}/{p.path}/-/merge_requests/{mr.iid}",
            "squash": False,
            "has_conflicts": False,
            "blocking_discussions_resolved": True,
            "subscribed": False,
            "changes_count": str(len(mr.entries())),
            "head_pipeline": self.pipeline(p, pipeline) if pipeline else None,
            "diff_refs": {"base_sha": v.base, "head_sha": v.head, "start_sha": v.start},
            "merge_error": None,
        }

    def pipeline(self, p: FakeProject, pipeline: FakePipeline) -> dict[str, Any]:
        return {
            "id": pipeline.id,
            "iid": pipeline.id % 1000,
            "project_id": p.id,
            "sha": pipeline.sha,
            "ref": pipeline.ref,
            "status": pipeline.status,
            "source": pipeline.source,
            "web_url": f"{self.web}/{p.path}/-/pipelines/{pipeline.id}",
        }

    def version(self, mr: FakeMR, v: FakeVersion) -> dict[str, Any]:
        return {
            "id": v.id,
            "head_commit_sha": v.head,
            "base_commit_sha": v.base,
            "start_commit_sha": v.start,
            "created_at": v.created_at,
            "merge_request_id": mr.id,
            "state": "collected",
            "real_size": str(len(mr.entries(v))),
            "patch_id_sha": sha_of("patch", v.head),
        }

    def commit(self, p: FakeProject, sha: str) -> dict[str, Any]:
        return {
            "id": sha,
            "short_id": sha[:8],
            "created_at": "2024-01-01T00:00:00.000+00:00",
            "parent_ids": list(p.commits.get(sha, [])),
            "title": f"Commit {sha[:7]}",
            "message": f"Commit {sha[:7]}\n",
            "author_name": "Alice",
            "author_email": "alice@example.com",
            "authored_date": "2024-01-01T00:00:00.000+00:00",
            "committer_name": "Alice",
            "committer_email": "alice@example.com",
            "committed_date": "2024-01-01T00:00:00.000+00:00",
            "trailers": {},
            "web_url": f"{self.web}/{p.path}/-/commit/{sha}",
        }

    def note(self, mr: FakeMR, note: FakeNote, resolvable: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": note.id,
            "type": note.type,
            "body": note.body,
            "attachment": None,
            "author": self.user(note.author),
            "created_at": note.created_at,
            "updated_at": note.updated_at,
            "system": note.system,
            "noteable_id": mr.id,
            "noteable_type": "MergeRequest",
            "project_id": mr.project.id,
            "commit_id": None,
            "resolvable": resolvable,
            "resolved": False if resolvable else None,
            "resolved_by": None,
            "resolved_at": None,
            "confidential": False,
            "internal": False,
            "imported": False,
            "imported_from": "none",
            "noteable_iid": mr.iid,
            "commands_changes": {},
        }
        if note.position is not None:
            out["position"] = dict(note.position)
        return out

    def discussion(self, mr: FakeMR, d: FakeDiscussion) -> dict[str, Any]:
        return {
            "id": d.id,
            "individual_note": d.individual_note,
            "notes": [self.note(mr, n, not d.individual_note) for n in d.notes],
        }

    def status(self, p: FakeProject, s: FakeStatus) -> dict[str, Any]:
        done = s.status in ("success", "failed", "canceled", "skipped")
        return {
            "id": s.id,
            "sha": s.sha,
            "ref": s.ref,
            "status": s.status,
            "name": s.name,
            "target_url": s.target_url,
            "description": s.description,
            "created_at": s.created_at,
            "started_at": s.created_at if s.status != "pending" else None,
            "finished_at": now() if done else None,
            "allow_failure": False,
            "coverage": None,
            "pipeline_id": s.pipeline_id,
            "author": self.user(s.author),
        }

    def member(self, u: FakeUser, level: int) -> dict[str, Any]:
        return {
            **self.user(u),
            "access_level": level,
            "created_at": "2024-01-01T00:00:00.000Z",
            "expires_at": None,
            "membership_state": "active",
        }
