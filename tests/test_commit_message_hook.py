"""The prepare-commit-msg hook in a real git repository, run by `git commit` itself: the
message file gets a Conventional Commits message from the fake model when the committer
gave none; `-m` and amends are left alone; with no model, or a model too slow, the commit
goes on with the committer's own message and one line says why. Installing respects
core.hooksPath and never replaces another hook unasked."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

MESSAGE = {
    "type": "feat",
    "scope": "ops",
    "subject": "add clamp to hold values within bounds.",
    "body": "The price parser needs bounded values.",
}
EXPECTED = (
    "feat(ops): add clamp to hold values within bounds\n\nThe price parser needs bounded values."
)


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(MESSAGE)
        yield fake


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("calc/ops.py", "def add(a, b):\n    return a + b\n")
    repo.commit("base")
    return repo


def _install(repo: GitRepo, home: Path, *args: str) -> str:
    r = switchyard(
        "hooks", "install", "--repo", str(repo.path), *args, cwd=repo.path, env=base_env(home)
    )
    assert r.code == 0, r.both
    return r.out


def _stage(repo: GitRepo) -> None:
    clamp = "\n\ndef clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n"
    repo.write("calc/ops.py", "def add(a, b):\n    return a + b\n" + clamp)
    repo.git("add", "-A")


def _commit(
    repo: GitRepo, env: dict[str, str], *args: str, editor: str = "true"
) -> subprocess.CompletedProcess[str]:
    # GIT_EDITOR=true takes the message file as the hook left it, as a user saving at once.
    who = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com"}
    who |= {"GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    full = {**env, **who, "GIT_EDITOR": editor}
    return subprocess.run(
        ["git", "commit", *args],
        cwd=repo.path,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _own_message_editor(tmp_path: Path) -> str:
    """An editor that writes the committer's own message when the file holds none."""
    script = tmp_path / "editor.sh"
    script.write_text(
        "#!/bin/sh\n"
        "grep -v '^#' \"$1\" | grep -q '[^[:space:]]' || printf 'my own message\\n' > \"$1\"\n"
    )
    script.chmod(0o755)
    return str(script)


def _last_message(repo: GitRepo) -> str:
    return repo.git("log", "-1", "--format=%B").strip()


def test_git_commit_gets_the_generated_message(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    out = _install(repo, tmp_path)
    assert f"installed {repo.path / '.git' / 'hooks' / 'prepare-commit-msg'}" in out
    _stage(repo)
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }
    done = _commit(repo, env)
    assert done.returncode == 0, done.stderr
    assert _last_message(repo) == EXPECTED
    [request] = model.chat_requests()
    assert "+def clamp(x, lo, hi):" in request["messages"][1]["content"]
    assert request["max_tokens"] <= 256  # a small answer: the hook must feel instant
    # -m gives a message: the hook asks nothing.
    repo.write("calc/more.py", "X = 1\n")
    repo.git("add", "-A")
    done = _commit(repo, env, "-m", "chore: explicit")
    assert done.returncode == 0, done.stderr
    assert _last_message(repo) == "chore: explicit"
    # An amend keeps the message it amends.
    done = _commit(repo, env, "--amend")
    assert done.returncode == 0, done.stderr
    assert _last_message(repo) == "chore: explicit"
    assert len(model.chat_requests()) == 1


def test_with_no_model_the_commit_goes_on_with_the_users_own_message(
    repo: GitRepo, tmp_path: Path
) -> None:
    _install(repo, tmp_path)
    _stage(repo)
    done = _commit(repo, base_env(tmp_path), editor=_own_message_editor(tmp_path))
    assert done.returncode == 0, done.stderr
    assert _last_message(repo) == "my own message"
    [line] = [x for x in done.stderr.splitlines() if x.startswith("switchyard:")]
    assert line == "switchyard: no commit message written: no model is configured"


def test_a_model_too_slow_does_not_hold_the_commit(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    model.responder = lambda req: Reply(MESSAGE, delay_s=30)
    _install(repo, tmp_path)
    _stage(repo)
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
        "SWITCHYARD_HOOK_TIMEOUT_S": "2",
    }
    done = _commit(repo, env, editor=_own_message_editor(tmp_path))
    assert done.returncode == 0, done.stderr
    assert _last_message(repo) == "my own message"
    assert "switchyard: no commit message written: no answer within 2 s" in done.stderr


def test_install_respects_core_hooks_path_and_keeps_a_foreign_hook(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.git("config", "core.hooksPath", ".githooks")
    foreign = repo.write(".githooks/prepare-commit-msg", "#!/bin/sh\necho theirs\n")
    r = switchyard(
        "hooks", "install", "--repo", str(repo.path), cwd=repo.path, env=base_env(tmp_path)
    )
    assert r.code == 2 and "is another hook, not Switchyard's" in r.err
    assert foreign.read_text() == "#!/bin/sh\necho theirs\n"
    out = _install(repo, tmp_path, "--force")
    assert "kept the previous hook as" in out
    assert (
        repo.path / ".githooks" / "prepare-commit-msg.bak"
    ).read_text() == "#!/bin/sh\necho theirs\n"
    assert "switchyard:prepare-commit-msg" in foreign.read_text()
    assert os.access(foreign, os.X_OK)
    # Installing again over its own hook needs no --force and makes no backup of it.
    _install(repo, tmp_path)
    assert "echo theirs" in (repo.path / ".githooks" / "prepare-commit-msg.bak").read_text()
