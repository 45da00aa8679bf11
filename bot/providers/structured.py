"""Structured answers: JSON extraction, schema prompts, validation and one repair attempt.

`complete_structured` is the one entry point the pipeline calls for every model request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.providers.base import (
    Completion,
    CompletionRequest,
    ErrorKind,
    Message,
    Provider,
    ProviderError,
    Usage,
)

_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
_MAX_START_TRIES = 64  # starting braces tried before giving up on a long prose answer


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def schema_instructions(request: CompletionRequest) -> str:
    """System prompt text asking for JSON of the request's schema (for servers that can't
    enforce one, and as a hint to those that only enforce "some JSON")."""
    assert request.response_model is not None
    schema = json.dumps(schema_for(request.response_model), separators=(",", ":"))
    return (
        f"Answer with a single JSON object that validates against this JSON Schema "
        f"(named {request.schema_name}). Output only the JSON: no prose, no code fences.\n"
        f"{schema}"
    )


def with_schema_in_system(request: CompletionRequest) -> list[Message]:
    """The request's messages with the schema instructions added to the system message."""
    instructions = schema_instructions(request)
    messages = list(request.messages)
    for i, msg in enumerate(messages):
        if msg.role == "system":
            messages[i] = Message("system", msg.content.rstrip() + "\n\n" + instructions)
            return messages
    return [Message("system", instructions), *messages]


def extract_json(text: str) -> str | None:
    """The JSON value in a model's answer: fences stripped, the outermost object (or array)
    found even with prose around it. None when there is none."""
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        if candidate.startswith(("{", "[")):
            try:
                json.loads(candidate)
                return candidate
            except ValueError:
                pass
    # Prose around the JSON: decode from each opening brace until one parses.
    for candidate in candidates:
        tried = 0
        for match in re.finditer(r"[{\[]", candidate):
            tried += 1
            if tried > _MAX_START_TRIES:
                break
            try:
                _value, end = decoder.raw_decode(candidate, match.start())
            except ValueError:
                continue
            return candidate[match.start() : end]
    return None


def parse_answer(text: str, model: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """(parsed, None) when `text` holds valid JSON for `model`, else (None, short reason)."""
    raw = extract_json(text)
    if raw is None:
        return None, "no JSON object found" if text.strip() else "empty answer"
    try:
        return model.model_validate_json(raw), None
    except ValidationError as exc:
        return None, short_reason(exc)


def short_reason(exc: ValidationError, limit: int = 3) -> str:
    """The first few validation errors as 'path: message', short enough for a log line."""
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class RejectedAnswer(Message):
    """The assistant's invalid answer, replayed in a repair request. Providers that answer
    through a tool call replay it as that call, and the next user turn as its result
    (Anthropic rejects a tool_use left without a tool_result); others send it as text."""


def repair_messages(request: CompletionRequest, bad_answer: str, reason: str) -> list[Message]:
    return [
        *request.messages,
        RejectedAnswer("assistant", bad_answer),
        Message(
            "user",
            f"That answer was not valid JSON for the schema {request.schema_name}: {reason}. "
            "Reply with only the corrected JSON object: no prose, no code fences.",
        ),
    ]


def complete_structured(provider: Provider, request: CompletionRequest) -> Completion:
    """Ask `provider`, validate the answer against request.response_model, repair once.

    Free-text requests (response_model None) pass straight through. Raises ProviderError:
    the provider's own (unreachable, timeout, ...) or INVALID_ANSWER when the repaired answer
    is still not valid; its usage and latency cover both attempts.
    """
    first = provider.complete(request)
    model = request.response_model
    if model is None:
        return first
    parsed, reason = _validated(first, model)
    if parsed is not None:
        first.parsed = parsed
        return first

    retry = CompletionRequest(
        messages=repair_messages(request, first.text, reason or "invalid"),
        response_model=model,
        schema_name=request.schema_name,
        max_output_tokens=request.max_output_tokens,
        temperature=request.temperature,
    )
    try:
        second = provider.complete(retry)
    except ProviderError as exc:
        exc.usage = _sum(first.usage, exc.usage)
        exc.latency_s += first.latency_s
        raise
    usage = _sum(first.usage, second.usage)
    parsed, reason2 = _validated(second, model)
    if parsed is None:
        raise ProviderError(
            ErrorKind.INVALID_ANSWER,
            f"{first.target}: answer was not valid JSON for {request.schema_name}: {reason2}",
            target=first.target,
            usage=usage,
            latency_s=first.latency_s + second.latency_s,
        )
    second.parsed = parsed
    second.usage = usage
    second.latency_s += first.latency_s
    second.http_requests += first.http_requests
    second.repaired = True
    return second


def _validated(completion: Completion, model: type[BaseModel]) -> tuple[BaseModel | None, str]:
    if isinstance(completion.parsed, model):
        return completion.parsed, ""
    parsed, reason = parse_answer(completion.text, model)
    return parsed, reason or ""


def _sum(a: Usage, b: Usage) -> Usage:
    return Usage(a.prompt_tokens + b.prompt_tokens, a.completion_tokens + b.completion_tokens)
