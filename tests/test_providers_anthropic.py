"""AnthropicProvider against the fake Messages API, over real loopback HTTP with the real SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.config.model import ProviderConfig, Settings
from bot.providers import CompletionRequest, ErrorKind, Message, build_providers
from bot.providers.anthropic_provider import AnthropicProvider, render_messages
from bot.providers.structured import RejectedAnswer, complete_structured, schema_for
from tests.fakes.anthropic_server import DEFAULT_MODEL, FakeAnthropicServer, Reply, unused_port
from tests.provider_checks import assert_auth_error, assert_repaired, assert_times_out
from tests.provider_helpers import GOOD, Review, fails, make_provider, request

KEY = "sk-ant-test-secret-0123456789"


def provider(fake_or_url: FakeAnthropicServer | str, **cfg: Any) -> AnthropicProvider:
    cfg.setdefault("model", DEFAULT_MODEL)
    return make_provider(AnthropicProvider, "claude", fake_or_url, KEY, kind="anthropic", **cfg)


@pytest.fixture
def fake() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer(api_key=KEY, aliases={"claude-haiku-4-5": DEFAULT_MODEL}) as server:
        yield server


def assert_no_key_in_bodies(fake: FakeAnthropicServer) -> None:
    for recorded in fake.requests:
        assert KEY not in repr(recorded.json)


# -- structured answers through tool use -------------------------------------------------------


def test_tool_use_happy_path(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply(GOOD, input_tokens=1234, output_tokens=56))
    prov = provider(fake)
    done = complete_structured(prov, request())
    assert done.parsed == Review.model_validate(GOOD)
    assert done.structured_mode == "tool_use" and not done.repaired and done.http_requests == 1
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (1234, 56)
    assert done.target == "claude" and done.model == DEFAULT_MODEL
    sent = fake.message_requests()[0]
    assert sent["system"] == "You review code."
    assert sent["messages"] == [{"role": "user", "content": "Review this diff."}]
    assert sent["tools"][0]["name"] == "review"
    assert sent["tools"][0]["input_schema"] == schema_for(Review)
    assert sent["tool_choice"] == {"type": "tool", "name": "review"}
    assert sent["max_tokens"] == 2048 and sent["temperature"] == 0.0
    headers = fake.requests[0].headers
    assert headers["anthropic-version"] and headers["authorization"] == f"Bearer {KEY}"
    assert_no_key_in_bodies(fake)
    assert KEY not in repr(prov)
    prov.close()


def test_free_text_request_has_no_tools(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply("plain words"))
    done = complete_structured(provider(fake), CompletionRequest([Message("user", "hi")]))
    assert done.text == "plain words" and done.parsed is None and done.structured_mode == "text"
    sent = fake.message_requests()[0]
    assert "tools" not in sent and "system" not in sent


def test_repair_replays_the_tool_call_and_answers_it(fake: FakeAnthropicServer) -> None:
    fake.enqueue(
        Reply({"findings": "none"}, input_tokens=100, output_tokens=7),
        Reply(GOOD, input_tokens=120, output_tokens=30),
    )
    assert_repaired(complete_structured(provider(fake), request()))
    turns = fake.message_requests()[1]["messages"]
    call, result = turns[-2]["content"][0], turns[-1]["content"][0]
    assert call["type"] == "tool_use" and call["input"] == {"findings": "none"}
    assert result["type"] == "tool_result" and result["tool_use_id"] == call["id"]
    assert result["is_error"] is True and "summary: Field required" in result["content"]


def test_text_instead_of_a_tool_call_is_repaired(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply("I think the code is fine."), Reply(GOOD))
    done = complete_structured(provider(fake), request())
    assert done.repaired and done.parsed is not None
    turns = fake.message_requests()[1]["messages"]
    assert turns[-2] == {"role": "assistant", "content": "I think the code is fine."}


def test_invalid_twice_is_invalid_answer(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply({"findings": "none"}), Reply({"findings": [{"line": "x"}]}))
    err = fails(provider(fake))
    assert err.kind is ErrorKind.INVALID_ANSWER
    assert "findings.0.line" in err.message


def test_forced_tool_refused_falls_back_to_auto_and_remembers() -> None:
    with FakeAnthropicServer(refuse_forced_tools=True, refuse_temperature=True) as fake:
        prov = provider(fake)
        fake.enqueue(Reply(GOOD), Reply(GOOD))
        first = complete_structured(prov, request())
        second = complete_structured(prov, request())
        sent = fake.message_requests()
    assert first.parsed is not None and first.structured_mode == "tool_auto"
    assert first.http_requests == 3  # temperature refused, then forced tool use
    assert second.http_requests == 1 and prov.structured_mode == "tool_auto"
    assert sent[-1]["tool_choice"] == {"type": "auto"} and "temperature" not in sent[-1]
    assert "calling the tool review" in sent[-1]["system"]


def test_render_closes_a_replayed_call_left_open() -> None:
    system, turns = render_messages(
        [Message("user", "q"), RejectedAnswer("assistant", '{"a": 1}')], "answer"
    )
    assert system == ""
    assert turns[-1]["content"][0]["type"] == "tool_result"
    _, as_text = render_messages([RejectedAnswer("assistant", '{"a": 1}')], None)
    assert as_text == [{"role": "assistant", "content": '{"a": 1}'}]


# -- faults ------------------------------------------------------------------------------------


def test_429_with_retry_after_then_success(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply.rate_limited(0.2), Reply(GOOD))
    started = time.monotonic()
    done = complete_structured(provider(fake), request())
    assert time.monotonic() - started >= 0.2
    assert done.parsed is not None and done.http_requests == 2


def test_429_asking_too_long_is_reported(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply.rate_limited(120))
    err = fails(provider(fake))
    assert err.kind is ErrorKind.RATE_LIMITED and err.retry_after == 120
    assert err.message == "claude: rate limited (429), retry after 120 s"


def test_overloaded_529_is_server_error_after_retries(fake: FakeAnthropicServer) -> None:
    fake.responder = lambda _req: Reply.overloaded()
    err = fails(provider(fake, max_retries=1))
    assert err.kind is ErrorKind.SERVER_ERROR
    assert err.message == "claude: server error (529) after 2 attempts: Overloaded"


def test_500_then_success(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply.error(500, "Internal server error"), Reply(GOOD))
    assert complete_structured(provider(fake), request()).http_requests == 2


def test_prompt_too_long_is_bad_request() -> None:
    with FakeAnthropicServer(context_tokens=50) as fake:
        err = fails(provider(fake))
        assert len(fake.message_requests()) == 1  # not retried
    assert err.kind is ErrorKind.BAD_REQUEST
    assert "request rejected (400): prompt is too long" in err.message


def test_wrong_key_is_auth_naming_the_variable(fake: FakeAnthropicServer) -> None:
    config = ProviderConfig(kind="anthropic", base_url=fake.base_url, model=DEFAULT_MODEL)
    prov = AnthropicProvider("claude", config, "sk-ant-wrong-secret")
    assert_auth_error(prov, "SWITCHYARD_CLAUDE_API_KEY", "sk-ant-wrong-secret")


def test_connection_refused_is_unreachable() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    err = fails(provider(url, max_retries=1))
    assert err.kind is ErrorKind.UNREACHABLE
    assert err.message == (
        f"claude: server at {url} unreachable (connection refused) after 2 attempts"
    )


def test_no_answer_within_the_timeout(fake: FakeAnthropicServer) -> None:
    fake.responder = lambda _req: Reply(GOOD, delay_s=2.0)
    assert_times_out(provider(fake, timeout_s=0.3, max_retries=0), "claude: timed out after 0.3 s")


def test_slow_stream_times_out_cleanly(fake: FakeAnthropicServer) -> None:
    # Each byte arrives well within the timeout; the whole body would take ~10 s.
    fake.responder = lambda _req: Reply(GOOD, trickle_s=0.03)
    started = time.monotonic()
    err = fails(provider(fake, timeout_s=0.5, max_retries=0))
    assert err.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 6.0  # far below the ~10 s the body would take


def test_malformed_json_body(fake: FakeAnthropicServer) -> None:
    fake.enqueue(Reply.raw(b'{"type": "message", "content": [tru'))
    err = fails(provider(fake))
    assert err.kind is ErrorKind.SERVER_ERROR
    assert "not an Anthropic message" in err.message


# -- count_tokens and probe -------------------------------------------------------------------


def test_count_tokens(fake: FakeAnthropicServer) -> None:
    prov = provider(fake)
    assert prov.count_tokens("def f(x): return x") == 11
    assert prov.count_tokens("") == 0
    sent = fake.bodies("POST", "/v1/messages/count_tokens")
    assert sent == [
        {"model": DEFAULT_MODEL, "messages": [{"role": "user", "content": "def f(x): return x"}]}
    ]


def test_count_tokens_missing_is_none_and_remembered() -> None:
    with FakeAnthropicServer(count_tokens=False) as fake:
        prov = provider(fake)
        assert prov.count_tokens("x") is None and prov.count_tokens("y") is None
        assert len(fake.bodies("POST", "/v1/messages/count_tokens")) == 1


def test_probe(fake: FakeAnthropicServer) -> None:
    result = provider(fake, model="claude-haiku-4-5", context_tokens=100_000).probe()
    assert result.ok, result.problems
    assert result.served_models == [DEFAULT_MODEL] and result.model_served
    assert result.context_tokens == 200_000
    assert result.tokenizer == "server" and result.structured_mode == "tool_use"


def test_probe_model_not_served(fake: FakeAnthropicServer) -> None:
    result = provider(fake, model="claude-nonexistent").probe()
    assert result.reachable and result.model_served is False and not result.ok
    assert "Model 'claude-nonexistent' is not served" in result.problems[0]
    assert fake.message_requests() == []


def test_probe_down_server() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    result = provider(url).probe()
    assert not result.reachable
    assert result.problems == [
        f"Cannot reach {url} (connection refused). Check the network, or providers.claude.base_url."
    ]


# -- registry ----------------------------------------------------------------------------------


def test_build_providers_makes_anthropic_under_any_name(fake: FakeAnthropicServer) -> None:
    settings = Settings.model_validate(
        {
            "providers": {
                "reviewer": {"kind": "anthropic", "base_url": fake.base_url, "model": DEFAULT_MODEL}
            }
        }
    )
    built = build_providers(settings, {"SWITCHYARD_REVIEWER_API_KEY": KEY})
    prov = built["reviewer"]
    assert isinstance(prov, AnthropicProvider) and prov.location == "cloud"
    assert prov.complete(request()).parsed is not None
    prov.close()
