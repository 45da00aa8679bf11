"""Files whose whole content is a secret, known by their path: Rails' master key
(`config/master.key`, `config/credentials/<env>.key`: 32 hex digits that decrypt the
committed `credentials.yml.enc`) and an Ansible Vault password file (`.vault_pass`,
`vault_password.txt`, ...: one line that decrypts every vaulted file). Nothing in the text
says "secret", so no other finder sees them; both are meant to stay out of the repository
(Rails' generator puts `master.key` in `.gitignore`) and are committed by mistake.

In a prompt the file is shown under its header (`### config/master.key (added, …)`) and a
hunk's `@@` line: those lines are not the file's."""

from __future__ import annotations

import re

from bot.secrets import sections
from bot.secrets.contexts import password_ok
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate

RAILS_MASTER_KEY = "Rails master key"
VAULT_PASSWORD_FILE = "Ansible Vault password"

_RAILS_KEY_PATH = re.compile(r"(?:^|/)config/(?:master|credentials/[\w.-]+)\.key$")
_VAULT_PASS_NAMES = frozenset(
    {".vault_pass", ".vault_password", ".vault-pass", ".vault-password", "vault_pass",
     "vault_password", "vault_pass.txt", "vault_password.txt", "vault-pass.txt",
     "vault-password.txt", ".vault_pass.txt", ".ansible_vault_pass"}
)  # fmt: skip
_HEX_KEY = re.compile(r"[0-9a-f]{32}")
_HUNK = re.compile(r"@@ -\d")
_LONGEST_PASSWORD = 256


def key_file_secrets(text: str, path: str | None, test: bool) -> list[Candidate]:
    """The secret that is `text` itself, when `path` names a key or password file."""
    if path is None:
        return []
    norm = path.replace("\\", "/")
    name = norm.rsplit("/", 1)[-1]
    rails = name.endswith(".key") and _RAILS_KEY_PATH.search(norm) is not None
    if not rails and name not in _VAULT_PASS_NAMES:
        return []
    content = _content_line(text)
    if content is None:
        return []
    s, e = content
    if rails:
        return [_candidate(s, e, RAILS_MASTER_KEY)] if _HEX_KEY.fullmatch(text, s, e) else []
    ok = e - s <= _LONGEST_PASSWORD and password_ok(text[s:e], test)
    return [_candidate(s, e, VAULT_PASSWORD_FILE)] if ok else []


def _content_line(text: str) -> tuple[int, int] | None:
    """The span of the file's one line of content (stripped), past a prompt's header and
    hunk lines; None when there are several."""
    found: tuple[int, int] | None = None
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped or sections.is_header(line) or _HUNK.match(line):
            continue
        if found is not None:
            return None
        lead = len(line) - len(line.lstrip())
        found = (start + lead, start + lead + len(stripped))
    return found


def _candidate(s: int, e: int, kind: str) -> Candidate:
    return Candidate(s, e, kind, RANK_TOKEN, SWITCHYARD)
