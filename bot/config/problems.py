"""Configuration problems for people: ConfigProblems, and pydantic errors put in words.

A validation error names the layer (file, variable or flag) that set the offending key,
and an unknown key suggests the closest known one.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from bot.config.layers import Path_
from bot.config.schema import fields_at
from bot.errors import ConfigError


class ConfigProblems(ConfigError):
    """Several configuration problems at once; `problems` holds one line each."""

    def __init__(self, problems: Sequence[str], hint: str | None = None) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} configuration problems:\n" + "\n".join(
                "  " + p for p in self.problems
            )
        super().__init__(message, hint)


def _source_of(loc: Path_, origins: Mapping[Path_, str]) -> str:
    # The leaf itself or a list/scalar above it (an error on filters.include.0).
    for n in range(len(loc), 0, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    # A mapping, or a key that is missing: name whoever wrote below its parent.
    for n in range(len(loc), -1, -1):
        labels = [lab for p, lab in origins.items() if p[:n] == loc[:n]]
        if labels:
            return " + ".join(dict.fromkeys(labels))
    return "settings"


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = fields_at(loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)"
        if allowed:
            return f"unknown key {key!r} (expected one of: {', '.join(allowed)})"
        return f"unknown key {key!r}"
    if kind == "missing":
        return "required, but no layer sets it"
    msg = str(err["msg"])
    value = err.get("input")
    if isinstance(value, str | int | float | bool):
        shown = repr(value)
        msg += f", got {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return msg


def validation_problems(exc: ValidationError, origins: Mapping[Path_, str]) -> list[str]:
    """One line per pydantic error: source, dotted key, what is wrong."""
    problems = []
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        dotted = ".".join(loc) or "(top level)"
        problems.append(f"{_source_of(loc, origins)}: {dotted}: {_describe(err)}")
    return problems
