"""A PyGithub client with retries that wait out rate limits (boundedly), and the one place
that turns GitHub's refusals into errors a user can act on.

No module state: each call builds its own client, so two installations or two GitHub
Enterprise servers never share a token or a connection pool.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Mapping
from typing import Any

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import MaxRetryError

from bot.errors import ConfigError, IncompleteError, InputError, SwitchyardError
from bot.forges.contract import ForgeUnavailable

DEFAULT_API_URL = "https://api.github.com"
# What requests, urllib3 and the socket raise when GitHub does not answer.
NETWORK_ERRORS = (requests.RequestException, Urllib3Error, ConnectionError, TimeoutError)
# Requests a retry may resend after a 5xx: the first attempt may have been applied.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# GitHub's own guidance: at least one second between writes, to stay clear of the
# secondary rate limit; reads a little apart for the same reason.
SECONDARY_BASE_WAIT_S = 60.0
_PACE = {"seconds_between_requests": 0.25, "seconds_between_writes": 1.0}
_NO_PACE = {"seconds_between_requests": None, "seconds_between_writes": None}
# "off": no spacing at all, for a GitHub that has no secondary rate limit (the fake GitHub
# the tests run the bot against as a real process). Anything else, or unset: paced.
PACING_ENV = "SWITCHYARD_GITHUB_PACING"


def pacing_on(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether GitHub requests are spaced (the default): False only when
    SWITCHYARD_GITHUB_PACING is "off"."""
    return environ.get(PACING_ENV, "").strip().lower() != "off"


class BoundedRetry(GithubRetry):
    """GithubRetry (waits for `Retry-After` or a rate-limit reset) with two changes.

    No single wait longer than `max_wait_s`: beyond it the rate limit is raised as
    RateLimitExceededExceedsMaxWait rather than stalling a CI job for an hour.
    A write is never resent after a 5xx or a lost answer, which could post the same review
    twice, and its rate limits are waited out by the paced client alone (pacing.py).
    """

    def __init__(self, *, max_wait_s: float = 60.0, **kwargs: Any) -> None:
        self.max_wait_s = max_wait_s
        kwargs.setdefault("max_rate_limit_wait", max_wait_s)
        kwargs.setdefault("secondary_rate_wait", min(60.0, max_wait_s))
        kwargs.setdefault("status_forcelist", [*range(500, 600), 429])
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> BoundedRetry:
        kw["max_wait_s"] = self.max_wait_s
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code >= 500 and method.upper() not in _IDEMPOTENT:
            return False
        if status_code in (403, 429) and method.upper() not in _READS:
            # Every write goes through the paced client (pacing.py), which waits out rate
            # limits itself and spaces writes; retrying here too multiplied the two loops
            # (a write that stayed limited was sent 16 times with 15 waits).
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))

    def increment(self, method: str | None = None, *args: Any, **kwargs: Any) -> BoundedRetry:
        error = kwargs.get("error") if "error" in kwargs else (args[2] if len(args) > 2 else None)
        if (
            error is not None
            and method is not None
            and method.upper() not in _IDEMPOTENT
            and self._is_read_error(error)
        ):
            # The request went out; whether GitHub applied it is unknown. Do not resend.
            raise error
        try:
            return super().increment(method, *args, **kwargs)  # type: ignore[no-any-return]
        except MaxRetryError:
            response = (
                kwargs.get("response")
                if "response" in kwargs
                else (args[1] if len(args) > 1 else None)
            )
            if response is None:
                raise
            # Out of retries on an answer (a rate limit that held, a 5xx that lasted):
            # requests would raise RetryError and drop GitHub's status and Retry-After.
            # GitHub's own answer, as PyGithub raises it, keeps them for whoever decides.
            raise _last_answer(response) from None

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > self.max_wait_s:
            raise RateLimitExceededExceedsMaxWait(
                response.status,
                {"message": f"GitHub asked to retry after {seconds:.0f}s"},
                dict(response.headers),
                wait=seconds,
            )
        return seconds


def _last_answer(response: Any) -> GithubException:
    status = int(response.status)
    message = f"GitHub kept answering {status} {response.reason or ''}".strip()
    data = {"message": f"{message} (rate limit)" if status in (403, 429) else message}
    headers = dict(response.headers)
    if status in (403, 429):
        return RateLimitExceededException(status, data, headers)
    return GithubException(status, data, headers)


def _retry(max_wait_s: float, retries: int) -> BoundedRetry:
    return BoundedRetry(
        max_wait_s=max_wait_s, total=retries, backoff_factor=1.0, backoff_max=max_wait_s
    )


def github_client(
    token: str,
    api_url: str = DEFAULT_API_URL,
    *,
    timeout: int = 30,
    retries: int = 3,
    max_wait_s: float = 60.0,
    pace: bool = True,
) -> Github:
    """A PyGithub client for `api_url` (GitHub Enterprise: "https://HOST/api/v3").

    Rate-limited requests are retried up to `retries` times, each wait at most
    `max_wait_s`. `pace=False` drops PyGithub's pauses between requests (tests), as
    does SWITCHYARD_GITHUB_PACING=off.
    """
    if not token or not token.strip():
        raise ConfigError(
            "no GitHub token given",
            hint="pass a token with read access to pull requests and contents "
            "(in Actions: the workflow's GITHUB_TOKEN)",
        )
    return Github(
        auth=Auth.Token(token.strip()),
        base_url=api_url.rstrip("/"),
        timeout=timeout,
        retry=_retry(max_wait_s, retries),
        per_page=100,
        user_agent="switchyard",
        **(_PACE if pace and pacing_on() else _NO_PACE),
    )


