"""`switchyard worker --config FILE` runs every job under the organisation's file: its
providers, its data classes. Before, the file only located the state folder and jobs ran
without the org's policy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.jobs import Job
from bot.queue.jobs_queue import JobQueue
from tests.cli import base_env
from tests.fakes.github_server import FakeGitHub
from tests.fakes.openai_server import FakeOpenAIServer
from tests.github_samples import HEAD, github_with_pr

REPO = "acme/api"
TOKEN = "ghs_test_token_for_the_fake"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with github_with_pr(REPO, TOKEN) as fake:
        yield fake


def _worker(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "worker", "--workers", "1", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@pytest.mark.parametrize("how", ["flag", "variable"])
def test_jobs_run_under_the_org_file_given_to_the_worker(
    github: FakeGitHub, tmp_path: Path, how: str
) -> None:
    with (
        FakeOpenAIServer(models=["qwen"]) as local,
        FakeOpenAIServer(models=["gpt-4o-mini"], api_key="sk-org") as cloud,
    ):
        org = tmp_path / "org.yml"
        # Only the org file declares the models, and it makes every file restricted: a job
        # that ignored the file would have no model at all, or send app.py to the cloud.
        org.write_text(
            "providers:\n"
            f"  gateway:\n    base_url: {cloud.base_url}\n    model: gpt-4o-mini\n"
            "    api_key_env: ORG_GATEWAY_KEY\n"
            f"  gpu:\n    base_url: {local.base_url}\n    model: qwen\n    location: local\n"
            "routing:\n  order: [gateway, gpu]\n"
            "data_classes:\n  default: restricted\n"
        )
        env = {
            **base_env(tmp_path),
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_API_URL": github.base_url,
            "ORG_GATEWAY_KEY": "sk-org",
        }
        args: tuple[str, ...] = ("--config", str(org))
        if how == "variable":
            env["SWITCHYARD_CONFIG"] = str(org)
            args = ()
        queue = JobQueue(tmp_path / "state" / "queue.sqlite3", handler=lambda job: None)
        queue.submit(Job("github", REPO, 7, head_sha=HEAD, api_url=github.base_url))
        queue.close()
        proc = _worker(tmp_path, env, *args)
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline and not github.repo(REPO).issue_comments:
                time.sleep(0.2)
        finally:
            err = _stop(proc)
        # The summary comment: the job ran to the end and posted.
        assert github.repo(REPO).issue_comments, err
        assert f"org config {org}" in err
        assert local.chat_requests(), err
        # Restricted by the org's default class: nothing reached the cloud target first
        # in the order, not even a tokenizer call.
        assert cloud.requests == []


def test_a_worker_with_a_broken_org_file_stops_at_once_with_a_message(tmp_path: Path) -> None:
    org = tmp_path / "org.yml"
    org.write_text("providers:\n  gpu:\n    model: q\n    location: local\n")
    proc = _worker(tmp_path, base_env(tmp_path), "--config", str(org))
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2
    assert "providers.gpu" in err and "needs a base_url" in err
    assert "Traceback" not in err
    assert not os.path.exists(tmp_path / "state" / "queue.sqlite3")
