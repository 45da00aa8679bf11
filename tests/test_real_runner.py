"""Against a real llama.cpp server (tests/real_runner.py: llama-cpp-python serving Gemma 3
270M on this CPU), run as real processes: `doctor`, `review` and `security` with triage.
Needs the `local` extra; skipped without it, failed under CI.

The model's answers are poor and slow (~10 tokens/s under a grammar here), so these judge
the plumbing, not the review: every answer is complete or the run says why (exit 3, never
"OK" over a cut-off answer), findings are anchored inside the diff, the ledger has real
figures, and the server is still up afterwards (a schema it could not compile once crashed
it). The answer allowance is held to 64 tokens to keep each call to seconds: a cut-off
answer and its one retry are then the common case, which is what these tests exercise.

They share one server per test process; the group keeps them on one process (pytest -n 2
--dist loadgroup), so they do not also contend with each other for its one slot.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.cli import Result, base_env, switchyard
from tests.gitrepo import GitRepo
from tests.real_runner import CONTEXT_TOKENS, MODEL

pytestmark = pytest.mark.xdist_group("real_runner")

CHANGED = (
    "import os\n\n\ndef add(a, b):\n    return a + b\n\n\n"
    "def run(cmd):\n    return os.system(cmd)\n"
)
# Lines 8-9 of app.py after the change: `def run` and the shell call a scanner reports (the
# command-injection taint rule: the function's parameter reaches os.system).
CHANGED_LINES = set(range(1, 10))


def runner_env(tmp_path: Path, base_url: str) -> dict[str, str]:
    org = tmp_path / "org.yml"
    org.write_text("providers:\n  local:\n    max_output_tokens: 64\n    timeout_s: 240\n")
    return {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": base_url,
        "SWITCHYARD_LOCAL_MODEL": MODEL,
        "SWITCHYARD_CONFIG": str(org),
    }


def still_up(base_url: str) -> bool:
    return httpx.get(base_url + "/models", timeout=10).status_code == 200


def complete_or_noted(r: Result) -> dict:  # type: ignore[type-arg]
    """The report; a run that is not complete says why, and never ends "OK"."""
    assert r.code in (0, 3), r.both
    data = json.loads(r.out)
    assert data["summary"]["complete"] is (r.code == 0), r.both
    if r.code == 3:
        reasons = " ".join(data["notes"])
        assert "could not be" in reasons, r.both
        assert not r.err.rstrip().splitlines()[-1].startswith("switchyard: OK")
    return data


def real_figures(calls: list[dict]) -> None:  # type: ignore[type-arg]
    assert calls
    for c in calls:
        assert (c["target"], c["model"], c["location"]) == ("local", MODEL, "local")
        assert c["tokens_in"] > 0 and c["latency_s"] > 0, c
        assert c["outcome"] == "failed" or c["tokens_out"] > 0, c


def test_doctor_reaches_the_real_runner(real_runner: str, tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "SWITCHYARD_LOCAL_BASE_URL": real_runner,
        "SWITCHYARD_LOCAL_MODEL": MODEL,
    }
    r = switchyard("doctor", "--provider", "local", cwd=tmp_path, env=env, timeout=300)
    assert r.code == 0, r.both
    assert f"ok  local: {MODEL} at {real_runner}" in r.out, r.both
    assert "model: served" in r.out, r.both  # printed only when the endpoint was reachable
    # What llama-cpp-python's server offers, found by asking it: its tokenizer under
    # /extras, json_object (it refuses json_schema), and no context size anywhere.
    root = real_runner.removesuffix("/v1")
    assert f"tokenizer: server ({root}/extras/tokenize/count)" in r.out, r.both
    assert "structured output: json_object" in r.out, r.both
    assert "context: 32768 tokens (assumed 32768: the server did not say" in r.out, r.both


def test_doctor_refuses_a_model_the_real_runner_does_not_serve(
    real_runner: str, tmp_path: Path, git_repo: GitRepo
) -> None:
    git_repo.feature({"app.py": CHANGED})
    env = {**runner_env(tmp_path, real_runner), "SWITCHYARD_LOCAL_MODEL": "qwen-typo"}
    r = switchyard("review", "--base", "main", cwd=git_repo.path, env=env, timeout=300)
    assert r.code == 3, r.both
    assert f"model 'qwen-typo' is not served by {real_runner} (it serves: {MODEL})" in r.err


def test_review_on_the_real_runner(real_runner: str, tmp_path: Path, git_repo: GitRepo) -> None:
    git_repo.feature({"app.py": CHANGED}, base={"app.py": "def add(a, b):\n    return a + b\n"})
    r = switchyard(
        "review", "--base", "main", "--format", "json", "--no-cache",
        cwd=git_repo.path, env=runner_env(tmp_path, real_runner), timeout=600,
    )  # fmt: skip
    data = complete_or_noted(r)
    for f in data["findings"]:
        assert f["path"] == "app.py" and f["start_line"] in CHANGED_LINES, f
    real_figures(data["calls"])
    # Counted by the runner's own tokenizer, not the estimate: the ledger agrees with it.
    assert data["summary"]["tokens_in"] == sum(c["tokens_in"] for c in data["calls"])
    assert still_up(real_runner)


def test_security_with_triage_on_the_real_runner(
    real_runner: str, tmp_path: Path, git_repo: GitRepo
) -> None:
    git_repo.feature({"app.py": CHANGED}, base={"app.py": "def add(a, b):\n    return a + b\n"})
    r = switchyard(
        "security", "--base", "main", "--format", "json",
        cwd=git_repo.path, env=runner_env(tmp_path, real_runner), timeout=600,
    )  # fmt: skip
    data = complete_or_noted(r)
    # The scanner's finding survives triage in one of its three honest states.
    shell = [
        f for f in data["findings"] if f["source"] in ("bandit", "semgrep") and f["start_line"] == 9
    ]
    dropped = [n for n in data["notes"] if "dropped as a likely false positive" in n]
    if shell:
        body = shell[0]["body"]
        assert "Triage:" in body or "not triaged" in body, body
        if "not triaged" in body:
            assert any("triage-1 (app.py" in n and "could not be triaged" in n
                       for n in data["notes"]), data["notes"]  # fmt: skip
    else:
        assert any("app.py:9" in n for n in dropped), data["notes"]
    triage = [c for c in data["calls"] if c["item"] == "triage-1"]
    assert triage, data["calls"]  # the triage schema reached the runner...
    real_figures(data["calls"])
    assert still_up(real_runner)  # ...and did not bring it down


def test_a_prompt_past_the_real_context_is_refused_with_its_size(real_runner: str) -> None:
    # llama-cpp-python's server says its context nowhere but in this refusal: the size read
    # from its real words is what a run packs the item again at (bot/pipeline.py).
    from bot.providers import ErrorKind, Message, ProviderError
    from bot.providers.openai_compat import OpenAICompatibleProvider
    from tests.provider_helpers import make_provider, request

    provider = make_provider(
        OpenAICompatibleProvider, "local", real_runner, None, model=MODEL, location="local"
    )
    long = [Message("system", "Review."), Message("user", "word " * (CONTEXT_TOKENS + 500))]
    with pytest.raises(ProviderError) as caught:
        provider.complete(request(messages=long))
    # Streamed, the real server's refusal is an empty 200 or a dropped connection; the
    # one-token ask on a connection of its own hears the 400 (bot/providers/streaming.py).
    assert caught.value.kind is ErrorKind.BAD_REQUEST, repr(caught.value.__cause__)
    assert caught.value.context_tokens == CONTEXT_TOKENS
    assert still_up(real_runner)
