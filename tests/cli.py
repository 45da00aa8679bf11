"""Runs `switchyard` as a real process, with an environment the test controls fully."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.gitrepo import ISOLATED_ENV

if TYPE_CHECKING:
    from tests.fakes.openai_server import FakeOpenAIServer


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def base_env(home: Path) -> dict[str, str]:
    """No model keys or URLs leak in from the developer's shell."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "CI": "true",
        "NO_COLOR": "1",
        "SWITCHYARD_STATE": str(home / "state"),
        # The `local` extra may be installed: no test starts the embedded runner unasked.
        "SWITCHYARD_RUNNER": "off",
        # No second between writes to the fake GitHub (a review --pr waited ~5 s for them):
        # tests assert what was posted, not when; pacing has its fake-clock tests.
        "SWITCHYARD_GITHUB_PACING": "off",
        **ISOLATED_ENV,
    }


def switchyard(
    *args: str,
    cwd: Path,
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = 60,
) -> Result:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    # Whatever went wrong, the user must get a sentence, not a stack trace.
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


def local_env(home: Path, fake: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    """base_env with `fake` declared as the self-hosted runner (model qwen2.5-coder-14b)."""
    return {
        **base_env(home),
        "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen2.5-coder-14b",
        **extra,
    }
