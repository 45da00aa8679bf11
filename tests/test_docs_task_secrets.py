"""What the docs task publishes of the repository's own lines never shows a secret.

A docstring's suggestion repeats the definition's header (its replacement must hold the
header to apply), and the documentation patch carries its files' context and removed
lines; both reach the review comments, the summary comment and every report. A header or
a nearby line that holds a secret is shown masked, and what the mask would break is said:
the suggestion is not committable (a committed mask would overwrite the password in the
code), the patch's masked hunk will not apply."""

from __future__ import annotations

import random
import string
import subprocess
from pathlib import Path

from bot.publish.json_report import render_json
from bot.publish.markdown import render_markdown
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.test_docs_task_run import _run

_RNG = random.Random(20261208)
PASSWORD = "Kq8#vLm2" + "".join(
    _RNG.choice(string.ascii_letters + string.digits) for _ in range(10)
)
TOKEN = "ghp_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(36))


def test_a_header_holding_a_password_gets_its_docstring_shown_but_not_committable(
    tmp_path: Path,
) -> None:
    repo = GitRepo.init(tmp_path / "db")
    repo.feature(
        {
            "db.py": f'def connect(host, password="{PASSWORD}"):\n    return (host, password)\n\n\n'
            "def close(conn):\n    return None\n"
        },
        base={"db.py": "X = 1\n"},
    )
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply(
            {
                "docs": [
                    {"name": "connect", "text": "Open a connection."},
                    {"name": "close", "text": "Close it."},
                ]
            }
        )
        report = _run(repo, fake)
    by_title = {f.title: f for f in report.findings}
    connect = by_title["connect has no doc comment"]
    assert connect.suggestion is None and connect.anchored
    assert 'def connect(host, password="[REDACTED:' in connect.body
    assert '"""Open a connection."""' in connect.body
    assert "mask" in (connect.anchor_note or "")
    # The control: a header without a secret keeps its committable suggestion.
    close = by_title["close has no doc comment"]
    assert close.suggestion == 'def close(conn):\n    """Close it."""'
    for shown in (render_json(report), render_markdown(report)):
        assert PASSWORD not in shown


def test_a_patch_beside_a_token_is_shown_masked_and_said_not_to_apply(tmp_path: Path) -> None:
    readme = f"# Calc\n\nexport CALC_TOKEN={TOKEN}\nRun `calc --verbose` to see each step.\n"
    cli = 'import argparse\n\np = argparse.ArgumentParser()\np.add_argument("--verbose")\n'
    repo = GitRepo.init(tmp_path / "calc")
    repo.feature(
        {"cli.py": cli.replace("--verbose", "--loud")}, base={"cli.py": cli, "README.md": readme}
    )
    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = lambda req: Reply({"docs": []})
        report = _run(repo, fake)
    assert report.patch is not None
    lines = report.patch.splitlines()
    assert "+Run `calc --loud` to see each step." in lines  # the edit is still shown
    assert " export CALC_TOKEN=[REDACTED:secret]" in lines
    assert any("`git apply` will not take the hunks" in n for n in report.notes)
    check = subprocess.run(
        ["git", "apply", "--check", "-"], input=report.patch, cwd=repo.path, text=True,
        capture_output=True, check=False,
    )  # fmt: skip
    assert check.returncode != 0, "a masked hunk was said not to apply"
    for shown in (render_json(report), render_markdown(report)):
        assert TOKEN not in shown and TOKEN[4:20] not in shown