def github_app_client(
    app_id: int | str,
    private_key_pem: str,
    installation_id: int,
    api_url: str = DEFAULT_API_URL,
    *,
    timeout: int = 30,
    retries: int = 3,
    max_wait_s: float = 60.0,
    pace: bool = True,
) -> Github:
    """A client acting as one installation of a GitHub App. PyGithub asks for an
    installation token on first use and again shortly before it expires."""
    auth = Auth.AppAuth(app_id, private_key_pem).get_installation_auth(int(installation_id))
    return Github(
        auth=auth,
        base_url=api_url.rstrip("/"),
        timeout=timeout,
        retry=_retry(max_wait_s, retries),
        per_page=100,
        user_agent="switchyard",
        **(_PACE if pace and pacing_on() else _NO_PACE),
    )


def github_error(
    exc: Exception,
    action: str,
    *,
    api_url: str = DEFAULT_API_URL,
    token_name: str = "the GitHub token",
    permission: str = "Pull requests: read and Contents: read",
    retry_after: float | None = None,
) -> SwitchyardError:
    """A user-facing error for `exc`, raised while trying to `action`
    ("read pull request acme/api#42"). Call sites `raise github_error(...) from None`.
    What may pass (the network, a 5xx, a rate limit; `retry_after`: the wait it asked for,
    when known) is a ForgeUnavailable, which a worker runs again later."""
    if isinstance(exc, SwitchyardError):
        return exc
    if isinstance(exc, requests.exceptions.RetryError):
        # PyGithub's retries ran out on answers (a rate limit that held, a 5xx that lasted).
        return ForgeUnavailable(
            f"could not {action}: GitHub kept refusing ({_reason(exc)})", hint="run again later"
        )
    if isinstance(exc, NETWORK_ERRORS):
        return ForgeUnavailable(
            f"could not {action}: GitHub at {api_url} did not answer ({_reason(exc)})",
            hint="check the network and the API URL; GitHub Enterprise's is https://HOST/api/v3",
        )
    if not isinstance(exc, GithubException):
        return IncompleteError(f"could not {action}: {type(exc).__name__}: {_reason(exc)}")
    message = _message(exc)
    limited = rate_limit_wait(exc, 0, time.time()) is not None
    if isinstance(exc, RateLimitExceededException) or limited:
        return ForgeUnavailable(
            f"could not {action}: GitHub's rate limit was reached ({message})",
            hint="run again later; a GitHub App installation has higher limits than a "
            "personal token",
            retry_after=retry_after if retry_after is not None else asked_wait(exc),
        )
    status = exc.status
    if status == 401 or isinstance(exc, BadCredentialsException):
        return ConfigError(
            f"could not {action}: GitHub rejected {token_name} (401 {message})",
            hint="the token is mistyped, expired or revoked; create a new one",
        )
    if status == 403:
        return ConfigError(
            f"could not {action}: {token_name} is not allowed to (403 {message})",
            hint=f"grant the token {permission} on the repository "
            "(classic tokens: the `repo` scope for private repositories)",
        )
    if status == 404:
        return InputError(
            f"could not {action}: not found on {api_url}",
            hint=f"check the name and number; a private repository also answers 404 when "
            f"{token_name} cannot see it (it needs {permission})",
        )
    if status >= 500:
        return ForgeUnavailable(
            f"could not {action}: GitHub answered {status} ({message})",
            retry_after=asked_wait(exc),
        )
    return InputError(f"could not {action}: GitHub answered {status} ({message})")


def error_text(exc: GithubException) -> str:
    """GitHub's message and its `errors` list, as one line (still untrusted: escape to show)."""
    data = exc.data if isinstance(exc.data, dict) else {}
    parts = [str(data.get("message") or exc.status)]
    for err in data.get("errors") or []:
        if isinstance(err, dict):
            parts.append(str(err.get("message") or err.get("code") or err))
        else:
            parts.append(str(err))
    return "; ".join(p for p in parts if p)[:500]


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"]).split("\n", 1)[0]
    return exc.message or "no message"


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."


# -- rate limits: how long GitHub asked to wait -----------------------------------------


def header_value(headers: dict[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def _retry_after_s(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - now, 0.0)


def asked_wait(exc: GithubException, now: float | None = None) -> float | None:
    """The wait GitHub asked for in its answer (`Retry-After`, or the primary limit's
    reset), or None when it did not say."""
    now = time.time() if now is None else now
    retry_after = header_value(exc.headers, "retry-after")
    if retry_after is not None:
        return _retry_after_s(retry_after, now)
    reset = header_value(exc.headers, "x-ratelimit-reset")
    if header_value(exc.headers, "x-ratelimit-remaining") == "0" and reset and reset.isdigit():
        # Plus one: the reset second itself may not have passed on GitHub's side.
        return max(int(reset) - now, 0.0) + 1.0
    return None


def rate_limit_wait(exc: GithubException, attempt: int, now: float) -> float | None:
    """Seconds to wait before sending again, or None when the error is not a rate limit.

    `attempt` counts from 0; `now` is wall-clock epoch seconds (for `x-ratelimit-reset`).
    """
    message = _message(exc).lower()
    if exc.status == 422 and "submitted too quickly" in str(exc.data).lower():
        # GitHub's content-creation throttle on comments sometimes answers 422 so.
        return SECONDARY_BASE_WAIT_S * (2**attempt)
    if exc.status not in (403, 429):
        return None
    asked = asked_wait(exc, now)
    if asked is not None:
        return asked
    if exc.status == 429 or "rate limit" in message or "abuse" in message:
        return SECONDARY_BASE_WAIT_S * (2**attempt)
    return None  # a plain 403 is a permission answer: waiting will not change it
