"""What the GitLab tests share: a fake GitLab holding a project with merge request !7 (the
GitHub tests' sample change), the bot's tokens, and the product's client on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.forges.gitlab.client import GitLabAPI, gitlab_api
from tests.fakeclock import FakeClock
from tests.fakes.gitlab_server import DEVELOPER, FakeGitLab
from tests.github_samples import APP_DIFF, BASE, HEAD

PROJECT = "acme/platform/api"
TOKEN = "glpat-bot-token-for-the-fake"
READ_ONLY = "glpat-read-only-token"
BOT = "switchyard-bot"
START = "d" * 40  # the target branch's tip, ahead of the merge base
# old_name.py renamed to new_name.py (one line changed), gone.py deleted, logo.png added.
RENAME_DELETE_BINARY = (
    "diff --git a/old_name.py b/new_name.py\nsimilarity index 90%\nrename from old_name.py\n"
    "rename to new_name.py\nindex 1111111..2222222 100644\n--- a/old_name.py\n"
    "+++ b/new_name.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\nindex 3333333..0000000\n"
    "--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
    "diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..5555555\n"
    "Binary files /dev/null and b/logo.png differ\n"
)


@contextmanager
def gitlab_with_mr(iid: int = 7, **mr: Any) -> Iterator[FakeGitLab]:
    """A fake GitLab where TOKEN is the bot (Developer on PROJECT, api scope), READ_ONLY the
    same bot with read_api only, and !iid goes from BASE to HEAD (APP_DIFF unless `mr` says
    otherwise), the target branch having moved on to START."""
    with FakeGitLab() as fake:
        fake.add_project(PROJECT)
        fake.add_token(TOKEN, BOT)
        fake.add_token(READ_ONLY, BOT, scopes=("read_api",))
        fake.set_member(PROJECT, BOT, DEVELOPER)
        defaults = {"base_sha": BASE, "head_sha": HEAD, "start_sha": START, "diff": APP_DIFF}
        fake.add_mr(PROJECT, iid, **{**defaults, **mr})
        yield fake


def api_on(fake: FakeGitLab, token: str = TOKEN) -> tuple[GitLabAPI, FakeClock]:
    """The product's python-gitlab client on the fake, waiting on a fake clock (a rate
    limit's Retry-After takes no time)."""
    clock = FakeClock()
    return gitlab_api(fake.url, token, sleep=clock.sleep), clock
