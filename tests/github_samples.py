"""What the GitHub tests share: the commits and diffs of their sample pull request, a
sample finding, and a paced client on the fake GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from github import Auth, Github

from bot.findings.model import Finding, Severity
from bot.forges.github.client import PACING_ENV
from bot.forges.github.pacing import PacedClient
from tests.fakeclock import FakeClock
from tests.fakes.github_server import FakeGitHub

BASE = "a" * 40
HEAD = "b" * 40
HEAD2 = "c" * 40

# app.py edited: lines 2 and 3 of the head are added.
APP_DIFF = """diff --git a/app.py b/app.py
index 1111111..2222222 100644
--- a/app.py
+++ b/app.py
@@ -1,4 +1,5 @@
 import os
-x = 1
+x = 2
+y = 3
 def f():
     return x
"""
# new.py added, two lines.
NEW_FILE_DIFF = """diff --git a/new.py b/new.py
new file mode 100644
index 0000000..4444444
--- /dev/null
+++ b/new.py
@@ -0,0 +1,2 @@
+z = 1
+w = 2
"""


# A model's answer on APP_DIFF: one major finding on app.py line 2, with a suggestion.
APP_ANSWER: dict[str, Any] = {
    "summary": "Changes x.",
    "findings": [
        {
            "path": "app.py",
            "line": 2,
            "side": "RIGHT",
            "severity": "major",
            "category": "bug",
            "title": "x changed meaning",
            "body": "Callers expect 1.",
            "suggestion": "x = 1",
        },
    ],
}


def finding(**kw: Any) -> Finding:
    """A minor bug on app.py line 2; `kw` sets the fields a test looks at."""
    base: dict[str, Any] = {
        "path": "app.py",
        "start_line": 2,
        "end_line": 2,
        "severity": Severity.MINOR,
        "category": "bug",
        "title": "A title",
        "body": "A body.",
    }
    return Finding(**{**base, **kw})


def paced_client(fake: FakeGitHub, token: str) -> PacedClient:
    """PyGithub on the fake with `token`, no retries and no real waiting."""
    gh = Github(
        auth=Auth.Token(token),
        base_url=fake.base_url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    clock = FakeClock()
    return PacedClient(gh, sleep=clock.sleep, clock=clock)


def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub's pacing off for the code this process runs (the client library's spacing of
    requests, the paced client's second between writes): the tests that call it assert what
    was posted, not when, and pacing has its own test on a fake clock
    (test_github_publisher). Retries and their waits are left as they are. The same
    variable turns pacing off in the processes the tests start (tests/cli.py:base_env)."""
    monkeypatch.setenv(PACING_ENV, "off")


@contextmanager
def github_with_pr(repo: str, token: str, number: int = 7, **pr: Any) -> Iterator[FakeGitHub]:
    """A fake GitHub where `token` is a bot with write access to `repo`, which has pull
    request `number` from BASE to HEAD (APP_DIFF unless `pr` says otherwise)."""
    with FakeGitHub() as fake:
        fake.add_repo(repo)
        fake.add_token(token, "switchyard-bot", type="Bot")
        fake.set_permission(repo, "switchyard-bot", "write")
        fake.add_pr(repo, number, **{"base_sha": BASE, "head_sha": HEAD, "diff": APP_DIFF, **pr})
        yield fake
