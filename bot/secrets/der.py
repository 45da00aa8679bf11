"""Base64 of DER that is public by what it is: an X.509 certificate (a SAML identity
provider's certificate in a settings file, a JWKS's `x5c`, a sigstore bundle's `rawBytes`),
a public key (SubjectPublicKeyInfo, as a sigstore trusted root's `publicKey.rawBytes`,
`MFkwEwYHKoZIzj0CAQYI…`, or PKCS#1's RSAPublicKey) or an ECDSA or DSA signature
(`MEUCI…`). Each travels openly with what it vouches for, and each reads as a high-entropy
string. A private key's DER is none of them: PKCS#8, PKCS#1 and SEC1 private keys are no
certificate, no public key's structure, and hold more than a signature's two integers
(the tests load each). Parsed with `cryptography` (PyCA), not by hand; imported on first
use, since few values get this far. private_der says the other way round: a value that
looks typed (runs of `A`, zero bytes) is still material when it is a private key's DER."""

from __future__ import annotations

import re

from bot.secrets.wording import decoded_base64


def public_der(value: str) -> bool:
    """Whether base64 `value` is a certificate's, a public key's or a signature's DER,
    whole."""
    value = value.removesuffix("\\n")  # a PEM line kept in a string: `'MCow…=\\n' +`
    if not value.startswith("M"):  # a DER SEQUENCE (0x30) encodes to "M…"
        return False
    raw = decoded_base64(value)
    if raw is None or len(raw) < 8 or raw[0] != 0x30:
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    for parse in (decode_dss_signature, x509.load_der_x509_certificate, load_der_public_key):
        try:
            parse(raw)
        except ValueError:
            continue
        return True
    return False


def private_der(value: str) -> bool:
    """Whether base64 `value` is a private key's DER, whole (PKCS#8, PKCS#1 or SEC1, as
    `cryptography` loads them; an encrypted PKCS#8 key counts too)."""
    if not value.startswith("M"):
        return False
    raw = decoded_base64(value)
    return raw is not None and private_der_bytes(raw)


def private_der_bytes(raw: bytes) -> bool:
    """private_der of the decoded bytes."""
    if len(raw) < 32 or raw[0] != 0x30:
        return False
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        # (RSA's key checks cost milliseconds, and a key that fails them is still secret)
        load_der_private_key(raw, None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return True  # encrypted: it wants a password
    except (ValueError, UnsupportedAlgorithm):
        return False
    return True


# The armour of what PEM carries openly: a certificate, a request for one, a revocation
# list, a public key, a PKCS#7 or CMS bundle, a PGP public key or signature.
_PUBLIC_LABEL = re.compile(
    r"(?:X509 |TRUSTED |NEW )?CERTIFICATE(?: REQUEST)?|(?:RSA |EC |DSA )?PUBLIC KEY|X509 CRL"
    r"|PKCS7|CMS|PGP PUBLIC KEY BLOCK|PGP SIGNATURE"
)
# How far back a line of a block is looked up from: a 4096-bit RSA certificate's armour
# holds about 2 KB, a chain several of them.
_BLOCK_REACH = 16_384
_BEGIN = "-----BEGIN "


def in_public_armour(text: str, at: int) -> bool:
    """Whether `at` lies inside a PEM block of a public kind, its lines written as they are
    or as string literals joined in code (`'-----BEGIN CERTIFICATE-----\\n' +` then
    `'MIIBoTCC…\\n' +`): a line of a certificate is public as the whole is, though no one
    line parses."""
    begin = text.rfind(_BEGIN, max(0, at - _BLOCK_REACH), at)
    if begin == -1 or text.rfind("-----END ", begin, at) != -1:
        return False
    label = begin + len(_BEGIN)
    label_end = text.find("-----", label, at)
    return label_end != -1 and _PUBLIC_LABEL.fullmatch(text, label, label_end) is not None
