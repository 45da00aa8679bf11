"""Passwords an operating system's unattended install is given, each in its installer's
grammar: Kickstart's `rootpw --plaintext …`, Debian's preseed (`d-i passwd/root-password
password …`, the user's and GRUB's), and Windows' answer file (`<AdministratorPassword>`,
`<Password>` of an account or of AutoLogon, `<Value>…</Value>` inside; with
`<PlainText>false</PlainText>` the value is base64 of the password, as good as the
password). An install's first password is often the machine's for good.

Judged as a daemon's password is (daemon_configs.daemon_value): references, placeholders,
weak fixtures in tests."""

from __future__ import annotations

import re

from bot.secrets.patterns import TokenPattern

INSTALLER_PASSWORD = "password in an installer's answers"
INSTALLER_KINDS = frozenset({INSTALLER_PASSWORD})

INSTALLER_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        INSTALLER_PASSWORD,
        re.compile(r"rootpw[ \t]+--plaintext[ \t]+(?P<v>\S{1,256})"),
        keywords=("rootpw",),
    ),
    TokenPattern(
        INSTALLER_PASSWORD,
        # (a preseed value is the rest of its line; `…-crypted` ones are crypt hashes)
        re.compile(
            r"(?:passwd/(?:root|user)-password|grub-installer/password)(?:-again)?"
            r"[ \t]+password[ \t]+(?P<v>\S[^\r\n]{0,255}?)[ \t]*\r?$",
            re.MULTILINE,
        ),
        keywords=("passwd/root-password", "passwd/user-password", "grub-installer/password"),
    ),
    TokenPattern(
        INSTALLER_PASSWORD,
        # (Windows Setup writes `*SENSITIVE*DATA*DELETED*` over the value once it is used)
        re.compile(
            r"<(?:AdministratorPassword|Password)>\s*<Value>(?!\*SENSITIVE\*DATA\*DELETED\*<)"
            r"(?P<v>[^<\n]{1,256})</Value>"
        ),
        keywords=("<value>",),
    ),
)
