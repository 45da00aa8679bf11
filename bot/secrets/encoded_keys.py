"""Private keys and keystores written as one base64 value, known by what they decode to.

A key's DER (PKCS#8, PKCS#1, SEC1), a PKCS#12 bundle (`.p12`, `.pfx`: a key and its
certificate) or a Java keystore (JKS, JCEKS) in base64 is how CI variables, `.env` files,
Kubernetes values and Android signing set-ups carry one (`KEYSTORE_BASE64=MIIKXgIBAzCC…`,
`signing: MIIEvQIBADANBgkq…`). Under a name no rule takes for a secret's, and unquoted,
no name or entropy rule reported one: the value is what says it is a key, whatever its
name. Each value of a token line that opens as DER (`M`) or as a Java keystore's magic
number (0xFEEDFEED, 0xCECECECE: `/u3+7`, `zs7O`) is decoded and read: a private key as
`cryptography` loads it (der.private_der), a PKCS#12 PFX by its structure (RFC 7292:
version 3, then the authenticated content as PKCS#7 data or signed data), a keystore by
its magic number and version. Certificates and public keys, which open the same way, are
none of these.

A value wrapped over lines of one width (`base64` wraps at 76 characters, `openssl
base64` at 64; a YAML block scalar, a `.b64` file) is read joined, from a line that opens
so to a shorter last line; each line is its own part, so redaction keeps the lines. The
lines of an armoured block (`-----BEGIN …`) are key_blocks' to read, or a certificate's,
and neither finder reads them."""

from __future__ import annotations

import re
import string

from bot.secrets.der import private_der_bytes
from bot.secrets.key_armour import PRIVATE_KEY
from bot.secrets.line_finders import RANK_PRIVATE_KEY, SWITCHYARD, Candidate
from bot.secrets.text_lines import Lines
from bot.secrets.wording import decoded_base64

KEYSTORE = "keystore"

# The shortest: an Ed25519 key's PKCS#8 (48 bytes) is 64 characters.
_VALUE = re.compile(r"(?:M[C-I]|/u3\+7|zs7O)[A-Za-z0-9+/]{60,}={0,2}")
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/")
_RUN_ON = _BASE64 | {"="}  # after a value: its padding is taken, a third `=` is not one
_OPENINGS = ("M", "/u3+7", "zs7O")
_WRAPPED_OPENINGS = ("MI", "/u3+7", "zs7O")  # (a wrapped value is long: DER's `M` then `I`)

_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")  # OID 1.2.840.113549.1.7.1
_PKCS7_SIGNED = bytes.fromhex("06092a864886f70d010702")  # OID 1.2.840.113549.1.7.2
_JAVA_MAGIC = (b"\xfe\xed\xfe\xed", b"\xce\xce\xce\xce")  # JKS, JCEKS


def encoded_keys(line: str, base: int) -> list[Candidate]:
    """The base64 values of `line` (at offset `base` of its text) that decode to a private
    key or a keystore."""
    if not any(opening in line for opening in _OPENINGS):
        return []
    out: list[Candidate] = []
    for m in _VALUE.finditer(line):
        s, e = m.span()
        if (s and line[s - 1] in _BASE64) or (e < len(line) and line[e] in _RUN_ON):
            continue  # inside a longer run: not a value that starts here
        kind = _kind(m.group())
        if kind is not None:
            out.append(Candidate(base + s, base + e, kind, RANK_PRIVATE_KEY, SWITCHYARD))
    return out


# A wrapped value's first line (64 or 76 characters, any width from 60 to 100), after a
# diff's or a prompt's columns and an indentation; each line after it holds its run at the
# same column, every one as wide but the last.
_FIRST_LINE = re.compile(r"(?P<v>[A-Za-z0-9+/]{60,100})[ \t]*\r?$")
_NEXT_LINE = re.compile(r"(?P<v>[A-Za-z0-9+/]{1,100}={0,2})[ \t]*\r?")
# A PKCS#12 bundle of a 4096-bit key and a certificate chain: some 12 KB of base64.
_WRAPPED_MAX = 65_536


