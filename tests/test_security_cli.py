"""`switchyard security` end to end: real scanners on a real repository, a fake model for
triage and the model's own pass, reports in the formats code scanning tools read."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.cli import Result, base_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo

FIXTURES = Path(__file__).parent / "fixtures"
VULNERABLE = """import hashlib
import sqlite3


def find(db: sqlite3.Connection, name: str):
    return db.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()


def digest(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()
"""
# Built at run time so that no secret-looking literal sits in this repository.
TOKEN = "ghp_" + "Zq8WmX2pLr5TnY7vB3cK" + "d9FhJ4sG6uA1eQ0i"
PASSWORD = "Xk8-prod-" + "Qm3zT1vL"


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    return git_repo.feature(
        {"app/db.py": VULNERABLE, "deploy/ci.py": f'GITHUB_TOKEN = "{TOKEN}"\n'}
    )


def scan(repo: GitRepo, env: dict[str, str], *args: str) -> Result:
    return switchyard("security", "--base", "main", *args, cwd=repo.path, env=env, timeout=180)


@dataclass(frozen=True)
class Scanned:
    result: Result
    report: dict[str, Any]
    files: dict[str, str]  # the report files' text, by name

    @property
    def everything(self) -> str:
        return self.result.both + "".join(self.files.values())


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Scanned:
    """One scanners-only scan for the tests that only read its reports: the weak hashing,
    injection and token of `repo`, and a password literal two detectors report."""
    root = tmp_path_factory.mktemp("scanned")
    repo = GitRepo.init(root / "repo").feature(
        {
            "app/db.py": VULNERABLE,
            "deploy/ci.py": f'GITHUB_TOKEN = "{TOKEN}"\n',
            "app/settings.py": f'db_password = "{PASSWORD}"\n',
        }
    )
    out = root / "out"
    names = ("r.json", "s.sarif", "gl-sast-report.json")
    outputs = [arg for name in names for arg in ("--output", str(out / name))]
    r = scan(repo, base_env(root), "--no-model", "--format", "json", *outputs)
    assert r.code == 0, r.both
    files = {name: (out / name).read_text() for name in names}
    return Scanned(r, json.loads(files["r.json"]), files)


def test_scanners_alone_find_injection_weak_hashing_and_a_secret(scanned: Scanned) -> None:
    data = scanned.report
    found = {(f["path"], f["start_line"], tuple(f["cwe"])) for f in data["findings"]}
    assert ("app/db.py", 6, ("CWE-89",)) in found
    assert any(p == "app/db.py" and line == 10 for p, line, _ in found)
    assert any(f["path"] == "deploy/ci.py" and f["source"] == "secrets" for f in data["findings"])
    assert TOKEN not in scanned.everything

    sarif = json.loads(scanned.files["s.sarif"])
    jsonschema.validate(sarif, json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text()))
    tags = {
        t
        for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        for t in rule.get("properties", {}).get("tags", [])
    }
    assert "external/cwe/cwe-89" in tags
    gitlab = json.loads(scanned.files["gl-sast-report.json"])
    schema = json.loads(next((FIXTURES / "gitlab").glob("sast-report-format-*.json")).read_text())
    jsonschema.validate(gitlab, schema)
    assert any(
        i["type"] == "cwe" and i["value"] == "89"
        for v in gitlab["vulnerabilities"]
        for i in v["identifiers"]
    )


def test_fail_on_gates_on_security_severity(repo: GitRepo, tmp_path: Path) -> None:
    r = scan(repo, base_env(tmp_path), "--no-model", "--fail-on", "critical", "-q")
    assert r.code == 1, r.both
    assert "gate failed" in r.err


def test_without_a_model_it_says_what_did_not_run(repo: GitRepo, tmp_path: Path) -> None:
    r = scan(repo, base_env(tmp_path), "--format", "json")
    assert r.code == 0, r.both
    notes = json.loads(r.out)["notes"]
    assert any("scanners only" in n for n in notes)


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    def answer(req: dict) -> Reply:  # type: ignore[type-arg]
        name = req["response_format"]["json_schema"]["name"]
        if name == "triage":
            user = req["messages"][-1]["content"]
            verdicts = []
            for fid, text in re.findall(r"\[(F\d+)\] ([^\n]*)", user):
                fp = "md5" in text.lower() or "hash" in text.lower()
                verdicts.append(
                    {
                        "id": fid,
                        "verdict": "likely_false_positive" if fp else "confirmed",
                        "explanation": "only a cache key" if fp else "name comes from the caller",
                    }
                )
            return Reply({"verdicts": verdicts})
        return Reply(
            {
                "summary": "Adds a lookup.",
                "findings": [
                    {
                        "path": "app/db.py",
                        "line": 5,
                        "severity": "major",
                        "category": "security",
                        "title": "CWE-639: no authorization check",
                        "body": "Anyone can look up users.",
                    },
                ],
            }
        )

    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = answer
        yield fake


def test_triage_drops_false_positives_and_the_model_adds_what_scanners_miss(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    # The model is a cloud target here: the file holding a secret is restricted, so neither
    # its triage nor its review may reach it.
    org = tmp_path / "org.yml"
    org.write_text(
        "providers:\n  openai:\n    model: qwen\n    location: cloud\n"
        "routing:\n  restricted_wait_s: 0\n"
    )
    env = {**base_env(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": model.base_url}
    r = scan(repo, env, "--format", "json", "--config", str(org))
    assert r.code == 3, r.both  # the restricted file could not be triaged or reviewed
    data = json.loads(r.out)
    titles = [f["title"] for f in data["findings"]]
    assert not any("md5" in t.lower() or "hash" in t.lower() for t in titles)
    assert any("dropped as a likely false positive" in n for n in data["notes"])
    sql = next(f for f in data["findings"] if "CWE-89" in f["cwe"])
    assert "name comes from the caller" in sql["body"]
    model_only = next(f for f in data["findings"] if f["source"] == "model")
    assert "not by a scanner rule" in model_only["body"]
    sent = json.dumps(model.chat_requests())
    assert TOKEN not in sent and "deploy/ci.py" not in sent
    secret = next(f for f in data["findings"] if f["path"] == "deploy/ci.py")
    assert "not triaged" in secret["body"]  # kept, not silently dropped
    [why] = [n for n in data["notes"] if "could not be triaged" in n]
    assert "(deploy/ci.py, 1 finding) could not be triaged" in why
    assert "restricted code stays on premises" in why


def test_a_triage_the_runner_fails_is_named_with_its_reason(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    answer = model.responder

    def failing_triage(req: dict) -> Reply:  # type: ignore[type-arg]
        if req["response_format"]["json_schema"]["name"] == "triage":
            return Reply(status=500, content="CUDA out of memory")
        return answer(req)

    model.responder = failing_triage
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
    }
    org = tmp_path / "org.yml"
    # restricted_wait_s 0: the file holding a secret is restricted, and restricted work
    # would wait two minutes for the failing local runner to come back.
    org.write_text("providers:\n  local:\n    max_retries: 0\nrouting:\n  restricted_wait_s: 0\n")
    r = scan(repo, env, "--format", "json", "--config", str(org))
    assert r.code == 3, r.both
    data = json.loads(r.out)
    notes = [n for n in data["notes"] if "could not be triaged" in n]
    assert len(notes) == 2  # one per file with findings
    assert all("local: server error (500)" in n and "CUDA out of memory" in n for n in notes)
    assert any(n.startswith("triage-1 (app/db.py, ") for n in notes)
    # Every scanner finding is still there, marked unverified.
    assert any("CWE-89" in f["cwe"] and "not triaged" in f["body"] for f in data["findings"])


def test_a_model_the_runner_does_not_serve_still_leaves_the_scanners_report(
    repo: GitRepo, model: FakeOpenAIServer, tmp_path: Path
) -> None:
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": model.base_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen-typo",
    }
    r = scan(repo, env, "--format", "json")
    assert r.code == 3, r.both
    data = json.loads(r.out)
    assert any("CWE-89" in f["cwe"] for f in data["findings"])
    [note] = [n for n in data["notes"] if "did not run" in n]
    assert "model 'qwen-typo' is not served" in note and "(it serves: qwen)" in note
    assert model.chat_requests() == []


HOUSE_RULE = (
    "rules:\n"
    "  - id: house.no-print\n"
    "    languages: [python]\n"
    "    severity: WARNING\n"
    "    message: use the logger, not print\n"
    "    pattern: print(...)\n"
)


def test_the_repository_can_add_its_own_semgrep_rules(git_repo: GitRepo, tmp_path: Path) -> None:
    repo = git_repo.feature(
        {"app/cli.py": "def main():\n    print('hello')\n"},
        base={
            "rules/house.yml": HOUSE_RULE,
            ".switchyard.yml": "security:\n  semgrep_rules: [rules/house.yml]\n",
        },
    )

    def house(r: Result) -> list[tuple[str, int]]:
        assert r.code == 0, r.both
        found = json.loads(r.out)["findings"]
        return [(f["path"], f["start_line"]) for f in found if f["rule_id"] == "house.no-print"]

    assert house(scan(repo, base_env(tmp_path), "--no-model", "--format", "json")) == [
        ("app/cli.py", 2)
    ]
    # A patch has no checkout: the rules are read where .switchyard.yml is (--repo).
    patch = tmp_path / "change.diff"
    patch.write_text(repo.git("diff", "main...HEAD"))
    r = switchyard(
        "security", "--diff", str(patch), "--repo", str(repo.path), "--no-model",
        "--format", "json", cwd=tmp_path, env=base_env(tmp_path), timeout=180,
    )  # fmt: skip
    assert house(r) == [("app/cli.py", 2)]


def test_a_branch_cannot_alter_the_policy_it_is_scanned_under(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """In CI the checkout is the change's own: its edits to .switchyard.yml and to the rule
    files must not switch its own scan off."""
    repo = git_repo.feature(
        {
            "app/cli.py": "def main():\n    print('hello')\n",
            "app/db.py": VULNERABLE,
            ".switchyard.yml": "filters:\n  exclude: ['app/**']\nsecurity:\n"
            "  semgrep_rules: [rules/house.yml]\n",
            "rules/house.yml": "rules: []\n",
        },
        base={
            "rules/house.yml": HOUSE_RULE,
            ".switchyard.yml": "security:\n  semgrep_rules: [rules/house.yml]\n",
        },
    )
    r = scan(repo, base_env(tmp_path), "--no-model", "--format", "json")
    assert r.code == 0, r.both
    found = {(f["path"], f["rule_id"]) for f in json.loads(r.out)["findings"]}
    assert ("app/cli.py", "house.no-print") in found  # the base's rule, on the base's filters
    assert any(path == "app/db.py" for path, _ in found)
    assert ".switchyard.yml is read as on the base" in r.err


def test_repository_rules_leading_outside_it_are_not_run(git_repo: GitRepo, tmp_path: Path) -> None:
    """A committed symlink passes any check of the text; where it points is checked at use."""
    outside = tmp_path / "outside/evil.yml"
    outside.parent.mkdir()
    outside.write_text(
        "rules:\n  - id: outside.evil\n    languages: [python]\n    severity: WARNING\n"
        "    message: read from outside the repository\n    pattern: print(...)\n"
    )
    (git_repo.path / "rules").mkdir()
    (git_repo.path / "rules/link.yml").symlink_to(outside)
    house = (
        "rules:\n  - id: house.no-print\n    languages: [python]\n    severity: WARNING\n"
        "    message: use the logger\n    pattern: print(...)\n"
    )
    repo = git_repo.feature(
        {"app/cli.py": "def main():\n    print('hello')\n", "app/db.py": VULNERABLE},
        base={
            "rules/house.yml": house,
            ".switchyard.yml": "security:\n  semgrep_rules: [rules/link.yml, rules/house.yml]\n",
        },
    )
    note = (
        "semgrep rules (security.semgrep_rules): 'rules/link.yml' leads outside the "
        "repository: not run (the built-in rules still ran)"
    )

    def check(r: Result) -> None:
        assert r.code == 0, r.both
        data = json.loads(r.out)
        rules = {f["rule_id"] or "" for f in data["findings"]}
        assert "house.no-print" in rules and "outside.evil" not in rules
        assert any(rule.startswith("switchyard.") for rule in rules)  # the built-in rules
        assert note in data["notes"]

    check(scan(repo, base_env(tmp_path), "--no-model", "--format", "json"))
    # A patch: the rules are read where .switchyard.yml is (--repo), held inside it alike.
    patch = tmp_path / "change.diff"
    patch.write_text(repo.git("diff", "main...HEAD"))
    r = switchyard(
        "security", "--diff", str(patch), "--repo", str(repo.path), "--no-model",
        "--format", "json", cwd=tmp_path, env=base_env(tmp_path), timeout=180,
    )  # fmt: skip
    check(r)


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ("semgrep_rules: ['../rules.yml']", "not a path inside the repository"),
        ("semgrep_rules: [p/python]", "registry or cloud name"),
        ("bandit_skip: ['-o /tmp/x']", "is not a bandit test id"),
    ],
)
def test_scanner_settings_that_would_escape_are_refused(
    repo: GitRepo, tmp_path: Path, setting: str, shown: str
) -> None:
    repo.on_base({".switchyard.yml": f"security:\n  {setting}\n"})
    r = scan(repo, base_env(tmp_path), "--no-model")
    assert r.code == 2, r.both
    assert ".switchyard.yml: security." in r.err and shown in r.err


def test_files_the_scanners_could_not_read_are_named_and_the_run_is_incomplete(
    repo: GitRepo, tmp_path: Path
) -> None:
    # A patch of a modified file carries no head version to scan, and no checkout to read.
    patch = tmp_path / "change.diff"
    patch.write_text(
        "diff --git a/app/old.py b/app/old.py\n--- a/app/old.py\n+++ b/app/old.py\n"
        "@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"
    )
    r = switchyard(
        "security",
        "--diff",
        str(patch),
        "--no-model",
        "-q",
        "--repo",
        str(tmp_path),
        cwd=tmp_path,
        env=base_env(tmp_path),
        timeout=180,
    )
    assert r.code == 3, r.both
    assert "switchyard: incomplete: app/old.py could not be reviewed: not scanned" in r.err
    assert "run it there, or give --repo" in r.err


def test_a_patch_is_scanned_against_the_checkout_of_its_head(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """`git diff main | switchyard security --diff -` in the branch's checkout: modified files
    are read from the checkout where it matches the patch, and not where it does not."""
    repo = git_repo.feature(
        {"app/db.py": VULNERABLE, "app/util.py": "def f():\n    return 2\n"},
        base={"app/db.py": "import sqlite3\n", "app/util.py": "def f():\n    return 1\n"},
    )
    patch = repo.git("diff", "main...HEAD") + "\n"

    def scan_patch() -> Result:
        return switchyard(
            "security", "--diff", "-", "--no-model", "--format", "json",
            cwd=repo.path, env=base_env(tmp_path), stdin=patch, timeout=180,
        )  # fmt: skip

    r = scan_patch()
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert any(f["path"] == "app/db.py" and f["cwe"] for f in data["findings"])
    assert data["skipped"] == []
    # The checkout moved on: its app/db.py is no longer the patch's head.
    repo.write("app/db.py", "import sqlite3\n\n\ndef find():\n    return None\n")
    r = scan_patch()
    assert r.code == 3, r.both
    assert "app/db.py could not be reviewed" in r.err and "not the patch's head" in r.err


def test_one_weakness_reported_by_several_scanners_is_one_finding(scanned: Scanned) -> None:
    # md5: bandit B324 and the built-in weak-hash rule; a password literal: bandit B105
    # and the secret detector. bandit's own CWEs are the family (327, 259): the reports
    # carry the weakness itself and the family alongside.
    findings = scanned.report["findings"]
    on_md5 = [f for f in findings if f["path"] == "app/db.py" and f["start_line"] == 10]
    assert len(on_md5) == 1, on_md5
    assert on_md5[0]["cwe"][0] == "CWE-328"  # the weakness first, not bandit's family
    assert "CWE-327" in on_md5[0]["cwe"]
    assert "Also reported by" in on_md5[0]["body"]

    on_password = [f for f in findings if f["path"] == "app/settings.py"]
    assert len(on_password) == 1, on_password
    assert {"CWE-259", "CWE-798"} <= set(on_password[0]["cwe"])
    assert PASSWORD not in scanned.everything


def test_bandit_tests_that_flag_no_flaw_are_off_until_the_repository_asks(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write(
        "app/run.py",
        "import random\nimport subprocess\n\n\ndef listing(path):\n    assert path\n"
        '    password = "changeme"  # placeholder, the detectors judge the value\n'
        "    path = path + str(random.randint(0, 9))\n"
        '    return subprocess.run(["ls", "-l", path], check=True)\n',
    )
    repo.commit("listing")

    def bandit_rules() -> set[str]:
        r = scan(repo, base_env(tmp_path), "--no-model", "--format", "json")
        assert r.code == 0, r.both
        data = json.loads(r.out)
        return {f["rule_id"] for f in data["findings"] if f["path"] == "app/run.py"}

    # An import, an assert, a process started without a shell; a string named like a
    # password, a call into random: none is a flaw, and sharper detectors cover the last two.
    assert bandit_rules() == set()
    repo.on_base({".switchyard.yml": "security:\n  bandit_skip: []\n"}, "every bandit test")
    assert {"B404", "B101", "B603", "B105", "B311"} <= bandit_rules()


@pytest.mark.parametrize("command", ["security", "review"])
def test_a_model_quoting_a_secret_never_puts_it_in_any_output(
    repo: GitRepo, tmp_path: Path, command: str
) -> None:
    """The self-hosted runner sees secrets as they are (nothing leaves the premises); what
    it answers goes to comments, reports, the cache and the ledger, so it is masked."""

    def echo(req: dict) -> Reply:  # type: ignore[type-arg]
        if req["response_format"]["json_schema"]["name"] == "triage":
            user = req["messages"][-1]["content"]
            verdicts = [
                {
                    "id": fid,
                    "verdict": "confirmed",
                    "explanation": f"the token {TOKEN} is live",
                    "suggestion": f'GITHUB_TOKEN = os.environ.get("X", "{TOKEN}")',
                }
                for fid in sorted(set(re.findall(r"\[(F\d+)\]", user)))
            ]
            return Reply({"verdicts": verdicts})
        return Reply(
            {
                "summary": f"Adds a token ({TOKEN}).",
                "findings": [
                    {
                        "path": "deploy/ci.py",
                        "line": 1,
                        "severity": "major",
                        "category": "security",
                        "title": f"Token {TOKEN} in code",
                        "body": f"`{TOKEN}` can push to the repository.",
                        "suggestion": f"# was {TOKEN}",
                    }
                ],
            }
        )

    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = echo
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": fake.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        out = tmp_path / "out"
        files = [out / "r.json", out / "r.sarif", out / "r.md", out / "gl-sast-report.json"]
        args = [a for f in files for a in ("--output", str(f))]
        r = switchyard(
            command, "--base", "main", *args,
            cwd=repo.path, env=env, timeout=180,
        )  # fmt: skip
        assert TOKEN in json.dumps(fake.chat_requests())  # the local model did see it
    assert r.code in (0, 1), r.both
    data = json.loads(files[0].read_text())
    assert any(f["source"] == "model" for f in data["findings"])  # the answer was used
    everything = r.both + "".join(f.read_text() for f in files if f.exists())
    assert TOKEN not in everything
    assert "[REDACTED" in everything
    ledger = sqlite3.connect(tmp_path / "state" / "ledger.sqlite3")
    assert TOKEN not in "\n".join(ledger.iterdump())


def test_a_file_semgrep_parses_in_part_is_scanned_and_its_unparsed_lines_named(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """A class static block (ES2022) semgrep's JavaScript parser does not know: it parses
    the rest and its rules run there, so the file is scanned with a note, not a gap that
    makes the run incomplete (exit 3) when semgrep is its only engine."""
    server = (
        "const express = require('express');\n"
        "const app = express();\n"
        "app.get('/hello', (req, res) => {\n"
        "  res.send('<p>' + req.query.name + '</p>');\n"
        "});\n"
        "class Config { static { this.ready = true; } }\n"
    )
    repo = git_repo.feature({"web/server.js": server}, base={"README.md": "x\n"})
    r = switchyard(
        "security", "--no-model", "--format", "json",
        cwd=repo.path, env=base_env(tmp_path), timeout=180,
    )  # fmt: skip
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["skipped"] == [], data["skipped"]
    found = [(f["path"], f["start_line"]) for f in data["findings"]]
    assert ("web/server.js", 4) in found, found
    [note] = [n for n in data["notes"] if "web/server.js parsed in part" in n]
    assert "line 6 not parsed" in note, note
