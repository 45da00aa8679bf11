"""The kept tests as a commit on a branch of their own, pushed for a pull or merge request
against the reviewed branch (`tests.propose`, the operator's setting).

Never a push to the reviewed branch: the branch is new, named for the change request and
its head (`switchyard/tests/<number>-<head12>`), and a name that exists already is not
pushed again (a re-run of the same head, after a push whose request was not opened, only
asks for the request; the forge refuses a second one). The commit is made in a
throwaway worktree at the head, so the job's checkout is not touched. The forge token, when
given, reaches git through its environment (GIT_CONFIG_*), never a command line or a URL,
where a process list or an error message would show it.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.gitcmd import git
from bot.testgen.checkout import CheckoutError
from bot.testgen.checkout import checkout as worktree_at

AUTHOR = ("Switchyard", "switchyard@users.noreply.localhost")
_PUSH_TIMEOUT_S = 120


@dataclass(frozen=True, slots=True)
class Pushed:
    branch: str
    commit: str  # "" when the branch was there already (an earlier run of this head)


class ProposeError(Exception):
    """Why no branch was pushed, in words fit for the change request (no secret, no URL)."""


def branch_name(number: int, head_sha: str) -> str:
    return f"switchyard/tests/{number}-{head_sha[:12]}"


def basic_auth_header(user: str, token: str) -> str:
    """The HTTP header git sends to GitHub (`x-access-token`) or GitLab (`oauth2`)."""
    pair = base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
    return f"Authorization: Basic {pair}"


def push_branch(
    checkout: Path,
    head_sha: str,
    files: Sequence[tuple[str, str]],
    branch: str,
    message: str,
    *,
    remote: str = "origin",
    auth_header: str | None = None,
) -> Pushed:
    """Commits `files` (path, text) on top of `head_sha` and pushes the commit to a new
    `branch` of `remote`; a branch that is there already is left as it is. Raises
    ProposeError when the push fails."""
    env = _git_env(auth_header)
    if _remote_has(checkout, remote, branch, env):
        return Pushed(branch, "")
    try:
        return _commit_and_push(checkout, head_sha, files, branch, message, remote, env)
    except CheckoutError as failed:
        raise ProposeError(f"no worktree at the head for the tests' commit: {failed}") from None


def _commit_and_push(
    checkout: Path,
    head_sha: str,
    files: Sequence[tuple[str, str]],
    branch: str,
    message: str,
    remote: str,
    env: dict[str, str],
) -> Pushed:
    with (
        tempfile.TemporaryDirectory(prefix="switchyard-propose-") as tmp,
        worktree_at(checkout, head_sha, Path(tmp)) as tree,
    ):
        for rel, text in files:
            target = tree / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _git(tree, env, "add", "--", *(rel for rel, _ in files))
        name, email = AUTHOR
        who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}  # fmt: skip
        _git(tree, {**env, **who}, "-c", "core.hooksPath=/dev/null", "commit", "--quiet",
             "--no-verify", "-m", message)  # fmt: skip
        commit = _git(tree, env, "rev-parse", "HEAD").strip()
        refspec = f"{commit}:refs/heads/{branch}"
        pushed = git(tree, "push", "--quiet", remote, refspec, env=env, timeout=_PUSH_TIMEOUT_S)
        if pushed.returncode != 0:
            raise ProposeError(
                f"git push of {branch} was refused (exit {pushed.returncode}): the token "
                "needs write access to the repository's contents"
            )
    return Pushed(branch, commit)


def _remote_has(checkout: Path, remote: str, branch: str, env: Mapping[str, str]) -> bool:
    head = f"refs/heads/{branch}"
    done = git(checkout, "ls-remote", "--heads", remote, head, env=env, timeout=_PUSH_TIMEOUT_S)
    return done.returncode == 0 and bool(done.stdout.strip())


def _git_env(auth_header: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if auth_header:
        count = int(env.get("GIT_CONFIG_COUNT", "0") or 0)
        env[f"GIT_CONFIG_KEY_{count}"] = "http.extraHeader"
        env[f"GIT_CONFIG_VALUE_{count}"] = auth_header
        env["GIT_CONFIG_COUNT"] = str(count + 1)
    return env


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    done = git(cwd, *args, env=env, timeout=_PUSH_TIMEOUT_S)
    if done.returncode != 0:
        raise ProposeError(
            f"git {args[0]} failed while committing the tests (exit {done.returncode})"
        )
    return done.stdout


def files_of_patch(patch: str) -> list[tuple[str, str]]:
    """(path, text) of each file the report's patch adds: the kept test files."""
    from unidiff import PatchSet

    out: list[tuple[str, str]] = []
    for patched in PatchSet(patch):
        if patched.is_added_file:
            text = "".join(line.value for hunk in patched for line in hunk if line.is_added)
            out.append((patched.path, text))
    return out
