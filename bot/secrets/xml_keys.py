"""An RSA private key in .NET's XML form (`RSA.ToXmlString(true)`, `ExportParameters`
written out): `<RSAKeyValue>` holding the public `<Modulus>` and `<Exponent>` and the
private `<P>`, `<Q>`, `<DP>`, `<DQ>`, `<InverseQ>` and `<D>`, each in base64. No PEM armour
marks it, so the block scan does not see it; each private member is a secret of its own
(any one of them, with the public key, gives the private key away).

Written in a config file's value the elements may be escaped (`&lt;D&gt;…`). `P`, `Q` and
`D` are short names other XML uses too: a member counts only with a name only such a key
has near it, and a value that looks drawn."""

from __future__ import annotations

import re

from bot.secrets.patterns import TokenPattern
from bot.secrets.wording import looks_random

XML_KEY_PRIVATE = "private member of an XML RSA key"

_OPEN = r"(?:<|&lt;)"
_CLOSE = r"(?:>|&gt;)"

_MEMBER = (
    _OPEN + r"(?P<name>P|Q|DP|DQ|InverseQ|D)" + _CLOSE + r"\s*(?P<v>[A-Za-z0-9+/]{20,}={0,2})\s*"
)
XML_KEY_PRIVATE_PATTERN = TokenPattern(
    XML_KEY_PRIVATE,
    re.compile(_MEMBER + _OPEN + r"/(?P=name)" + _CLOSE),
    # Names only such a key has, in the lower case the keyword pass reads.
    keywords=("rsakeyvalue", "inverseq", "<dp>", "<dq>", "&lt;dp&gt;", "&lt;dq&gt;"),
)

# How far from a member the key's other names may be: a 4096-bit key's modulus and `D` are
# ~700 characters of base64 each, and a hunk may show any few of its lines.
_REACH = 2000
_KEY_NAMES = re.compile(_OPEN + r"/?(?:RSAKeyValue|InverseQ|DP|DQ|Modulus)" + _CLOSE)


def xml_key_private_value(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a private member's value when the value looks drawn and, for the
    short names, a name only an RSA key has in this form is near."""
    s, e = m.span("v")
    text = m.string
    if not looks_random(text[s:e]):
        return None
    if m.group("name") in ("P", "Q", "D"):
        before = text[max(0, m.start() - _REACH) : m.start()]
        after = text[m.end() : m.end() + _REACH]
        if _KEY_NAMES.search(before) is None and _KEY_NAMES.search(after) is None:
            return None
    return s, e
