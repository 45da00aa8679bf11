"""`--since 30d`: a span back from now, or a date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime) -> datetime:
    """`30d`, `12h`, `2w`, `90m`, or an ISO date/time (UTC unless it names a zone)."""
    span = _SPAN.match(value)
    if span:
        amount, unit = int(span.group(1)), span.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is neither a span like 30d, 12h, 2w nor a date like 2025-01-31"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


class Since(click.ParamType):
    name = "SPAN|DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_since(str(value), datetime.now(UTC))
        except (ValueError, OverflowError) as exc:
            self.fail(str(exc), param, ctx)
