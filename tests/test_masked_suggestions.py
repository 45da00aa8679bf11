"""A model's suggestion for a line that holds a secret never becomes a committable mask.

Answers are masked before anything publishes them: a self-hosted model that saw the
password and quotes it in its suggested line has the value replaced by a marker; a cloud
model, shown the marker in place of the value, writes the marker back. Either way, a
reviewer who clicked "Commit suggestion" would write `[REDACTED:…]` over the password in
the code. `switchyard review` on a real repository, each model behind a fake
OpenAI-compatible server: the finding keeps its line and shows the suggested code, but
offers no committable suggestion, and the value is in no output."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from tests.cli import base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

_RNG = random.Random(31)
PASSWORD = "Kq8#vLm2" + "".join(
    _RNG.choice(string.ascii_letters + string.digits) for _ in range(10)
)


def _review(tmp: Path, location: str, suggestion: str) -> tuple[dict[str, object], str]:
    repo = GitRepo.init(tmp / "repo")
    repo.feature(
        {"app/settings.py": f'DEBUG = False\nDB_PASSWORD = "{PASSWORD}"\n'},
        base={"app/settings.py": "DEBUG = False\n"},
    )
    (tmp / "api.key").write_text("sk-org-" + "k" * 32 + "\n")
    where = (
        "    location: local\n" if location == "local" else f"    api_key_file: {tmp / 'api.key'}\n"
    )
    flavour = "vllm" if location == "local" else "cloud"
    with FakeOpenAIServer(flavour, models=["m"]) as fake:
        fake.responder = lambda body: Reply(
            {
                "summary": "One finding.",
                "findings": [
                    {
                        "path": "app/settings.py", "line": 2, "severity": "major",
                        "category": "security", "title": "Hard-coded database password",
                        "body": "Read it from the environment.", "suggestion": suggestion,
                    }
                ],
            }
        )  # fmt: skip
        org = tmp / "org.yml"
        org.write_text(
            f"providers:\n  model:\n    base_url: {fake.base_url}\n    model: m\n{where}"
            "    max_retries: 0\nrouting:\n  order: [model]\n"
            # (the cloud may see the file, its values redacted)
            "data_classes:\n  secrets_make_restricted: false\n"
        )
        result = switchyard(
            "review", "--base", "main", "--format", "json", "--config", str(org),
            cwd=repo.path, env=base_env(tmp), timeout=120,
        )  # fmt: skip
        assert result.code == 0, result.both
        assert fake.requests, "no model was asked"
    [finding] = json.loads(result.out)["findings"]
    return finding, result.both


@pytest.mark.parametrize(
    ("location", "suggestion"),
    [
        ("local", f'DB_PASSWORD = "{PASSWORD}"  # noqa: S105'),
        ("cloud", 'DB_PASSWORD = "[REDACTED:password#1]"  # noqa: S105'),
    ],
    ids=["a local model quoting the value", "a cloud model writing back the marker"],
)
def test_the_suggestion_is_shown_but_not_committable(
    location: str, suggestion: str, tmp_path: Path
) -> None:
    finding, output = _review(tmp_path, location, suggestion)
    assert finding["start_line"] == 2, "the finding keeps its line"
    assert finding["suggestion"] is None
    assert 'DB_PASSWORD = "[REDACTED:' in str(finding["body"]) and "# noqa: S105" in str(
        finding["body"]
    )
    assert "mask" in str(finding["anchor_note"])
    assert PASSWORD not in output


def test_a_suggestion_that_drops_the_value_stays_committable(tmp_path: Path) -> None:
    """The control: the fix a reviewer wants, which no longer holds the value."""
    fix = 'DB_PASSWORD = os.environ["DB_PASSWORD"]'
    finding, _ = _review(tmp_path, "local", fix)
    assert finding["suggestion"] == fix and finding["anchor_note"] is None
