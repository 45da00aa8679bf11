"""Where a forge door finds a clone of the repository for the tests task, which must run code.

A pull request read through the forge's API has no working tree. In CI (the GitHub Action,
the GitLab template, the Jenkins step) the job itself is a checkout: the door uses it when
it holds the change's head and base commits, fetching them once from its own `origin` when
a shallow clone lacks them. A server-side worker without one says so, and how to give it one,
instead of running nothing in silence.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bot.errors import IncompleteError
from bot.gitcmd import git, toplevel

# Where each CI system puts the job's checkout; SWITCHYARD_CHECKOUT names one explicitly.
_WORKSPACES = ("SWITCHYARD_CHECKOUT", "GITHUB_WORKSPACE", "CI_PROJECT_DIR", "WORKSPACE")
_FETCH_TIMEOUT_S = 120


def checkout_for(head_sha: str, base_sha: str | None, environ: Mapping[str, str]) -> Path:
    """A git work tree holding `head_sha` (and `base_sha` when given). Raises IncompleteError
    with what to set when there is none."""
    wanted = [s for s in (head_sha, base_sha) if s]
    # The working directory counts only when it already holds the change (`review --pr`
    # run in a clone); it may be any repository, the bot's own included, so nothing is
    # fetched into it. A CI system's workspace is the job's checkout of this repository.
    cwd = toplevel(Path(os.getcwd()))
    if cwd is not None and all(_has_commit(cwd, s) for s in wanted):
        return cwd
    for raw in dict.fromkeys(environ[k] for k in _WORKSPACES if environ.get(k)):
        root = toplevel(Path(raw))
        if root is None:
            continue
        missing = [s for s in wanted if not _has_commit(root, s)]
        if missing:
            _fetch(root, missing)
            missing = [s for s in wanted if not _has_commit(root, s)]
        if not missing:
            return root
        raise IncompleteError(
            f"the checkout at {root} lacks commit {missing[0][:12]} of this change, and "
            "fetching it from its origin did not bring it",
            hint="check out with full history (actions/checkout: fetch-depth: 0; GitLab: "
            "GIT_DEPTH: 0) so generated tests can run on the head and the base",
        )
    raise IncompleteError(
        "the tests task runs generated tests, and this process has no checkout of the repository",
        hint="run it where the repository is checked out (the GitHub Action, the GitLab CI "
        "template, the Jenkins step), or set SWITCHYARD_CHECKOUT to a clone the worker may use",
    )


def _has_commit(root: Path, sha: str) -> bool:
    return git(root, "cat-file", "-e", f"{sha}^{{commit}}").returncode == 0


def _fetch(root: Path, shas: list[str]) -> None:
    """Best effort: a shallow CI clone fetches the commits it lacks from its own origin with
    the credentials the job already configured; a failure leaves the check above to say so."""
    git(root, "fetch", "--quiet", "--no-tags", "origin", *shas, timeout=_FETCH_TIMEOUT_S)
