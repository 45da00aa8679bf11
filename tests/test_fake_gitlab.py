"""The fake GitLab, checked through python-gitlab itself: the SDK's own requests, paging and
error classes meet it as they meet GitLab, including where GitLab refuses."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import gitlab
import pytest
import requests

from tests.fakes.gitlab_diffs import LINE_CODE_ERROR, line_code
from tests.fakes.gitlab_server import REPORTER, FakeGitLab
from tests.github_samples import APP_DIFF, BASE, HEAD, HEAD2, NEW_FILE_DIFF
from tests.gitlab_samples import (
    BOT,
    PROJECT,
    READ_ONLY,
    RENAME_DELETE_BINARY,
    START,
    TOKEN,
    gitlab_with_mr,
)


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with gitlab_with_mr(diff=APP_DIFF + NEW_FILE_DIFF) as fake:
        yield fake
        fake.assert_no_problems()


@pytest.fixture
def gl(fake: FakeGitLab) -> gitlab.Gitlab:
    return gitlab.Gitlab(fake.url, private_token=TOKEN)


def mr_of(gl: gitlab.Gitlab) -> Any:
    return gl.projects.get(PROJECT, lazy=True).mergerequests.get(7, lazy=True)


def position(**kw: Any) -> dict[str, Any]:
    base = {"position_type": "text", "base_sha": BASE, "start_sha": START, "head_sha": HEAD,
            "old_path": "app.py", "new_path": "app.py"}  # fmt: skip
    return {**base, **kw}


def test_tokens_users_and_private_projects(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    gl.auth()
    assert gl.user is not None and gl.user.username == BOT
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(fake.url, private_token="glpat-unknown").auth()
    bearer = gitlab.Gitlab(fake.url, oauth_token=TOKEN)  # Authorization: Bearer
    assert bearer.projects.get(PROJECT).path_with_namespace == PROJECT
    fake.add_token("glpat-stranger", "stranger")
    with pytest.raises(gitlab.GitlabGetError) as refused:
        gitlab.Gitlab(fake.url, private_token="glpat-stranger").projects.get(PROJECT)
    assert refused.value.response_code == 404
    assert refused.value.error_message == "404 Project Not Found"


def test_a_merge_request_by_path_and_by_id(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    project = gl.projects.get(PROJECT)
    mr = gl.projects.get(project.id, lazy=True).mergerequests.get(7)
    assert mr.diff_refs == {"base_sha": BASE, "head_sha": HEAD, "start_sha": START}
    assert mr.references["full"] == f"{PROJECT}!7"
    assert mr.web_url == f"{fake.url}/{PROJECT}/-/merge_requests/7"
    assert (mr.source_branch, mr.target_branch, mr.sha) == ("feature", "main", HEAD)
    assert mr.draft is False
    with pytest.raises(gitlab.GitlabGetError) as missing:
        project.mergerequests.get(8)
    assert missing.value.error_message == "404 Not found"


def test_diffs_page_as_gitlab_pages_them(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    fake.add_mr(PROJECT, 8, base_sha=BASE, head_sha=HEAD2, diff=APP_DIFF + RENAME_DELETE_BINARY)
    path = f"/projects/{gl.projects.get(PROJECT).id}/merge_requests/8/diffs"
    first = gl.http_list(path, per_page=2, iterator=True)
    assert (first.total, first.total_pages, first.next_page) == (4, 2, 2)
    entries = gl.http_list(path, per_page=2, get_all=True)
    by_path = {e["new_path"]: e for e in entries}
    assert list(by_path) == ["app.py", "new_name.py", "gone.py", "logo.png"]
    renamed, gone, logo = by_path["new_name.py"], by_path["gone.py"], by_path["logo.png"]
    assert renamed["renamed_file"] and renamed["old_path"] == "old_name.py"
    assert renamed["diff"].startswith("@@ -1,2 +1,2 @@")
    assert gone["deleted_file"] and gone["b_mode"] == "0"
    assert logo["new_file"] and logo["a_mode"] == "0"
    assert logo["diff"] == "Binary files /dev/null and b/logo.png differ\n"
    fake.hide_diff(PROJECT, 8, "app.py")
    hidden = gl.http_list(path, get_all=True)[0]
    assert hidden["too_large"] is True and hidden["diff"] == ""


def test_versions_newest_first_with_their_commits(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    fake.push(PROJECT, 7, HEAD2, APP_DIFF + NEW_FILE_DIFF, since_diff=NEW_FILE_DIFF)
    mr = mr_of(gl)
    versions = mr.diffs.list(get_all=True)
    assert [v.head_commit_sha for v in versions] == [HEAD2, HEAD]
    assert {v.base_commit_sha for v in versions} == {BASE}
    newest = mr.diffs.get(versions[0].id)
    assert [c["id"] for c in newest.commits] == [HEAD2, HEAD]
    assert gl.projects.get(PROJECT, lazy=True).mergerequests.get(7).sha == HEAD2


def test_a_diff_note_sits_only_where_gitlab_finds_the_line(gl: gitlab.Gitlab) -> None:
    """APP_DIFF: line 1 unchanged, old 2 removed, new 2-3 added, old 3/new 4 unchanged."""
    mr = mr_of(gl)
    accepted = [
        position(new_line=2),  # added: new_line alone
        position(old_line=2),  # removed: old_line alone
        position(old_line=3, new_line=4),  # unchanged: both, and they differ
        position(old_path="new.py", new_path="new.py", new_line=1),
    ]
    for where in accepted:
        mr.discussions.create({"body": "ok", "position": where})
    refused = [
        position(new_line=4),  # an unchanged line by its new number alone
        position(new_line=1, old_line=2),  # a pair no line has
        position(new_line=9),  # past the hunk
        position(old_path="other.py", new_path="other.py", new_line=1),
        position(new_line=2, head_sha=HEAD2),  # a SHA triple of no version
        position(new_line=2, start_sha=BASE),
    ]
    for where in refused:
        with pytest.raises(gitlab.GitlabCreateError) as no:
            mr.discussions.create({"body": "no", "position": where})
        assert (no.value.response_code, no.value.error_message) == (400, LINE_CODE_ERROR)
    with pytest.raises(gitlab.GitlabCreateError) as missing:
        mr.discussions.create({"body": "no", "position": {"position_type": "text"}})
    assert "position[base_sha] is missing" in missing.value.error_message
    notes = [d.attributes["notes"][0] for d in mr.discussions.list(get_all=True)]
    assert [n["type"] for n in notes] == ["DiffNote"] * 4
    assert notes[2]["position"]["old_line"] == 3 and notes[2]["position"]["new_line"] == 4


def test_a_line_range_names_its_ends_by_line_code(gl: gitlab.Gitlab) -> None:
    mr = mr_of(gl)
    code = line_code  # sha1(path)_<old position>_<new position>
    good = {"start": {"line_code": code("app.py", 3, 2), "type": "new"},
            "end": {"line_code": code("app.py", 3, 3), "type": "new"}}  # fmt: skip
    mr.discussions.create({"body": "range", "position": position(new_line=3, line_range=good)})
    wrong_end = {**good, "end": {"line_code": code("app.py", 3, 4), "type": "new"}}
    backwards = {"start": good["end"], "end": good["start"]}
    for bad, line in ((wrong_end, 3), (backwards, 2)):
        with pytest.raises(gitlab.GitlabCreateError) as no:
            where = position(new_line=line, line_range=bad)
            mr.discussions.create({"body": "x", "position": where})
        assert no.value.response_code == 400


def test_a_push_moves_notes_on_untouched_files_only(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    mr = mr_of(gl)
    mr.discussions.create({"body": "a", "position": position(new_line=2)})
    on_new = position(old_path="new.py", new_path="new.py", new_line=1)
    mr.discussions.create({"body": "n", "position": on_new})
    touched = NEW_FILE_DIFF.replace("+w = 2", "+w = 3")
    fake.push(PROJECT, 7, HEAD2, APP_DIFF + touched, since_diff=touched)
    placed = [d.attributes["notes"][0]["position"] for d in mr.discussions.list(get_all=True)]
    heads = {p["new_path"]: p["head_sha"] for p in placed}
    assert heads == {"app.py": HEAD2, "new.py": HEAD}


def test_notes_are_listed_newest_first_and_edited_by_their_author(
    fake: FakeGitLab, gl: gitlab.Gitlab
) -> None:
    mr = mr_of(gl)
    first = mr.notes.create({"body": "one"})
    mr.notes.create({"body": "two"})
    assert [n.body for n in mr.notes.list(get_all=True)] == ["two", "one"]
    assert [n.body for n in mr.notes.list(get_all=True, sort="asc")] == ["one", "two"]
    mr.notes.update(first.id, {"body": "one, edited"})
    assert mr.notes.get(first.id).body == "one, edited"
    fake.add_token("glpat-alice", "alice")
    fake.set_member(PROJECT, "alice", REPORTER)
    alice = gitlab.Gitlab(fake.url, private_token="glpat-alice")
    with pytest.raises(gitlab.GitlabUpdateError) as refused:
        mr_of(alice).notes.update(first.id, {"body": "hijacked"})
    assert refused.value.response_code == 403
    with pytest.raises(gitlab.GitlabCreateError) as empty:
        mr.notes.create({"body": ""})
    assert empty.value.error_message == "body is missing"


def test_a_read_only_token_reads_and_may_not_write(fake: FakeGitLab) -> None:
    gl = gitlab.Gitlab(fake.url, private_token=READ_ONLY)
    assert mr_of(gl).discussions.list(get_all=True) == []
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        mr_of(gl).notes.create({"body": "hello"})
    assert refused.value.response_code == 403
    assert json.loads(refused.value.response_body)["error"] == "insufficient_scope"


def test_commit_statuses_follow_gitlabs_pipeline_rules(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    commit = gl.projects.get(PROJECT, lazy=True).commits.get(HEAD, lazy=True)
    pending = commit.statuses.create({"state": "pending", "name": "switchyard/review"})
    assert (pending.status, pending.ref) == ("pending", "feature")  # the branch holding it
    with pytest.raises(gitlab.GitlabCreateError) as again:
        commit.statuses.create({"state": "pending", "name": "switchyard/review"})
    assert again.value.error_message.startswith("Cannot transition status via :enqueue")
    done = commit.statuses.create({"state": "success", "name": "switchyard/review"})
    assert done.id == pending.id  # the pending one is finished in place
    later = commit.statuses.create({"state": "failed", "name": "switchyard/review"})
    assert later.id != done.id  # a finished one is not reopened: a new one is made
    listed = commit.statuses.list(get_all=True)
    assert [(s.name, s.status) for s in listed] == [("switchyard/review", "failed")]
    assert len(commit.statuses.list(get_all=True, all=True)) == 2
    pipeline = fake.add_pipeline(PROJECT, HEAD, "feature", source="merge_request_event")
    joined = commit.statuses.create({"state": "success", "name": "other", "pipeline_id": pipeline})
    assert joined.pipeline_id == pipeline
    for body, code in (({"state": "nope"}, 400), ({"state": "success", "pipeline_id": 1}, 404)):
        with pytest.raises(gitlab.GitlabCreateError) as no:
            commit.statuses.create(body)
        assert no.value.response_code == code
    with pytest.raises(gitlab.GitlabCreateError) as unknown:
        gl.projects.get(PROJECT, lazy=True).commits.get("e" * 40, lazy=True).statuses.create(
            {"state": "success"}
        )
    assert unknown.value.error_message == "404 Commit Not Found"
    fake.add_token("glpat-reporter", "rita")
    fake.set_member(PROJECT, "rita", REPORTER)
    reporter = gitlab.Gitlab(fake.url, private_token="glpat-reporter")
    with pytest.raises(gitlab.GitlabCreateError) as forbidden:
        gl_commit = reporter.projects.get(PROJECT, lazy=True).commits.get(HEAD, lazy=True)
        gl_commit.statuses.create({"state": "success"})
    assert forbidden.value.response_code == 403


def test_members_with_their_access_levels(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    fake.set_member(PROJECT, "rita", REPORTER)
    project = gl.projects.get(PROJECT, lazy=True)
    rita = fake.user("rita")
    assert project.members_all.get(rita.id).access_level == REPORTER
    with pytest.raises(gitlab.GitlabGetError) as absent:
        project.members_all.get(fake.user("nobody").id)
    assert absent.value.response_code == 404
    assert {m.username for m in project.members_all.list(get_all=True)} == {BOT, "rita"}


def test_files_trees_and_compare(fake: FakeGitLab, gl: gitlab.Gitlab) -> None:
    fake.set_file(PROJECT, "main", "ci/rules/a.yml", "rules: []\n")
    fake.set_file(PROJECT, "main", "ci/rules/deep/b.yaml", "rules: []\n")
    fake.set_file(PROJECT, HEAD, "app.py", "x = 2\n")
    project = gl.projects.get(PROJECT, lazy=True)
    assert project.files.raw(file_path="ci/rules/a.yml", ref="main") == b"rules: []\n"
    assert project.files.raw(file_path="app.py", ref=HEAD) == b"x = 2\n"
    assert project.files.raw(file_path="app.py", ref="feature") == b"x = 2\n"  # the branch
    with pytest.raises(gitlab.GitlabGetError) as missing:
        project.files.raw(file_path="app.py", ref="main")
    assert missing.value.error_message == "404 File Not Found"
    tree = project.repository_tree(path="ci", ref="main", recursive=True, get_all=True)
    assert [(e["path"], e["type"]) for e in tree] == [
        ("ci/rules", "tree"), ("ci/rules/deep", "tree"), ("ci/rules/a.yml", "blob"),
        ("ci/rules/deep/b.yaml", "blob"),
    ]  # fmt: skip
    with pytest.raises(gitlab.GitlabGetError):
        project.repository_tree(path="nowhere", ref="main", get_all=True)
    fake.push(PROJECT, 7, HEAD2, APP_DIFF + NEW_FILE_DIFF, since_diff=NEW_FILE_DIFF)
    compared = project.repository_compare(HEAD, HEAD2)
    assert [c["id"] for c in compared["commits"]] == [HEAD2]
    assert compared["commits"][0]["parent_ids"] == [HEAD]
    assert [d["new_path"] for d in compared["diffs"]] == ["new.py"]


def test_a_rate_limit_answers_429_with_retry_after(fake: FakeGitLab) -> None:
    fake.rate_limit("GET", r"/merge_requests/7$", retry_after=0, times=2)
    gl = gitlab.Gitlab(fake.url, private_token=TOKEN)
    # python-gitlab's own handling: it sleeps Retry-After and sends again.
    assert gl.projects.get(PROJECT, lazy=True).mergerequests.get(7).iid == 7
    assert fake.count("GET", r"/merge_requests/7$") == 3
    fake.rate_limit("GET", r"/user$", retry_after=30)
    answer = requests.get(f"{fake.url}/api/v4/user", headers={"PRIVATE-TOKEN": TOKEN}, timeout=5)
    assert (answer.status_code, answer.text) == (429, "Retry later\n")
    assert answer.headers["Retry-After"] == "30"
    assert int(answer.headers["RateLimit-Reset"]) > time.time()
