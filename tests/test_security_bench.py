"""bench/security_eval.py --scanner product: the corpus staged as one change and scored on
what `switchyard security` reports, so that a team with a model can measure its triage."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.security_corpus import CORPUS, load_corpus
from bench.security_eval import evaluate, score_cases
from bench.security_product import run_product_scan, stage_corpus
from tests.cli import base_env
from tests.fakes.openai_server import FakeOpenAIServer, Reply

# Two vulnerable and two safe Python cases, each found by the scanners.
PICKED = {
    "python/cwe-89/vuln_fstring_query.py",
    "python/cwe-89/safe_parameterized.py",
    "python/cwe-328/vuln_md5_password.py",
    "python/cwe-78/safe_shlex_quote.py",
}
LABELS = [lb for lb in load_corpus() if str(lb.path.relative_to(CORPUS)) in PICKED]


def test_the_staged_change_hides_the_answers(tmp_path: Path) -> None:
    staged = stage_corpus(LABELS, tmp_path / "repo")
    assert len(staged.cases) == len(LABELS) == 4
    for rel, label in staged.cases.items():
        text = (staged.repo / rel).read_text()
        assert "switchyard-label" not in text
        assert "vuln" not in rel and "safe" not in rel and "cwe" not in rel
        # Line numbers are kept: the labels' lines still point at the code.
        assert text.count("\n") == label.path.read_text().count("\n")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = base_env(tmp_path)
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def test_without_a_model_the_product_is_scored_as_the_scanners_combined(
    env: dict[str, str],
) -> None:
    result, extra = run_product_scan(LABELS, config=None, no_model=True)
    cases = {c.label.path.name: c for c in score_cases(LABELS, result.findings)}
    assert cases["vuln_fstring_query.py"].detected
    assert cases["vuln_md5_password.py"].detected
    assert not cases["safe_parameterized.py"].detected
    # bandit's shell tests (B602/B605) flagged the quoted command; they are off by default
    # now, and the taint rule takes shlex.quote as a sanitizer.
    assert not cases["safe_shlex_quote.py"].detected
    assert extra["calls"] == 0 and extra["dropped_by_triage"] == 0


@pytest.fixture
def model(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAIServer]:
    """A model that judges a finding by the code shown with it: input quoted with
    shlex.quote is no injection, everything else is confirmed."""

    def answer(req: dict) -> Reply:  # type: ignore[type-arg]
        if req["response_format"]["json_schema"]["name"] != "triage":
            return Reply({"summary": "Adds code.", "findings": []})
        user = req["messages"][-1]["content"]
        quoted = "shlex.quote" in user
        verdicts = [
            {
                "id": fid,
                "verdict": "likely_false_positive" if quoted else "confirmed",
                "explanation": "the input is quoted" if quoted else "reachable",
            }
            for fid in sorted(set(re.findall(r"\[(F\d+)\]", user)))
        ]
        return Reply({"verdicts": verdicts})

    with FakeOpenAIServer(models=["qwen"]) as fake:
        fake.responder = answer
        monkeypatch.setenv("SWITCHYARD_LOCAL_BASE_URL", fake.base_url)
        monkeypatch.setenv("SWITCHYARD_LOCAL_MODEL", "qwen")
        yield fake


def test_with_a_model_the_false_positives_it_drops_leave_the_score(
    model: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    picked = [lb for lb in LABELS if lb.path.name == "safe_shlex_quote.py"]
    assert "shlex.quote" in picked[0].path.read_text()
    # Every bandit test on, so that its shell test's false positive is there to drop.
    org = tmp_path / "org.yml"
    org.write_text("security:\n  bandit_skip: []\n")
    out = evaluate("product", LABELS, show_misses=False, config=org)
    overall = out["overall"]
    assert overall["recall"] == 1.0
    assert overall["fpr"] == 0.0  # the one false positive, dropped by triage
    assert out["product"]["dropped_by_triage"] >= 1
    assert out["product"]["calls"] >= 1
    assert "findings dropped by triage" in capsys.readouterr().out
    # The model saw the code, never the answers.
    sent = json.dumps(model.chat_requests())
    assert "switchyard-label" not in sent
    assert "vuln_" not in sent and "safe_" not in sent
