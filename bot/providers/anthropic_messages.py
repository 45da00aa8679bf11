"""Requests and answers of Anthropic's Messages API, in the shapes the SDK takes and gives.

A structured answer is a call to one tool named after the schema: requests carry that tool
(forced, or offered with a hint), a rejected answer replayed for a repair becomes the tool
call it was, and the answer is read back from the call's input.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.providers.base import CompletionRequest, Message
from bot.providers.structured import (
    RejectedAnswer,
    parse_answer,
    schema_for,
    with_schema_in_system,
)

_TOOL_NAME = re.compile(r"[^A-Za-z0-9_-]")
_REPAIR_ID = "toolu_switchyard_repair"


def request_kwargs(
    request: CompletionRequest, model: str, mode: str, temperature: bool
) -> dict[str, Any]:
    """The keyword arguments of messages.create for `request` in `mode` ("text",
    "tool_use", "tool_auto" or "instructed"), with a temperature or none."""
    messages = request.messages
    tool = tool_name(request.schema_name)
    if mode == "instructed":
        messages = with_schema_in_system(request)
    elif mode == "tool_auto":
        hint = Message("system", f"Answer by calling the tool {tool} exactly once.")
        messages = [*messages, hint]
    system, turns = render_messages(messages, tool if mode.startswith("tool") else None)
    kwargs: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_output_tokens,
        "messages": turns,
    }
    if system:
        kwargs["system"] = system
    if temperature:
        # This SDK no longer has sampling parameters (the newest models refuse them);
        # older models still take one, and a review is best reproducible at 0.
        kwargs["extra_body"] = {"temperature": request.temperature}
    if mode.startswith("tool"):
        assert request.response_model is not None
        kwargs["tools"] = [
            {
                "name": tool,
                "description": f"Records the answer, a {request.schema_name} object.",
                "input_schema": schema_for(request.response_model),
            }
        ]
        forced = {"type": "tool", "name": tool}
        kwargs["tool_choice"] = forced if mode == "tool_use" else {"type": "auto"}
    return kwargs


def tool_name(schema_name: str) -> str:
    """The tool for a schema: Anthropic takes names of letters, digits, _ and -, up to 64."""
    return _TOOL_NAME.sub("_", schema_name)[:64] or "answer"


def render_messages(messages: list[Message], tool: str | None) -> tuple[str, list[dict[str, Any]]]:
    """(system prompt, turns) for the Messages API.

    System messages go to the `system` parameter. When a tool answers, an invalid answer
    replayed for a repair (RejectedAnswer) becomes the tool call it was, and the next user
    turn its tool_result (is_error): Anthropic refuses a tool_use left without a result.
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[dict[str, Any]] = []
    open_call: str | None = None
    for i, msg in enumerate(m for m in messages if m.role != "system"):
        replayed = _json_object(msg.content) if isinstance(msg, RejectedAnswer) else None
        if tool and replayed is not None:
            open_call = f"{_REPAIR_ID}_{i}"
            call = {"type": "tool_use", "id": open_call, "name": tool, "input": replayed}
            turns.append({"role": "assistant", "content": [call]})
        elif open_call and msg.role == "user":
            result = {
                "type": "tool_result",
                "tool_use_id": open_call,
                "is_error": True,
                "content": msg.content,
            }
            turns.append({"role": "user", "content": [result]})
            open_call = None
        else:
            turns.append({"role": msg.role, "content": msg.content})
    if open_call:  # a replayed call with no user turn after it: close it
        result = {"type": "tool_result", "tool_use_id": open_call, "is_error": True}
        turns.append({"role": "user", "content": [{**result, "content": "Invalid answer."}]})
    return system, turns


def answer_of(
    response: Any, model: type[BaseModel] | None, tool: str
) -> tuple[str, BaseModel | None]:
    """(text, parsed) of a Messages API answer: the tool call's input as JSON text when the
    model called the tool, else its text blocks (thinking blocks ignored)."""
    blocks = list(response.content or [])
    calls = [b for b in blocks if getattr(b, "type", None) == "tool_use"]
    if model is not None and calls:
        call = next((b for b in calls if getattr(b, "name", None) == tool), calls[0])
        data = getattr(call, "input", None)
        text = json.dumps(data, ensure_ascii=False)
        try:
            return text, model.model_validate(data)
        except ValidationError:
            return text, None
    text = "".join(getattr(b, "text", "") for b in blocks if getattr(b, "type", None) == "text")
    if model is None:
        return text, None
    return text, parse_answer(text, model)[0]


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
