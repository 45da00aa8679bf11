"""`switchyard review` end to end: a real git repo, a real process, a fake model server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import Result, base_env, local_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply, unused_port
from tests.gitrepo import GitRepo, numbered

APP = numbered(30)
# Feature branch: line 10 replaced, two lines added after line 20.
FEATURE = APP.replace("line 10\n", "line 10 changed\n").replace(
    "line 20\n", "line 20\nadded 21\nadded 22\n"
)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write("app.py", APP)
    git_repo.commit("base")
    git_repo.switch("feature", create=True)
    git_repo.write("app.py", FEATURE)
    git_repo.commit("feature work")
    return git_repo


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(flavour="vllm", models=["qwen2.5-coder-14b"]) as server:
        yield server


def finding(line: int, severity: str = "major", **kw: object) -> dict[str, object]:
    return {
        "path": "app.py",
        "line": line,
        "side": "RIGHT",
        "severity": severity,
        "category": "bug",
        "title": f"problem at {line}",
        "body": "explained",
        **kw,
    }


def review(repo: GitRepo, env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return switchyard("review", *args, cwd=repo.path, env=env, stdin=stdin)


def test_review_of_a_branch_writes_every_report(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.enqueue(
        Reply(
            {
                "summary": "Adds two lines.",
                "findings": [
                    finding(21, end_line=22, suggestion="added 21 fixed\nadded 22 fixed"),
                ],
            }
        )
    )
    out = tmp_path / "out"
    r = review(
        repo,
        local_env(tmp_path, fake),
        "--base",
        "main",
        "--output",
        str(out / "r.json"),
        "--output",
        str(out / "r.md"),
        "--output",
        str(out / "r.sarif"),
    )
    assert r.code == 0, r.both
    data = json.loads((out / "r.json").read_text())
    [f] = data["findings"]
    assert (f["path"], f["start_line"], f["end_line"]) == ("app.py", 21, 22)
    assert f["suggestion"] == "added 21 fixed\nadded 22 fixed"
    [call] = data["calls"]
    assert call["target"] == "local" and call["outcome"] == "ok"
    assert call["tokens_in"] > 0 and call["tokens_out"] > 0
    assert call["route_reason"].startswith("review → local/qwen2.5-coder-14b")
    assert data["summary"]["lines_covered"] == data["summary"]["changed_lines"] == 4
    assert "problem at 21" in (out / "r.md").read_text()
    sarif = json.loads((out / "r.sarif").read_text())
    assert (
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
        == 21
    )
    assert "problem at 21" in r.out  # the console view
    assert "[1/1] review-1: local ok" in r.err  # CI=true: plain progress lines
    # The request asked the server to enforce our schema, and showed the cited lines.
    [req] = fake.chat_requests()
    assert req["response_format"]["type"] == "json_schema"
    assert "added 21" in req["messages"][-1]["content"]


def test_merge_base_excludes_what_landed_on_main_later(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    repo.switch("main")
    repo.write("later.py", "on main after the branch point\n")
    repo.commit("main moves on")
    repo.switch("feature")
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    assert "later.py" not in fake.chat_requests()[0]["messages"][-1]["content"]


@pytest.mark.parametrize(("severity", "code"), [("major", 1), ("critical", 1), ("minor", 0)])
def test_fail_on_gates_at_the_threshold(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path, severity: str, code: int
) -> None:
    fake.enqueue(Reply({"summary": "ok", "findings": [finding(10, severity)]}))
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--fail-on", "major", "-q")
    assert r.code == code, r.both
    assert ("gate failed" in r.err) == (code == 1)


def test_finding_outside_the_diff_is_demoted_to_a_file_note(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.enqueue(Reply({"summary": "ok", "findings": [finding(3)]}))
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    [f] = json.loads(r.out)["findings"]
    assert f["start_line"] is None
    assert "line 3" in f["anchor_note"]


def test_llamacpp_server_gets_json_object_with_schema(repo: GitRepo, tmp_path: Path) -> None:
    with FakeOpenAIServer(flavour="llamacpp", models=["qwen"]) as llama:
        llama.responder = lambda req: Reply({"summary": "ok", "findings": [finding(10)]})
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": llama.base_url,
            "SWITCHYARD_LOCAL_MODEL": "qwen",
        }
        r = review(repo, env, "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["calls"][-1]["structured_mode"] == "json_object"
    assert [f["start_line"] for f in data["findings"]] == [10]


def test_patch_from_stdin(repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path) -> None:
    patch = repo.git("diff", "main...feature")
    fake.enqueue(Reply({"summary": "ok", "findings": [finding(22)]}))
    r = review(
        repo, local_env(tmp_path, fake), "--diff", "-", "--format", "json", stdin=patch + "\n"
    )
    assert r.code == 0, r.both
    assert json.loads(r.out)["findings"][0]["start_line"] == 22


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--base", "no-such-branch"], "no-such-branch"),
        (["--base", "feature"], "no changes"),
    ],
)
def test_bad_refs_exit_2(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path, args: list[str], expect: str
) -> None:
    r = review(repo, local_env(tmp_path, fake), *args)
    assert r.code == 2, r.both
    assert expect in r.err
    assert fake.chat_requests() == []


def test_not_a_git_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    r = switchyard("review", "--base", "main", cwd=tmp_path / "plain", env=base_env(tmp_path))
    assert r.code == 2
    assert "not inside a git repository" in r.err


def test_malformed_patch_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.diff"
    bad.write_text("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-only one line\n")
    r = switchyard("review", "--diff", str(bad), cwd=tmp_path, env=base_env(tmp_path))
    assert r.code == 2
    assert "bad.diff" in r.err


def test_binary_only_change_reports_nothing_to_review(
    git_repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.write("README", "x\n")
    git_repo.commit("base")
    git_repo.switch("feature", create=True)
    git_repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    git_repo.commit("logo")
    r = review(git_repo, local_env(tmp_path, fake), "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["findings"] == [] and data["calls"] == []
    assert [s["path"] for s in data["skipped"]] == ["logo.png"]
    assert "nothing to review" in r.err


def test_no_model_configured_exits_3_and_says_what_to_set(repo: GitRepo, tmp_path: Path) -> None:
    r = review(repo, base_env(tmp_path), "--base", "main")
    assert r.code == 3
    assert "SWITCHYARD_LOCAL_BASE_URL" in r.err and "OPENAI_API_KEY" in r.err


def test_dry_run_shows_the_plan_without_a_model(repo: GitRepo, tmp_path: Path) -> None:
    r = review(repo, base_env(tmp_path), "--base", "main", "--dry-run")
    assert r.code == 0, r.both
    assert "review-1: 1 files, 4 changed lines" in r.out
    assert "app.py" in r.out and "prompt tokens" in r.out


def test_dry_run_sends_nothing_and_counts_by_estimate(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--dry-run")
    assert r.code == 0, r.both
    assert "counted by estimate" in r.out
    assert "route: review → local/qwen2.5-coder-14b" in r.out
    assert "local: qwen2.5-coder-14b, local (declared by SWITCHYARD_LOCAL_BASE_URL)" in r.out
    # Not even the tokenizer: a dry run is a plan, and nothing of the change leaves.
    assert fake.requests == []


def test_a_run_counts_each_item_with_its_local_targets_tokenizer(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--output", str(out))
    assert r.code == 0, r.both
    counted = fake.bodies("POST", "/tokenize")
    assert counted and len(counted) == len(fake.chat_requests())
    data = json.loads(out.read_text())
    assert data["targets"] == [
        {
            "name": "local",
            "model": "qwen2.5-coder-14b",
            "location": "local",
            "declared": "local (declared by SWITCHYARD_LOCAL_BASE_URL)",
        }
    ]


def _org(home: Path, text: str) -> dict[str, str]:
    """A server/org file named by SWITCHYARD_CONFIG: where providers are declared, since a
    repository file may not say where code goes."""
    path = home / "org.yml"
    path.write_text(text)
    return {"SWITCHYARD_CONFIG": str(path)}


def test_server_down_exits_3_and_lists_what_was_not_reviewed(repo: GitRepo, tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": f"http://127.0.0.1:{unused_port()}/v1",
        "SWITCHYARD_LOCAL_MODEL": "m",
        **_org(tmp_path, "providers:\n  local:\n    max_retries: 0\n    model: m\n"),
    }
    out = tmp_path / "r.json"
    r = review(repo, env, "--base", "main", "--output", str(out))
    assert r.code == 3, r.both
    assert "unreachable" in r.both
    data = json.loads(out.read_text())
    assert data["summary"]["complete"] is False
    assert any(s["path"] == "app.py" and "not reviewed" in s["reason"] for s in data["skipped"])


def test_server_slow_past_the_timeout_exits_3(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    org = _org(tmp_path, "providers:\n  local: {model: m, timeout_s: 0.5, max_retries: 0}\n")
    fake.enqueue(Reply({"summary": "ok", "findings": []}, delay_s=3))
    r = review(repo, local_env(tmp_path, fake, **org), "--base", "main", "-q")
    assert r.code == 3, r.both
    assert "timed out" in r.err


def test_rate_limit_with_retry_after_then_success(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.enqueue(
        Reply.error(429, "slow down", headers={"Retry-After": "0.2"}),
        Reply({"summary": "ok", "findings": [finding(10)]}),
    )
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    assert len(json.loads(r.out)["findings"]) == 1
    assert len(fake.chat_requests()) == 2


def test_persistent_500_exits_3(repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path) -> None:
    org = _org(tmp_path, "providers:\n  local:\n    model: m\n    max_retries: 1\n")
    fake.responder = lambda req: Reply.error(500, "CUDA out of memory")
    r = review(repo, local_env(tmp_path, fake, **org), "--base", "main", "-q")
    assert r.code == 3, r.both
    assert "500" in r.err or "server error" in r.err


def test_non_json_answer_is_repaired_once(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.enqueue(
        Reply("Sure! Here is my review: looks fine"),
        Reply({"summary": "ok", "findings": [finding(10)]}),
    )
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--format", "json")
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["calls"][0]["repaired"] is True
    assert len(data["findings"]) == 1


@pytest.mark.parametrize(
    "bad", ["not json at all", {"findings": [{"path": "app.py", "line": "ten"}]}]
)
def test_invalid_answer_after_repair_exits_3_with_a_note(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path, bad: object
) -> None:
    fake.responder = lambda req: Reply(bad)  # type: ignore[arg-type]
    out = tmp_path / "r.md"
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--output", str(out), "-q")
    assert r.code == 3, r.both
    text = out.read_text()
    assert "review-1 could not be reviewed" in text
    assert "app.py" in text


def test_falls_back_to_the_cloud_when_local_is_down(repo: GitRepo, tmp_path: Path) -> None:
    with FakeOpenAIServer(flavour="vllm", models=["gpt-4o-mini"]) as cloud:
        cloud.responder = lambda req: Reply({"summary": "ok", "findings": [finding(10)]})
        env = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": f"http://127.0.0.1:{unused_port()}/v1",
            "SWITCHYARD_LOCAL_MODEL": "m",
            "OPENAI_API_KEY": "sk-test-very-secret-value",
            "OPENAI_BASE_URL": cloud.base_url,
            **_org(
                tmp_path,
                "providers:\n  local:\n    model: m\n    max_retries: 0\n"
                "  openai:\n    model: gpt-4o-mini\n    location: cloud\n",
            ),
        }
        r = review(repo, env, "--base", "main", "--format", "json")
        assert r.code == 0, r.both
        data = json.loads(r.out)
        assert [(c["target"], c["outcome"]) for c in data["calls"]] == [
            ("local", "failed"),
            ("openai", "ok"),
        ]
        assert cloud.requests[-1].headers.get("authorization") == "Bearer sk-test-very-secret-value"
    assert "sk-test-very-secret-value" not in r.both


def test_every_command_help_has_an_example() -> None:
    """Walks the whole command tree, so a new command or subcommand is held to it too."""
    import click
    from click.testing import CliRunner

    from bot.cli import cli

    def paths(cmd: click.Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from paths(sub, [*path, name])

    every = list(paths(cli, []))
    assert ["secrets", "fingerprint"] in every and ["ledger", "prune"] in every
    for cmd in every:
        r = CliRunner().invoke(cli, [*cmd, "--help"])
        assert r.exit_code == 0, (cmd, r.output)
        assert "Example" in r.output, cmd


def test_org_prompt_template_overrides_the_builtin(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    # A relative prompts_dir is taken from the org file's folder, not the repository's.
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts/review.md.j2").write_text(
        "{% block system %}House rules: be brief. {{ boundary }}{% endblock %}"
        "{% block user %}{{ boundary }}{% for f in files %}{{ f }}{% endfor %}"
        "{{ boundary }}{% endblock %}",
    )
    org = _org(tmp_path, "prompts_dir: prompts\n")
    r = review(repo, local_env(tmp_path, fake, **org), "--base", "main", "-q")
    assert r.code == 0, r.both
    system = fake.chat_requests()[0]["messages"][0]["content"]
    assert system.startswith("House rules: be brief.")


def test_repository_may_not_choose_the_prompt_templates(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    repo.on_base(
        {
            ".switchyard/prompts/review.md.j2": "{% block system %}x{% endblock %}",
            ".switchyard.yml": "prompts_dir: .switchyard/prompts\n",
        }
    )
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "-q")
    assert r.code == 2, r.both
    assert ".switchyard.yml: prompts_dir: a repository file may not set prompts_dir" in r.err
    assert "--config or SWITCHYARD_CONFIG" in r.err
    assert fake.requests == []


def test_a_template_reaching_for_python_objects_is_a_config_error(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts/review.md.j2").write_text(
        "{% block system %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}"
        "{% block user %}{{ boundary }}{% endblock %}",
    )
    org = _org(tmp_path, "prompts_dir: prompts\n")
    r = review(repo, local_env(tmp_path, fake, **org), "--base", "main", "-q")
    assert r.code == 2, r.both  # and no traceback: switchyard() checks
    assert "prompt template review.md.j2: refused by the template sandbox" in r.err
    assert "__class__" in r.err
    assert fake.chat_requests() == []


def test_unknown_provider_flag_exits_2(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = review(repo, local_env(tmp_path, fake), "--base", "main", "--provider", "gpu9")
    assert r.code == 2
    assert "gpu9" in r.err and "local" in r.err
