"""`switchyard secrets fingerprint`: an operator lets a reported value through by pasting what
the command prints into the server file, and the value itself is never shown or typed."""

from __future__ import annotations

import hashlib
import json
import random
import string
from pathlib import Path

import yaml

from tests.cli import base_env, switchyard
from tests.gitrepo import GitRepo

_RNG = random.Random(1416)
TOKEN = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(32))
OTHER = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(32))
CODE = f'import os\nAPI_TOKEN = "{TOKEN}"\nDB_URL = os.environ["DB_URL"]\nSIGNING_KEY = "{OTHER}"\n'


def _repo(tmp_path: Path) -> GitRepo:
    return GitRepo.init(tmp_path / "repo").feature({"app/settings.py": CODE})


def _security(repo: GitRepo, home: Path, *extra: str) -> str:
    r = switchyard(
        "security", "--base", "main", "--no-model", *extra, cwd=repo.path, env=base_env(home)
    )
    assert r.code == 0, r.both
    return r.out


def test_the_printed_lines_let_the_value_through_when_pasted_into_the_server_file(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    [first, _] = json.loads(_security(repo, tmp_path, "--format", "json"))["findings"]
    assert first["start_line"] == 2
    assert "`switchyard secrets fingerprint app/settings.py:2`" in first["body"]  # it says how

    r = switchyard(
        "secrets", "fingerprint", "app/settings.py:2", cwd=repo.path, env=base_env(tmp_path)
    )
    assert r.code == 0, r.both
    assert TOKEN not in r.both
    expected = "sha256:" + hashlib.sha256(TOKEN.encode()).hexdigest()
    assert f"app/settings.py:2  secret assignment  {expected}" in r.out
    # Line 2 only: the signing key on line 4 is not offered for the allow-list.
    assert hashlib.sha256(OTHER.encode()).hexdigest() not in r.out
    snippet = r.out[r.out.index("secrets:") :]
    assert yaml.safe_load(snippet) == {"secrets": {"allow": {"fingerprints": [expected]}}}

    org = tmp_path / "org.yml"
    org.write_text(snippet)
    report = _security(repo, tmp_path, "--config", str(org))
    assert "app/settings.py:2" not in report
    assert "app/settings.py:4" in report  # only that value was let through

    again = switchyard(
        "secrets", "fingerprint", "app/settings.py", "--config", str(org),
        cwd=repo.path, env=base_env(tmp_path),
    )  # fmt: skip
    assert again.code == 0, again.both
    assert f"app/settings.py:2  secret assignment  {expected}  (allowed)" in again.out
    # What is left to allow is the other value alone.
    left = yaml.safe_load(again.out[again.out.index("secrets:") :])
    assert left["secrets"]["allow"]["fingerprints"] == [
        "sha256:" + hashlib.sha256(OTHER.encode()).hexdigest()
    ]


def test_a_folder_is_walked_and_an_allowed_path_is_named(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    repo.write("docs/example.env", f"API_TOKEN={OTHER}\n")
    repo.write("app/logo.png", b"\x89PNG\r\n\x1a\n\0\0" + TOKEN.encode())
    org = tmp_path / "org.yml"
    org.write_text("secrets:\n  allow:\n    paths: ['docs/**']\n")
    r = switchyard(
        "secrets", "fingerprint", ".", "--config", str(org), cwd=repo.path, env=base_env(tmp_path)
    )
    assert r.code == 0, r.both
    assert "docs/example.env: not scanned (secrets.allow.paths)" in r.out
    assert [line.split("  ")[0] for line in r.out.splitlines() if "  sha256:" in line] == [
        "app/settings.py:2",
        "app/settings.py:4",
    ]
    assert TOKEN not in r.both and OTHER not in r.both
    # From a folder inside the checkout, paths are still the repository's.
    r = switchyard(
        "secrets", "fingerprint", "settings.py:2", cwd=repo.path / "app", env=base_env(tmp_path)
    )
    assert r.out.startswith("app/settings.py:2  secret assignment  sha256:"), r.both


def test_nothing_found_exits_1_and_bad_targets_exit_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = base_env(tmp_path)
    r = switchyard("secrets", "fingerprint", "app/settings.py:3", cwd=repo.path, env=env)
    assert (r.code, r.out) == (1, "")
    assert "no secret found in app/settings.py:3" in r.err

    r = switchyard("secrets", "fingerprint", "app/missing.py:3", cwd=repo.path, env=env)
    assert r.code == 2
    assert "app/missing.py: no such file" in r.err and "Traceback" not in r.err

    r = switchyard("secrets", "fingerprint", "app/settings.py:0", cwd=repo.path, env=env)
    assert r.code == 2 and "line numbers start at 1" in r.err

    r = switchyard("secrets", "fingerprint", cwd=repo.path, env=env)
    assert r.code == 2 and "PATH[:LINE]" in r.err

    r = switchyard("secrets", "fingerprint", "--help", cwd=repo.path, env=env)
    assert r.code == 0 and "Example" in r.out


def test_an_allowed_file_gets_no_hard_coded_secret_report_from_any_scanner(
    tmp_path: Path,
) -> None:
    """semgrep's literal-secret rule (and bandit's B105) report the lines the secret
    detector does: the allow-list must hold for them too, or it would not hold in the scan."""
    repo = _repo(tmp_path)
    before = json.loads(_security(repo, tmp_path, "--format", "json"))["findings"]
    assert "Also reported by: semgrep" in before[0]["body"]
    org = tmp_path / "org.yml"
    org.write_text("secrets:\n  allow:\n    paths: ['app/**']\n")
    after = json.loads(_security(repo, tmp_path, "--format", "json", "--config", str(org)))
    assert after["findings"] == []
    assert any("hard-coded secret left out" in n for n in after["notes"]), after["notes"]


def test_a_path_that_could_close_the_code_span_is_not_written_into_the_hint() -> None:
    """A pull request's author names the files: a backtick in a name would end the hint's
    code span in the comment and let the name write markdown of its own."""
    from bot.security.scanners.secrets_runner import run_secrets

    hostile = "app/x` [review passed](https://evil.example) `.py"
    run = run_secrets({hostile: CODE, "app/settings.py": CODE}).run
    hints = {(f.path, f.start_line): f.message for f in run.findings}
    assert "secrets fingerprint PATH:2`" in hints[hostile, 2]
    assert not any("evil" in body for (path, _), body in hints.items() if path == hostile)
    assert "secrets fingerprint app/settings.py:2`" in hints["app/settings.py", 2]


def test_a_file_name_with_a_newline_stays_on_its_line(tmp_path: Path) -> None:
    """git allows a newline in a file's name; the printed lines are pasted into the
    server's file, so a name must not start a line of its own there."""
    repo = GitRepo.init(tmp_path / "repo").feature(
        {"conf/a\nsecrets: {allow: {paths: ['**']}}\n.env": f"API_TOKEN={TOKEN}\n"}
    )
    r = switchyard("secrets", "fingerprint", "conf", cwd=repo.path, env=base_env(tmp_path))
    assert r.code == 0, r.both
    snippet = yaml.safe_load(r.out[r.out.index("\nsecrets:") :])
    assert snippet == {
        "secrets": {
            "allow": {"fingerprints": ["sha256:" + hashlib.sha256(TOKEN.encode()).hexdigest()]}
        }
    }
    assert "conf/a?secrets:" in r.out
