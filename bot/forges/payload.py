"""Reading a webhook's JSON, which is untrusted, the same way for every forge.

A receiver must never raise on odd payloads (bot/forges/webhook.py): each field is read
through these, and one of the wrong type counts as missing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.forges.webhook import MalformedPayload

JSON = "application/json"


class UnsupportedMediaType(MalformedPayload):
    """The body is declared in a media type the receiver does not read (answered 415)."""


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json`; "" when none."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_json_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The JSON object of a delivery declared application/json; UnsupportedMediaType for
    another type or none (the forges send application/json), MalformedPayload for a body
    that is not a JSON object."""
    kind = media_type(content_type)
    if kind != JSON:
        raise UnsupportedMediaType(
            f"Content-Type {kind or '(none)'} is not read: send application/json"
        )
    return decode_object(body)


def decode_object(text: str | bytes) -> dict[str, Any]:
    """The JSON object in `text`; MalformedPayload for anything else."""
    try:
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: nesting deeper than Python's stack, a bomb and not a forge's event.
        raise MalformedPayload(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise MalformedPayload("not a JSON object")
    return data


def mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def integer(value: object) -> int | None:
    # bool is an int subclass; a JSON true is no number.
    return value if isinstance(value, int) and not isinstance(value, bool) else None
