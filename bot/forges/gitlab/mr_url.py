"""Where a merge request lives, from what a user types: its web address or GROUP/PROJECT!N.

The instance is GITLAB_URL's (default https://gitlab.com), a relative root included
(https://host/gitlab). An address on any other instance is refused rather than followed:
GITLAB_TOKEN belongs to GITLAB_URL, and an address is not a reason to send it elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.errors import ConfigError, InputError

DEFAULT_URL = "https://gitlab.com"
URL_ENV = "GITLAB_URL"
EXAMPLE = "https://gitlab.com/GROUP/PROJECT/-/merge_requests/7 or GROUP/PROJECT!7"
# GitLab's paths: letters, digits, "_", "-" and "."; not starting with "-"; a project sits
# below at least one namespace, at most 20 deep.
_SEGMENT = r"[A-Za-z0-9_.][A-Za-z0-9_.-]*"
_PROJECT = rf"{_SEGMENT}(?:/{_SEGMENT}){{1,20}}"
_SHORT = re.compile(rf"^(?P<project>{_PROJECT})!(?P<iid>[0-9]+)$")
# The `/-/` form, and the older one without it (GitLab still redirects it).
_WEB_PATH = re.compile(rf"^/(?P<project>{_PROJECT})(?:/-)?/merge_requests/(?P<iid>[0-9]+)(?:/.*)?$")
_DOTCOM = frozenset({"gitlab.com", "www.gitlab.com"})


class MergeRequestRef(NamedTuple):
    instance: str  # GITLAB_URL, without a trailing slash
    project: str  # "group/sub/project"
    iid: int


def instance_url(environ: Mapping[str, str]) -> str:
    """GITLAB_URL (or the default) without a trailing slash; ConfigError if not a URL."""
    url = (environ.get(URL_ENV) or DEFAULT_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{URL_ENV} must be the instance's address, such as https://gitlab.example.com, "
            f"not {url!r}"
        )
    return url


def claims(text: str) -> bool:
    """Whether `text` is shaped like a GitLab merge request's address (on any host)."""
    value = text.strip()
    if _SHORT.match(value):
        return True
    parts = urlsplit(value) if "://" in value else None
    if parts is None or parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    return host in _DOTCOM or "/merge_requests/" in parts.path


def parse_mr_ref(text: str, instance: str) -> MergeRequestRef:
    """The merge request `text` names on `instance` (instance_url's). Raises InputError with
    an example for anything else, and for an address on another instance."""
    value = text.strip()
    short = _SHORT.match(value)
    if short:
        return _ref(instance, short["project"], short["iid"], text)
    parts = urlsplit(value) if "://" in value else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(text)
    base = urlsplit(instance)
    same_origin = (parts.scheme, parts.netloc.lower()) == (base.scheme, base.netloc.lower())
    root = base.path.rstrip("/")
    if not same_origin or not (parts.path == root or parts.path.startswith(root + "/")):
        raise InputError(
            f"{text.strip()!r} is not on {instance}: {URL_ENV} names the instance "
            "GITLAB_TOKEN is sent to",
            hint=f"set {URL_ENV}={parts.scheme}://{parts.netloc} (with its relative root, if "
            "any) and a token of that instance",
        )
    web = _WEB_PATH.match(parts.path[len(root) :])
    if web is None:
        raise _bad(text)
    return _ref(instance, web["project"], web["iid"], text)


def _ref(instance: str, project: str, iid: str, text: str) -> MergeRequestRef:
    number = int(iid)
    if number < 1 or any(part in (".", "..") for part in project.split("/")):
        raise _bad(text)
    return MergeRequestRef(instance, project, number)


def _bad(text: str) -> InputError:
    return InputError(
        f"not a merge request: {text.strip()!r}",
        hint=f"give a merge request's address, e.g. {EXAMPLE}",
    )
