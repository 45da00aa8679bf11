"""Paced requests to GitHub: every call the publisher makes goes through here.

GitHub's guidance for content-creating requests (reviews, comments, check runs, statuses):
send them one at a time, at least one second apart, and when a secondary rate limit answers
(403 or 429), wait for `Retry-After` if given, else until `x-ratelimit-reset` when
`x-ratelimit-remaining` is 0, else at least a minute, growing on each repeat. A refused
request created nothing, so sending it again is safe.

The HTTP itself is PyGithub's requester, so its authentication, GHES base URL and
connection-level retries apply. PyGithub's own write spacing, when left on, measures from the
same last write and so adds nothing to ours. Sleep and clocks are injected: tests never wait.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from github import Github
from github.GithubException import GithubException

from bot.forges.contract import ForgeUnavailable, RequestCounts
from bot.forges.github.client import (
    DEFAULT_API_URL,
    NETWORK_ERRORS,
    github_error,
    header_value,
    pacing_on,
    rate_limit_wait,
)

MIN_WRITE_INTERVAL_S = 1.0
DEFAULT_MAX_RETRIES = 3
# A CI job should fail rather than hang: a longer wait than this is reported, not waited.
DEFAULT_MAX_WAIT_S = 600.0
PER_PAGE = 100
MAX_PAGES = 50  # 5,000 comments: beyond that a PR is not one we page through every run

_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class PacedClient:
    """Sends requests through PyGithub's requester, counting, spacing and retrying them."""

    def __init__(
        self,
        gh: Github,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        min_write_interval_s: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
    ) -> None:
        self._requester = gh.requester
        # For error messages only; a stand-in requester may not have one.
        self._url = str(getattr(gh.requester, "base_url", DEFAULT_API_URL))
        self._sleep = sleep
        self._clock = clock
        self._wall = wall_clock
        if min_write_interval_s is None:  # a second, unless SWITCHYARD_GITHUB_PACING=off
            min_write_interval_s = MIN_WRITE_INTERVAL_S if pacing_on() else 0.0
        self.min_write_interval_s = min_write_interval_s
        self.max_retries = max_retries
        self.max_wait_s = max_wait_s
        self.counts = RequestCounts()
        self._last_write: float | None = None

    # -- reads -------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)[1]

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `Link: rel="next"` page by page."""
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            headers, data = self._send("GET", url, params=query)
            yield from data or []
            link = header_value(headers, "link") or ""
            m = _NEXT_LINK.search(link)
            url, query = (m.group(1), None) if m else (None, None)

    # -- writes ------------------------------------------------------------------------------

    def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return self._send(method, path, body=body)[1]

    # -- plumbing ----------------------------------------------------------------------------

    def _pace(self) -> None:
        if self._last_write is None or self.min_write_interval_s <= 0:
            return
        gap = self.min_write_interval_s - (self._clock() - self._last_write)
        if gap > 0:
            self.counts.paced_s += gap
            self._sleep(gap)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], Any]:
        is_write = method != "GET"
        waited = 0.0
        attempt = 0
        while True:
            if is_write:
                self._pace()
                self.counts.writes += 1
            else:
                self.counts.reads += 1
            try:
                headers, data = self._requester.requestJsonAndCheck(
                    method, path, parameters=params, input=body
                )
            except NETWORK_ERRORS as exc:
                # No answer (or PyGithub's retries ran out): may pass, so a worker runs the
                # job again later; never resent here, since a write may have been applied.
                self.counts.log.append(f"{method} {_path_only(path)} -> {type(exc).__name__}")
                raise github_error(exc, f"{method} {_path_only(path)}", api_url=self._url) from exc
            except GithubException as exc:
                self.counts.log.append(f"{method} {_path_only(path)} -> {exc.status}")
                wait = rate_limit_wait(exc, attempt, self._wall())
                if wait is None or attempt >= self.max_retries or waited + wait > self.max_wait_s:
                    # A rate limit that held or a 5xx that lasted may pass: ForgeUnavailable,
                    # run again later. Any other refusal stays GitHub's, for the step to say.
                    error = github_error(
                        exc, f"{method} {_path_only(path)}", api_url=self._url, retry_after=wait
                    )
                    if isinstance(error, ForgeUnavailable):
                        raise error from exc
                    raise
                attempt += 1
                waited += wait
                self.counts.retries += 1
                self.counts.waited_s += wait
                self._sleep(wait)
                continue
            finally:
                if is_write:
                    self._last_write = self._clock()
            self.counts.log.append(f"{method} {_path_only(path)} -> ok")
            return headers, data


def _path_only(url: str) -> str:
    path = re.sub(r"^https?://[^/]+", "", url)
    return path.split("?", 1)[0]
