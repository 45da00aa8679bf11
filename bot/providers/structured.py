"""Structured answers: JSON extraction, schema prompts, validation and one repair attempt.

`complete_structured` is the one entry point the pipeline calls for every model request.
"""

from __future__ import annotations

import dataclasses
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


# Keywords never sent to a runner. Length and pattern limits become grammar rules: llama.cpp
# refused the triage schema's maxLength 2000 ("number of rules exceeds sane defaults") and
# then crashed. Limits are enforced on our side after parsing: the answer models cut long
# text in validators that the schema does not show.
_UNSENT_KEYWORDS = frozenset(
    {"maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "title", "default"}
)


def schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema sent to runners for `model`: small and flat, so every grammar
    compiler can follow it. References are inlined (no $defs), titles and defaults dropped,
    and no length, pattern or count limits; what must be there is listed in `required`."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    return _flatten(raw, defs)


def _flatten(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_flatten(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        # Pydantic never makes a recursive answer model here; a cycle would loop for ever.
        target = dict(defs[ref.removeprefix("#/$defs/")])
        target.update({k: v for k, v in node.items() if k != "$ref"})
        return _flatten(target, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _UNSENT_KEYWORDS:
            continue
        if key == "properties" and isinstance(value, dict):
            # Property names are data here, not keywords: a field named "title" stays.
            out[key] = {name: _flatten(sub, defs) for name, sub in value.items()}
        else:
            out[key] = _flatten(value, defs)
    return out


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
    found even with prose around it. None when there is none, or when the answer's JSON
    starts but never ends (cut off): an object nested inside a cut-off answer is not it."""
    return _scan(text)[0]


def cut_off(text: str) -> bool:
    """Whether `text` holds the start of a JSON value that never ends: an answer cut off
    mid-JSON (by the output allowance, a dropped stream, a server limit)."""
    return _scan(text)[1]


def _scan(text: str) -> tuple[str | None, bool]:
    """(the answer's JSON text or None, whether its JSON was cut off)."""
    candidates = [text.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(text)]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        if candidate.startswith(("{", "[")):
            try:
                json.loads(candidate)
                return candidate, False
            except ValueError:
                pass
    # Prose around the JSON: decode from each opening brace until one parses. A brace whose
    # value is still open at the end of the text starts a cut-off answer: every later brace
    # is inside it (one finding of a half-written list), so the search stops there. Before,
    # the first complete inner object was taken and validated as an empty answer.
    for candidate in candidates:
        tried = 0
        for match in re.finditer(r"[{\[]", candidate):
            tried += 1
            if tried > _MAX_START_TRIES:
                break
            try:
                _value, end = decoder.raw_decode(candidate, match.start())
            except ValueError:
                if _never_closes(candidate, match.start()):
                    return None, True
                continue
            return candidate[match.start() : end], False
    return None, False


def _never_closes(text: str, start: int) -> bool:
    """Whether the bracket at `start` is still open at the end of `text` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for ch in text[start:]:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return False
    return True


CUT_OFF = "the answer was cut off before its JSON ended"


def parse_answer(text: str, model: type[BaseModel]) -> tuple[BaseModel | None, str | None]:
    """(parsed, None) when `text` holds valid JSON for `model`, else (None, short reason)."""
    raw, was_cut = _scan(text)
    if raw is None:
        if was_cut:
            return None, CUT_OFF
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

    An answer cut off by the output allowance (finish_reason "length"/"max_tokens", or
    every allowed token spent, or JSON that never closes) is never read as an answer, even
    when some prefix of it parses. Its one extra round asks again with a larger allowance
    rather than splitting the item: splitting means re-planning (packing, routes, cache
    parts) in the middle of dispatch, while doubling the allowance is one request and keeps
    the item whole. The allowance is capped by what the target's context leaves after the
    prompt; with no more room the model is asked for a shorter answer at the same
    allowance. Still cut off: a failure the report names (the operator can raise
    max_output_tokens or context_tokens).
    """
    first = provider.complete(request)
    model = request.response_model
    if model is None:
        return first
    parsed, reason = _validated(first, request)
    if parsed is not None:
        first.parsed = parsed
        return first

    if reason == CUT_OFF:
        retry = _after_cut_off(provider, request, first)
    else:
        # The same request (its progress hook too) with the repair turns added; its
        # prompt_tokens, the first prompt's, is then a lower bound.
        retry = dataclasses.replace(
            request,
            messages=repair_messages(request, first.text, reason or "invalid"),
        )
    try:
        second = provider.complete(retry)
    except ProviderError as exc:
        exc.usage = _sum(first.usage, exc.usage)
        exc.latency_s += first.latency_s
        raise
    usage = _sum(first.usage, second.usage)
    parsed, reason2 = _validated(second, retry)
    if parsed is None:
        raise ProviderError(
            ErrorKind.INVALID_ANSWER,
            f"{first.target}: answer was not valid JSON for {request.schema_name}: {reason2}"
            + (f" (at {retry.max_output_tokens} output tokens)" if reason2 == CUT_OFF else ""),
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


# finish_reason values that mean "the output allowance ran out": OpenAI-compatible servers
# say "length", Anthropic's stop_reason says "max_tokens".
_CUT_REASONS = frozenset({"length", "max_tokens"})
# Tokens kept free between prompt and answer when sizing a larger allowance: chat templates
# add a few tokens the usage figures do not always show.
_CONTEXT_MARGIN = 64


def was_cut_off(completion: Completion, request: CompletionRequest) -> bool:
    """Whether the answer stopped because the output allowance ran out."""
    if completion.finish_reason is not None:
        return completion.finish_reason in _CUT_REASONS
    # The provider did not say why it stopped: spending every allowed token is the sign.
    spent = completion.usage.completion_tokens
    return spent > 0 and spent >= request.max_output_tokens


def larger_allowance(provider: Provider, request: CompletionRequest, prompt_tokens: int) -> int:
    """Twice the request's answer allowance, capped by what the target's context leaves
    after the prompt (`prompt_tokens` as the server counted it); never less than before."""
    context = getattr(provider, "context_tokens", 0) or 0
    if not context or not prompt_tokens:
        # Without both figures a larger allowance could overflow the context: a 400, not
        # an answer. Keep it, and ask for a shorter answer instead.
        return request.max_output_tokens
    room = context - prompt_tokens - _CONTEXT_MARGIN
    return max(request.max_output_tokens, min(2 * request.max_output_tokens, room))


def _after_cut_off(
    provider: Provider, request: CompletionRequest, first: Completion
) -> CompletionRequest:
    """The one retry of a cut-off answer: the original question with a larger allowance.

    The cut-off text is not replayed: the model would have to repeat it all anyway, and
    it costs prompt tokens the larger answer needs."""
    allowance = larger_allowance(provider, request, first.usage.prompt_tokens)
    ask = (
        f"Your previous answer was cut off at {request.max_output_tokens} tokens before its "
        "JSON ended. Reply with the complete JSON object"
    )
    if allowance <= request.max_output_tokens:
        ask += (
            f", within {request.max_output_tokens} tokens: keep the summary and each "
            "finding's body short and report only the most important findings"
        )
    return dataclasses.replace(
        request,
        messages=[*request.messages, Message("user", ask + ". Only the JSON, no prose.")],
        max_output_tokens=allowance,
    )


def _validated(completion: Completion, request: CompletionRequest) -> tuple[BaseModel | None, str]:
    """(the answer, "") or (None, why it is not one). A cut-off answer is not one, even when
    a prefix of it parses or the provider already validated it."""
    model = request.response_model
    assert model is not None
    if was_cut_off(completion, request) or cut_off(completion.text):
        return None, CUT_OFF
    if isinstance(completion.parsed, model):
        return completion.parsed, ""
    parsed, reason = parse_answer(completion.text, model)
    return parsed, reason or ""


def _sum(a: Usage, b: Usage) -> Usage:
    return Usage(a.prompt_tokens + b.prompt_tokens, a.completion_tokens + b.completion_tokens)
