"""Credentials in network daemons' own grammars, with no `=` or `:` between a secret's name
and its value, so the assignment finders never read them:

- strongSwan's `ipsec.secrets`: `[selectors] : PSK "…"` (an IPsec VPN's pre-shared key,
  also as `0x…` hex or `0s…` base64), `: EAP "…"`, `user : XAUTH "…"`, `: NTLM "…"`;
- HAProxy's statistics page login, `stats auth admin:…`, and a userlist's
  `user admin insecure-password …` (its `password $6$…` is a crypt hash: hashes.py);
- a password under a plain-text scheme, `{PLAIN}…` (Dovecot's users file, LDAP).

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
DAEMON_KINDS = frozenset({VPN_SECRET, PROXY_PASSWORD, SCHEMED_PASSWORD})

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
)


def daemon_value(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The credential's span in a match of a daemon pattern, or None when it is none."""
    group, s, e = value_span(m, ("q", "v"))
    value = m.string[s:e]
    if kind == VPN_SECRET and group == "v":  # strongSwan's `0x…`/`0s…` key material
        return None if rules.token_is_placeholder(value[2:]) else (s, e)
    return (s, e) if password_ok(value, test, quoted=True) else None
