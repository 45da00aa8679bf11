"""A password handed to a command in a script or a CI job: set by name for later
(`setx DB_PASSWORD "…"`, `gh secret set DB_PASSWORD --body "…"`), piped to `sudo -S`, or
written with its user in one quoted argument (`smbclient -U 'app%…'`). Each was sent whole,
or cut at its first `;` or `)`.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact

PASSWORD = "c-+S:k0d5u;m_07e)"


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("scripts/env.cmd", f'setx DB_PASSWORD "{PASSWORD}"'),
        ("scripts/env.cmd", f'setx DB_PASSWORD "{PASSWORD}" /M'),
        ("ci/secrets.sh", f"gh secret set DB_PASSWORD --body '{PASSWORD}'"),
        ("ci/secrets.sh", f"gh secret set DB_PASSWORD --repo acme/app -b '{PASSWORD}'"),
        ("ci/setup.sh", f"echo '{PASSWORD}' | sudo -S apt-get update"),
        ("ci/setup.sh", f"echo '{PASSWORD}' | sudo -k -S systemctl restart app"),
        ("ci/backup.sh", f"smbclient //srv/share -U 'app%{PASSWORD}' -c 'ls'"),
        # cmd.exe reads `;` and `)` as the password's own
        ("scripts/map.cmd", f"net use \\\\srv\\share /user:app {PASSWORD} /persistent:no"),
    ],
)
def test_a_password_handed_to_a_command_is_masked_whole(path: str, line: str) -> None:
    text = f"{line}\n"
    [hit] = find_secrets(text, path)
    assert text[hit.start : hit.end] == PASSWORD
    assert PASSWORD not in redact(text, path).text


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # a variable whose name says no secret, a reference, a file or a variable handed on
        ("scripts/env.cmd", 'setx JAVA_HOME "C:\\Program Files\\Java"'),
        ("scripts/env.cmd", 'setx DB_PASSWORD "%DB_PASSWORD%"'),
        ("ci/secrets.sh", "gh secret set DB_PASSWORD < db_password.txt"),
        ("ci/secrets.sh", 'gh secret set API_TOKEN --body "$API_TOKEN"'),
        ("ci/setup.sh", 'echo "$SUDO_PASSWORD" | sudo -S apt-get update'),
        ("scripts/map.cmd", "net use Z: \\\\srv\\share /user:app * /persistent:no"),
        # a pipe into sudo without -S reads no password
        ("ci/setup.sh", 'echo "Xk9Qv7!mZ2pW" | sudo tee /etc/motd'),
    ],
)
def test_what_hands_no_password_stays(path: str, line: str) -> None:
    assert find_secrets(f"{line}\n", path) == []
