"""The tests task through a forge's door (`/tests`, `--tasks tests`, a queued job): it runs
generated tests in the CI job's checkout, publishes the kept ones as a patch in the
summary, and says what to set when the worker has no checkout to run them in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import IncompleteError
from bot.forges.contract import PublishRefused
from bot.forges.door import ChangeRun, run_change_request
from bot.forges.jobs import handle
from bot.forges.summary import SummaryInput, render_summary
from bot.jobs import Job
from bot.publish.console import report_lines
from bot.publish.markdown import render_markdown
from bot.report import RunReport, merge_reports
from tests.cli import base_env
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.memory_forge import (
    ChangeRequestState,
    MemoryForge,
    MemoryPublisher,
    change_request,
    registered,
)
from tests.test_tests_cli import OPS_BASE, OPS_HEAD, _answer, _python_project, _test

REPO = "acme/calc"
KEPT = _test("test_clamp_low", "    assert clamp(-1, 0, 5) == 0\n")


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryForge:
    return registered(monkeypatch)


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(_answer({"tests/test_clamp.py": KEPT}))
        yield fake


@pytest.fixture
def project(tmp_path: Path, memory: MemoryForge) -> tuple[GitRepo, ChangeRequestState]:
    """A real repository (the CI job's checkout) and the same change as the forge shows it."""
    repo = _python_project(GitRepo.init(tmp_path / "checkout"))
    base, head = repo.sha("main"), repo.sha("feature")
    diff = repo.git("diff", "main...feature") + "\n"
    state = ChangeRequestState(change_request(REPO, 3, base=base, head=head), diff)
    state.files[(base, "calc/ops.py")] = OPS_BASE
    state.files[(head, "calc/ops.py")] = OPS_HEAD
    memory.states[(REPO, 3)] = state
    return repo, state


def _environ(tmp_path: Path, model: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    return {
        **base_env(tmp_path / "home"),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
        **extra,
    }


def _run(memory: MemoryForge, e: dict[str, str]) -> list[ChangeRun]:
    opened = memory.open_ref(memory.parse_ref(f"memory://{REPO}!3", e), e)
    return run_change_request(
        opened.source, opened.publisher_for, tasks=("tests",), config_path=None, environ=e,
        publish=True,
    )  # fmt: skip


def test_the_kept_test_is_published_as_a_patch_in_the_summary(
    memory: MemoryForge,
    model: FakeOpenAIServer,
    project: tuple[GitRepo, ChangeRequestState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, state = project
    monkeypatch.chdir(tmp_path)  # not a repository: the CI workspace variable names it
    [run] = _run(memory, _environ(tmp_path, model, GITHUB_WORKSPACE=str(repo.path)))
    assert run.report.patch is not None and "+++ b/tests/test_clamp.py" in run.report.patch
    [summary] = state.summaries
    assert "**Generated 1 test file for 1 changed function: 1 kept" in summary.body
    assert "No findings" not in summary.body and "changed file reviewed" not in summary.body
    assert "<summary>Patch: 1 test file" in summary.body
    assert "+++ b/tests/test_clamp.py" in summary.body and "clamp(-1, 0, 5)" in summary.body
    assert state.statuses == [(state.info.head_sha, "tests", "success")]
    # Nothing was written into the job's checkout: the patch is offered, not applied.
    assert not (repo.path / "tests" / "test_clamp.py").exists()


def test_a_worker_without_a_checkout_says_what_to_set(
    memory: MemoryForge,
    model: FakeOpenAIServer,
    project: tuple[GitRepo, ChangeRequestState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, state = project
    monkeypatch.chdir(tmp_path)
    for name, value in _environ(tmp_path, model).items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR", "WORKSPACE", "SWITCHYARD_CHECKOUT"):
        monkeypatch.delenv(name, raising=False)
    job = Job("memory", REPO, 3, state.info.head_sha, tasks=("tests",))
    with pytest.raises(IncompleteError, match="no checkout"):
        handle(job)  # the job fails: the worker logs it, and it is said on the change
    [summary] = state.summaries
    assert "no checkout of the repository" in summary.body
    assert "SWITCHYARD_CHECKOUT" in summary.body
    assert model.chat_requests() == []  # nothing generated that could not be run


def test_a_task_headline_replaces_the_review_words_in_every_view() -> None:
    """A run that wrote tests found nothing to report as findings; its outcome is its own."""
    headline = "Generated 2 test files for 1 changed function: 1 kept after passing on the head"
    report = RunReport(task="tests", headline=headline, files=["calc/ops.py"])
    views = {
        "markdown": render_markdown(report),
        "console": "\n".join(line.plain for line in report_lines(report)),
        "summary": render_summary(SummaryInput(report, head_sha="abc")),
    }
    for name, text in views.items():
        assert headline in text, name
        assert "No findings" not in text and "no findings" not in text, name
        assert "reviewed" not in text.split(headline)[0], name
    # Beside another task's report, the tests' outcome is one part of the whole.
    both = merge_reports([RunReport(task="review"), report])
    assert both.headline is None and both.walkthrough == headline


def _with_origin(repo: GitRepo, tmp_path: Path) -> Path:
    """The job's checkout gets the origin it was cloned from, holding main and feature."""
    origin = tmp_path / "origin.git"
    repo.git("init", "--quiet", "--bare", str(origin))
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "--quiet", "origin", "main", "feature")
    return origin


def test_proposed_tests_go_to_a_new_branch_and_a_request_into_the_reviewed_branch(
    memory: MemoryForge,
    model: FakeOpenAIServer,
    project: tuple[GitRepo, ChangeRequestState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, state = project
    origin = _with_origin(repo, tmp_path)
    feature_before = repo.git("--git-dir", str(origin), "rev-parse", "feature").strip()
    org = tmp_path / "org.yml"
    org.write_text("tests:\n  propose: true\n")
    monkeypatch.chdir(tmp_path)
    e = _environ(tmp_path, model, GITHUB_WORKSPACE=str(repo.path))
    opened = memory.open_ref(memory.parse_ref(f"memory://{REPO}!3", e), e)

    def run() -> None:
        run_change_request(
            opened.source, opened.publisher_for, tasks=("tests",), config_path=org,
            environ=e, publish=True,
        )  # fmt: skip

    run()
    branch = f"switchyard/tests/3-{state.info.head_sha[:12]}"
    [(pushed, into, title)] = state.proposals
    assert (pushed, into) == (branch, state.info.head_ref) and "#3" in title
    # The branch holds the head plus one commit: the kept test, as the patch shows it.
    tree = repo.git("--git-dir", str(origin), "ls-tree", "-r", "--name-only", branch)
    assert "tests/test_clamp.py" in tree.split()
    parent = repo.git("--git-dir", str(origin), "rev-parse", f"{branch}^").strip()
    assert parent == state.info.head_sha
    # Nothing was pushed to the reviewed branch, and the summary says where the tests are.
    assert repo.git("--git-dir", str(origin), "rev-parse", "feature").strip() == feature_before
    assert f"proposed the kept tests in memory://{REPO}!101" in state.summaries[-1].body

    run()  # the same head again: the branch exists, nothing is proposed twice
    assert len(state.proposals) == 1
    assert "exists already" in state.summaries[-1].body


def test_a_fork_gets_the_patch_and_no_branch(
    memory: MemoryForge,
    model: FakeOpenAIServer,
    project: tuple[GitRepo, ChangeRequestState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, state = project
    state.info = dataclasses.replace(state.info, fork=True, head_repo="mallory/calc")
    _with_origin(repo, tmp_path)
    org = tmp_path / "org.yml"
    org.write_text("tests:\n  propose: true\n")
    monkeypatch.chdir(tmp_path)
    e = _environ(tmp_path, model, GITHUB_WORKSPACE=str(repo.path))
    opened = memory.open_ref(memory.parse_ref(f"memory://{REPO}!3", e), e)
    run_change_request(
        opened.source, opened.publisher_for, tasks=("tests",), config_path=org, environ=e,
        publish=True,
    )  # fmt: skip
    assert state.proposals == []
    assert "comes from a fork" in state.summaries[-1].body
    assert "<summary>Patch: 1 test file" in state.summaries[-1].body


def test_a_docs_patch_is_called_documentation_in_the_summary() -> None:
    patch = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-old\n+new\n"
    body = render_summary(SummaryInput(RunReport(task="docs", patch=patch), head_sha="abc"))
    assert "Patch: 1 documentation file" in body and "test file" not in body


def test_a_request_the_forge_did_not_open_is_asked_for_again_on_the_next_run(
    memory: MemoryForge,
    model: FakeOpenAIServer,
    project: tuple[GitRepo, ChangeRequestState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The branch was pushed, then the forge failed to open the request: the job's next run
    does not push again, and asks for the request."""
    repo, state = project
    _with_origin(repo, tmp_path)
    org = tmp_path / "org.yml"
    org.write_text("tests:\n  propose: true\n")
    monkeypatch.chdir(tmp_path)
    e = _environ(tmp_path, model, GITHUB_WORKSPACE=str(repo.path))
    opened = memory.open_ref(memory.parse_ref(f"memory://{REPO}!3", e), e)
    real = MemoryPublisher.propose
    failures = iter([PublishRefused("502 Bad Gateway")])

    def flaky(self: MemoryPublisher, branch: str, into: str, title: str, body: str) -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real(self, branch, into, title, body)

    monkeypatch.setattr(MemoryPublisher, "propose", flaky)
    for _ in range(2):
        run_change_request(
            opened.source, opened.publisher_for, tasks=("tests",), config_path=org,
            environ=e, publish=True,
        )  # fmt: skip
    assert len(state.proposals) == 1
    assert f"proposed the kept tests in memory://{REPO}!101" in state.summaries[-1].body
