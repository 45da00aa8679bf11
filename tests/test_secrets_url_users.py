"""A token given as a URL's user (bot/secrets/url_secrets.py): `https://<token>@github.com/…`
in a clone, a remote, a pip requirement; GitHub's `<token>:x-oauth-basic@`, whose password
is a fixed word; NATS's token authentication. Values are drawn here, never real."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RNG = random.Random(7)
HEX40 = "".join(_RNG.choice("0123456789abcdef") for _ in range(40))
DRAWN = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(22)) + "7Qa"


@pytest.mark.parametrize(
    ("path", "text", "value"),
    [
        ("ci.sh", "git clone https://{h}@github.com/org/app.git\n", HEX40),
        (".gitconfig", '[url "https://{h}:x-oauth-basic@github.com/"]\n', HEX40),
        ("requirements.txt", "app-lib @ git+https://{d}@github.com/org/lib.git@v2\n", DRAWN),
        ("Makefile", "\tnats sub -s nats://{d}@nats.internal:4222 '>'\n", DRAWN),
    ],
)
def test_a_token_as_a_urls_user_is_masked_whole(path: str, text: str, value: str) -> None:
    text = text.format(h=HEX40, d=DRAWN)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]
    out = redact(text, path).text
    assert value[:8] not in out
    assert "github.com" in out or "nats.internal" in out  # the host is no secret


@pytest.mark.parametrize(
    "text",
    [
        "git clone https://deploy-bot-for-the-team@github.com/org/app.git\n",
        "git clone https://YOUR_PERSONAL_ACCESS_TOKEN@github.com/org/app.git\n",
        "SENTRY_DSN=https://{s}@o450123.ingest.sentry.io/5512345\n",
        'const sentryDSN = "https://{s}@errors.acme.dev/11762"\n',
        "svn co https://3f2c9a1e-8d4b-4f6a-9c2e-7b1d4f6a0e5c@svn.acme.dev/trunk\n",
    ],
)
def test_a_urls_user_that_is_a_name_or_a_public_key_is_not_reported(text: str) -> None:
    sentry_key = "".join(_RNG.choice("0123456789abcdef") for _ in range(32))
    assert find_secrets(text.format(s=sentry_key), "config/app.env") == []


def test_githubs_fixed_password_is_not_what_is_masked() -> None:
    text = f"url = https://{HEX40}:x-oauth-basic@github.com/org/app.git\n"
    assert "x-oauth-basic" in redact(text, ".git/config").text
