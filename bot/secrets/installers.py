"""Passwords an operating system's unattended install is given, each in its installer's
grammar: Kickstart's `rootpw --plaintext …`, Debian's preseed (`d-i passwd/root-password
password …`, the user's and GRUB's), and Windows' answer file (`<AdministratorPassword>`,
`<Password>` of an account or of AutoLogon, `<Value>…</Value>` inside; with
`<PlainText>false</PlainText>` the value is base64 of the password, as good as the
password), and cloud-init's `chpasswd: list:` (`user:password` per line, in a block
scalar, a sequence or a flow list). An install's first password is often the machine's
for good.

Judged as a daemon's password is (daemon_configs.daemon_value): references, placeholders,
weak fixtures in tests."""

from __future__ import annotations

import re

from bot.secrets.contexts import password_ok
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
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


# cloud-init's `chpasswd:` module: `list:` holds `user:password` pairs, one per line of a
# block scalar (`list: |`), one per item of a sequence, or in a flow list (`list: [a:b]`).
# `RANDOM` (or `R`) asks cloud-init to draw the password; a crypt hash (`$6$…`) is stored
# as it is. (Its newer `users:` form writes `password: …`, an assignment like any other.)
_CHPASSWD = re.compile(r"^(?P<indent>[ \t]*)chpasswd:[ \t]*\r?$", re.MULTILINE)
_LIST = re.compile(r"[ \t]*list:[ \t]*(?P<rest>[^\r\n]*)")
_PAIR = re.compile(r"""[-\s]*(?P<q>["']?)[^\s:"'\[\]]+:(?P<v>[^\r\n]*?)(?P=q)[ \t]*,?[ \t]*\r?$""")
_FLOW_PAIR = re.compile(r"""(?P<q>["']?)[^\s:"',\[\]]+:(?P<v>[^,\]\r\n]*?)(?P=q)[ \t]*(?=[,\]])""")
_HASHED = re.compile(r"\$[0-9a-z]{1,2}\$")
_INDENT = re.compile(r"[ \t]*")
_BLOCK_MAX = 50


def chpasswd_passwords(text: str, test: bool) -> list[Candidate]:
    """The passwords of cloud-init's `chpasswd: list:` in `text`."""
    out: list[Candidate] = []
    for m in _CHPASSWD.finditer(text):
        for ls, le in _block(text, m.end(), len(m.group("indent"))):
            listed = _LIST.match(text, ls, le)
            if listed is None:
                continue
            rest = listed.group("rest").strip()
            if rest.startswith("["):
                spans = [p.span("v") for p in _FLOW_PAIR.finditer(text, listed.start("rest"), le)]
            else:
                spans = [
                    p.span("v")
                    for ps, pe in _block(text, le, _indent(text, ls))
                    if (p := _PAIR.match(text, ps, pe)) is not None
                ]
            out.extend(
                Candidate(s, e, INSTALLER_PASSWORD, RANK_TOKEN, SWITCHYARD)
                for s, e in spans
                if _chosen(text[s:e], test)
            )
    return out


def _chosen(value: str, test: bool) -> bool:
    """A password someone wrote: not one cloud-init draws, nor a crypt hash."""
    if value in ("RANDOM", "R") or _HASHED.match(value):
        return False
    return password_ok(value, test, quoted=True)


def _block(text: str, at: int, indent: int) -> list[tuple[int, int]]:
    """(start, end) of the lines after `at` indented deeper than `indent` (blank lines
    kept), up to _BLOCK_MAX of them."""
    out: list[tuple[int, int]] = []
    ls = at + 1
    while ls < len(text) and len(out) < _BLOCK_MAX:
        le = text.find("\n", ls)
        le = len(text) if le == -1 else le
        if text[ls:le].strip() and _indent(text, ls) <= indent:
            break
        out.append((ls, le))
        ls = le + 1
    return out


def _indent(text: str, ls: int) -> int:
    return _INDENT.match(text, ls).end() - ls  # type: ignore[union-attr]
