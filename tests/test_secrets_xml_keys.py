"""An RSA private key in .NET's XML form (`RSA.ToXmlString(true)`): no PEM armour marks it,
so each private member is found by its element's name; the public members, and a public
key, stay as they are. Every value here is random bytes drawn for this file."""

from __future__ import annotations

import base64
import random

from bot.secrets import find_secrets, redact

_RANDOM = random.Random(2048)


def _b64(n: int) -> str:
    return base64.b64encode(_RANDOM.randbytes(n)).decode()


MODULUS = _b64(256)
PRIVATE = {
    name: _b64(256 if name == "D" else 128) for name in ("P", "Q", "DP", "DQ", "InverseQ", "D")
}
KEY = "\n".join(
    [
        "<RSAKeyValue>",
        f"  <Modulus>{MODULUS}</Modulus>",
        "  <Exponent>AQAB</Exponent>",
        *(f"  <{name}>{value}</{name}>" for name, value in PRIVATE.items()),
        "</RSAKeyValue>",
    ]
)


def test_each_private_member_is_redacted_and_the_public_ones_are_left() -> None:
    red = redact(KEY, "config/signing-key.xml").text
    assert not any(value in red for value in PRIVATE.values())
    assert MODULUS in red and "<Exponent>AQAB</Exponent>" in red
    assert len(red.splitlines()) == len(KEY.splitlines())


def test_a_key_on_one_line_or_escaped_in_a_config_value_is_found() -> None:
    one_line = KEY.replace("\n", "").replace("  ", "")
    escaped = one_line.replace("<", "&lt;").replace(">", "&gt;")
    for path, text in (
        ("src/Keys.cs", f'const string Key = "{one_line}";'),
        ("web.config", f'<add key="SigningKey" value="{escaped}" />'),
    ):
        red = redact(text, path).text
        assert not any(value in red for value in PRIVATE.values()), path


def test_a_hunk_showing_a_few_members_without_the_key_element_hides_them() -> None:
    lines = KEY.splitlines()
    # DP to D; D and the closing tag alone
    for shown in (lines[5:9], lines[8:]):
        red = redact("\n".join(shown), "config/signing-key.xml").text
        assert not any(value in red for value in PRIVATE.values()), shown[0]


def test_a_public_key_and_other_xml_with_such_names_are_not_secrets() -> None:
    public = f"<RSAKeyValue><Modulus>{MODULUS}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>"
    # A DSA public key's domain parameters are named P and Q too; its private member is X.
    dsa = f"<DSAKeyValue><P>{_b64(128)}</P><Q>{_b64(20)}</Q><G>{_b64(128)}</G></DSAKeyValue>"
    # A short name in other XML, its value no drawn base64.
    other = "<Doc><P>IntroductionToTheSystemArchitecture</P><D>2024</D></Doc>"
    for path, text in (("pub.xml", public), ("dsa.xml", dsa), ("doc.xml", other)):
        assert find_secrets(text, path) == [], path
