"""Base64 of DER that is public by what it is: an X.509 certificate (a SAML identity
provider's certificate in a settings file, a JWKS's `x5c`, a sigstore bundle's `rawBytes`)
or an ECDSA or DSA signature (`MEUCI…`). Both travel openly with what they vouch for, and
both read as high-entropy strings. A private key's DER is neither: PKCS#8, PKCS#1 and
SEC1 keys are no certificate and hold more than a signature's two integers (the tests load
each). Parsed with `cryptography` (PyCA), not by hand; imported on first use, since few
values get this far."""

from __future__ import annotations

from bot.secrets.wording import decoded_base64


def public_der(value: str) -> bool:
    """Whether base64 `value` is a certificate's or a signature's DER, whole."""
    if not value.startswith("M"):  # a DER SEQUENCE (0x30) encodes to "M…"
        return False
    raw = decoded_base64(value)
    if raw is None or len(raw) < 8 or raw[0] != 0x30:
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    for parse in (decode_dss_signature, x509.load_der_x509_certificate):
        try:
            parse(raw)
        except ValueError:
            continue
        return True
    return False
