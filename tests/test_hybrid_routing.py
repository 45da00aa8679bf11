"""Hybrid routing end to end: a real repo, the CLI as a process, a local fake and cloud fakes
that record everything they receive — so restricted code and secrets are shown not to leak.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import Result, base_env, switchyard
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.fakes.anthropic_server import Reply as AReply
from tests.fakes.openai_server import FakeOpenAIServer, Reply, unused_port
from tests.gitrepo import GitRepo

# Built at run time so that no secret-looking literal sits in this repository.
TOKEN = "ghp_" + "R3alLook1ngT0ken" + "x9QwErTyUiOp4sDfGhJk"
BILLING = "def charge(card):\n    return gateway.capture(card, amount=100)\n"
VIEWS = "def index(request):\n    return render(request, 'index.html')\n"
SETTINGS = f'GITHUB_TOKEN = "{TOKEN}"\nDEBUG = False\n'


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    return git_repo.feature(
        {"billing/charge.py": BILLING, "app/views.py": VIEWS, "app/settings.py": SETTINGS}
    )


@pytest.fixture
def cloud() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(flavour="vllm", models=["gpt-4o-mini"]) as server:
        yield server


@pytest.fixture
def local() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(flavour="vllm", models=["qwen"]) as server:
        yield server


def org(
    tmp_path: Path, extra: str = "", *, secrets_restricted: bool = True, local: str = ""
) -> Path:
    """The org/server file: providers' facts, data classes, budgets."""
    text = (
        "providers:\n"
        "  local:\n    model: qwen\n    max_retries: 0\n    circuit_failures: 2\n"
        + local
        + "  openai:\n    model: gpt-4o-mini\n    location: cloud\n    max_retries: 0\n"
        "data_classes:\n"
        f"  secrets_make_restricted: {'true' if secrets_restricted else 'false'}\n"
        "  paths:\n    - {glob: 'billing/**', class: restricted}\n"
        "routing:\n  restricted_wait_s: 0\n" + extra
    )
    path = tmp_path / "org.yml"
    path.write_text(text)
    return path


def env(tmp_path: Path, local_url: str, cloud_url: str) -> dict[str, str]:
    return {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": local_url,
        "SWITCHYARD_LOCAL_MODEL": "qwen",
        "OPENAI_API_KEY": "sk-test-cloud-key",
        "OPENAI_BASE_URL": cloud_url,
    }


def down() -> str:
    return f"http://127.0.0.1:{unused_port()}/v1"


def review(repo: GitRepo, e: dict[str, str], config: Path, *args: str) -> Result:
    return switchyard(
        "review",
        "--base",
        "main",
        "--config",
        str(config),
        "--format",
        "json",
        *args,
        cwd=repo.path,
        env=e,
    )


def everything_sent(server: FakeOpenAIServer) -> str:
    return json.dumps([r.json for r in server.requests])