def wrapped_keys(text: str, lines: Lines, i: int) -> list[Candidate]:
    """A key or a keystore in base64 wrapped over lines of one width, its first line
    line `i` of `text`."""
    ls, le = lines.bounds(i)
    first = _FIRST_LINE.search(text, ls, le)
    if first is None or not first.group("v").startswith(_WRAPPED_OPENINGS):
        return []
    col = first.start("v") - ls
    if col and text[first.start("v") - 1] in _BASE64:
        return []  # inside a longer run
    width = first.end("v") - first.start("v")
    parts = [first.span("v")]
    for j in range(i + 1, min(len(lines.starts), i + _WRAPPED_MAX // width)):
        js, je = lines.bounds(j)
        if js + col >= je or (col and text[js + col - 1] in _BASE64):
            break
        m = _NEXT_LINE.fullmatch(text, js + col, je)
        if m is None:
            break
        parts.append(m.span("v"))
        if m.end("v") - m.start("v") != width or m.group("v").endswith("="):
            break  # the last line: shorter, or padded
    if len(parts) < 2:
        return []
    kind = _kind("".join(text[s:e] for s, e in parts))
    if kind is None:
        return []
    return [Candidate(parts[0][0], parts[-1][1], kind, RANK_PRIVATE_KEY, SWITCHYARD, tuple(parts))]


# An armoured block's lines: key_blocks reads a private key's, and a certificate's are
# public. A CA bundle is thousands of them, each a token line of base64.
_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{1,40}-----")


def armoured_lines(text: str, lines: Lines) -> set[int]:
    """The lines from each `-----BEGIN …-----` to its `-----END` (or as far as a block
    runs, when it has none)."""
    out: set[int] = set()
    pos = 0
    while (m := _BEGIN.search(text, pos)) is not None:
        end = text.find("-----END ", m.end(), m.end() + _WRAPPED_MAX)
        end = min(len(text), m.end() + _WRAPPED_MAX) if end == -1 else end
        out.update(range(lines.index(m.start()), lines.index(end) + 1))
        pos = max(end, m.end())
    return out


def _kind(value: str) -> str | None:
    raw = decoded_base64(value)
    if raw is None:
        return None
    if value.startswith("M"):
        # DER whole, or no key: a PEM block's first line (a certificate's, in a CA bundle
        # one in every block) opens so too, and is not parsed.
        body = _sequence_body(raw)
        if body is None:
            return None
        if private_der_bytes(raw):
            return PRIVATE_KEY
        return KEYSTORE if _pkcs12(raw, body) else None
    if raw[:4] not in _JAVA_MAGIC:
        return None
    return KEYSTORE if raw[4:8] in (b"\x00\x00\x00\x01", b"\x00\x00\x00\x02") else None


def _pkcs12(raw: bytes, body: int) -> bool:
    """Whether `raw`, a SEQUENCE over all of it whose contents start at `body`, is a
    PKCS#12 PFX: version 3, then a ContentInfo of PKCS#7 data or signed data."""
    if not raw.startswith(b"\x02\x01\x03\x30", body):
        return False
    info = _sequence_body(raw, body + 3, whole=False)
    return info is not None and raw.startswith((_PKCS7_DATA, _PKCS7_SIGNED), info)


def _sequence_body(raw: bytes, at: int = 0, *, whole: bool = True) -> int | None:
    """Where the contents of the DER SEQUENCE at `at` start; with `whole`, only when its
    length runs to the end of `raw`."""
    if len(raw) < at + 2 or raw[at] != 0x30:
        return None
    first = raw[at + 1]
    if first == 0x80:  # BER's indefinite length, as Windows writes a PFX: to `00 00`
        return at + 2 if not whole or raw.endswith(b"\x00\x00") else None
    if first < 0x80:
        start, length = at + 2, first
    else:
        count = first & 0x7F
        if not 1 <= count <= 4 or len(raw) < at + 2 + count:
            return None
        start, length = at + 2 + count, int.from_bytes(raw[at + 2 : at + 2 + count], "big")
    end = start + length
    if end > len(raw) or (whole and end != len(raw)):
        return None
    return start
