"""A python-gitlab client whose every request is counted and whose waits are bounded, and the
one place that turns GitLab's refusals into errors a user can act on.

Rate limits: python-gitlab would sleep whatever Retry-After says (an hour is possible) up
to ten times. Instead the transport below answers a 429 itself: it waits Retry-After (else
RateLimit-Reset, else a growing backoff) at most `max_wait_s` in all and `retries` times,
then raises, so a CI job reports the limit rather than hanging. A refused request created
nothing, so sending it again is safe. A 502/503/504 is retried for reads only: a POST
that timed out at a proxy may have been applied, and a discussion must not be posted twice.
python-gitlab's own retries are off (it never sees a 429), its pagination and objects are
used as they are.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import gitlab
import requests
from gitlab._backends import RequestsBackend
from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabHttpError

from bot.errors import ConfigError, IncompleteError, InputError, SwitchyardError
from bot.forges.contract import ForgeUnavailable, RequestCounts

TOKEN_ENV = "GITLAB_TOKEN"
DEFAULT_RETRIES = 3
DEFAULT_MAX_WAIT_S = 60.0
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_TRANSIENT = frozenset({502, 503, 504})
NETWORK_ERRORS = (requests.RequestException, ConnectionError, TimeoutError)


class RateLimited(GitlabHttpError):
    """GitLab kept answering 429 past what this run waits; `retry_after`: the wait it asked
    for last, when it said."""

    def __init__(self, message: str, code: int, body: bytes, *, retry_after: float | None) -> None:
        super().__init__(message, code, body)
        self.retry_after = retry_after


class _CountingTransport(RequestsBackend):
    """python-gitlab's HTTP backend, counting every request into `counts` and answering
    429s (and reads' 502-504s) itself, within bounds."""

    def __init__(self, *, retries: int, max_wait_s: float, sleep: Callable[[float], None]) -> None:
        super().__init__()
        self.counts = RequestCounts()
        self.retries = retries
        self.max_wait_s = max_wait_s
        self.sleep = sleep

    def http_request(self, method: str, url: str, **kwargs: Any) -> Any:
        verb = method.upper()
        waited = 0.0
        for attempt in range(self.retries + 1):
            if verb in _READS:
                self.counts.reads += 1
            else:
                self.counts.writes += 1
            answer = super().http_request(method, url, **kwargs)
            status = answer.status_code
            self.counts.log.append(f"{verb} {unquote(urlsplit(url).path)} -> {status}")
            wait = self._wait(status, answer.headers, attempt, verb)
            if wait is None:
                return answer
            too_long = waited + wait > self.max_wait_s
            if attempt == self.retries or too_long:
                break
            waited += wait
            self.counts.retries += 1
            self.counts.waited_s += wait
            self.sleep(wait)
        if status != 429:
            return answer  # a 5xx: python-gitlab raises it as GitLab's error
        raise RateLimited(
            f"GitLab's rate limit held after {attempt + 1} tries and {waited:.0f} s of waiting"
            + (f" (it asked for {wait:.0f} s more)" if too_long else ""),
            429,
            answer.content,
            retry_after=wait,
        )

    @staticmethod
    def _wait(status: int, headers: Any, attempt: int, verb: str) -> float | None:
        """Seconds to wait before sending again; None when the answer is to be kept."""
        if status == 429:
            for name in ("Retry-After", "RateLimit-Reset"):
                value = str(headers.get(name) or "").strip()
                if value.isdigit():
                    seconds = float(value)
                    # RateLimit-Reset is a time, Retry-After a delay.
                    return max(seconds - time.time(), 0.0) if name != "Retry-After" else seconds
            return float(2**attempt)
        if status in _TRANSIENT and verb in _READS:
            return float(2**attempt)
        return None


@dataclass
class GitLabAPI:
    """A python-gitlab client on one instance, and the counter its requests go to."""

    gl: gitlab.Gitlab
    transport: _CountingTransport
    url: str  # the instance, as GITLAB_URL names it

    @property
    def counts(self) -> RequestCounts:
        return self.transport.counts

    @contextmanager
    def counting(self, counts: RequestCounts) -> Iterator[None]:
        """Requests made inside go to `counts` (a publisher's), not to the client's own."""
        before, self.transport.counts = self.transport.counts, counts
        try:
            yield
        finally:
            self.transport.counts = before


def gitlab_api(
    url: str,
    token: str,
    *,
    timeout: float = 30.0,
    retries: int = DEFAULT_RETRIES,
    max_wait_s: float = DEFAULT_MAX_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> GitLabAPI:
    """A client for the instance at `url` (GITLAB_URL) with `token` (a personal, project or
    group access token, sent as PRIVATE-TOKEN)."""
    if not token or not token.strip():
        raise ConfigError(
            f"no GitLab token given: set {TOKEN_ENV}",
            hint="a project access token with the api scope and the Developer role "
            "(read_api reads only: nothing can be posted with it)",
        )
    transport = _CountingTransport(retries=retries, max_wait_s=max_wait_s, sleep=sleep)
    gl = gitlab.Gitlab(
        url,
        private_token=token.strip(),
        timeout=timeout,
        per_page=100,
        user_agent="switchyard",
        retry_transient_errors=False,
        # python-gitlab builds its backend from this callable; ours is made above, so the
        # counter stays reachable.
        backend=lambda **_: transport,
    )
    return GitLabAPI(gl, transport, url)


def gitlab_error(
    exc: Exception, action: str, *, url: str, need: str = "the read_api scope"
) -> SwitchyardError:
    """A user-facing error for `exc`, raised while trying to `action` ("read merge request
    group/project!7"). Call sites `raise gitlab_error(...) from None`. What may pass (no
    answer, a 5xx, a rate limit that held) is a ForgeUnavailable, which a worker runs again
    later."""
    if isinstance(exc, SwitchyardError):
        return exc
    if isinstance(exc, NETWORK_ERRORS):
        return ForgeUnavailable(
            f"could not {action}: GitLab at {url} did not answer ({_short(str(exc))})",
            hint="check the network and GITLAB_URL",
        )
    if not isinstance(exc, GitlabError):
        return IncompleteError(f"could not {action}: {type(exc).__name__}: {_short(str(exc))}")
    status = exc.response_code or 0
    text = error_text(exc)
    if status == 429:
        return ForgeUnavailable(
            f"could not {action}: {text}",
            hint="run again later; GitLab's rate limits are per user, so a token of its own "
            "keeps the bot's requests apart from a person's",
            retry_after=_asked_wait(exc),
        )
    if status == 401 or isinstance(exc, GitlabAuthenticationError):
        return ConfigError(
            f"could not {action}: GitLab rejected {TOKEN_ENV} ({text})",
            hint="the token is mistyped, expired or revoked; create a new one",
        )
    if status == 403:
        return ConfigError(
            f"could not {action}: {TOKEN_ENV} is not allowed to ({text})",
            hint=f"give the token {need} on the project",
        )
    if status == 404:
        return InputError(
            f"could not {action}: not found on {url}",
            hint="check the project's path and the number; a private project also answers "
            f"404 when {TOKEN_ENV} is not a member",
        )
    if status >= 500:
        return ForgeUnavailable(f"could not {action}: GitLab answered {text}")
    return InputError(f"could not {action}: GitLab answered {text}")


def _asked_wait(exc: BaseException) -> float | None:
    """The wait GitLab asked for, from the RateLimited under python-gitlab's own error (its
    `on_http_error` re-raises ours as, e.g., GitlabCreateError, from it)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, RateLimited):
            return seen.retry_after
        seen = seen.__cause__
    return None


def error_text(exc: Exception) -> str:
    """GitLab's status and message, as one line (untrusted: escape to show); for a network
    failure, what it was."""
    if not isinstance(exc, GitlabError):
        return _short(f"{type(exc).__name__}: {exc}")
    message = exc.error_message
    try:
        body = json.loads(exc.response_body or b"")
    except (TypeError, ValueError):
        body = None
    if isinstance(body, dict):
        parts = [body.get("message") or body.get("error"), body.get("error_description")]
        message = "; ".join(
            p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in parts if p
        )
    status = str(exc.response_code or "")
    if status and not str(message).startswith(status):
        message = f"{status} {message}"  # GitLab's own messages mostly start with it
    return _short(str(message), 500)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
