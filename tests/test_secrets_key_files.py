"""Files whose whole content is a secret (bot/secrets/key_files.py): Rails' master key, an
Ansible Vault password file and a pre-shared key file, known by their paths. Values are
drawn at run time."""

from __future__ import annotations

import base64
import random
import string

import pytest

from bot.secrets import find_secrets, redact

# Seeded: pytest-xdist's workers must collect the same test ids.
_RNG = random.Random("key-files")
KEY = "".join(_RNG.choice("0123456789abcdef") for _ in range(32))
PASSWORD = "Vq7" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(20))
PSK_HEX = "".join(_RNG.choice("0123456789abcdef") for _ in range(64))
PSK_BASE64 = base64.b64encode(_RNG.randbytes(32)).decode()
# What Erlang writes when no cookie exists: 20 upper-case letters.
COOKIE = "".join(_RNG.choice(string.ascii_uppercase) for _ in range(20))


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("config/master.key", KEY, "Rails master key"),
        ("config/master.key", KEY + "\n", "Rails master key"),
        ("app/config/credentials/production.key", KEY + "\n", "Rails master key"),
        ("deploy/.vault_pass", PASSWORD + "\n", "Ansible Vault password"),
        ("vault_password.txt", "  " + PASSWORD + "  \r\n", "Ansible Vault password"),
        ("etc/zabbix/zabbix_agentd.psk", PSK_HEX + "\n", "pre-shared key file"),
        ("wireguard/peer1.psk", PSK_BASE64 + "\n", "pre-shared key file"),
        ("docker/rabbitmq/.erlang.cookie", COOKIE, "Erlang cookie"),
        (".erlang.cookie", PASSWORD + "\n", "Erlang cookie"),
    ],
)
def test_the_file_is_the_secret(path: str, text: str, kind: str) -> None:
    value = text.strip()
    hits = find_secrets(text, path)
    assert [(h.kind, text[h.start : h.end]) for h in hits] == [(kind, value)]
    assert value not in redact(text, path).text


def test_a_long_or_wrapped_vault_password_is_found_whole() -> None:
    # `openssl rand -base64 384` prints 512 characters wrapped at 64; unwrapped, one line.
    raw = base64.b64encode(_RNG.randbytes(384)).decode()
    wrapped = "\n".join(raw[i : i + 64] for i in range(0, len(raw), 64)) + "\n"
    for text in (raw + "\n", wrapped):
        hits = find_secrets(text, "deploy/.vault_pass")
        assert [h.kind for h in hits] == ["Ansible Vault password"]
        masked = redact(text, "deploy/.vault_pass").text
        assert not any(line and line in masked for line in text.split("\n"))


def test_a_prompt_shows_the_file_under_its_header() -> None:
    prompt = f"### config/master.key (added, +1 -0)\n@@ -0,0 +1,1 @@\n{KEY}\n"
    hits = find_secrets(prompt, "config/master.key")
    assert [prompt[h.start : h.end] for h in hits] == [KEY]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("lib/master.key", KEY),  # not Rails' place for it
        ("config/master.key.sample", KEY),
        ("config/master.key", "<%= ENV['RAILS_MASTER_KEY'] %>"),  # not 32 hex digits
        ("config/credentials/production.key", "-----BEGIN CERTIFICATE-----"),
        ("deploy/.vault_pass", "changeme\n"),  # a stand-in
        ("deploy/.vault_pass", "#!/bin/sh\npass show ansible/vault\n"),  # a script
        ("deploy/.vault_pass", ""),
        ("tests/fixtures/.vault_pass", "hunter2\n"),  # a test's weak fixture
        ("etc/zabbix/zabbix_agentd.psk", "0" * 64 + "\n"),  # a stand-in
        ("docs/keys.psk", "Generate one with `openssl rand -hex 32`.\n"),
        ("docker/rabbitmq/.erlang.cookie", "changeme\n"),  # a stand-in
        ("docker/rabbitmq/erlang.cookie.md", COOKIE),  # not the file Erlang reads
    ],
)
def test_other_files_and_other_contents_are_not_read(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
