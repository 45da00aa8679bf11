"""Credentials in network devices' configurations: Cisco IOS, IOS XE, NX-OS and ASA,
Juniper Junos and Fortinet FortiOS, as RANCID and Oxidized commit device backups to git
and Ansible's network roles template them.

A device's configuration names its secrets by its own grammar, with no `=` or `:` between
name and value (`username admin privilege 15 password 7 0822455D0A16`), so the assignment
finders never read them. These forms are credentials:

- **Cisco's type 7** (`password 7 …`, `key 7 …`, `key-string 7 …`, `md5 7 …`; NTP's
  `authentication-key 1 md5 … 7`): not a hash but a fixed XOR encoding that any tool, and
  any model, reverses: the password itself. A match counts only when it decodes to
  printable text (two decimal digits, the offset into Cisco's key, then hex pairs) that
  meets a password's rules, and the decoded password is masked in answers too.
- **Junos' `$9$`** (`secret "$9$…"; ## SECRET-DATA`, `authentication-key`,
  `pre-shared-key ascii-text`): Juniper's reversible encoding, as plain as type 7, and
  decoded and judged as it is.
- **FortiOS' `ENC`** (`set password ENC …`, `set psksecret ENC …`): an admin's hash or a
  secret encrypted under a key all FortiGates share; its plain form is judged as below.
- **Cisco ASA's hashes** (`enable password … encrypted`, `username … password …
  encrypted|pbkdf2`), but the empty password's well-known `8Ry2YjIyt7RRXU24`.
- **Plain text**: a user's or enable password given as type 0 or with no type, a TACACS+
  or RADIUS key, a BGP neighbor's password, an IKE pre-shared key (`crypto isakmp key`,
  a keyring's `pre-shared-key address … key`, Junos' `ascii-text "…"`), `key-string`,
  OSPF's and NTP's keys, an SNMP community other than the defaults `public` and
  `private`; judged by a password's rules (references, placeholders, weak fixtures in
  tests).

Cisco's hashed forms are password hashes: type 5 is MD5-crypt (`$1$`), types 8 and 9
(`$8$`, `$9$`: PBKDF2 and scrypt) are read with crypt(3)'s (hashes.py).
"""

from __future__ import annotations

import re

from bot.secrets import rules
from bot.secrets.contexts import password_ok
from bot.secrets.patterns import TokenPattern, value_span

CISCO_TYPE7 = "Cisco type 7 password"
JUNOS_SECRET = "Junos $9$ secret"
FORTIOS_SECRET = "FortiOS ENC secret"
ASA_HASH = "Cisco ASA password hash"
DEVICE_PASSWORD = "network device password"
DEVICE_KINDS = frozenset({CISCO_TYPE7, JUNOS_SECRET, FORTIOS_SECRET, ASA_HASH, DEVICE_PASSWORD})

# Cisco's type 7 key (53 characters; the first two digits of an encoded password say where
# in it the XOR starts).
_TYPE7_KEY = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"
_HEX_PAIRS = re.compile(r"[0-9]{2}(?:[0-9A-Fa-f]{2})+")

# A value ends a device's command, or a Junos statement at its `;`.
_END = r"(?=[ \t]*(?:;|!|\r?$))"
_PLAIN_VALUE = r"(?P<v>[^\s\"';!]\S{0,127})"
# FortiOS' `set <name> …` for a secret's names (`password`, `passwd`, `psksecret`,
# `auth-password`, `psksecret-remote`, ...).
_FORTIOS_SET = r"set[ \t]+(?:[\w-]*-)?(?:password|passwd|psksecret|secret)(?:-remote)?[ \t]+"