def test_restricted_code_and_files_with_secrets_never_reach_the_cloud(
    repo: GitRepo, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    r = review(repo, env(tmp_path, down(), cloud.base_url), org(tmp_path))
    assert r.code == 3, r.both  # restricted work could not be reviewed: local is down
    sent = everything_sent(cloud)
    assert "def index(request)" in sent  # internal code fell back to the cloud
    assert "gateway.capture" not in sent and "billing/charge.py" not in sent
    assert TOKEN not in sent and "app/settings.py" not in sent
    data = json.loads(r.out)
    reasons = {s["path"]: s["reason"] for s in data["skipped"]}
    assert "restricted" in reasons["billing/charge.py"]
    assert "restricted" in reasons["app/settings.py"]
    assert TOKEN not in r.both


def test_secrets_are_redacted_when_a_file_may_go_to_the_cloud(
    repo: GitRepo, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    config = org(tmp_path, secrets_restricted=False)
    r = review(repo, env(tmp_path, down(), cloud.base_url), config)
    sent = everything_sent(cloud)
    assert "app/settings.py" in sent and "DEBUG = False" in sent
    assert TOKEN not in sent
    assert "[REDACTED:github-token#1]" in sent
    assert "Switchyard removed" in sent  # the system prompt explains the marker
    data = json.loads(r.out)
    assert sum(c["redactions"] for c in data["calls"]) >= 1
    assert TOKEN not in r.both
    ledger = (tmp_path / "state" / "ledger.sqlite3").read_bytes()
    assert TOKEN.encode() not in ledger


def test_local_first_and_every_call_in_the_ledger(
    repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    e = env(tmp_path, local.base_url, cloud.base_url)
    r = review(repo, e, org(tmp_path))
    assert r.code == 0, r.both
    assert cloud.chat_requests() == []
    data = json.loads(r.out)
    assert {c["target"] for c in data["calls"]} == {"local"}
    assert all("local/qwen" in c["route_reason"] for c in data["calls"])
    usage = switchyard(
        "usage",
        "--by",
        "provider",
        "--format",
        "json",
        "--config",
        str(org(tmp_path)),
        cwd=repo.path,
        env=e,
    )
    assert usage.code == 0, usage.both
    rows = json.loads(usage.out)
    assert "local" in json.dumps(rows)


def test_a_rerun_on_an_unchanged_change_makes_no_model_call(
    git_repo: GitRepo, local: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature({f"pkg/mod{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(10)})
    e = env(tmp_path, local.base_url, down())
    config = org(tmp_path)
    first = review(git_repo, e, config)
    assert first.code == 0, first.both
    sent_first = len(local.chat_requests())
    assert sent_first >= 1

    again = review(git_repo, e, config)
    assert again.code == 0, again.both
    assert len(local.chat_requests()) == sent_first  # nothing sent
    assert json.loads(again.out)["summary"]["cache_hits"] == 10

    # A force-push that changes one file of ten: only that file goes out again.
    git_repo.write("pkg/mod3.py", "def f3(x):\n    return x - 3\n")
    git_repo.git("commit", "-q", "-a", "--amend", "-m", "ten files, one fixed")
    third = review(git_repo, e, config)
    assert third.code == 0, third.both
    new = local.chat_requests()[sent_first:]
    assert len(new) == 1
    user = new[0]["messages"][-1]["content"]
    assert "pkg/mod3.py" in user and "pkg/mod4.py" not in user
    assert json.loads(third.out)["summary"]["cache_hits"] == 9


def test_a_file_split_over_several_items_is_cached_whole(
    git_repo: GitRepo, local: FakeOpenAIServer, tmp_path: Path
) -> None:
    body = "".join(f"def f{i}(x):\n    return x * {i} + {i * 7}\n\n" for i in range(150))
    git_repo.feature({"pkg/big.py": body, "pkg/small.py": "X = 1\n"})
    e = env(tmp_path, local.base_url, down())
    config = org(tmp_path, local="    context_tokens: 4096\n    max_output_tokens: 512\n")
    first = review(git_repo, e, config, "--provider", "local")
    assert first.code == 0, first.both
    sent = local.chat_requests()
    parts = [r for r in sent if "pkg/big.py" in r["messages"][-1]["content"]]
    assert len(parts) >= 2  # the file did not fit one item
    assert any("part 1 of" in r["messages"][-1]["content"] for r in parts)

    again = review(git_repo, e, config, "--provider", "local")
    assert again.code == 0, again.both
    assert len(local.chat_requests()) == len(sent)  # nothing sent: both files from the cache
    summary = json.loads(again.out)["summary"]
    assert summary["cache_hits"] == 2 and summary["complete"]


def test_budget_exhausted_keeps_work_local(
    repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    # Local is first anyway; make it full so overflow would burst to the cloud, then cap.
    local.waiting = 50
    config = org(tmp_path, "budgets:\n  monthly_usd: 0.0000001\n  on_exhausted: local_only\n")
    r = review(repo, env(tmp_path, local.base_url, cloud.base_url), config)
    assert r.code == 0, r.both
    assert cloud.chat_requests() == []
    assert local.chat_requests()


def test_overflow_bursts_to_the_cloud_when_the_local_queue_is_deep(
    git_repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature({"app/views.py": VIEWS})
    local.waiting = 50
    r = review(git_repo, env(tmp_path, local.base_url, cloud.base_url), org(tmp_path))
    assert r.code == 0, r.both
    assert local.chat_requests() == [] and len(cloud.chat_requests()) == 1
    assert json.loads(r.out)["calls"][0]["target"] == "openai"


def test_budget_stop_ends_the_run_with_a_clear_message(
    git_repo: GitRepo, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature({"app/views.py": VIEWS})
    config = org(tmp_path, "budgets:\n  monthly_usd: 0.0000001\n  on_exhausted: stop\n")
    r = review(git_repo, env(tmp_path, down(), cloud.base_url), config)
    assert r.code == 3
    assert cloud.chat_requests() == []
    assert "budget" in r.err and "stop" in r.err


def test_an_open_circuit_stops_trying_a_dead_local_runner(
    git_repo: GitRepo, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature(
        {f"m{i}.py": f"x = {i}\n" for i in range(6)},
        base={".switchyard.yml": "review:\n  packing: per_file\n"},
    )
    config = org(tmp_path, local="    concurrency: 1\n")
    r = review(git_repo, env(tmp_path, down(), cloud.base_url), config)
    assert r.code == 0, r.both
    data = json.loads(r.out)
    local_tries = [c for c in data["calls"] if c["target"] == "local"]
    assert len(local_tries) == 2  # the circuit opened after two failures
    answered = [c for c in data["calls"] if c["target"] == "openai" and c["outcome"] == "ok"]
    assert len(answered) == 6  # one per file
    assert any("circuit open after 2 failures" in n for n in data["notes"])


def test_anthropic_as_the_cloud_fallback(repo: GitRepo, tmp_path: Path) -> None:
    """Internal code falls back to Claude; restricted and secret-bearing files stay home."""
    with FakeAnthropicServer() as claude:
        claude.responder = lambda req: AReply({"summary": "ok", "findings": []})
        config = tmp_path / "org.yml"
        config.write_text(
            "providers:\n"
            "  local:\n    model: qwen\n    max_retries: 0\n"
            f"  claude:\n    kind: anthropic\n    model: {claude.models[0]}\n"
            f"    base_url: {claude.base_url}\n    max_retries: 0\n"
            "data_classes:\n  paths:\n    - {glob: 'billing/**', class: restricted}\n"
            "routing:\n  restricted_wait_s: 0\n"
        )
        e = {
            **base_env(tmp_path),
            "SWITCHYARD_LOCAL_BASE_URL": down(),
            "SWITCHYARD_LOCAL_MODEL": "qwen",
            "SWITCHYARD_CLAUDE_API_KEY": "sk-ant-test",
        }
        r = review(repo, e, config)
        assert r.code == 3, r.both  # the restricted files waited for a local runner in vain
        data = json.loads(r.out)
        assert any(c["target"] == "claude" and c["outcome"] == "ok" for c in data["calls"])
        sent = json.dumps([q.json for q in claude.requests])
        assert "def index(request)" in sent
        assert TOKEN not in sent and "gateway.capture" not in sent


def test_route_explain_says_where_each_item_goes_and_why(
    repo: GitRepo, local: FakeOpenAIServer, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    e = env(tmp_path, local.base_url, cloud.base_url)
    r = switchyard(
        "route",
        "--explain",
        "--base",
        "main",
        "--config",
        str(org(tmp_path)),
        "--format",
        "json",
        cwd=repo.path,
        env=e,
    )
    assert r.code == 0, r.both
    items = json.loads(r.out)["items"]
    by_file = {f: it for it in items for f in it["files"]}
    billing = by_file["billing/charge.py"]
    assert billing["targets"] == ["local"] and billing["data_class"] == "restricted"
    assert "billing/**" in billing["file_classes"]["billing/charge.py"]
    assert "openai: restricted code stays on premises" in billing["passed_over"]
    settings_item = by_file["app/settings.py"]
    assert "secret detected" in settings_item["file_classes"]["app/settings.py"]
    views = by_file["app/views.py"]
    assert views["targets"] == ["local", "openai"]
    assert views["reason"].startswith("review → local/qwen (")
    assert local.chat_requests() == [] and cloud.chat_requests() == []
    text = switchyard(
        "route", "--explain", "--base", "main", "--config", str(org(tmp_path)), cwd=repo.path, env=e
    )
    assert "why: review → local/qwen" in text.out and "- billing/charge.py" in text.out


def test_when_the_cloud_is_down_big_work_is_cut_for_the_local_runner(
    git_repo: GitRepo, local: FakeOpenAIServer, tmp_path: Path
) -> None:
    body = "".join(
        f"def handler_{i}(request):\n    return respond(request, {i})\n\n" for i in range(150)
    )
    git_repo.feature({"app/handlers.py": body})
    config = tmp_path / "org.yml"
    config.write_text(
        "providers:\n"
        "  local:\n    model: qwen\n    max_retries: 0\n    context_tokens: 4096\n"
        "    max_output_tokens: 1024\n"
        "  openai:\n    model: gpt-4o-mini\n    location: cloud\n    max_retries: 0\n"
        "    context_tokens: 128000\n"
        "routing:\n  order: [openai, local]\n"
    )
    r = review(git_repo, env(tmp_path, local.base_url, down()), config)
    assert r.code == 0, r.both
    data = json.loads(r.out)
    assert data["summary"]["lines_covered"] == data["summary"]["changed_lines"]
    assert len(local.chat_requests()) >= 2  # one cloud-sized item became several local ones
    assert any("cloud unavailable" in n for n in data["notes"])


def test_budget_runs_out_mid_run_and_the_rest_stays_local(
    git_repo: GitRepo, cloud: FakeOpenAIServer, tmp_path: Path
) -> None:
    git_repo.feature(
        {"a.py": "x = 1\n", "b.py": "y = 2\n"},
        base={".switchyard.yml": "review:\n  packing: per_file\n"},
    )
    # Only the answer is priced: each call reserves 2 rounds x 300 tokens (its allowance,
    # capped by max_output_tokens) x $1,000/M = $0.60 and really costs its 100 answer
    # tokens, $0.10. The first fits under $0.65; the second would need $0.10 spent + $0.60
    # reserved, which does not.
    config = tmp_path / "org.yml"
    config.write_text(
        "providers:\n"
        "  local:\n    model: qwen\n    max_retries: 0\n"
        "  openai:\n    model: gpt-4o-mini\n    location: cloud\n    max_retries: 0\n"
        "    concurrency: 1\n    max_output_tokens: 300\n"
        "    input_per_mtok: 0\n    output_per_mtok: 1000\n"
        "budgets:\n  monthly_usd: 0.65\n  on_exhausted: local_only\n"
        "routing:\n  restricted_wait_s: 0\n"
    )
    cloud.responder = lambda req: Reply({"summary": "ok", "findings": []}, completion_tokens=100)
    r = review(git_repo, env(tmp_path, down(), cloud.base_url), config)
    assert r.code == 3, r.both
    assert len(cloud.chat_requests()) == 1  # one file of three answered; then the cap
    data = json.loads(r.out)
    assert any("budget" in n for n in data["notes"])
    assert data["summary"]["cost_usd"] <= 0.65


def test_a_cloud_model_without_a_known_price_is_called_out(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.feature({"app/views.py": VIEWS})
    config = tmp_path / "org.yml"
    config.write_text("providers:\n  openai:\n    model: brand-new-model-7\n    location: cloud\n")
    with FakeOpenAIServer(models=["brand-new-model-7"]) as cloud:
        e = {**base_env(tmp_path), "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": cloud.base_url}
        r = review(git_repo, e, config)
    assert r.code == 0, r.both
    notes = json.loads(r.out)["notes"]
    assert any("no price known for openai/brand-new-model-7" in n for n in notes)
