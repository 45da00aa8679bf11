"""The armour of the key blocks bot/secrets/key_blocks.py reads: each format's first and
last lines, the substrings that tell a text may hold one, and what a line of key material
looks like."""

from __future__ import annotations

import re
from dataclasses import dataclass

PRIVATE_KEY = "private key"


@dataclass(frozen=True, slots=True)
class KeyFormat:
    begin: re.Pattern[str]
    end: re.Pattern[str]
    # Substrings one of which a text must hold to be searched for this format (a substring
    # test spares a regex pass over every text); empty: always searched. Either end marks
    # one: a hunk may show only a block's last rows.
    marks: tuple[str, ...] = ()
    kind: str = PRIVATE_KEY


# PEM, OpenSSH and PGP private keys.
PEM = KeyFormat(
    re.compile(r"-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"),
    re.compile(r"-----END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----"),
    ("PRIVATE KEY",),
)
# PuTTY's private key files: a header line, then public and private lines, then a MAC.
PUTTY = KeyFormat(
    re.compile(r"PuTTY-User-Key-File-[23]: [\w-]+"),
    re.compile(r"Private-(?:MAC|Hash): [0-9a-fA-F]+"),
    ("PuTTY-User-Key-File-", "Private-MAC: ", "Private-Hash: "),
)
# OpenVPN's shared key for tls-auth/tls-crypt (`openvpn --genkey`: 256 bytes of hex) and
# its tls-crypt-v2 client and server keys (base64).
_OPENVPN_KIND = r"OpenVPN (?:Static key V[12]|tls-crypt-v2 (?:client|server) key)"
OPENVPN = KeyFormat(
    re.compile(r"-----BEGIN " + _OPENVPN_KIND + "-----"),
    re.compile(r"-----END " + _OPENVPN_KIND + "-----"),
    ("-----BEGIN OpenVPN ", "-----END OpenVPN "),
    "OpenVPN static key",
)
# The SSH Communications (Tectia) private key, RFC 4716's armour with four dashes, which
# PuTTYgen exports as "ssh.com": "ENCRYPTED" even when its cipher is "none". Its public
# key, `---- BEGIN SSH2 PUBLIC KEY ----`, is left alone.
_SSH2_BEGIN, _SSH2_END = (
    "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
    "---- END SSH2 ENCRYPTED PRIVATE KEY ----",
)
SSH2 = KeyFormat(re.compile(_SSH2_BEGIN), re.compile(_SSH2_END), (_SSH2_BEGIN, _SSH2_END))

KEY_FORMATS = (PEM, PUTTY, OPENVPN, SSH2)

# Key material on one line of a block: the armour lines (RFC 4716's with four dashes) and
# base64 runs. Short runs are left alone so a rendered diff's line-number columns survive
# inside the block.
KEY_MATERIAL = re.compile(
    r"-----(?:BEGIN|END)[^\n]*?-----|---- (?:BEGIN|END) [^\n]*?----|[A-Za-z0-9+/=]{8,}"
)
KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{16,}")
# A block longer than this without an END line is cut at the first line without key material.
MAX_KEY_BLOCK = 16_000
