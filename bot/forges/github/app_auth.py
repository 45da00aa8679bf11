"""Credentials for GitHub's API: a GitHub App's installation tokens, or a plain token.

App mode signs a JWT (RS256, `iss` the app id, `iat` a minute in the past against clock
skew, `exp` nine minutes ahead: GitHub refuses more than ten) and trades it at
POST /app/installations/{id}/access_tokens for an installation token, which lasts an
hour. Tokens are cached per installation until a minute before they expire; one lock per
installation means concurrent workers wanting the same token make one request.

Token mode hands out GITHUB_TOKEN as it is. Secrets never appear in logs, messages or
reprs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bot.errors import ConfigError, IncompleteError

DEFAULT_API_URL = "https://api.github.com"
JWT_BACKDATE_S = 60
JWT_LIFETIME_S = 9 * 60  # after `now`; with the backdating, 10 minutes in all
REFRESH_MARGIN_S = 60
API_VERSION = "2022-11-28"


def api_headers(bearer: str) -> dict[str, str]:
    """Headers of a raw REST call to GitHub (where PyGithub is not used)."""
    return {
        "Authorization": f"Bearer {bearer}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    }


class TokenSource(Protocol):
    def token(self, installation_id: int | None = None) -> str: ...


class StaticToken:
    """Token mode: one token for every request (GITHUB_TOKEN, a PAT, an Actions token)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ConfigError("the GitHub token is empty")
        self._token = token

    def token(self, installation_id: int | None = None) -> str:
        return self._token

    def __repr__(self) -> str:
        return "StaticToken(***)"


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    refresh_at: float  # clock time after which it is fetched anew


class InstallationTokens:
    """App mode: `token(installation_id)` is a current installation token."""

    def __init__(
        self,
        app_id: int | str,
        private_key_pem: str | bytes,
        api_url: str = DEFAULT_API_URL,
        *,
        clock: Callable[[], float] = time.time,
        http: httpx.Client | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.app_id = str(app_id).strip()
        if not self.app_id:
            raise ConfigError("the GitHub App id is empty")
        self.api_url = api_url.rstrip("/")
        self._key = _load_key(private_key_pem)
        self._clock = clock
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=timeout_s)
        self._cache: dict[int, _Cached] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def app_jwt(self) -> str:
        """A JWT that authenticates as the app itself (for /app endpoints)."""
        now = int(self._clock())
        claims = {"iat": now - JWT_BACKDATE_S, "exp": now + JWT_LIFETIME_S, "iss": self.app_id}
        return jwt.encode(claims, self._key, algorithm="RS256")

    def token(self, installation_id: int | None = None) -> str:
        if installation_id is None:
            raise ConfigError(
                "this job has no GitHub App installation, and the server runs as an App",
                hint="set GITHUB_TOKEN for token mode, or install the App on the repository",
            )
        cached = self._cache.get(installation_id)
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.token
        with self._lock_for(installation_id):
            # Another thread may have fetched it while this one waited.
            cached = self._cache.get(installation_id)
            if cached is not None and self._clock() < cached.refresh_at:
                return cached.token
            fresh = self._fetch(installation_id)
            self._cache[installation_id] = fresh
            return fresh.token

    def invalidate(self, installation_id: int) -> None:
        """Forget a token GitHub refused (revoked, or the App was reinstalled)."""
        self._cache.pop(installation_id, None)

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __repr__(self) -> str:
        return f"InstallationTokens(app_id={self.app_id}, api_url={self.api_url!r})"

    def _lock_for(self, installation_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(installation_id, threading.Lock())

    def _fetch(self, installation_id: int) -> _Cached:
        url = f"{self.api_url}/app/installations/{installation_id}/access_tokens"
        try:
            response = self._http.post(url, headers=api_headers(self.app_jwt()))
        except httpx.HTTPError as exc:
            raise IncompleteError(
                f"cannot reach {self.api_url} for an installation token: {type(exc).__name__}"
            ) from None
        if response.status_code in (401, 403):
            raise ConfigError(
                f"GitHub refused GitHub App {self.app_id}'s JWT "
                f"({response.status_code}: {_message(response)})",
                hint="check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, and this machine's clock",
            )
        if response.status_code == 404:
            raise ConfigError(
                f"GitHub App {self.app_id} has no installation {installation_id}",
                hint="the App may have been uninstalled from that account",
            )
        if response.status_code != 201:
            raise IncompleteError(
                f"installation token for {installation_id}: HTTP {response.status_code} "
                f"({_message(response)})"
            )
        try:
            data = response.json()
            token = str(data["token"])
            expires = datetime.fromisoformat(str(data["expires_at"])).timestamp()
        except (ValueError, KeyError, TypeError):
            raise IncompleteError(
                f"installation token for {installation_id}: GitHub's answer lacks a token "
                "or its expires_at"
            ) from None
        return _Cached(token=token, refresh_at=expires - REFRESH_MARGIN_S)


def token_source_from_environ(environ: Mapping[str, str]) -> TokenSource | None:
    """App mode when GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are set, else token mode with
    GITHUB_TOKEN, else None. GITHUB_API_URL points at GitHub Enterprise Server."""
    api_url = environ.get("GITHUB_API_URL") or DEFAULT_API_URL
    app_id = environ.get("GITHUB_APP_ID", "").strip()
    key = environ.get("GITHUB_APP_PRIVATE_KEY", "")
    if app_id and key:
        return InstallationTokens(app_id, read_private_key(key), api_url)
    if app_id or key:
        missing = "GITHUB_APP_PRIVATE_KEY" if app_id else "GITHUB_APP_ID"
        raise ConfigError(f"GitHub App mode needs {missing} as well")
    token = environ.get("GITHUB_TOKEN", "")
    return StaticToken(token) if token else None


def read_private_key(value: str) -> str:
    """The PEM itself, with real or escaped (\\n) newlines, or the path of a .pem file."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        return text.replace("\\n", "\n")
    path = Path(text).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        # The value is a path here, not key material, so naming it is safe.
        raise ConfigError(
            f"GITHUB_APP_PRIVATE_KEY: cannot read {path}: {exc.strerror}",
            hint="give the PEM text itself, or the path of the App's .pem file",
        ) from None


def _load_key(pem: str | bytes) -> RSAPrivateKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key: Any = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # The key's text is never echoed.
        raise ConfigError(
            "the GitHub App private key is not a readable PEM private key",
            hint="download a new one from the App's settings; it starts with -----BEGIN",
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError("the GitHub App private key must be an RSA key")
    return key


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])[:200]
    return response.reason_phrase
