"""What the provider tests share: the review schema they ask for, a good answer to it, the
request, and a provider pointed at a fake server (or a bare URL) with fast retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import pytest
from pydantic import BaseModel

from bot.config.model import ProviderConfig
from bot.providers import (
    CompletionRequest,
    Message,
    Provider,
    ProviderError,
    complete_structured,
)


class Finding(BaseModel):
    line: int
    message: str


class Review(BaseModel):
    findings: list[Finding]
    summary: str


GOOD = {"findings": [{"line": 3, "message": "off by one"}], "summary": "one bug"}


def request(**kw: Any) -> CompletionRequest:
    kw.setdefault(
        "messages", [Message("system", "You review code."), Message("user", "Review this diff.")]
    )
    return CompletionRequest(
        response_model=Review,
        schema_name="review",
        **kw,
    )


class _Served(Protocol):
    @property
    def base_url(self) -> str: ...


P = TypeVar("P")


def make_provider(
    cls: Callable[..., P], name: str, fake_or_url: _Served | str, api_key: str | None, **cfg: Any
) -> P:
    """`cls` configured by `cfg` against the fake (or URL). Retries back off for 10 ms and
    the timeout is 5 s, not 120: a fault test, or a fake that hangs, fails in seconds."""
    base_url = fake_or_url if isinstance(fake_or_url, str) else fake_or_url.base_url
    cfg.setdefault("timeout_s", 5.0)
    return cls(name, ProviderConfig(base_url=base_url, **cfg), api_key, backoff_s=0.01)


def fails(prov: Provider, req: CompletionRequest | None = None) -> ProviderError:
    """The ProviderError that complete_structured raises for `req` (by default `request()`)."""
    with pytest.raises(ProviderError) as err:
        complete_structured(prov, req or request())
    return err.value
