"""Credentials in network daemons' own grammars, with no `=` or `:` between a secret's name
and its value, so the assignment finders never read them:

- strongSwan's `ipsec.secrets`: `[selectors] : PSK "…"` (an IPsec VPN's pre-shared key,
  also as `0x…` hex or `0s…` base64), `: EAP "…"`, `user : XAUTH "…"`, `: NTLM "…"`;
- HAProxy's statistics page login, `stats auth admin:…`, and a userlist's
  `user admin insecure-password …` (its `password $6$…` is a crypt hash: hashes.py);
- a password under a plain-text scheme, `{PLAIN}…` (Dovecot's users file, LDAP);
- ProFTPD's `SQLConnectInfo db@host user password`, Exim's `mysql_servers =
  host/db/user/password` (and its other databases' lists);
- Net-SNMP's `createUser name SHA authpass AES privpass` and its community strings
  (`rocommunity`, `rwcommunity`, `com2sec name source community`), which are passwords
  for SNMP v1 and v2c;
- OpenVPN's inline `<auth-user-pass>` and `<http-proxy-user-pass>` blocks: a user name on
  one line, the password on the next, as the file `auth-user-pass` names would hold them.

Quoted and plain values are judged by a password's rules (references, placeholders, weak
fixtures in tests); strongSwan's `0x`/`0s` forms are encoded key material.
"""

from __future__ import annotations

import re

from bot.secrets import rules
from bot.secrets.contexts import password_ok
from bot.secrets.patterns import TokenPattern, value_span

VPN_SECRET = "VPN pre-shared key or password"
PROXY_PASSWORD = "proxy login password"
SCHEMED_PASSWORD = "password under a plain-text scheme"
DATABASE_LOGIN = "database password in a daemon's settings"
SNMP_SECRET = "SNMP community or passphrase"
DAEMON_KINDS = frozenset(
    {VPN_SECRET, PROXY_PASSWORD, SCHEMED_PASSWORD, DATABASE_LOGIN, SNMP_SECRET}
)
# A directive's argument, quoted or bare, up to a space or the line's end (`#` is a
# generated password's as often as a comment's).
_ARG = r"(?:\"(?P<q>[^\"\n]{1,256})\"|(?P<v>[^\s\"]{1,256}))(?=[ \t]|\r?$)"
# `createUser [-e engine] name MD5|SHA… authpass [DES|AES… privpass]`
_SNMP_USER = (
    r"^[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+"
    r"(?:MD5|SHA(?:-224|-256|-384|-512)?)[ \t]+"
)
# Every SNMP agent's documented defaults: known to all, so no secret.
_SNMP_DEFAULTS = frozenset({"public", "private"})


def _directive(kind: str, regex: str, *keywords: str) -> TokenPattern:
    """A directive's pattern, tried on the lines that hold one of its keywords."""
    return TokenPattern(
        kind, re.compile(regex, re.MULTILINE), keywords=keywords, on_keyword_lines=True
    )


DAEMON_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        VPN_SECRET,
        re.compile(
            r"(?:^|[ \t]):[ \t]*(?:PSK|EAP|XAUTH|NTLM)[ \t]+"
            r"(?:\"(?P<q>[^\"\n]{1,256})\"|(?P<v>0[xs][A-Za-z0-9+/=]{8,1024}))"
            r"(?=[ \t]*(?:#|\r?$))",
            re.MULTILINE,
        ),
        keywords=("psk", "eap", "xauth", "ntlm"),
        on_keyword_lines=True,
    ),
    TokenPattern(
        PROXY_PASSWORD,
        re.compile(
            r"^[ \t]*(?:stats[ \t]+auth[ \t]+[^\s:]{1,64}:"
            r"|user[ \t]+\S{1,64}[ \t]+insecure-password[ \t]+)"
            # (`#` opens a comment in HAProxy's grammar; in a value it is masked all the same)
            r"(?P<v>\S{1,128})(?=[ \t]*(?:#|\r?$)|[ \t]+groups[ \t])",
            re.MULTILINE,
        ),
        keywords=("stats auth", "insecure-password"),
        on_keyword_lines=True,
    ),
    # Dovecot's passwd-file and an LDAP `userPassword` name a password's scheme in braces;
    # `{PLAIN}`, `{CLEAR}` and `{CLEARTEXT}` keep it as it is (`{SHA512-CRYPT}` is a hash).
    TokenPattern(
        SCHEMED_PASSWORD,
        re.compile(r"\{(?:PLAIN|CLEAR|CLEARTEXT)\}(?P<v>[^\s:\"'<>]{1,256})"),
        keywords=("{plain}", "{clear"),
    ),
    _directive(
        DATABASE_LOGIN, r"^[ \t]*SQLConnectInfo[ \t]+\S+[ \t]+\S+[ \t]+" + _ARG, "sqlconnectinfo"
    ),
    # Each server of the list (`:` between them) is host/database/user/password.
    _directive(
        DATABASE_LOGIN,
        r"(?<=[=:\s])[^\s/:=]+(?:::?\d+)?/[^\s/:]*/[^\s/:]+/(?P<v>[^\s/:]{1,256})(?=\s|:|$)",
        "_servers",
    ),
    # createUser's authentication passphrase, then its privacy one.
    _directive(SNMP_SECRET, _SNMP_USER + _ARG, "createuser"),
    _directive(
        SNMP_SECRET,
        _SNMP_USER + r"\S+[ \t]+(?:DES|AES(?:128|192|256)?C?)[ \t]+" + _ARG,
        "createuser",
    ),
    # OpenVPN reads the second line whole, spaces and all, as the password.
    TokenPattern(
        VPN_SECRET,
        re.compile(
            r"<(?P<tag>auth-user-pass|http-proxy-user-pass)>[ \t]*\r?\n"
            r"[ \t]*[^\s<][^\n]{0,255}\n[ \t]*(?P<v>(?!</)\S[^\r\n]{0,255}?)[ \t]*\r?\n"
            r"[ \t]*</(?P=tag)>"
        ),
        keywords=("<auth-user-pass>", "<http-proxy-user-pass>"),
    ),
    _directive(
        SNMP_SECRET,
        r"^[ \t]*(?:r[ow]community6?[ \t]+"
        r"|com2sec6?[ \t]+(?:-Cn[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+)" + _ARG,
        "community",
        "com2sec",
    ),
)


def daemon_value(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The credential's span in a match of a daemon pattern, or None when it is none."""
    group, s, e = value_span(m, ("q", "sq", "v"))
    value = m.string[s:e]
    if kind == VPN_SECRET and group == "v" and value.startswith(("0x", "0s")):
        # strongSwan's `0x…`/`0s…` key material
        return None if rules.token_is_placeholder(value[2:]) else (s, e)
    if kind == SNMP_SECRET and value.lower() in _SNMP_DEFAULTS:
        return None
    return (s, e) if password_ok(value, test, quoted=True) else None