DEVICE_PATTERNS: tuple[TokenPattern, ...] = (
    TokenPattern(
        CISCO_TYPE7,
        re.compile(
            r"(?<![\w-])(?:password|secret|key|key-string|md5)[ \t]+7[ \t]+"
            r"(?P<v>[0-9]{2}[0-9A-Fa-f]{4,254})(?![\w-])"
            # NTP writes the type after the value: `ntp authentication-key 1 md5 0822… 7`.
            r"|(?<![\w-])authentication-key[ \t]+[0-9]+[ \t]+md5[ \t]+"
            r"(?P<ntp>[0-9]{2}[0-9A-Fa-f]{4,254})[ \t]+7\b",
            re.MULTILINE,
        ),
        keywords=("password 7", "secret 7", "key 7", "key-string 7", "md5 7", "authentication-key"),
        on_keyword_lines=True,
    ),
    TokenPattern(
        JUNOS_SECRET,
        re.compile(
            r"(?<![\w-])[\w-]*(?:secret|key|password|ascii-text|hexadecimal)[ \t]+"
            r"\"(?P<v>\$9\$[A-Za-z0-9./-]{4,1024})\""
        ),
        keywords=("$9$",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        DEVICE_PASSWORD,
        re.compile(
            r"^[ \t]*(?:"
            # `username admin [privilege 15] [role network-admin] password|secret [0] …`,
            # `enable password|secret [level 15] [0] …`; a type 5, 7, 8 or 9 value is read
            # as a hash or by the type 7 pattern.
            r"(?:username[ \t]+\S+(?:[ \t]+(?:privilege[ \t]+[0-9]+|role[ \t]+\S+))*|enable)"
            r"[ \t]+(?:password|secret)(?:[ \t]+level[ \t]+[0-9]+)?(?:[ \t]+0)?"
            r"(?![ \t]+[4-9][ \t])"
            # `tacacs-server [host 10.0.0.1] key [0] …`, `radius-server key …`. (A bare `key`
            # line of a `tacacs server` block is read in its type 7 form only: alone,
            # `key works.` is a docstring's line.)
            r"|(?:tacacs|radius)-server(?:[ \t]+host[ \t]+\S+)?[ \t]+key(?:[ \t]+0)?"
            r"(?![ \t]+[4-9][ \t])"
            # Routing protocols' and NTP's keys given plain: a BGP neighbor's password, an
            # IKE keyring's pre-shared key, `key-string`, OSPF's keys, NTP's (a type 7 or
            # NX-OS's type 3 value is encrypted: read as type 7, or not at all).
            r"|neighbor[ \t]+\S+[ \t]+password(?:[ \t]+0)?(?![ \t]+[3-9][ \t])"
            r"|pre-shared-key[ \t]+(?:address|hostname)[ \t]+\S+(?:[ \t]+\S+)?[ \t]+key"
            r"|key-string(?:[ \t]+0)?(?![ \t]+[3-9][ \t])"
            r"|ip[ \t]+ospf[ \t]+(?:authentication-key|message-digest-key[ \t]+[0-9]+[ \t]+md5)"
            r"(?:[ \t]+0)?(?![ \t]+[3-9][ \t])"
            r"|ntp[ \t]+authentication-key[ \t]+[0-9]+[ \t]+(?:md5|sha\d*|cmac\S*|hmac-\S+)"
            # An ASA tunnel group's IKE keys (`ikev1 pre-shared-key …`, IKEv2's local and
            # remote ones, the older bare `pre-shared-key …`); `show run` prints `*****`.
            r"|ikev1[ \t]+pre-shared-key"
            r"|ikev2[ \t]+(?:local|remote)-authentication[ \t]+pre-shared-key"
            r"|pre-shared-key(?![ \t]+(?:address|hostname|ascii-text|hexadecimal)[ \t])"
            r")[ \t]+" + _PLAIN_VALUE + _END,
            re.MULTILINE,
        ),
        keywords=(
            "username",
            "enable",
            "tacacs-server",
            "radius-server",
            "neighbor",
            "pre-shared-key",
            "key-string",
            "ospf",
            "authentication-key",
            "ikev1",
            "ikev2",
        ),
        on_keyword_lines=True,
    ),
    # IOS's classic IKE key, the peer after it: `crypto isakmp key … address 10.0.0.2`.
    TokenPattern(
        DEVICE_PASSWORD,
        re.compile(
            r"^[ \t]*crypto[ \t]+isakmp[ \t]+key(?:[ \t]+0)?(?![ \t]+[4-9][ \t])[ \t]+"
            + _PLAIN_VALUE
            + r"(?=[ \t]+(?:address|hostname)[ \t])",
            re.MULTILINE,
        ),
        keywords=("crypto isakmp key",),
        on_keyword_lines=True,
    ),
    # Junos given a key plain, in quotes (it shows it as `$9$…` once committed).
    TokenPattern(
        DEVICE_PASSWORD,
        re.compile(
            r"(?<![\w-])(?:pre-shared-key[ \t]+ascii-text|authentication-key|simple-password)"
            # (`;` ends a statement in a configuration; a `set` command ends with its line)
            r"[ \t]+\"(?P<q>[^\"$\n][^\"\n]{0,127})\"(?=[ \t]*(?:;|\r?$))",
            re.MULTILINE,
        ),
        keywords=("ascii-text", "authentication-key", "simple-password"),
        on_keyword_lines=True,
    ),
    # FortiOS: `set password ENC …`, `set psksecret ENC …` (an admin's salted hash, or a
    # secret encrypted under a key every FortiGate shares: CVE-2019-6693), or the value
    # plain, as a provisioning script or a template gives it.
    TokenPattern(
        FORTIOS_SECRET,
        re.compile(
            r"^[ \t]*" + _FORTIOS_SET + r"ENC[ \t]+(?P<v>[A-Za-z0-9+/]{16,1024}={0,2})[ \t]*\r?$",
            re.MULTILINE,
        ),
        keywords=("set ",),
        on_keyword_lines=True,
    ),
    TokenPattern(
        DEVICE_PASSWORD,
        re.compile(
            # Inside a `config`/`edit` block, indented as FortiOS prints it (a script's `set
            # password "…"` at the margin is Tcl's, read by contexts.py), and quoted
            # without a space (`set secret "a sentence"`).
            r"^[ \t]+"
            + _FORTIOS_SET
            + r"(?!ENC[ \t])(?:\"(?P<q>[^\"\s]{1,128})\"|(?P<v>[^\s\"'$]\S{0,127}))[ \t]*\r?$",
            re.MULTILINE,
        ),
        keywords=("set ",),
        on_keyword_lines=True,
    ),
    # An ASA's hashed passwords: `enable password … encrypted` (PIX-MD5, unsalted),
    # `username admin password … encrypted|pbkdf2`; as crackable as crypt(3)'s.
    TokenPattern(
        ASA_HASH,
        re.compile(
            r"^[ \t]*(?:enable[ \t]+password(?:[ \t]+level[ \t]+[0-9]+)?"
            r"|username[ \t]+\S+[ \t]+password)[ \t]+(?P<v>\S{12,160})[ \t]+(?:encrypted|pbkdf2)\b",
            re.MULTILINE,
        ),
        keywords=("encrypted", "pbkdf2"),
        on_keyword_lines=True,
    ),
    # `snmp-server community …` and its access (RO, RW, a view or an ACL).
    TokenPattern(
        DEVICE_PASSWORD,
        re.compile(
            r"^[ \t]*snmp-server[ \t]+community[ \t]+(?:0[ \t]+)?"
            # (in quotes when it holds a space or a symbol the parser would read)
            + r"(?:\"(?P<q>[^\"\n]{1,128})\"|"
            + _PLAIN_VALUE
            + r")(?=[ \t]+\S|[ \t]*\r?$)",
            re.MULTILINE,
        ),
        keywords=("snmp-server community",),
        on_keyword_lines=True,
    ),
)


def type7_decoded(value: str) -> str | None:
    """The password a Cisco type 7 value encodes, or None when `value` is not one."""
    if _HEX_PAIRS.fullmatch(value) is None:
        return None
    offset = int(value[:2])
    if offset >= len(_TYPE7_KEY):
        return None
    pairs = [int(value[i : i + 2], 16) for i in range(2, len(value), 2)]
    text = "".join(
        chr(b ^ ord(_TYPE7_KEY[(offset + i) % len(_TYPE7_KEY)])) for i, b in enumerate(pairs)
    )
    return text if text.isprintable() and text.isascii() else None


# Junos' `$9$` scheme (Kevin Brintnall's Crypt::Juniper describes it): 65 characters in
# four families; the first character after `$9$` is a salt whose family says how many
# random characters follow it; then each character of the secret is a run of "gaps"
# between consecutive characters, weighted by the next row of _JUNOS_WEIGHTS.
_JUNOS_FAMILIES = ("QzF3n6/9CAtpu0O", "B1IREhcSyrleKvMW8LXx", "7N-dVbwsY2g4oaJZGUDj", "iHkq.mPf5T")
_JUNOS_ALPHABET = "".join(_JUNOS_FAMILIES)
_JUNOS_AT = {c: i for i, c in enumerate(_JUNOS_ALPHABET)}
_JUNOS_EXTRA = {c: 3 - i for i, family in enumerate(_JUNOS_FAMILIES) for c in family}
_JUNOS_WEIGHTS = (
    (1, 4, 32),
    (1, 16, 32),
    (1, 8, 32),
    (1, 64),
    (1, 32),
    (1, 4, 16, 128),
    (1, 32, 64),
)


def junos_decoded(value: str) -> str | None:
    """The secret a Junos `$9$` value encodes, or None when `value` is not one."""
    body = value.removeprefix("$9$")
    if body == value or not body or any(c not in _JUNOS_AT for c in body):
        return None
    prev, rest = body[0], body[1 + _JUNOS_EXTRA[body[0]] :]
    out: list[str] = []
    while rest:
        weights = _JUNOS_WEIGHTS[len(out) % len(_JUNOS_WEIGHTS)]
        run, rest = rest[: len(weights)], rest[len(weights) :]
        if len(run) < len(weights):
            return None  # cut short
        total = 0
        for c, weight in zip(run, weights, strict=True):
            total += ((_JUNOS_AT[c] - _JUNOS_AT[prev]) % len(_JUNOS_ALPHABET) - 1) * weight
            prev = c
        out.append(chr(total % 256))
    text = "".join(out)
    return text if text and text.isprintable() and text.isascii() else None


_EMPTY_PIX = "8Ry2YjIyt7RRXU24"
# SNMP's default communities: known to everyone, in every device's manual.
_DEFAULT_COMMUNITIES = frozenset({"public", "private"})


def device_value(kind: str, m: re.Match[str], test: bool) -> tuple[int, int] | None:
    """The credential's span in a match of a device pattern, or None when it is none."""
    _, s, e = value_span(m, ("ntp", "q", "v"))
    value = m.string[s:e]
    if kind == FORTIOS_SECRET:
        return None if rules.token_is_placeholder(value) else (s, e)
    if kind == ASA_HASH:
        # `8Ry2YjIyt7RRXU24` is the PIX-MD5 hash of an empty password: every ASA's default.
        return None if value == _EMPTY_PIX or rules.token_is_placeholder(value) else (s, e)
    if kind == CISCO_TYPE7:
        # Judged as the password it encodes: `0822455D0A16` is "cisco", every manual's.
        password = type7_decoded(value)
        return (s, e) if password is not None and password_ok(password, test) else None
    if kind == JUNOS_SECRET:
        # Judged as the secret it encodes, as type 7 is (Batfish's `$9$czBSK87-wgoG` is "psk").
        secret = junos_decoded(value)
        return (s, e) if secret is not None and password_ok(secret, test) else None
    if value.lower() in _DEFAULT_COMMUNITIES and "community" in m.group(0):
        return None
    return (s, e) if password_ok(value, test) else None
