"""A JSON Web Key's members (RFC 7517, 7518): the private ones are secrets, the public ones
random-looking strings an entropy check would otherwise report. Both only in a key object:
its `kty` must be near, or, for a private member, another member only a key has (a hunk
shows a few lines of a key, its `kty` often not among them)."""

from __future__ import annotations

import re

from bot.secrets.patterns import TokenPattern
from bot.secrets.stand_ins import token_is_placeholder
from bot.secrets.wording import looks_random

JWK_PRIVATE = "private member of a JSON Web Key"

# How far from a JWK member its key object's `kty` may be (an RSA key's `n` alone is ~350
# characters of base64url, and members come in any order).
_JWK_REACH = 1200

# The private members: `d`, `p`, `q`, `dp`, `dq`, `qi` of an RSA or EC key, a symmetric
# key's `k` (RFC 7518, 6.2.2, 6.3.2 and 6.4.1), base64url. Run by contexts.py, judged by
# jwk_private_value; `n`, `e`, `x`, `y` are public.
JWK_PRIVATE_PATTERN = TokenPattern(
    JWK_PRIVATE,
    re.compile(
        r"(?<![\w$.-])[\"']?(?:d|p|q|dp|dq|qi|k)[\"']?\s*:\s*"
        r"(?P<q>[\"'])(?P<v>[A-Za-z0-9_\-]{16,})(?P=q)"
    ),
    # `kty`, or a member only a key object has, written as a name (quoted, or before `:`):
    # in base64, where two letters occur by chance, a name's quote or colon does not.
    keywords=(
        "kty",
        *(f"{q}{name}{q}" for name in ("dp", "dq", "qi", "crv") for q in "\"'"),
        *(f"{name}:" for name in ("dp", "dq", "qi", "crv")),
        "aqab",
    ),
)

# The public members: an RSA key's modulus and exponent, an EC or OKP key's point, a
# certificate chain and its thumbprints. Random to an entropy check, public in a key object
# (a JWKS document, a verifier's configuration).
_JWK_PUBLIC = re.compile(
    r"(?<![\w$.-])[\"']?(?:n|e|x|y|x5c|x5t(?:#S256)?)[\"']?\s*:\s*\[?\s*[\"']$"
)
_OPENS_LIST = re.compile(r"[\"']?x5c[\"']?\s*:\s*\[\s*$")
_NAME_REACH = 64


def jwk_private_value(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a private member's value, when a key object is near and the value is
    no stand-in."""
    s, e = m.span("v")
    value = m.string[s:e]
    near = m.string[max(0, m.start() - _JWK_REACH) : e + _JWK_REACH]
    if token_is_placeholder(value):
        return None
    if "kty" in near:
        return s, e
    # Without `kty`: the CRT members (`dp`, `dq`, `qi`: with the public key, any one of them
    # factors the modulus), an EC key's `crv` or its point (`x`, `y` in base64url) or an RSA
    # key's usual exponent `"AQAB"` tell a key object, and the value must look drawn.
    if _KEY_OBJECT.search(near) is None or len(value) < 20 or not looks_random(value):
        return None
    return s, e


_KEY_OBJECT = re.compile(
    r"""(?<![\w$.-])["']?(?:(?:dp|dq|qi|crv)["']?\s*:|[xy]["']?\s*:\s*["'][\w-]{32,}["'])"""
    r"""|["']AQAB["']"""
)


def jwk_public_member(text: str, start: int) -> bool:
    """Whether the string at `start` is a public member of a JSON Web Key: its name just
    before it (or `"x5c": [` a line up) and the key's `kty` near."""
    ls = text.rfind("\n", 0, start) + 1
    # (the name and its syntax are short: searched from the line's start, each of a long
    # line's strings read the line up to it)
    if _JWK_PUBLIC.search(text, max(ls, start - _NAME_REACH), start) is None:
        above = text.rfind("\n", 0, max(ls - 1, 0)) + 1
        if not (text[ls:start].strip() in ('"', "'") and _OPENS_LIST.search(text, above, ls)):
            return False
    return "kty" in text[max(0, start - _JWK_REACH) : start + _JWK_REACH]
