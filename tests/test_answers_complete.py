"""An answer is complete or it is not an answer (issue 10).

Empty, wrong-shaped, incomplete and cut-off answers each get exactly one extra round and then
end the run incomplete (exit 3) with a note; never "OK, no findings". A change left without
room in the context is incomplete too, and its summary says so in figures that agree. The
schema sent to runners stays small and flat, so every grammar compiler can follow it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.providers import CompletionRequest, Message
from bot.providers.base import Completion, ErrorKind, ProviderError, Usage
from bot.providers.structured import complete_structured, extract_json, schema_for
from bot.tasks.review import ReviewAnswer
from bot.tasks.triage import TriageAnswer
from tests.cli import Result, local_env, switchyard
from tests.fakes.anthropic_server import FakeAnthropicServer
from tests.fakes.anthropic_server import Reply as AReply
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.provider_helpers import make_provider

GOOD_FINDING = {
    "path": "app.py",
    "line": 10,
    "side": "RIGHT",
    "severity": "major",
    "category": "bug",
    "title": "problem at 10",
    "body": "explained",
}
GOOD = {"summary": "Adds lines.", "findings": [GOOD_FINDING]}
# Cut mid-JSON after one complete finding: the old extract_json took that inner object and
# validated it as an empty review.
CUT_TEXT = json.dumps(GOOD)[:-3] + ', {"path": "app.py", "line": 12, "sev'
CUT_AFTER_FIRST = (
    '{"summary": "Adds lines.", "findings": [' + json.dumps(GOOD_FINDING) + ', {"path": "app'
)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write("app.py", "".join(f"line {i}\n" for i in range(1, 21)))
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("app.py", "".join(f"line {i} changed\n" for i in range(1, 21)))
    git_repo.commit("change")
    return git_repo


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(flavour="vllm", models=["qwen2.5-coder-14b"]) as server:
        yield server


def review(repo: GitRepo, env: dict[str, str], *args: str) -> Result:
    return switchyard("review", "--base", "main", "--no-cache", *args, cwd=repo.path, env=env)


# -- the CLI against the fake OpenAI-compatible server -----------------------------------------


BAD_ANSWERS: dict[str, Reply] = {
    "empty object": Reply("{ }"),
    "wrong shape": Reply({"verdict": "looks good"}),
    "no summary": Reply({"findings": []}),
    "blank summary": Reply({"summary": "  ", "findings": []}),
    "finding without body": Reply(
        {"summary": "x", "findings": [{k: v for k, v in GOOD_FINDING.items() if k != "body"}]}
    ),
    "cut mid-JSON": Reply(CUT_TEXT, finish_reason="length"),
    "cut after a finding": Reply(CUT_AFTER_FIRST),
}
# A real server reports both the reason and every allowed token spent.
CUT_AT_ALLOWANCE = "finish_reason length"
# The reason alone, on JSON that parses: the providers pass finish_reason on, so it is enough.
CUT_BY_REASON = "finish_reason length, whole-looking JSON"


@pytest.mark.parametrize("case", [*BAD_ANSWERS, CUT_AT_ALLOWANCE, CUT_BY_REASON])
def test_an_answer_that_is_not_complete_ends_the_run_incomplete(
    case: str, repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    def answer(req: dict[str, Any]) -> Reply:
        if case == CUT_AT_ALLOWANCE:
            return Reply(GOOD, finish_reason="length", completion_tokens=req["max_tokens"])
        if case == CUT_BY_REASON:
            return Reply(GOOD, finish_reason="length", completion_tokens=7)
        return BAD_ANSWERS[case]

    fake.responder = answer
    out = tmp_path / "r.json"
    result = review(repo, local_env(tmp_path, fake), "--output", str(out))
    assert result.code == 3, result.both
    # The first answer and exactly one extra round, no more.
    assert len(fake.chat_requests()) == 2
    data = json.loads(out.read_text())
    assert data["summary"]["complete"] is False
    assert data["summary"]["files_reviewed"] == 0 and data["summary"]["lines_covered"] == 0
    assert data["summary"]["lines_unreviewed"] == data["summary"]["changed_lines"] == 40
    [note] = [n for n in data["notes"] if "could not be reviewed" in n]
    assert note.startswith("review-1 could not be reviewed: local: answer was not valid JSON")
    assert "INCOMPLETE" in result.out and "OK" not in result.out.splitlines()[-1]
    assert "no findings;" not in result.out


def test_a_cut_off_answer_is_asked_again_with_a_larger_allowance(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.enqueue(Reply(CUT_TEXT, finish_reason="length"), Reply(GOOD))
    result = review(repo, local_env(tmp_path, fake))
    assert result.code == 0, result.both
    first, second = fake.chat_requests()
    assert second["max_tokens"] == 2 * first["max_tokens"]
    # The cut-off text is not replayed; the model is told why it is asked again.
    assert CUT_TEXT not in json.dumps(second["messages"])
    assert "cut off" in second["messages"][-1]["content"]
    assert "problem at 10" in result.out


def test_a_cut_off_answer_is_cut_off_again_with_the_allowance_it_was_given(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake.responder = lambda _req: Reply(CUT_TEXT, finish_reason="length")
    out = tmp_path / "r.json"
    result = review(repo, local_env(tmp_path, fake), "--output", str(out))
    assert result.code == 3, result.both
    notes = json.loads(out.read_text())["notes"]
    first, second = fake.chat_requests()
    assert second["max_tokens"] == 2 * first["max_tokens"]
    allowance = second["max_tokens"]
    assert any(f"cut off before its JSON ended (at {allowance} output tokens)" in n for n in notes)


def test_a_valid_answer_with_every_required_field_still_works(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    long_title = "t" * 500  # limits are ours, after parsing: cut, not refused
    fake.responder = lambda _req: Reply(
        {"summary": "Adds lines.", "findings": [{**GOOD_FINDING, "title": long_title}]}
    )
    out = tmp_path / "r.json"
    result = review(repo, local_env(tmp_path, fake), "--output", str(out))
    assert result.code == 0, result.both
    assert len(fake.chat_requests()) == 1
    data = json.loads(out.read_text())
    [finding] = data["findings"]
    assert len(finding["title"]) == 200 and finding["title"].endswith("…")
    s = data["summary"]
    assert s["complete"] is True and s["files_reviewed"] == 1 and s["files_unreviewed"] == 0
    assert s["lines_covered"] == s["changed_lines"] == 40
    # The schema sent lists what must be there, and nothing a grammar compiler chokes on.
    sent = fake.chat_requests()[0]["response_format"]["json_schema"]["schema"]
    assert sent["required"] == ["summary", "findings"]


def test_a_context_with_no_room_for_the_diff_is_incomplete_and_says_so(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    # The smallest context allowed: the answer's allowance (512) and the instructions leave
    # no room for the diff. (4,000 used to, when 4,096 was always kept for the answer.)
    env = local_env(tmp_path, fake, SWITCHYARD_LOCAL_CONTEXT_TOKENS="1024")
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    result = review(repo, env, "--output", str(md), "--output", str(js))
    assert result.code == 3, result.both
    assert fake.chat_requests() == []
    last = result.out.rstrip().splitlines()[-1]
    assert "INCOMPLETE - nothing reviewed; 0 of 1 file reviewed" in last, last
    assert "1 changed file (40 changed lines) was not reviewed" in last
    assert "filtered out" not in result.out and "1 files" not in result.out
    assert "context budget leaves no room" in result.both
    data = json.loads(js.read_text())
    s = data["summary"]
    assert s["complete"] is False
    assert (s["files_reviewed"], s["files_skipped"], s["files_unreviewed"]) == (0, 1, 1)
    assert (s["lines_covered"], s["lines_unreviewed"], s["changed_lines"]) == (0, 40, 40)
    assert any("context 1024 tokens" in n for n in data["notes"])
    text = md.read_text()
    assert "**Nothing reviewed.**" in text and "No findings" not in text
    assert "0 of 1 changed file reviewed · 0 of 40 changed lines covered" in text
    assert "**Incomplete review:** 1 changed file (40 changed lines) was not reviewed" in text


def test_counts_agree_when_one_of_two_items_fails(
    git_repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    # One file per item, settings on the base (where a branch's settings are read from).
    git_repo.write(".switchyard.yml", "review:\n  packing: per_file\n")
    git_repo.write("a.py", "a = 1\n")
    git_repo.write("b.py", "b = 1\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("a.py", "a = 2\n")
    git_repo.write("b.py", "b = 2\n")
    git_repo.commit("change")

    def answer(req: dict[str, Any]) -> Reply:
        shown = json.dumps(req["messages"])
        if "b.py" in shown and "a.py" not in shown:
            return Reply("{ }")
        return Reply({"summary": "ok", "findings": []})

    fake.responder = answer
    out = tmp_path / "r.json"
    env = local_env(tmp_path, fake)
    result = switchyard(
        "review", "--base", "main", "--no-cache", "--output", str(out), cwd=git_repo.path, env=env
    )
    assert result.code == 3, result.both
    s = json.loads(out.read_text())["summary"]
    assert s["files_reviewed"] + s["files_skipped"] == s["files_changed"]
    assert s["lines_covered"] + s["lines_unreviewed"] == s["changed_lines"]
    assert (s["files_reviewed"], s["files_unreviewed"], s["work_items_failed"]) == (1, 1, 1)
    last = result.out.rstrip().splitlines()[-1]
    assert "no findings in what was reviewed; 1 of 2 files reviewed" in last
    assert "1 changed file (2 changed lines) was not reviewed; 1 of 2 work items" in last


# -- Anthropic: a tool call cut off by max_tokens ----------------------------------------------


def test_anthropic_answer_cut_at_max_tokens_is_not_an_answer(tmp_path: Path) -> None:
    from bot.providers.anthropic_provider import AnthropicProvider

    with FakeAnthropicServer(models=["claude-sonnet-4-5"]) as claude:
        # Valid in shape, but every allowed token was spent: cut off, not an answer.
        claude.responder = lambda req: AReply(
            GOOD, stop_reason="max_tokens", output_tokens=req["max_tokens"]
        )
        prov = make_provider(AnthropicProvider, "claude", claude, "k", model="claude-sonnet-4-5")
        try:
            with pytest.raises(ProviderError) as err:
                complete_structured(prov, _request(ReviewAnswer))
        finally:
            prov.close()
        assert err.value.kind is ErrorKind.INVALID_ANSWER
        assert len([r for r in claude.requests if r.path == "/v1/messages"]) == 2


# -- complete_structured with a provider that says why it stopped -----------------------------


class _Scripted:
    """A provider answering from a list, with finish_reason set as a provider would."""

    name = "stub"
    model = "m"
    location = "local"

    def __init__(self, *answers: tuple[str, str | None], context_tokens: int = 32768) -> None:
        self.answers = list(answers)
        self.context_tokens = context_tokens
        self.requests: list[CompletionRequest] = []

    def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        text, reason = self.answers.pop(0)
        return Completion(
            text=text,
            parsed=None,
            usage=Usage(1000, 10),
            latency_s=0.0,
            target=self.name,
            model=self.model,
            structured_mode="json_schema",
            finish_reason=reason,
        )


def _request(model: type[BaseModel], max_out: int = 2048) -> CompletionRequest:
    return CompletionRequest(
        [Message("user", "review")], model, "review", max_output_tokens=max_out
    )


def test_finish_reason_length_is_cut_off_even_when_the_json_parses() -> None:
    prov = _Scripted((json.dumps(GOOD), "length"), (json.dumps(GOOD), "stop"))
    done = complete_structured(prov, _request(ReviewAnswer))  # type: ignore[arg-type]
    assert done.repaired and [r.max_output_tokens for r in prov.requests] == [2048, 4096]


def test_the_larger_allowance_is_capped_by_the_context() -> None:
    prov = _Scripted(("{", "length"), (json.dumps(GOOD), "stop"), context_tokens=3000)
    complete_structured(prov, _request(ReviewAnswer))  # type: ignore[arg-type]
    # 3000 context - 1000 prompt - 64 margin: less than double, more than before.
    assert [r.max_output_tokens for r in prov.requests] == [2048, 2048]
    assert "keep the summary and each finding's body short" in prov.requests[1].messages[-1].content


def test_extract_json_does_not_take_an_object_from_inside_a_cut_off_answer() -> None:
    assert extract_json(CUT_AFTER_FIRST) is None
    assert extract_json("Here it is:\n```json\n" + CUT_AFTER_FIRST) is None
    assert extract_json('Sure. {"summary": "x", "findings": []} Done.') == (
        '{"summary": "x", "findings": []}'
    )
    assert extract_json('use {x} then {"a": 1}') == '{"a": 1}'


# -- schemas every runner can follow ----------------------------------------------------------


def _depth(node: Any) -> int:
    """Nesting of schemas: an object or array schema is one level, its members the next."""
    if isinstance(node, dict):
        inner = [node.get("properties", {}).values(), [node.get("items")], node.get("anyOf", [])]
        subs = [s for group in inner for s in group if isinstance(s, dict)]
        own = 1 if node.get("type") in ("object", "array") else 0
        if node.get("anyOf"):
            return max((_depth(s) for s in subs), default=0)
        return own + max((_depth(s) for s in subs), default=0)
    return 0


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = set(node) - {"properties"}
        for key, value in node.items():
            if key == "properties":
                for sub in value.values():
                    found |= _keys(sub)
            else:
                found |= _keys(value)
        return found
    if isinstance(node, list):
        return set().union(*(_keys(n) for n in node)) if node else set()
    return set()


@pytest.mark.parametrize(
    ("model", "required"),
    [
        (ReviewAnswer, {"": ["summary", "findings"], "findings": ["path", "line", "severity"]}),
        (TriageAnswer, {"": ["verdicts"], "verdicts": ["id", "verdict", "explanation"]}),
    ],
)
def test_the_schema_sent_is_small_flat_and_lists_what_is_required(
    model: type[BaseModel], required: dict[str, list[str]]
) -> None:
    schema = schema_for(model)
    keys = _keys(schema)
    assert not keys & {"maxLength", "minLength", "pattern", "$ref", "$defs", "maxItems"}
    assert _depth(schema) <= 4
    assert len(json.dumps(schema)) < 2500
    for field, names in required.items():
        node = schema if not field else schema["properties"][field]["items"]
        assert set(names) <= set(node["required"])
    # Limits still hold, on our side.
    with pytest.raises(ValueError):
        model.model_validate({})


def test_a_small_context_keeps_a_quarter_for_the_answer_and_reviews_the_change(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    """A 4,000-token runner once reviewed nothing: 4,096 tokens were kept for the answer."""
    env = local_env(tmp_path, fake, SWITCHYARD_LOCAL_CONTEXT_TOKENS="4000")
    result = review(repo, env)
    assert result.code == 0, result.both
    sent = fake.chat_requests()
    assert len(sent) == 1
    assert (sent[0].get("max_tokens") or sent[0].get("max_completion_tokens")) == 1000


def test_a_local_cost_from_the_default_rate_says_it_is_assumed(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    assert review(repo, local_env(tmp_path, fake), "--output", str(out)).code == 0
    notes = json.loads(out.read_text())["notes"]
    assert any("costed at an assumed internal rate" in n for n in notes), notes
    org = tmp_path / "org.yml"
    org.write_text(
        "providers:\n  local:\n    gpu_cost_per_hour: 3.6\n    throughput_tokens_per_s: 1000\n"
    )
    env = {**local_env(tmp_path, fake), "SWITCHYARD_CONFIG": str(org)}
    assert review(repo, env, "--output", str(out), "--no-cache").code == 0
    assert not any("assumed" in n for n in json.loads(out.read_text())["notes"])


def test_a_run_answered_wholly_from_the_cache_says_no_target_was_asked(
    repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    """With the runner down since the last run, a cached re-run must not pass for a check
    of it. (A URL typo misses the cache: answers are kept per model and endpoint facts.)"""
    out = tmp_path / "r.json"
    env = local_env(tmp_path, fake)

    def cached_review() -> list[str]:
        r = switchyard("review", "--base", "main", "--output", str(out), cwd=repo.path, env=env)
        assert r.code == 0, r.both
        return list(json.loads(out.read_text())["notes"])

    assert not any("answered from the cache" in n for n in cached_review())
    fake.stop()
    notes = cached_review()
    assert any("every file was answered from the cache (1 file)" in n for n in notes), notes
    assert len(fake.chat_requests()) == 1


def test_the_answer_allowance_is_sized_to_the_change(
    git_repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    """A one-line change does not hand a one-slot runner thousands of tokens to fill; a big
    change gets more, up to the target's allowance."""
    git_repo.write("small.py", "x = 1\n")
    git_repo.write("big.py", "".join(f"v{i} = {i}\n" for i in range(300)))
    git_repo.write(".switchyard.yml", "review:\n  packing: per_file\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("small.py", "x = 2\n")
    git_repo.write("big.py", "".join(f"v{i} = {i + 1}\n" for i in range(300)))
    git_repo.commit("change")
    result = review(git_repo, local_env(tmp_path, fake))
    assert result.code == 0, result.both
    by_file = {
        ("big.py" if "big.py" in json.dumps(r["messages"]) else "small.py"): r["max_tokens"]
        for r in fake.chat_requests()
    }
    # The big file gets the target's whole allowance: the default max_output_tokens.
    assert by_file["big.py"] == 4096
    assert by_file["small.py"] < 1000 < by_file["big.py"]
