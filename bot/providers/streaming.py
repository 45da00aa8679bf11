"""Chat completions from a self-hosted runner, streamed, read back into one answer.

Why stream: llama.cpp, llama-cpp-python, vLLM and Ollama are often one-slot servers, and a
runner keeps generating a non-streamed answer for a client that left: the next request
waits minutes behind it. Closing a stream is how a client says "stop" (llama-cpp-python
notices between chunks, vLLM and llama.cpp abort on disconnect), so a call given up on at
its deadline frees the runner; and tokens arriving can be shown while the user waits.

The chunks are put back together as the ChatCompletion a non-streamed call returns, so
the provider reads both alike: text, parse, usage, finish_reason. Errors before the first
chunk (an HTTP status, a refused response_format, "too long for my context") are raised
by the SDK before the stream starts, and take the same retry path as a non-streamed call.
The `openai` SDK is imported inside functions only: importing it costs ~0.5 s of start-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.providers.retry import EndpointErrors, Failure, call_with_retries, sdk_failure

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

ProgressHook = Callable[[int, float], None]
# The least time between two progress reports: often enough for a terminal, rarely enough
# that the hook costs nothing next to the tokens.
PROGRESS_INTERVAL_S = 1.0


def stream_with_retries(
    client: openai.OpenAI,
    kwargs: dict[str, Any],
    errors: EndpointErrors,
    *,
    attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    on_status: Callable[[int, str], None],
    on_progress: ProgressHook | None = None,
    prompt_tokens: int = 0,
) -> tuple[ChatCompletion, int]:
    """The chat completion, streamed and put together, and the number of HTTP requests it
    took; retried as a non-streamed one (see bot.providers.retry.call_with_retries).

    A stream past the timeout fails as the SDK's timeout, and the stream is closed on the
    way out: the runner stops. Local timeouts are not sent again (EndpointErrors.retryable).
    """
    import openai

    def send() -> ChatCompletion:
        sent_at = time.monotonic()
        try:
            stream = client.chat.completions.create(
                **kwargs, stream=True, stream_options={"include_usage": True}
            )
        except openai.APIConnectionError as exc:
            # Dropped once connected (not refused, not timed out): llama-cpp-python resets
            # the connection when it raises before the first event, as often as it sends
            # an empty stream.
            if not isinstance(exc, openai.APITimeoutError) and _dropped(exc):
                diagnose(client, kwargs)
            raise
        return read_stream(
            stream, sent_at, on_progress, prompt_tokens, on_empty=lambda: diagnose(client, kwargs)
        )

    return call_with_retries(
        send,
        lambda exc: _stream_failure(openai, exc),
        errors,
        attempts=attempts,
        backoff_s=backoff_s,
        sleep=sleep,
        on_status=on_status,
        accept=lambda completion: bool(completion.choices),
    )


def diagnose(client: openai.OpenAI, kwargs: dict[str, Any]) -> None:
    """A stream that ended, or broke, before its first event: ask the same once more, not
    streamed and for one token, to hear why. llama-cpp-python checks the prompt against its
    context inside the generator it streams from, after its 200: a streamed request too long
    for it ends at once (cleanly or mid-chunk, as the timing falls), while the same request
    not streamed gets the 400 that says the context size (which the run then packs the item
    again at). The SDK raises that error here, and it takes the path any refusal takes.
    When the ask is answered, nothing is learnt: the caller reports the stream as it was.

    Asked on a connection of its own: the server drops the one the stream came on, and a
    pooled connection it has just dropped answers the next request with a reset."""
    from bot.providers.deadline_http import deadline_client

    with deadline_client() as fresh:
        client.with_options(http_client=fresh).chat.completions.create(
            **{**kwargs, "max_tokens": 1}
        )


def read_stream(
    stream: openai.Stream[ChatCompletionChunk],
    sent_at: float,
    on_progress: ProgressHook | None = None,
    prompt_tokens: int = 0,
    on_empty: Callable[[], None] | None = None,
) -> ChatCompletion:
    """The ChatCompletion a non-streamed call would have returned, from its chunks.

    The content deltas of choice 0 make the text; the finish_reason is the last one sent;
    the usage is the server's usage chunk's when it sends one (vLLM, llama.cpp and Ollama
    do when asked), else one completion token per content chunk (llama-cpp-python sends no
    usage, and one chunk a token; the prompt then counts `prompt_tokens`, planning's count).
    `on_progress` gets (content chunks so far, seconds since
    `sent_at`) at most once every PROGRESS_INTERVAL_S. The stream is closed however this
    ends, so a runner is never left generating for nobody. `on_empty` is called when the
    stream ends or breaks before its first event (and may raise what explains it).
    """
    from openai.types.chat import ChatCompletion, ChatCompletionMessage
    from openai.types.chat.chat_completion import Choice
    from openai.types.completion_usage import CompletionUsage

    pieces: list[str] = []
    finish: str | None = None
    usage: CompletionUsage | None = None
    first: ChatCompletionChunk | None = None
    answered = False  # a chunk carried choice 0: without one, the body was no answer
    reported_at = sent_at
    with stream:
        try:
            for chunk in stream:
                first = first or chunk
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    if choice.index != 0:
                        continue
                    answered = True
                    if choice.delta is not None and choice.delta.content:
                        pieces.append(choice.delta.content)
                    if choice.finish_reason:
                        finish = choice.finish_reason
                now = time.monotonic()
                if on_progress is not None and now - reported_at >= PROGRESS_INTERVAL_S:
                    reported_at = now
                    on_progress(len(pieces), now - sent_at)
        except Exception:
            if first is None and on_empty is not None:
                on_empty()  # raises what explains the break, if it learns it
            raise
        if first is None and on_empty is not None:
            on_empty()
    if usage is None:
        # No usage chunk: the prompt as planning counted it (exact when the runner's own
        # tokenizer counted it) rather than asking a one-slot runner once more.
        usage = CompletionUsage.model_construct(
            prompt_tokens=prompt_tokens,
            completion_tokens=len(pieces),
            total_tokens=prompt_tokens + len(pieces),
        )
    # Built without validation, as the SDK builds answers: a finish_reason it does not
    # know (a runner's own word) is kept, not refused.
    choices = (
        [
            Choice.model_construct(
                index=0,
                message=ChatCompletionMessage.model_construct(
                    role="assistant", content="".join(pieces)
                ),
                finish_reason=finish,
            )
        ]
        if answered
        else []
    )
    return ChatCompletion.model_construct(
        id=first.id if first else "",
        object="chat.completion",
        created=first.created if first else 0,
        model=first.model if first else "",
        choices=choices,
        usage=usage,
    )


def _dropped(exc: BaseException) -> bool:
    """Whether a connection error is the server dropping a connection it had accepted (a
    read reset, a body cut short), rather than no connection at all."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ in ("ReadError", "RemoteProtocolError"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _stream_failure(sdk: Any, exc: Exception) -> Failure | None:
    """A Failure from an exception of a streamed call: those of a non-streamed one, plus
    an error event in the stream (the SDK's bare APIError, e.g. llama.cpp's
    `data: {"error": ...}`): the server failed after answering 200, a server error."""
    failure = sdk_failure(sdk, exc)
    if failure is None and isinstance(exc, sdk.APIError):
        return Failure(status=500, message=exc.message)
    return failure
