"""GitHub App auth against a loopback GitHub that verifies the JWT with the App's public key;
token mode; and the worker's write-permission check for slash commands."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.errors import ConfigError
from bot.forges.github.app_auth import (
    InstallationTokens,
    StaticToken,
    token_source_from_environ,
)
from bot.forges.github.permissions import CommandGuard
from bot.jobs import Job

APP_ID = 31337
NOW = 1_700_000_000.0


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = _pem(KEY)
PUBLIC_KEY = KEY.public_key()


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class FakeGitHub:
    """Answers POST /app/installations/{id}/access_tokens for a JWT signed by KEY whose
    claims GitHub would accept, and GET .../collaborators/{user}/permission."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.token_requests: list[dict[str, Any]] = []
        self.permission_requests: list[str] = []
        self.permissions: dict[str, str] = {}
        self.lifetime_s = 3600
        self.status: int | None = None  # force an error status
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # as tests/fakes/http_base.py: no 40 ms stalls

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake.on_token(self)

            def do_GET(self) -> None:
                fake.on_permission(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(self, h: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def on_token(self, h: BaseHTTPRequestHandler) -> None:
        parts = h.path.strip("/").split("/")
        if parts[:2] != ["app", "installations"] or parts[3:] != ["access_tokens"]:
            return self.reply(h, 404, {"message": "Not Found"})
        auth = h.headers.get("Authorization", "")
        try:
            claims = jwt.decode(
                auth.removeprefix("Bearer "),
                PUBLIC_KEY,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return self.reply(h, 401, {"message": "A JSON web token could not be decoded"})
        now = self.clock()
        # GitHub's rules: iss the app, issued in the past, expiring within 10 minutes.
        if claims.get("iss") != str(APP_ID) or not (claims["iat"] <= now < claims["exp"]):
            return self.reply(h, 401, {"message": "'Issued at' claim (iat) must be in the past"})
        if claims["exp"] - claims["iat"] > 600:
            return self.reply(h, 401, {"message": "Expiration time claim (exp) is too far"})
        with self._lock:
            self.token_requests.append({"installation": int(parts[2]), **claims})
            n = len(self.token_requests)
        if self.status:
            return self.reply(h, self.status, {"message": "Integration not found"})
        expires = datetime.fromtimestamp(now + self.lifetime_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.reply(h, 201, {"token": f"ghs_token{n}_for_{parts[2]}", "expires_at": expires})

    def on_permission(self, h: BaseHTTPRequestHandler) -> None:
        # /repos/{owner}/{repo}/collaborators/{user}/permission
        parts = h.path.strip("/").split("/")
        if "collaborators" not in parts:
            return self.reply(h, 404, {"message": "Not Found"})  # not served by this fake
        self.permission_requests.append(h.headers.get("Authorization", ""))
        user = parts[4] if len(parts) == 6 else ""
        if user not in self.permissions:
            return self.reply(h, 404, {"message": "Not Found"})
        permission = self.permissions[user]
        self.reply(h, 200, {"permission": permission, "role_name": permission})

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def github(clock: Clock) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(clock)
    yield fake
    fake.close()


@pytest.fixture
def tokens(github: FakeGitHub, clock: Clock) -> Iterator[InstallationTokens]:
    t = InstallationTokens(APP_ID, PRIVATE_PEM, github.url, clock=clock)
    yield t
    t.close()


def test_jwt_claims_follow_githubs_rules(tokens: InstallationTokens) -> None:
    claims = jwt.decode(
        tokens.app_jwt(),
        PUBLIC_KEY,
        algorithms=["RS256"],
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == str(APP_ID)
    assert claims["iat"] == NOW - 60
    assert claims["exp"] - claims["iat"] <= 600
    assert claims["exp"] > NOW
    assert jwt.get_unverified_header(tokens.app_jwt())["alg"] == "RS256"


def test_installation_token_is_fetched_once_and_cached_until_a_minute_before_expiry(
    tokens: InstallationTokens, github: FakeGitHub, clock: Clock
) -> None:
    assert tokens.token(1) == "ghs_token1_for_1"
    assert tokens.token(1) == "ghs_token1_for_1"
    assert len(github.token_requests) == 1
    clock.now = NOW + 3600 - 61
    assert tokens.token(1) == "ghs_token1_for_1"
    clock.now = NOW + 3600 - 60
    assert tokens.token(1) == "ghs_token2_for_1"
    assert len(github.token_requests) == 2
    assert github.token_requests[1]["iat"] == clock.now - 60


def test_each_installation_has_its_own_token(
    tokens: InstallationTokens, github: FakeGitHub
) -> None:
    assert tokens.token(1).endswith("_for_1")
    assert tokens.token(2).endswith("_for_2")
    assert [r["installation"] for r in github.token_requests] == [1, 2]
    tokens.invalidate(1)
    assert tokens.token(1) == "ghs_token3_for_1"


def test_concurrent_callers_share_one_request(
    tokens: InstallationTokens, github: FakeGitHub
) -> None:
    got: list[str] = []
    barrier = threading.Barrier(8)

    def call() -> None:
        barrier.wait()
        got.append(tokens.token(5))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert got == ["ghs_token1_for_5"] * 8
    assert len(github.token_requests) == 1


def test_refusals_are_config_errors_that_leak_no_secret(
    tokens: InstallationTokens, github: FakeGitHub, clock: Clock
) -> None:
    github.status = 404
    with pytest.raises(ConfigError, match="has no installation 9") as missing:
        tokens.token(9)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = InstallationTokens(APP_ID, _pem(other_key), github.url, clock=clock)
    with pytest.raises(ConfigError, match="refused GitHub App 31337's JWT") as refused:
        wrong.token(1)
    wrong.close()
    for exc in (missing.value, refused.value):
        text = f"{exc.message} {exc.hint}"
        assert "PRIVATE KEY" not in text and "Bearer" not in text and "eyJ" not in text


def test_a_skewed_clock_is_refused_by_github(tokens: InstallationTokens, clock: Clock) -> None:
    tokens_clock = Clock()
    tokens_clock.now = NOW + 3600  # this machine an hour ahead of GitHub
    ahead = InstallationTokens(APP_ID, PRIVATE_PEM, tokens.api_url, clock=tokens_clock)
    with pytest.raises(ConfigError, match="iat") as skewed:
        ahead.token(1)
    assert "clock" in (skewed.value.hint or "")
    ahead.close()


def test_bad_keys_are_rejected_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as bad:
        InstallationTokens(APP_ID, "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key\n-----END")
    assert "not-a-key" not in bad.value.message
    ec_pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ConfigError, match="must be an RSA key"):
        InstallationTokens(APP_ID, ec_pem)


def test_reprs_hide_secrets(tokens: InstallationTokens) -> None:
    assert "ghp_secret" not in repr(StaticToken("ghp_secret"))
    assert "PRIVATE" not in repr(tokens)


def test_modes_from_the_environment(tmp_path: Path) -> None:
    token_mode = token_source_from_environ({"GITHUB_TOKEN": "ghp_x"})
    assert isinstance(token_mode, StaticToken) and token_mode.token(None) == "ghp_x"
    assert token_source_from_environ({}) is None
    key_file = tmp_path / "app.pem"
    key_file.write_text(PRIVATE_PEM)
    from_file = token_source_from_environ(
        {
            "GITHUB_APP_ID": "7",
            "GITHUB_APP_PRIVATE_KEY": str(key_file),
            "GITHUB_API_URL": "https://ghe.example/api/v3/",
            "GITHUB_TOKEN": "ignored",
        }
    )
    assert isinstance(from_file, InstallationTokens)
    assert from_file.app_id == "7" and from_file.api_url == "https://ghe.example/api/v3"
    escaped = token_source_from_environ(
        {"GITHUB_APP_ID": "7", "GITHUB_APP_PRIVATE_KEY": PRIVATE_PEM.replace("\n", "\\n")}
    )
    assert isinstance(escaped, InstallationTokens)
    with pytest.raises(ConfigError, match="needs GITHUB_APP_PRIVATE_KEY"):
        token_source_from_environ({"GITHUB_APP_ID": "7"})
    with pytest.raises(ConfigError, match="cannot read"):
        token_source_from_environ({"GITHUB_APP_ID": "7", "GITHUB_APP_PRIVATE_KEY": "/nope.pem"})


def test_app_mode_needs_an_installation(tokens: InstallationTokens) -> None:
    with pytest.raises(ConfigError, match="no GitHub App installation"):
        tokens.token(None)


def _comment_job(requester: str, api_url: str) -> Job:
    return Job(
        forge="github",
        repository="acme/api",
        number=3,
        head_sha="",
        tasks=("review",),
        trigger="comment",
        requester=requester,
        installation_id=1,
        api_url=api_url,
    )


def test_slash_commands_run_only_for_users_with_write_access(
    tokens: InstallationTokens, github: FakeGitHub
) -> None:
    github.permissions = {"writer": "write", "admin": "admin", "reader": "read"}
    ran: list[str] = []
    guarded = CommandGuard(tokens).wrap(lambda job: ran.append(job.requester))
    for who in ("writer", "admin", "reader", "stranger"):
        guarded(_comment_job(who, github.url))
    assert ran == ["writer", "admin"]
    assert github.permission_requests == ["Bearer ghs_token1_for_1"] * 4
    push = Job(
        forge="github", repository="acme/api", number=3, head_sha="a" * 40, api_url=github.url
    )
    guarded(push)  # pull request events need no permission check
    assert ran[-1] == "" and len(github.permission_requests) == 4
