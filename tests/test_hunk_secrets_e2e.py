"""A hunk that shows part of a private key keeps its file on premises, end to end.

A review's prompt shows a file as its hunks, and classification judges the lines the
prompt shows. A change just below a key shows the key's last lines and its END line, its
BEGIN line above the hunk; a change of a line inside the key shows body lines and neither
armour line. Each is run through `switchyard review --base` in a real repository, with
only the OpenAI cloud fake configured: the file must be restricted (no local target: exit
3, the file named as not reviewed) and no line of the key may reach the cloud, while an
ordinary file of the same change does (the positive control).
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from tests.cli import Result, base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

_RNG = random.Random(20261207)
_B64 = string.ascii_letters + string.digits + "+/"
_BODY = ["".join(_RNG.choice(_B64) for _ in range(64)) for _ in range(24)] + ["Zq8w3xQ="]


def _values_file(port: int, body: list[str]) -> str:
    key = ["-----BEGIN " + "RSA PRIVATE KEY-----", *body, "-----END " + "RSA PRIVATE KEY-----"]
    return (
        "server:\n  tls_key: |\n" + "".join(f"    {line}\n" for line in key) + f"  port: {port}\n"
    )


def _review_in_the_cloud(
    repo: GitRepo, fake: FakeOpenAIServer, tmp: Path, more: str = "", patch: str | None = None
) -> Result:
    """`switchyard review --base main` with the OpenAI cloud fake as the only target; with
    `patch`, `review --diff -` reading it, in the repository's checkout."""
    fake.responder = lambda body: Reply({"summary": "ok", "findings": []})
    (tmp / "openai.key").write_text("sk-org-" + "k" * 32 + "\n")
    org = tmp / "org.yml"
    org.write_text(
        f"providers:\n  openai:\n    base_url: {fake.base_url}\n    model: m\n"
        f"    api_key_file: {tmp / 'openai.key'}\n    max_retries: 0\n"
        "routing:\n  order: [openai]\n" + more
    )
    change = ("--base", "main") if patch is None else ("--diff", "-")
    return switchyard(
        "review", *change, "--format", "json", "--config", str(org),
        cwd=repo.path, env=base_env(tmp), stdin=patch, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "head_port", "head_body"),
    [
        ("a change just below the key", 9443, _BODY),
        ("a change inside the key's body", 8443, [*_BODY[:12], "A" * 64, *_BODY[13:]]),
    ],
)
def test_a_hunk_showing_part_of_a_key_keeps_the_file_local(
    name: str, head_port: int, head_body: list[str], tmp_path: Path
) -> None:
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("deploy/values.yaml", _values_file(8443, _BODY))
    repo.write("app/main.py", "def main() -> int:\n    return 0\n")
    repo.commit("base")
    repo.git("switch", "-q", "-c", "feature")
    repo.write("deploy/values.yaml", _values_file(head_port, head_body))
    repo.write("app/main.py", "def main() -> int:\n    return 1  # INTERNAL_MARK\n")
    repo.commit(name)
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        result = _review_in_the_cloud(repo, fake, tmp_path)
        assert result.code == 3, result.both
        assert "deploy/values.yaml" in result.both
        assert fake.where("INTERNAL_MARK"), "the ordinary file never reached the cloud"
        for line in _BODY:
            assert not fake.where(line[:16]), f"{name}: the cloud received a line of the key"


def _inside_the_body(tmp_path: Path) -> GitRepo:
    """A change of one line inside the key's body: the hunk shows body lines only."""
    repo = GitRepo.init(tmp_path / "repo")
    repo.write("deploy/values.yaml", _values_file(8443, _BODY))
    repo.commit("base")
    repo.git("switch", "-q", "-c", "feature")
    repo.write("deploy/values.yaml", _values_file(8443, [*_BODY[:12], "A" * 64, *_BODY[13:]]))
    repo.commit("inside the key")
    return repo


def test_with_secrets_not_restricting_the_gate_still_takes_out_what_the_file_showed(
    tmp_path: Path,
) -> None:
    """An organisation that lets a file with a secret go to the cloud, the value redacted
    (`secrets_make_restricted: false`), relies on the gate; the hunk's body lines do not
    tell the gate a key, the file did (classification read it)."""
    repo = _inside_the_body(tmp_path)
    with FakeOpenAIServer("cloud", models=["m"]) as fake:
        more = "data_classes:\n  secrets_make_restricted: false\n"
        result = _review_in_the_cloud(repo, fake, tmp_path, more)
        assert result.code == 0, result.both
        shown = fake.where("[REDACTED:private-key#")
        assert shown, "the file's review never reached the cloud, or nothing was redacted"
        for line in _BODY:
            assert not fake.where(line[:16]), "the cloud received a line of the key"


def test_a_local_model_quoting_a_body_line_it_was_shown_is_masked_in_the_report(
    tmp_path: Path,
) -> None:
    """A self-hosted model sees the restricted file as it is; what it quotes back ends in
    comments and reports, so the answer is masked for the values the file scan found."""
    repo = _inside_the_body(tmp_path)
    quoted = _BODY[11]  # shown as context above the changed line
    with FakeOpenAIServer("vllm", models=["m"]) as fake:
        fake.responder = lambda body: Reply(
            {
                "summary": f"The key line {quoted} was touched.",
                "findings": [
                    {
                        "path": "deploy/values.yaml", "line": 16, "severity": "major",
                        "category": "security", "title": "Key in the repository",
                        "body": f"`{quoted}` is part of a private key.",
                    }
                ],
            }
        )  # fmt: skip
        org = tmp_path / "org.yml"
        org.write_text(
            f"providers:\n  gpu:\n    base_url: {fake.base_url}\n    model: m\n"
            "    location: local\n    max_retries: 0\nrouting:\n  order: [gpu]\n"
        )
        result = switchyard(
            "review", "--base", "main", "--format", "json", "--config", str(org),
            cwd=repo.path, env=base_env(tmp_path), timeout=120,
        )  # fmt: skip
        assert fake.where(quoted[:16]), "the local model was not shown the key's lines"
        assert "Key in the repository" in result.out, result.both
        assert quoted[:16] not in result.both, "the report quotes a line of the key"
