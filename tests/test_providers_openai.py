"""OpenAICompatibleProvider against the fake server, over real loopback HTTP with the real SDK."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.config.model import ProviderConfig, Settings
from bot.providers import CompletionRequest, ErrorKind, Message, build_providers
from bot.providers.openai_compat import OpenAICompatibleProvider
from bot.providers.structured import complete_structured, extract_json, schema_for
from tests.fakes.openai_server import FakeOpenAIServer, Reply, fake_tokenize, unused_port
from tests.provider_checks import assert_auth_error, assert_repaired, assert_times_out
from tests.provider_helpers import GOOD, Review, fails, make_provider, request

MODEL = "qwen2.5-coder-14b"


def provider(fake_or_url: FakeOpenAIServer | str, **cfg: Any) -> OpenAICompatibleProvider:
    cfg.setdefault("model", MODEL)
    # The fakes stand for self-hosted runners: declared so, as SWITCHYARD_LOCAL_BASE_URL
    # would; an undeclared target is cloud and is asked nothing beyond /v1/models.
    cfg.setdefault("location", "local")
    return make_provider(OpenAICompatibleProvider, "local", fake_or_url, None, **cfg)


@pytest.fixture
def vllm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer("vllm") as fake:
        yield fake


@pytest.fixture
def llamacpp() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer("llamacpp") as fake:
        yield fake


@pytest.fixture
def plain() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer("plain") as fake:
        yield fake


# -- structured output modes -------------------------------------------------------------------


def test_vllm_json_schema_happy_path(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply(GOOD))
    done = complete_structured(provider(vllm), request())
    assert done.parsed == Review.model_validate(GOOD)
    assert done.structured_mode == "json_schema"
    assert not done.repaired and done.http_requests == 1
    assert done.target == "local" and done.model == MODEL
    sent = vllm.chat_requests()[0]
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "review"
    assert fmt["json_schema"]["schema"] == schema_for(Review)
    assert sent["model"] == MODEL and sent["max_tokens"] == 2048
    # A server without auth still gets a (dummy) bearer key, never OPENAI_API_KEY.
    auth = vllm.requests[0].headers["authorization"]
    assert auth == "Bearer switchyard-no-key"


def test_usage_recorded(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply(GOOD, prompt_tokens=1234, completion_tokens=56))
    done = complete_structured(provider(vllm), request())
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (1234, 56)
    assert done.latency_s > 0


def test_llamacpp_falls_back_to_json_object_and_remembers(llamacpp: FakeOpenAIServer) -> None:
    prov = provider(llamacpp)
    llamacpp.enqueue(Reply(GOOD), Reply(GOOD))
    first = complete_structured(prov, request())
    assert first.structured_mode == "json_object" and first.http_requests == 2
    assert first.parsed is not None
    second = complete_structured(prov, request())
    assert second.structured_mode == "json_object" and second.http_requests == 1
    kinds = [r["response_format"]["type"] for r in llamacpp.chat_requests()]
    assert kinds == ["json_schema", "json_object", "json_object"]
    sent = llamacpp.chat_requests()[1]
    assert sent["response_format"]["schema"] == schema_for(Review)
    assert '"findings"' in sent["messages"][0]["content"]  # schema in the system prompt too
    assert prov.structured_mode == "json_object"


def test_plain_server_ends_up_instructed() -> None:
    with FakeOpenAIServer("plain", rejects=("json_schema", "json_object")) as fake:
        fake.enqueue(Reply("Sure! Here it is:\n" + Reply(GOOD).text + "\nHope it helps."))
        done = complete_structured(provider(fake), request())
    assert done.structured_mode == "instructed" and done.parsed is not None
    last = fake.chat_requests()[-1]
    assert "response_format" not in last
    assert "JSON Schema" in last["messages"][0]["content"]


def test_plain_server_json_object(plain: FakeOpenAIServer) -> None:
    plain.enqueue(Reply(GOOD))
    done = complete_structured(provider(plain), request())
    assert done.structured_mode == "json_object"


def test_forced_mode_is_not_negotiated(llamacpp: FakeOpenAIServer) -> None:
    prov = provider(llamacpp, structured_output="json_schema")
    err = fails(prov)
    assert err.kind is ErrorKind.SERVER_ERROR
    assert "json_schema" in err.message


def test_fenced_json_answer(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply("```json\n" + Reply(GOOD).text + "\n```"))
    done = complete_structured(provider(vllm), request())
    assert done.parsed == Review.model_validate(GOOD) and not done.repaired


def test_non_json_answer_repaired_on_second_try(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(
        Reply("I think the code is fine.", prompt_tokens=100, completion_tokens=7),
        Reply(GOOD, prompt_tokens=120, completion_tokens=30),
    )
    assert_repaired(complete_structured(provider(vllm), request()))
    repair = vllm.chat_requests()[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "I think the code is fine."}
    assert "not valid JSON for the schema review" in repair[-1]["content"]


def test_non_json_twice_is_invalid_answer(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply("nope", prompt_tokens=10, completion_tokens=1), Reply("still nope"))
    err = fails(provider(vllm))
    assert err.kind is ErrorKind.INVALID_ANSWER
    assert err.message.startswith("local: answer was not valid JSON for review:")
    assert err.usage.prompt_tokens > 10  # both attempts counted


def test_json_of_the_wrong_shape(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply({"findings": "none"}), Reply({"findings": [{"line": "x"}]}))
    err = fails(provider(vllm))
    assert err.kind is ErrorKind.INVALID_ANSWER
    assert "findings.0.line" in err.message
    first_repair = vllm.chat_requests()[1]["messages"][-1]["content"]
    assert "summary: Field required" in first_repair


def test_free_text_request_passes_through(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply("plain words"))
    req = CompletionRequest(messages=[Message("user", "hi")])
    done = complete_structured(provider(vllm), req)
    assert done.text == "plain words" and done.structured_mode == "text" and done.parsed is None
    assert "response_format" not in vllm.chat_requests()[0]


# -- transport errors and retries -----------------------------------------------------------


def test_429_with_retry_after_then_success(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply.error(429, "slow down", headers={"Retry-After": "0.2"}), Reply(GOOD))
    started = time.monotonic()
    done = complete_structured(provider(vllm), request())
    assert time.monotonic() - started >= 0.2
    assert done.parsed is not None and done.http_requests == 2


def test_retry_after_ms_header(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply.error(503, "busy", headers={"retry-after-ms": "150"}), Reply(GOOD))
    started = time.monotonic()
    complete_structured(provider(vllm), request())
    assert time.monotonic() - started >= 0.15


def test_429_asking_too_long_is_reported_not_waited(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply.error(429, "quota", headers={"Retry-After": "120"}))
    err = fails(provider(vllm))
    assert err.kind is ErrorKind.RATE_LIMITED
    assert err.retry_after == 120
    assert err.message == "local: rate limited (429), retry after 120 s"


def test_500_repeated_is_server_error_after_retries(vllm: FakeOpenAIServer) -> None:
    vllm.responder = lambda _req: Reply.error(500, "CUDA out of memory")
    err = fails(provider(vllm, max_retries=2))
    assert err.kind is ErrorKind.SERVER_ERROR
    assert err.message == "local: server error (500) after 3 attempts: CUDA out of memory"
    assert len(vllm.chat_requests()) == 3


def test_non_json_http_body(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply.raw(b"<html>Bad gateway</html>", status=502), Reply(GOOD))
    assert complete_structured(provider(vllm), request()).parsed is not None


def test_connection_refused_is_unreachable() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    err = fails(provider(url, max_retries=1))
    assert err.kind is ErrorKind.UNREACHABLE
    assert err.message.startswith(f"local: server at {url} unreachable (connection refused)")


def test_slow_past_the_timeout_is_timeout(vllm: FakeOpenAIServer) -> None:
    # A cloud API serves many: a timed-out request is worth another try.
    vllm.responder = lambda _req: Reply(GOOD, delay_s=2.0)
    prov = provider(vllm, timeout_s=0.3, max_retries=1, location="cloud")
    assert_times_out(prov, "local: timed out after 0.3 s after 2 attempts")


def test_a_local_timeout_is_not_sent_again(vllm: FakeOpenAIServer) -> None:
    # The request is streamed, so closing it stops the runner; an answer too slow once is
    # too slow again. Errors that leave the runner idle are still retried.
    vllm.responder = lambda _req: Reply(GOOD, delay_s=2.0)
    err = fails(provider(vllm, timeout_s=0.3, max_retries=2))
    assert err.kind is ErrorKind.TIMEOUT
    assert err.message == (
        "local: timed out after 0.3 s "
        "(the runner was told to stop: its stream was closed; not sent again)"
    )
    assert len(vllm.chat_requests()) == 1
    vllm.responder = lambda _req: Reply(GOOD)
    vllm.enqueue(Reply.error(503, "loading model"))
    assert complete_structured(provider(vllm, max_retries=2), request()).parsed is not None


def test_local_targets_wait_longer_by_default() -> None:
    local = {"model": "m", "base_url": "http://gpu:8000/v1", "location": "local"}
    assert ProviderConfig(**local).timeout_s == 300
    assert ProviderConfig(model="m").timeout_s == 120
    assert ProviderConfig(**local, timeout_s=60).timeout_s == 60


def test_slow_stream_times_out_cleanly(vllm: FakeOpenAIServer) -> None:
    # Headers at once, then a byte every 30 ms: each read is well within the timeout, the
    # whole body would take ~10 s. The timeout bounds the whole request (deadline_http).
    # A cloud target: its answer is not streamed (a local one's is: test_local_streaming).
    vllm.responder = lambda _req: Reply(GOOD, trickle_s=0.03)
    started = time.monotonic()
    err = fails(provider(vllm, timeout_s=0.5, max_retries=0, location="cloud"))
    assert err.kind is ErrorKind.TIMEOUT
    assert err.message.startswith("local: timed out after 0.5 s")
    assert time.monotonic() - started < 2.0  # far below the ~10 s the body would take


def test_slow_but_within_the_timeout_is_answered(vllm: FakeOpenAIServer) -> None:
    # The same trickle, on a short body, ends well inside the timeout: the deadline spares it.
    vllm.enqueue(Reply("ok", trickle_s=0.001))
    prov = provider(vllm, timeout_s=5.0, max_retries=0)
    done = prov.complete(CompletionRequest(messages=[Message("user", "hi")]))
    assert done.text == "ok"
    prov.close()


def test_auth_error_names_the_variable_not_the_key() -> None:
    with FakeOpenAIServer("vllm", api_key="right") as fake:
        cfg = ProviderConfig(base_url=fake.base_url, model=MODEL)
        prov = OpenAICompatibleProvider("gpu", cfg, "sk-wrong-secret")
        assert_auth_error(prov, "SWITCHYARD_GPU_API_KEY", "sk-wrong-secret")


def test_context_length_exceeded_is_bad_request() -> None:
    with FakeOpenAIServer("vllm", max_model_len=1000) as fake:
        err = fails(provider(fake), request(max_output_tokens=4000))
        assert len(fake.chat_requests()) == 1  # not mistaken for a response_format rejection
    assert err.kind is ErrorKind.BAD_REQUEST
    assert "maximum context length is 1000" in err.message


def test_concurrent_use_from_a_thread_pool(llamacpp: FakeOpenAIServer) -> None:
    prov = provider(llamacpp)
    llamacpp.responder = lambda _req: Reply(GOOD, delay_s=0.05)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _i: complete_structured(prov, request()), range(16)))
    assert all(r.parsed is not None for r in results)
    assert {r.structured_mode for r in results} == {"json_object"}
    assert threading.active_count() < 50


# -- tokenizer ----------------------------------------------------------------------------------


def test_count_tokens_vllm(vllm: FakeOpenAIServer) -> None:
    prov = provider(vllm)
    code = "def f(x): return x"
    assert prov.count_tokens(code) == len(fake_tokenize(code)) == 11
    assert prov.count_tokens("a b") == 3
    tokenize = [r.json for r in vllm.requests if r.path == "/tokenize"]
    assert tokenize[0] == {"model": MODEL, "prompt": code, "add_special_tokens": False}


def test_count_tokens_llamacpp(llamacpp: FakeOpenAIServer) -> None:
    prov = provider(llamacpp)
    assert prov.count_tokens("def f(x): return x") == 11
    assert prov.count_tokens("a b") == 3
    bodies = [r.json for r in llamacpp.requests if r.path == "/tokenize"]
    # First call learns the flavour; the second goes straight to llama.cpp's shape.
    assert bodies[-1] == {"content": "a b"}
    assert len(bodies) == 3


def test_count_tokens_plain_is_none_and_remembered(plain: FakeOpenAIServer) -> None:
    prov = provider(plain)
    assert prov.count_tokens("x") is None
    assert prov.count_tokens("y") is None
    # Each tokenizer shape once (vLLM's and llama.cpp's /tokenize, llama-cpp-python's).
    assert len([r for r in plain.requests if r.path == "/tokenize"]) == 2
    assert len([r for r in plain.requests if r.path == "/extras/tokenize/count"]) == 1


# -- probe ------------------------------------------------------------------------------------


def test_probe_vllm(vllm: FakeOpenAIServer) -> None:
    result = provider(vllm).probe()
    assert result.ok, result.problems
    assert result.served_models == [MODEL] and result.model_served
    assert result.context_tokens == 32768
    assert result.tokenizer == "server" and result.structured_mode == "json_schema"


def test_probe_llamacpp(llamacpp: FakeOpenAIServer) -> None:
    result = provider(llamacpp, context_tokens=8192).probe()
    assert result.ok, result.problems
    assert result.context_tokens == 32768
    assert result.tokenizer == "server" and result.structured_mode == "json_object"


def test_probe_plain(plain: FakeOpenAIServer) -> None:
    result = provider(plain).probe()
    assert result.ok, result.problems
    assert result.context_tokens is None and result.tokenizer is None
    assert result.structured_mode == "json_object"


def test_probe_context_larger_than_served() -> None:
    with FakeOpenAIServer("vllm", max_model_len=16384) as fake:
        result = provider(fake, context_tokens=32768).probe()
    assert not result.ok
    assert result.context_tokens == 16384
    assert any("serves at most 16384 tokens" in p for p in result.problems)


def test_probe_model_not_served(vllm: FakeOpenAIServer) -> None:
    result = provider(vllm, model="llama-3-70b").probe()
    assert result.reachable and result.model_served is False and not result.ok
    assert "Model 'llama-3-70b' is not served" in result.problems[0]
    assert MODEL in result.problems[0]
    assert vllm.chat_requests() == []  # no test completion against a missing model


def test_probe_down_server() -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    result = provider(url).probe()
    assert not result.reachable and not result.ok
    assert result.problems == [
        f"Cannot reach {url} (connection refused). Start the server, or fix "
        "providers.local.base_url."
    ]


# -- registry and helpers --------------------------------------------------------------------


def test_build_providers_uses_keys_from_environ(vllm: FakeOpenAIServer) -> None:
    settings = Settings.model_validate(
        {"providers": {"gpu": {"base_url": vllm.base_url, "model": MODEL, "location": "local"}}}
    )
    built = build_providers(settings, {"SWITCHYARD_GPU_API_KEY": "k123"})
    prov = built["gpu"]
    assert prov.location == "local" and prov.context_tokens == 32768
    prov.complete(request())
    assert vllm.requests[-1].headers["authorization"] == "Bearer k123"
    prov.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', '{"a": 1}'),
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('Here: {"a": {"b": [1, 2]}} done', '{"a": {"b": [1, 2]}}'),
        ('{broken} then {"a": 1}', '{"a": 1}'),
        ("no json at all", None),
        ("", None),
    ],
)
def test_extract_json(text: str, expected: str | None) -> None:
    assert extract_json(text) == expected
