"""A slow runner never looks like a hung one: while a run waits for answers it says what it
waits for, how long, and how many tokens have come; each second on a terminal, rarely in a
CI log (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.waiting import InFlight
from tests.cli import local_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

ANSWER = {"summary": "Adds a line. " * 20, "findings": []}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_what_is_waited_for_oldest_first_with_tokens_when_known() -> None:
    clock = Clock()
    inflight = InFlight(clock)
    assert inflight.describe() is None
    inflight.start("review-2")
    clock.now += 5
    inflight.start("review-1")
    inflight.tokens("review-2", 312)
    clock.now += 40
    assert inflight.describe() == "waiting for review-2 (45 s, 312 tokens so far), review-1 (40 s)"
    inflight.finish("review-2")
    assert inflight.describe() == "waiting for review-1 (40 s)"


@pytest.fixture
def slow_runner() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(models=["qwen2.5-coder-14b"]) as fake:
        # A streamed answer over about 3 seconds, a token at a time.
        fake.responder = lambda _req: Reply(ANSWER, trickle_s=0.02)
        yield fake


def review(repo: GitRepo, env: dict[str, str]) -> tuple[int, str]:
    r = switchyard("review", "--base", "main", "--no-cache", cwd=repo.path, env=env)
    return r.code, r.err


def test_a_ci_log_says_what_the_run_waits_for(
    git_repo: GitRepo, slow_runner: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature({"app.py": "x = 1\n"})
    env = local_env(tmp_path, slow_runner, SWITCHYARD_PROGRESS_EVERY_S="1")
    code, err = review(git_repo, env)
    assert code == 0, err
    waits = [line for line in err.splitlines() if "waiting for review-1 (" in line]
    assert waits, err
    assert waits[0].startswith("switchyard: [0/1] waiting for review-1 (")
    assert any("tokens so far" in w for w in waits)
    # At most one a second (the variable), not one per token.
    assert len(waits) <= 4
    assert err.rstrip().splitlines()[-1].startswith("switchyard: [1/1] review-1: local ok")


def test_by_default_a_ci_log_stays_quiet_for_a_short_wait(
    git_repo: GitRepo, slow_runner: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature({"app.py": "x = 1\n"})
    code, err = review(git_repo, local_env(tmp_path, slow_runner))
    assert code == 0, err
    assert "waiting for" not in err


def test_a_bad_interval_is_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.feature({"app.py": "x = 1\n"})
    with FakeOpenAIServer() as fake:
        code, err = review(git_repo, local_env(tmp_path, fake, SWITCHYARD_PROGRESS_EVERY_S="soon"))
    assert code == 2
    assert "SWITCHYARD_PROGRESS_EVERY_S='soon' is not a number of seconds" in err
    assert "Traceback" not in err
