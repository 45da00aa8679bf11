"""Reading a webhook's JSON, which is untrusted, the same way for every forge.

A receiver must never raise on odd payloads (bot/forges/webhook.py): each field is read
through these, and one of the wrong type counts as missing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.forges.webhook import MalformedPayload


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
