"""Passwords given to the commands that create, change or use an account: Kerberos'
`kadmin`, OpenLDAP's `ldappasswd`, `mysqladmin password`, Windows' `net user`, `schtasks`
and PsExec, rdesktop, NetworkManager's `nmcli`, RAR's archive password, and a password
echoed into `passwd` or `smbpasswd` (a here-string into `vncpasswd`, `passwd --stdin` or
FreeIPA is contexts.py's, with the other here-strings). Setup scripts, Dockerfiles and CI
jobs write these with the password in the clear; each match is judged as
command_lines.py's are (context_values.context_value), so `$PASSWORD` and `*` (a prompt)
are not reported."""

from __future__ import annotations

import re

from bot.secrets.command_lines import ARGS, COMMAND_PASSWORD, command, quoted_or_bare
from bot.secrets.patterns import MAX_VALUE, TokenPattern

# cmd.exe reads `&|<>^` as its own; `/` opens the next switch, `*` asks for the password.
_CMD_ARG = quoted_or_bare("&|<>^", MAX_VALUE)
_WINDOWS_VALUE = r"(?![/*])"
# A string written twice with a line break between (`'pw\npw'`): a new password and its
# confirmation, as `passwd` and `smbpasswd` read them from a pipe.
_TWICE = rf"(?P<q>[\"'])(?P<v>[^\"'\\\n]{{1,{MAX_VALUE}}})\\n(?P=v)(?:\\n)?(?P=q)"
_STDIN_READERS = r"(?:sudo\s+)?(?:passwd|smbpasswd|vncpasswd|pdbedit|kpasswd)\b"

ACCOUNT_COMMAND_PATTERNS: tuple[TokenPattern, ...] = (
    # kadmin's own password (`-w`), and a principal's (`addprinc -pw …`, `cpw -pw …`)
    # in a query or a kadmin script.
    command(r"kadmin(?:\.local)?\b" + ARGS + r"-w\s+", "kadmin"),
    command(
        r"(?:addprinc|add_principal|ank|cpw|change_password)\s+(?:-\w+\s+)*?-pw\s+",
        "-pw",
        lines=True,
    ),
    # ldappasswd's new password (`-s`) and old one (`-a`); its bind password `-w` is
    # command_lines.py's, as every OpenLDAP tool's.
    command(r"ldappasswd\b" + ARGS + r"-[sa]\s+", "ldappasswd"),
    command(r"mysqladmin\b" + ARGS + r"password\s+", "mysqladmin"),
    command(r"net\s+user\s+(?:\"[^\"\n]+\"|\S+)\s+" + _WINDOWS_VALUE, "net user", arg=_CMD_ARG),
    # schtasks' `/rp` (the task's account) and `/p` (the user of `/u`); PsExec's `-p`.
    command(r"schtasks\b" + ARGS + r"/r?p\s+" + _WINDOWS_VALUE, "schtasks", arg=_CMD_ARG),
    command(r"psexec(?:64)?\b" + ARGS + r"-p\s+", "psexec"),
    command(r"rdesktop\b" + ARGS + r"-p\s+(?!-\s)", "rdesktop"),
    command(
        r"nmcli\b" + ARGS + r"(?:password|(?:wifi-sec|802-11-wireless-security)\.psk)\s+", "nmcli"
    ),
    # RAR's `-p…` and `-hp…` (headers encrypted too); a bare `-p` asks for it. (The word
    # first, its start checked after it: "rar" sits inside many words, and a pattern that
    # opens with a literal is searched for it, not tried at every position.)
    *(
        command(rf"{tool}(?<![\w./-]{tool})\s" + ARGS + r"-h?p(?=[^\s-])", "rar")
        for tool in ("rar", "unrar")
    ),
    # `echo -e 'pw\npw' | passwd bot`, `printf 'pw\npw\n' | smbpasswd -a -s bot`.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"(?:echo\s+(?:-[neE]{1,3}\s+)?|printf\s+)" + _TWICE + r"\s*\|\s*" + _STDIN_READERS
        ),
        keywords=("passwd", "pdbedit"),
        on_keyword_lines=True,
    ),
    # `(echo pw; echo pw) | smbpasswd -a -s bot`: the same word echoed twice.
    TokenPattern(
        COMMAND_PASSWORD,
        re.compile(
            r"\(\s*echo\s+(?P<q>[\"'])?(?P<v>(?(q)[^\"'\n]|[^\s\"';|&)]){1,"
            + str(MAX_VALUE)
            + r"})(?(q)(?P=q))\s*;\s*echo\s+(?P=q)?(?P=v)(?(q)(?P=q))\s*;?\s*\)\s*\|\s*"
            + _STDIN_READERS
        ),
        keywords=("passwd", "pdbedit"),
        on_keyword_lines=True,
    ),
    # PowerShell's `ConvertTo-SecureString Pw -AsPlainText` with a bare word (quoted ones
    # are command_lines.py's); `$var` and `(…)` are expressions.
    command(
        r"ConvertTo-SecureString\s+(?:-String\s+)?(?=[^\s$(\"'@][^\s)]*\s+-AsPlainText)",
        "securestring",
        arg=quoted_or_bare(")", MAX_VALUE),
    ),
)
