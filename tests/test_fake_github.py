"""The fake GitHub answers PyGithub for real, and refuses what GitHub refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, Github, GithubException

from tests.fakes import openapi_check
from tests.fakes.github_server import (
    DIFF_MEDIA_TYPE,
    DIFF_TOO_LARGE_FILES,
    DIFF_TOO_LARGE_LINES,
    INTEGRATION_FORBIDDEN,
    ONE_PENDING_REVIEW,
    REVIEW_LINE_NOT_IN_DIFF,
    FakeGitHub,
)
from tests.fakes.openapi_check import check_request, load_index

BASE = "a" * 40
HEAD = "b" * 40
DIFF = (
    "diff --git a/src/app.py b/src/app.py\n"
    "index 1111111..2222222 100644\n"
    "--- a/src/app.py\n"
    "+++ b/src/app.py\n"
    "@@ -1,3 +1,4 @@\n"
    " import os\n"
    "+import sys\n"
    " \n"
    " def main():\n"
    "@@ -20,3 +21,3 @@ def main():\n"
    "     a = 1\n"
    "-    b = 2\n"
    "+    b = 3\n"
    "     c = 4\n"
    "diff --git a/old.txt b/new.txt\n"
    "similarity index 90%\n"
    "rename from old.txt\n"
    "rename to new.txt\n"
    "index 3333333..4444444 100644\n"
    "--- a/old.txt\n"
    "+++ b/new.txt\n"
    "@@ -1 +1 @@\n"
    "-a\n"
    "+b\n"
    "diff --git a/logo.png b/logo.png\n"
    "new file mode 100644\n"
    "index 0000000..5555555\n"
    "Binary files /dev/null and b/logo.png differ\n"
)


def many_files_diff(files: int, lines: int = 1) -> str:
    parts = []
    for i in range(files):
        body = "".join(f"+line {j}\n" for j in range(lines))
        parts.append(
            f"diff --git a/pkg/f{i}.py b/pkg/f{i}.py\n"
            "new file mode 100644\n"
            "index 0000000..1234567\n"
            "--- /dev/null\n"
            f"+++ b/pkg/f{i}.py\n"
            f"@@ -0,0 +1,{lines} @@\n{body}"
        )
    return "".join(parts)


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub() as server:
        server.add_repo("acme/api")
        server.add_token("tok", "bot")
        server.set_permission("acme/api", "bot", "write")
        server.add_pr("acme/api", 42, base_sha=BASE, head_sha=HEAD, diff=DIFF, title="Fix")
        yield server


def client(fake: FakeGitHub, token: str = "tok") -> Github:
    return Github(
        auth=Auth.Token(token),
        base_url=fake.base_url,
        seconds_between_requests=None,
        seconds_between_writes=None,
        retry=None,
    )


def raw(fake: FakeGitHub, method: str, path: str, **kwargs: object) -> requests.Response:
    headers = {"Authorization": "token tok", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return requests.request(method, fake.base_url + path, headers=headers, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_pygithub_reads_a_pull_request(fake: FakeGitHub) -> None:
    fake.set_file("acme/api", "main", "README.md", "hello\n")
    gh = client(fake)
    repo = gh.get_repo("acme/api")
    pr = repo.get_pull(42)
    assert (pr.title, pr.base.ref, pr.head.sha, pr.changed_files) == ("Fix", "main", HEAD, 3)
    files = {f.filename: f for f in pr.get_files()}
    assert files["new.txt"].status == "renamed"
    assert files["new.txt"].previous_filename == "old.txt"
    assert files["src/app.py"].patch.startswith("@@ -1,3 +1,4 @@")
    assert files["logo.png"].patch is None
    assert repo.get_contents("README.md", ref="main").decoded_content == b"hello\n"
    assert [c.sha for c in pr.get_commits()] == [HEAD]
    assert gh.get_user().login == "bot"
    fake.assert_no_violations()


def test_answers_match_githubs_response_schemas(fake: FakeGitHub) -> None:
    spec = load_index()
    paths = [
        "/repos/acme/api",
        "/repos/acme/api/pulls/42",
        "/repos/acme/api/pulls/42/files",
        "/repos/acme/api/pulls/42/commits",
        f"/repos/acme/api/compare/{BASE}...{HEAD}",
        "/repos/acme/api/collaborators/bot/permission",
    ]
    for path in paths:
        answer = raw(fake, "GET", path)
        assert spec.check_response("GET", path, answer.status_code, answer.json()) == [], path


def test_invalid_request_body_is_a_violation(fake: FakeGitHub) -> None:
    answer = raw(
        fake, "POST", "/repos/acme/api/pulls/42/reviews", json={"event": "LGTM", "comment": []}
    )
    assert answer.status_code == 422
    assert any("'LGTM' is not one of" in v for v in fake.violations)
    assert any("'comment' was unexpected" in v for v in fake.violations)
    with pytest.raises(AssertionError, match="requests GitHub would not accept"):
        fake.assert_no_violations()


def test_unknown_path_and_query_parameter_are_violations(fake: FakeGitHub) -> None:
    assert raw(fake, "GET", "/repos/acme/api/pulls/42/bogus/x").status_code == 404
    assert raw(fake, "GET", "/repos/acme/api/pulls/42/files?limit=5").status_code == 422
    assert len(fake.violations) == 2


def test_request_check_parses_the_description_once_and_reuses_its_validators(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What keeps a check cheap on every fake request (a per-call time limit flaked under
    # load): the description is parsed once per process and each operation's validator is
    # built once, then reused.
    index = load_index()
    assert load_index() is index
    built: list[object] = []
    real = openapi_check.Draft4Validator

    def counting(*args: object, **kwargs: object) -> object:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openapi_check, "Draft4Validator", counting)
    body = {"event": "COMMENT", "body": "x", "comments": [{"path": "a", "line": 1, "body": "c"}]}
    path = "/repos/o/r/pulls/1/reviews"
    assert check_request("POST", path, None, body) == []
    first = len(built)
    for _ in range(50):
        assert check_request("POST", path, None, body) == []
    assert len(built) == first
    assert load_index() is index


def test_diff_media_type(fake: FakeGitHub) -> None:
    answer = raw(fake, "GET", "/repos/acme/api/pulls/42", headers={"Accept": DIFF_MEDIA_TYPE})
    assert answer.status_code == 200
    assert answer.text == DIFF


@pytest.mark.parametrize(
    ("files", "lines", "message"),
    [(301, 1, DIFF_TOO_LARGE_FILES), (3, 7000, DIFF_TOO_LARGE_LINES)],
)
def test_too_large_diff_is_refused(fake: FakeGitHub, files: int, lines: int, message: str) -> None:
    fake.add_pr("acme/api", 7, base_sha=BASE, head_sha="c" * 40, diff=many_files_diff(files, lines))
    answer = raw(fake, "GET", "/repos/acme/api/pulls/7", headers={"Accept": DIFF_MEDIA_TYPE})
    assert answer.status_code == 406
    assert answer.json()["message"] == message
    assert answer.json()["errors"][0]["code"] == "too_large"
    # The JSON form and the files list still answer.
    assert raw(fake, "GET", "/repos/acme/api/pulls/7").json()["changed_files"] == files


def test_files_list_pages_at_most_100(fake: FakeGitHub) -> None:
    fake.add_pr("acme/api", 7, base_sha=BASE, head_sha="c" * 40, diff=many_files_diff(250))
    answer = raw(fake, "GET", "/repos/acme/api/pulls/7/files?per_page=500")
    assert len(answer.json()) == 100
    assert 'rel="next"' in answer.headers["Link"]
    pr = client(fake).get_repo("acme/api").get_pull(7)
    assert len(list(pr.get_files())) == 250


def test_review_comment_off_the_diff_is_refused_and_nothing_kept(fake: FakeGitHub) -> None:
    pr = client(fake).get_repo("acme/api").get_pull(42)
    with pytest.raises(GithubException) as caught:
        pr.create_review(
            body="x",
            event="COMMENT",
            comments=[
                {"path": "src/app.py", "line": 2, "body": "fine"},
                {"path": "src/app.py", "line": 10, "body": "not in a hunk"},
            ],
        )
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [REVIEW_LINE_NOT_IN_DIFF]
    assert fake.pr(42).reviews == []
    fake.assert_no_violations()


def test_review_comments_on_both_sides_and_ranges(fake: FakeGitHub) -> None:
    pr = client(fake).get_repo("acme/api").get_pull(42)
    review = pr.create_review(
        body="two notes",
        event="COMMENT",
        comments=[
            {"path": "src/app.py", "line": 22, "side": "LEFT", "body": "removed"},
            {"path": "src/app.py", "start_line": 21, "line": 23, "side": "RIGHT", "body": "r"},
        ],
    )
    assert review.state == "COMMENTED"
    stored = fake.pr(42).reviews[0]
    assert [c["side"] for c in stored["comments"]] == ["LEFT", "RIGHT"]
    listed = list(pr.get_review_comments())
    assert [c.body for c in listed] == ["removed", "r"]
    with pytest.raises(GithubException) as caught:
        pr.create_review(
            event="COMMENT",
            body="x",
            comments=[{"path": "src/app.py", "start_line": 1, "line": 22, "body": "spans hunks"}],
        )
    assert "same hunk" in caught.value.data["errors"][0]


def test_pending_reviews_are_the_authors_alone_and_one_at_a_time(fake: FakeGitHub) -> None:
    spec = load_index()
    base = "/repos/acme/api/pulls/42/reviews"
    line = {"path": "src/app.py", "line": 2, "body": "draft"}
    answer = raw(fake, "POST", base, json={"body": "d", "comments": [line]})
    assert answer.status_code == 200 and answer.json()["state"] == "PENDING"
    assert "submitted_at" not in answer.json()
    pending = answer.json()["id"]
    # Nobody else sees it, or its comment; its author does.
    fake.add_token("carol-token", "carol")
    carol = {"Authorization": "token carol-token"}
    assert raw(fake, "GET", base, headers=carol).json() == []
    assert raw(fake, "GET", "/repos/acme/api/pulls/42/comments", headers=carol).json() == []
    assert [r["id"] for r in raw(fake, "GET", base).json()] == [pending]
    assert raw(fake, "DELETE", f"{base}/{pending}", headers=carol).status_code == 404
    # While it exists, no other review from its author, submitted or not.
    for event in ({"event": "COMMENT"}, {}):
        refused = raw(fake, "POST", base, json={"body": "x", **event})
        assert refused.status_code == 422 and refused.json()["errors"] == [ONE_PENDING_REVIEW]
    deleted = raw(fake, "DELETE", f"{base}/{pending}")
    assert deleted.status_code == 200 and fake.pr(42).reviews == []
    assert fake.pr(42).review_comments == []
    assert spec.check_response("DELETE", f"{base}/{pending}", 200, deleted.json()) == []
    assert raw(fake, "DELETE", f"{base}/{pending}").status_code == 404
    # Submitted: by the events endpoint; then it cannot be deleted, or submitted again.
    again = raw(fake, "POST", base, json={"body": "d", "comments": [line]}).json()["id"]
    submit = {"body": "final", "event": "COMMENT"}
    submitted = raw(fake, "POST", f"{base}/{again}/events", json=submit)
    assert submitted.status_code == 200 and submitted.json()["state"] == "COMMENTED"
    assert spec.check_response("POST", f"{base}/{again}/events", 200, submitted.json()) == []
    assert submitted.json()["body"] == "final"
    assert raw(fake, "DELETE", f"{base}/{again}").status_code == 422
    assert raw(fake, "POST", f"{base}/{again}/events", json=submit).status_code == 422
    pr = client(fake, "carol-token").get_repo("acme/api").get_pull(42)
    assert [r.body for r in pr.get_reviews()] == ["final"]
    fake.assert_no_violations()


def test_own_pull_request_cannot_be_approved(fake: FakeGitHub) -> None:
    fake.add_token("alice-token", "alice")
    pr = client(fake, "alice-token").get_repo("acme/api").get_pull(42)
    with pytest.raises(GithubException) as caught:
        pr.create_review(event="APPROVE")
    assert caught.value.data["errors"] == ["Review Can not approve your own pull request"]


def test_tokens_and_permissions(fake: FakeGitHub) -> None:
    assert raw(fake, "GET", "/user", headers={"Authorization": "token nope"}).status_code == 401
    fake.add_repo("acme/secret", private=True)
    assert raw(fake, "GET", "/repos/acme/secret").status_code == 404
    fake.set_permission("acme/secret", "bot", "read")
    assert raw(fake, "GET", "/repos/acme/secret").status_code == 200
    fake.add_token("pat", "carol", checks_write=False)
    fake.set_permission("acme/api", "carol", "admin")
    answer = raw(
        fake,
        "POST",
        "/repos/acme/api/check-runs",
        headers={"Authorization": "Bearer pat"},
        json={"name": "switchyard", "head_sha": HEAD},
    )
    assert (answer.status_code, answer.json()["message"]) == (403, INTEGRATION_FORBIDDEN)
    assert client(fake).get_repo("acme/api").get_collaborator_permission("carol") == "admin"


def test_check_run_annotations_limit_and_accumulation(fake: FakeGitHub) -> None:
    repo = client(fake).get_repo("acme/api")
    note = {
        "path": "src/app.py",
        "start_line": 2,
        "end_line": 2,
        "annotation_level": "warning",
        "message": "m",
    }
    run = repo.create_check_run(name="switchyard", head_sha=HEAD, status="in_progress")
    with pytest.raises(GithubException) as caught:
        run.edit(output={"title": "t", "summary": "s", "annotations": [note] * 51})
    assert caught.value.status == 422
    run.edit(output={"title": "t", "summary": "s", "annotations": [note] * 50})
    run.edit(conclusion="neutral", output={"title": "t", "summary": "s", "annotations": [note]})
    stored = fake.repo("acme/api").check_runs[run.id]
    assert len(stored["annotations"]) == 51
    assert stored["status"] == "completed"


def test_issue_comments_and_statuses(fake: FakeGitHub) -> None:
    gh = client(fake)
    repo = gh.get_repo("acme/api")
    pr = repo.get_pull(42)
    comment = pr.create_issue_comment("first")
    comment.edit("second")
    assert [c.body for c in pr.get_issue_comments()] == ["second"]
    repo.get_commit  # noqa: B018 - PyGithub needs no request for this
    answer = raw(fake, "POST", f"/repos/acme/api/statuses/{HEAD}", json={"state": "success"})
    assert answer.status_code == 201
    assert fake.repo("acme/api").statuses[0]["state"] == "success"
    assert fake.count("POST") == 2 and fake.count("PATCH") == 1
    assert len(fake.writes()) == 3


def test_push_and_compare(fake: FakeGitHub) -> None:
    since = (
        "diff --git a/src/app.py b/src/app.py\n--- a/src/app.py\n+++ b/src/app.py\n"
        "@@ -1 +1 @@\n-import os\n+import os, re\n"
    )
    fake.push(42, "d" * 40, DIFF, since_diff=since)
    repo = client(fake).get_repo("acme/api")
    comparison = repo.compare(HEAD, "d" * 40)
    assert [c.sha for c in comparison.commits] == ["d" * 40]
    assert [f.filename for f in comparison.files] == ["src/app.py"]
    assert repo.get_pull(42).head.sha == "d" * 40


def test_faults_and_dropped_connections(fake: FakeGitHub) -> None:
    fake.fail_next("GET", r"/pulls/42$", 502, times=2)
    assert raw(fake, "GET", "/repos/acme/api/pulls/42").status_code == 502
    assert raw(fake, "GET", "/repos/acme/api/pulls/42").status_code == 502
    assert raw(fake, "GET", "/repos/acme/api/pulls/42").status_code == 200
    fake.fail_next("GET", r"/pulls/42$", 0)
    with pytest.raises(requests.ConnectionError):
        raw(fake, "GET", "/repos/acme/api/pulls/42")


def test_github_app_installation_token() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with FakeGitHub() as fake:
        fake.add_app(123, public, slug="switchyard")
        fake.add_installation(9, ["acme/api"])
        auth = Auth.AppAuth(123, private).get_installation_auth(9)
        gh = Github(auth=auth, base_url=fake.base_url, seconds_between_requests=None)
        assert gh.get_repo("acme/api").full_name == "acme/api"
        assert gh.get_repo("acme/api").full_name == "acme/api"
        assert fake.tokens_issued == 1
        with pytest.raises(GithubException) as caught:
            gh.get_user().login  # noqa: B018 - the property makes the request
        assert caught.value.status == 403
        fake.add_repo("other/repo")
        with pytest.raises(GithubException) as caught:
            gh.get_repo("other/repo")
        assert caught.value.status == 404
        fake.assert_no_violations()


def test_ghes_prefix() -> None:
    with FakeGitHub(api_prefix="/api/v3") as fake:
        fake.add_repo("acme/api")
        fake.add_token("tok", "bot")
        assert fake.base_url.endswith("/api/v3")
        assert client(fake).get_repo("acme/api").full_name == "acme/api"
        assert requests.get(fake.root_url + "/repos/acme/api", timeout=5).status_code == 404
