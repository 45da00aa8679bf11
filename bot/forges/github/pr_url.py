"""Where a pull request lives, from what a user types: a URL or OWNER/REPO#N."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.errors import InputError

DEFAULT_API_URL = "https://api.github.com"
EXAMPLE = "https://github.com/OWNER/REPO/pull/123 or OWNER/REPO#123"
# GitHub's rules: owners are letters, digits and single hyphens; names add "." and "_".
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_NAME = r"[A-Za-z0-9._-]{1,100}"
_SHORT = re.compile(rf"^(?P<repo>{_OWNER}/{_NAME})#(?P<number>[0-9]+)$")
_WEB_PATH = re.compile(rf"^/(?P<repo>{_OWNER}/{_NAME})/pulls?/(?P<number>[0-9]+)(?:/.*)?$")
_API_PATH = re.compile(
    rf"^(?P<prefix>/api/v3)?/repos/(?P<repo>{_OWNER}/{_NAME})/pulls/(?P<number>[0-9]+)/?$"
)
_DOTCOM = frozenset({"github.com", "www.github.com", "api.github.com"})
_ISSUE_PATH = re.compile(rf"^/{_OWNER}/{_NAME}/issues/[0-9]+")


class PullRequestRef(NamedTuple):
    api_url: str  # a guess from the host: github.com -> api.github.com, else HOST/api/v3
    repository: str  # "owner/name"
    number: int


def parse_pr_ref(text: str, *, api_url: str = DEFAULT_API_URL) -> PullRequestRef:
    """Parse a pull request URL (github.com, GitHub Enterprise, an API URL) or OWNER/REPO#N.

    `api_url` is used for the short form, which names no host. Raises InputError with an
    example for anything else.
    """
    value = text.strip()
    short = _SHORT.match(value)
    if short:
        return _ref(api_url.rstrip("/"), short["repo"], short["number"], text)
    if "://" not in value:
        raise _bad(text)
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise _bad(text)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/") or "/"

    api = _API_PATH.match(path)
    if api:
        guess = DEFAULT_API_URL if host in _DOTCOM else origin + (api["prefix"] or "")
        return _ref(guess, api["repo"], api["number"], text)

    web = _WEB_PATH.match(path)
    if web:
        return _ref(_api_for(parts.scheme, host, origin), web["repo"], web["number"], text)
    if _ISSUE_PATH.match(path):
        raise InputError(
            f"{text.strip()!r} is an issue, not a pull request",
            hint=f"give the pull request's address, e.g. {EXAMPLE}",
        )
    raise _bad(text)


def claims(text: str) -> bool:
    """Whether `text` is shaped like a GitHub address: OWNER/REPO#N, a github.com (or
    GitHub Enterprise Cloud) URL, or a URL whose path is a pull request's or an issue's,
    on any host (GitHub Enterprise Server's)."""
    value = text.strip()
    if _SHORT.match(value):
        return True
    parts = urlsplit(value) if "://" in value else None
    if parts is None or parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if host in _DOTCOM or host.endswith(".ghe.com"):
        return True
    path = parts.path.rstrip("/") or "/"
    return any(p.match(path) for p in (_WEB_PATH, _API_PATH, _ISSUE_PATH))


def _api_for(scheme: str, host: str, origin: str) -> str:
    if host in _DOTCOM:
        return DEFAULT_API_URL
    if host.endswith(".ghe.com"):
        # GitHub Enterprise Cloud with data residency serves its API at api.<subdomain>.
        return f"{scheme}://api.{host}"
    return f"{origin}/api/v3"


def _ref(api_url: str, repository: str, number: str, text: str) -> PullRequestRef:
    value = int(number)
    if value < 1:
        raise _bad(text)
    if repository.split("/", 1)[1] in (".", ".."):
        raise _bad(text)
    return PullRequestRef(api_url, repository, value)


def _bad(text: str) -> InputError:
    return InputError(
        f"not a pull request: {text.strip()!r}",
        hint=f"give a pull request's address, e.g. {EXAMPLE}",
    )
