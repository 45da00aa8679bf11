"""What the settings schema allows where: the field names at a path of the settings tree.

Shared by file reading (empty sections), the key-like field policy and the wording of
validation errors, which all ask the pydantic models rather than a copy of their fields.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from bot.config.model import Settings


def unwrap(tp: Any) -> Any:
    """`X | None` -> X; anything else unchanged."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def fields_at(path: Sequence[Any]) -> list[str]:
    """Field names the schema allows at `path`, or [] where it allows free keys."""
    tp: Any = Settings
    for part in path:
        tp = unwrap(tp)
        if is_model(tp):
            info = tp.model_fields.get(str(part))
            if info is None:
                return []
            tp = info.annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        elif get_origin(tp) is list:
            tp = get_args(tp)[0]
        else:
            return []
    tp = unwrap(tp)
    return list(tp.model_fields) if is_model(tp) else []
