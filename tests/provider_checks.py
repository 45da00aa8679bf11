"""Assertions the provider tests make alike of every provider: how an auth failure, a
timeout and a repaired answer look."""

from __future__ import annotations

from bot.providers import Completion, ErrorKind, Provider
from tests.provider_helpers import GOOD, Review, fails


def assert_auth_error(prov: Provider, variable: str, secret: str) -> None:
    """A refused key fails as AUTH naming the variable to set, and never shows the key."""
    err = fails(prov)
    assert err.kind is ErrorKind.AUTH
    assert variable in err.message
    assert secret not in err.message + repr(prov)


def assert_times_out(prov: Provider, message: str) -> None:
    """The request fails as TIMEOUT with `message`: the client stopped waiting at its own
    timeout. The fake's reply (GOOD, after 2 s) would have been a success, so a provider
    that waited for it could not fail this way. (A wall-clock bound here also timed the
    SDK's first import, and flaked on a loaded machine.)"""
    err = fails(prov)
    assert err.kind is ErrorKind.TIMEOUT
    assert err.message == message


def assert_repaired(done: Completion) -> None:
    """GOOD on the second request, both requests' usage (100 + 120 in, 7 + 30 out) counted."""
    assert done.repaired and done.parsed == Review.model_validate(GOOD)
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (220, 37)
    assert done.http_requests == 2
