"""Files whose whole content is a secret, known by their path: Rails' master key
(`config/master.key`, `config/credentials/<env>.key`: 32 hex digits that decrypt the
committed `credentials.yml.enc`), an Ansible Vault password file (`.vault_pass`,
`vault_password.txt`, ...: one line that decrypts every vaulted file), a pre-shared key
file (`*.psk`: Zabbix's TLS key as hex, a WireGuard preshared key as base64) and an
Erlang cookie (`.erlang.cookie`: RabbitMQ's and every Erlang cluster's shared secret,
which lets its holder run code on each node). Nothing in
the text says "secret", so no other finder sees them; all are meant to stay out of the
repository (Rails' generator puts `master.key` in `.gitignore`) and are committed by
mistake.

In a prompt the file is shown under its header (`### config/master.key (added, …)`) and a
hunk's `@@` line: those lines are not the file's."""

from __future__ import annotations

import re

from bot.secrets import rules, sections
from bot.secrets.contexts import password_ok
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.patterns import MAX_VALUE

RAILS_MASTER_KEY = "Rails master key"
VAULT_PASSWORD_FILE = "Ansible Vault password"
PRE_SHARED_KEY = "pre-shared key file"
ERLANG_COOKIE = "Erlang cookie"

_RAILS_KEY_PATH = re.compile(r"(?:^|/)config/(?:master|credentials/[\w.-]+)\.key$")
_VAULT_PASS_NAMES = frozenset(
    {".vault_pass", ".vault_password", ".vault-pass", ".vault-password", "vault_pass",
     "vault_password", "vault_pass.txt", "vault_password.txt", "vault-pass.txt",
     "vault-password.txt", ".vault_pass.txt", ".ansible_vault_pass"}
)  # fmt: skip
_HEX_KEY = re.compile(r"[0-9a-f]{32}")
# A TLS pre-shared key file's one line (Zabbix's `openssl rand -hex 32`, 32 to 512 hex
# digits) or a WireGuard preshared key (`wg genpsk`: 32 bytes in base64).
_PSK = re.compile(r"[0-9A-Fa-f]{32,512}|[A-Za-z0-9+/]{43}=")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HUNK = re.compile(r"@@ -\d")


def key_file_secrets(text: str, path: str | None, test: bool) -> list[Candidate]:
    """The secret that is `text` itself, when `path` names a key or password file."""
    if path is None:
        return []
    norm = path.replace("\\", "/")
    name = norm.rsplit("/", 1)[-1]
    rails = name.endswith(".key") and _RAILS_KEY_PATH.search(norm) is not None
    psk = name.endswith(".psk")
    cookie = name == ".erlang.cookie"
    if not (rails or psk or cookie) and name not in _VAULT_PASS_NAMES:
        return []
    lines = _content_lines(text)
    if not lines:
        return []
    if psk:
        s, e = lines[0]
        key = (
            len(lines) == 1
            and _PSK.fullmatch(text, s, e) is not None
            and not rules.token_is_placeholder(text[s:e])
        )
        return [_candidate(lines, PRE_SHARED_KEY)] if key else []
    if len(lines) == 1:
        s, e = lines[0]
        if rails:
            return [_candidate(lines, RAILS_MASTER_KEY)] if _HEX_KEY.fullmatch(text, s, e) else []
        ok = e - s <= MAX_VALUE and password_ok(text[s:e], test)
        kind = ERLANG_COOKIE if cookie else VAULT_PASSWORD_FILE
        return [_candidate(lines, kind)] if ok else []
    # `openssl rand -base64 2048 > .vault_pass` wraps at 64 characters: every line is base64
    # (a password client script's lines are not; an Erlang cookie is one line).
    if rails or cookie or not all(_BASE64_LINE.fullmatch(text, s, e) for s, e in lines):
        return []
    return [_candidate(lines, VAULT_PASSWORD_FILE)]


def _content_lines(text: str) -> list[tuple[int, int]]:
    """The spans of the file's lines of content (stripped), past a prompt's header and
    hunk lines."""
    found: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped or sections.is_header(line) or _HUNK.match(line):
            continue
        lead = len(line) - len(line.lstrip())
        found.append((start + lead, start + lead + len(stripped)))
    return found


def _candidate(parts: list[tuple[int, int]], kind: str) -> Candidate:
    """The file's content, each line its own part (redaction keeps the lines)."""
    return Candidate(parts[0][0], parts[-1][1], kind, RANK_TOKEN, SWITCHYARD, tuple(parts))
