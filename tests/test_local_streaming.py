"""Calls to a runner declared local are streamed, so that a call given up on stops the
runner; calls to the cloud are not. Over real loopback HTTP with the real `openai` SDK."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest

from bot.config.classes import DataClass
from bot.providers import CompletionRequest, ErrorKind, Message
from bot.providers import streaming as streaming_module
from bot.providers.structured import complete_structured, was_cut_off
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.provider_helpers import GOOD, Review, fails, request
from tests.test_egress import CODE, gate_for
from tests.test_providers_openai import provider

WORDS = "one two three four five six seven eight"  # 15 tokens (words and spaces)


@pytest.fixture
def vllm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer("vllm") as fake:
        yield fake


def streamed(fake: FakeOpenAIServer, n: int = -1) -> bool:
    body = fake.chat_requests()[n]
    return body.get("stream") is True and body.get("stream_options") == {"include_usage": True}


# -- (a) a streamed answer reads as a non-streamed one ------------------------------------------


def test_a_streamed_answer_is_the_answer_the_cloud_call_gets(vllm: FakeOpenAIServer) -> None:
    vllm.enqueue(Reply(GOOD, prompt_tokens=1234, completion_tokens=56))
    local = complete_structured(provider(vllm), request())
    assert streamed(vllm)
    vllm.enqueue(Reply(GOOD, prompt_tokens=1234, completion_tokens=56))
    cloud = complete_structured(provider(vllm, location="cloud"), request())
    assert "stream" not in vllm.chat_requests()[-1]
    local.latency_s = cloud.latency_s = 0.0
    assert local == cloud
    # vLLM's usage chunk gives the server's own counts.
    assert (local.usage.prompt_tokens, local.usage.completion_tokens) == (1234, 56)
    assert local.parsed == Review.model_validate(GOOD) and local.finish_reason == "stop"
    assert local.structured_mode == "json_schema" and local.http_requests == 1
    assert vllm.abandoned_streams == 0  # read to its end, not left


def test_llamacpp_python_sends_no_usage_so_chunks_are_counted() -> None:
    with FakeOpenAIServer("llamacpp-python") as fake:
        fake.enqueue(Reply(WORDS, prompt_tokens=99, completion_tokens=99))
        done = provider(fake).complete(CompletionRequest(messages=[Message("user", "hi")]))
        assert streamed(fake)
    assert done.text == WORDS and done.finish_reason == "stop"
    # One chunk a token; the prompt's count is not known without a usage chunk.
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (0, 15)


def test_negotiation_before_the_stream_is_as_before() -> None:
    # llama-cpp-python refuses json_schema with 422 before any stream: json_object next.
    with FakeOpenAIServer("llamacpp-python") as fake:
        fake.enqueue(Reply(GOOD))
        done = complete_structured(provider(fake), request())
        assert [b["response_format"]["type"] for b in fake.chat_requests()] == [
            "json_schema",
            "json_object",
        ]
    assert done.structured_mode == "json_object" and done.http_requests == 2
    assert done.parsed == Review.model_validate(GOOD)


def test_an_error_event_in_the_stream_is_a_server_error_and_retried(
    vllm: FakeOpenAIServer,
) -> None:
    # llama.cpp reports a failure after its 200 as `data: {"error": ...}`.
    event = b'data: {"error": {"message": "llama_decode failed", "code": 500}}\n\n'
    vllm.enqueue(Reply.raw(event), Reply(GOOD))
    done = complete_structured(provider(vllm, max_retries=1), request())
    assert done.parsed is not None and done.http_requests == 2
    vllm.enqueue(Reply.raw(event))
    err = fails(provider(vllm, max_retries=0))
    assert err.kind is ErrorKind.SERVER_ERROR
    assert err.message == "local: server error (500): llama_decode failed"


# -- (b) cut off in a stream -------------------------------------------------------------------


def test_a_stream_that_ends_for_length_is_cut_off(vllm: FakeOpenAIServer) -> None:
    prov = provider(vllm)
    vllm.enqueue(Reply(GOOD, finish_reason="length"))
    first = prov.complete(request())
    assert first.finish_reason == "length" and was_cut_off(first, request())
    # Even though it parses, it is asked again, with a larger allowance.
    vllm.enqueue(Reply(GOOD, finish_reason="length"), Reply(GOOD))
    done = complete_structured(prov, request())
    again = vllm.chat_requests()[-1]
    assert "was cut off at 2048 tokens" in again["messages"][-1]["content"]
    assert again["max_tokens"] == 4096
    assert done.finish_reason == "stop" and done.parsed == Review.model_validate(GOOD)


# -- (c) past the deadline the stream is closed ------------------------------------------------


@pytest.mark.parametrize("flavour", ["vllm", "llamacpp-python"])
def test_a_slow_stream_is_closed_at_the_deadline_and_not_sent_again(flavour: str) -> None:
    with FakeOpenAIServer(flavour, rejects=()) as fake:  # no mode negotiation: one request
        # A chunk every 100 ms, each well within the timeout; the whole would take ~4 s.
        fake.responder = lambda _req: Reply(GOOD, trickle_s=0.1)
        started = time.monotonic()
        err = fails(provider(fake, timeout_s=0.5, max_retries=2))
        assert time.monotonic() - started < 1.5
        assert err.kind is ErrorKind.TIMEOUT
        assert err.message == (
            "local: timed out after 0.5 s "
            "(the runner was told to stop: its stream was closed; not sent again)"
        )
        assert fake.wait_abandoned(1), "the runner was not told to stop"
        assert len(fake.chat_requests()) == 1


# -- (d) progress ------------------------------------------------------------------------------


def test_progress_is_reported_with_growing_counts(
    vllm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming_module, "PROGRESS_INTERVAL_S", 0.05)
    calls: list[tuple[int, float]] = []
    vllm.enqueue(Reply(WORDS, trickle_s=0.02))
    req = CompletionRequest(
        messages=[Message("user", "hi")], on_progress=lambda *a: calls.append(a)
    )
    done = provider(vllm).complete(req)
    assert done.text == WORDS
    assert len(calls) >= 2
    tokens = [n for n, _ in calls]
    seconds = [s for _, s in calls]
    assert tokens == sorted(tokens) and tokens[-1] > tokens[0] and tokens[-1] <= 15
    assert all(b - a >= 0.05 for a, b in itertools.pairwise(seconds))
    assert seconds[-1] <= done.latency_s


def test_progress_is_rare_by_default(vllm: FakeOpenAIServer) -> None:
    # Well under a second: no report at all.
    calls: list[tuple[int, float]] = []
    vllm.enqueue(Reply(WORDS, trickle_s=0.01))
    req = CompletionRequest(
        messages=[Message("user", "hi")], on_progress=lambda *a: calls.append(a)
    )
    provider(vllm).complete(req)
    assert calls == []


def test_the_egress_gate_keeps_the_hook() -> None:
    def hook(_tokens: int, _seconds: float) -> None:
        pass

    req = CompletionRequest(messages=[Message("user", CODE)], on_progress=hook)
    with FakeOpenAIServer(models=["qwen"]) as local, FakeOpenAIServer() as cloud:
        gate = gate_for(local, cloud)
        redacted = gate.clear("gateway", DataClass.INTERNAL, req)
        assert redacted.redactions == 1 and redacted.request.on_progress is hook
        assert gate.clear("gpu", DataClass.INTERNAL, req).request.on_progress is hook


# -- (e) the cloud is not streamed -------------------------------------------------------------


def test_a_cloud_target_is_not_streamed_and_not_reported(
    vllm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streaming_module, "PROGRESS_INTERVAL_S", 0.0)  # any chunk would do
    calls: list[tuple[int, float]] = []
    vllm.enqueue(Reply(WORDS))
    req = CompletionRequest(
        messages=[Message("user", "hi")], on_progress=lambda *a: calls.append(a)
    )
    done = provider(vllm, location="cloud").complete(req)
    body = vllm.chat_requests()[0]
    assert "stream" not in body and "stream_options" not in body
    assert done.text == WORDS and calls == []


# -- a stream refused before its first event ---------------------------------------------------


@pytest.mark.parametrize("resets", [False, True], ids=["empty stream", "connection reset"])
def test_a_streamed_prompt_past_the_context_still_learns_the_context(resets: bool) -> None:
    # llama-cpp-python raises "exceeds context window" inside the generator it streams
    # from: the client sees a 200 with no event, or a reset connection. One ask for one
    # token, not streamed, hears the 400 that says the size.
    with FakeOpenAIServer("llamacpp-python", rejects=(), max_model_len=100) as fake:
        fake.refused_stream_resets = resets
        long = [Message("system", "Review."), Message("user", "word " * 200)]
        err = fails(provider(fake, max_retries=0), request(messages=long))
        assert err.kind is ErrorKind.BAD_REQUEST and err.context_tokens == 100
        asked = fake.chat_requests()
    assert [b.get("stream") for b in asked] == [True, None]
    assert asked[-1]["max_tokens"] == 1


def test_an_empty_stream_the_ask_cannot_explain_stays_a_server_error() -> None:
    with FakeOpenAIServer("llamacpp-python", rejects=()) as fake:
        fake.enqueue(Reply.raw(b"", status=200), Reply(GOOD))
        err = fails(provider(fake, max_retries=0))
        asked = fake.chat_requests()
    # The ask was answered: nothing learnt, so the empty stream is what is reported.
    assert [b.get("stream") for b in asked] == [True, None]
    assert err.kind is ErrorKind.SERVER_ERROR
