"""Certificates, public keys and signatures in base64 are public; a private key in base64
is not, though all are DER and read as high-entropy strings."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from bot.secrets import find_secrets, redact
from tests.certificates import self_signed
from tests.tools import missing_tool


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _certificate() -> str:
    cert = self_signed(ec.generate_private_key(ec.SECP256R1()), "idp.example")
    return _b64(cert.public_bytes(ser.Encoding.DER))


def _signature() -> str:
    key = ec.generate_private_key(ec.SECP384R1())
    return _b64(key.sign(b"release.tar.gz", ec.ECDSA(hashes.SHA384())))


@pytest.mark.parametrize(
    ("path", "template"),
    [
        # python3-saml's settings: the identity provider's certificate
        ("saml/settings.json", '{{"idp": {{"x509cert": "{cert}"}}}}'),
        ("app/config.py", 'IDP_CERT = "{cert}"'),
        # a sigstore bundle's certificate and signature
        ("bundle.json", '{{"rawBytes": "{cert}", "sig": "{sig}"}}'),
        ("release.json", '{{"signature": "{sig}"}}'),
    ],
)
def test_a_certificate_or_a_signature_is_not_reported(path: str, template: str) -> None:
    text = template.format(cert=_certificate(), sig=_signature())
    assert find_secrets(text, path) == []


@pytest.mark.parametrize(
    ("key", "form"),
    [
        (ec.generate_private_key(ec.SECP256R1()), ser.PrivateFormat.PKCS8),
        (ec.generate_private_key(ec.SECP256R1()), ser.PrivateFormat.TraditionalOpenSSL),
        (rsa.generate_private_key(65537, 2048), ser.PrivateFormat.PKCS8),
        (rsa.generate_private_key(65537, 2048), ser.PrivateFormat.TraditionalOpenSSL),
        (ed25519.Ed25519PrivateKey.generate(), ser.PrivateFormat.PKCS8),
    ],
    ids=["ec-pkcs8", "ec-sec1", "rsa-pkcs8", "rsa-pkcs1", "ed25519-pkcs8"],
)
def test_a_private_key_in_base64_is_still_reported(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    form: ser.PrivateFormat,
) -> None:
    value = _b64(key.private_bytes(ser.Encoding.DER, form, ser.NoEncryption()))
    text = json.dumps({"data": value})
    hits = find_secrets(text, "deploy/values.json")
    assert [text[h.start : h.end] for h in hits] == [value]


@pytest.mark.parametrize(
    ("key", "form"),
    [
        (ec.generate_private_key(ec.SECP256R1()), ser.PublicFormat.SubjectPublicKeyInfo),
        (rsa.generate_private_key(65537, 2048), ser.PublicFormat.SubjectPublicKeyInfo),
        (rsa.generate_private_key(65537, 2048), ser.PublicFormat.PKCS1),
        (ed25519.Ed25519PrivateKey.generate(), ser.PublicFormat.SubjectPublicKeyInfo),
    ],
    ids=["ec-spki", "rsa-spki", "rsa-pkcs1", "ed25519-spki"],
)
def test_a_public_key_in_base64_is_not_reported(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    form: ser.PublicFormat,
) -> None:
    # a sigstore trusted root lists its authorities' keys so: `publicKey.rawBytes`
    value = _b64(key.public_key().public_bytes(ser.Encoding.DER, form))
    text = json.dumps({"publicKey": {"rawBytes": value, "keyDetails": "PKIX_ECDSA_P256"}})
    assert find_secrets(text, "trusted_root.json") == []


def test_a_public_key_under_a_keys_name_is_not_reported_and_its_private_key_is() -> None:
    # an RSA test's pair: the public half under `encKey`, the private half under `decKey`
    key = rsa.generate_private_key(65537, 1024)
    public = _b64(
        key.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    )
    private = _b64(key.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption()))
    text = (
        f'    private final String encKey = "{public.rstrip("=")}";\n'
        f'    private final String decKey = "{private}";\n'
    )
    hits = find_secrets(text, "src/main/java/Crypto.java")
    assert [text[h.start : h.end] for h in hits] == [private]


def _as_js_pieces(pem: str) -> str:
    """A PEM text as a test fixture in JavaScript writes it: a literal a line, joined."""
    lines = pem.strip().splitlines()
    return "const fixture =\n" + " +\n".join(f"  '{line}\\n'" for line in lines) + ";\n"


def _pem_certificate() -> str:
    der = base64.b64decode(_certificate())
    return x509.load_der_x509_certificate(der).public_bytes(ser.Encoding.PEM).decode()


@pytest.mark.parametrize(
    "pem",
    [
        pytest.param(_pem_certificate, id="certificate"),
        pytest.param(
            lambda: (
                rsa.generate_private_key(65537, 2048)
                .public_key()
                .public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
                .decode()
            ),
            id="rsa-public-key",
        ),
        pytest.param(
            lambda: (
                ed25519.Ed25519PrivateKey.generate()
                .public_key()
                .public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
                .decode()
            ),
            id="ed25519-public-key-one-line",
        ),
    ],
)
def test_a_public_pem_block_written_as_string_pieces_is_not_reported(
    pem: Callable[[], str],
) -> None:
    """panva/jose's fixtures: each line a quoted literal ending in `\\n`, read one by one as
    high-entropy strings though none of them is secret."""
    assert find_secrets(_as_js_pieces(pem()), "tap/fixtures.ts") == []


def test_a_private_pem_block_written_as_string_pieces_is_still_reported() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode()
    text = _as_js_pieces(pem)
    body = pem.splitlines()[1]
    hits = find_secrets(text, "tap/fixtures.ts")
    assert any(text[h.start : h.end].count(body[:20]) for h in hits)


# --- an EC key that writes out its curve ----------------------------------------------------


def _openssl_explicit_ec_key() -> str:
    """A P-256 private key that spells out its curve's parameters instead of naming the
    curve (`-param_enc explicit`, which `cryptography` cannot write), with its EC PARAMETERS
    block before it, as `openssl ecparam -genkey` writes a key file. P-256's prime is
    `/////wAAAAEAAAAAAAAAAAAAAAA…` in base64, in every such key."""
    openssl = shutil.which("openssl")
    if openssl is None:
        missing_tool("openssl is not installed (apt-get install openssl)")
    cmd = [openssl, "ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _key_lines(pem: str) -> list[str]:
    block = pem[pem.index("-----BEGIN EC PRIVATE KEY-----") :].splitlines()
    return [line for line in block if line and not line.startswith("-----")]


def _body(pem: str) -> str:
    return "".join(_key_lines(pem))


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("test/ecdsa-private.pem", lambda pem: pem),
        ("keys/signing.pem", lambda pem: pem[pem.index("-----BEGIN EC PRIVATE") :]),
        ("config/service.json", lambda pem: json.dumps({"private_key": pem})),
        ("app/settings.py", lambda pem: f'SIGNING_KEY = "{_body(pem)}"\n'),
        ("deploy/values.yaml", lambda pem: f"signing:\n  key: {_body(pem)}\n"),
    ],
    ids=["key-file", "key-block", "json-escaped", "der-in-code", "der-in-yaml"],
)
def test_an_ec_key_with_its_curve_written_out_is_reported_whole(
    path: str, form: Callable[[str], str]
) -> None:
    # Its DER's runs of `A` (zero bytes) read as typed filler, and every such key was let
    # through, whole, to a cloud model.
    pem = _openssl_explicit_ec_key()
    text = form(pem)
    body = _body(pem)
    covered = {i for h in find_secrets(text, path) for i in range(h.start, h.end)}
    for piece in [body] if body in text else _key_lines(pem):
        at = text.index(piece)
        assert set(range(at, at + len(piece))) <= covered, piece[:16]
    assert body[:20] not in redact(text, path).text


def test_a_key_block_of_typed_filler_is_still_not_a_key() -> None:
    # Filler over half the body, not a run inside real key material.
    armour = "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n"
    for body in ("MHcCAQEEI" + "A" * 120, "ab" * 40, "MHcCAQEEIxxxxxxxx" + "x" * 60):
        assert find_secrets(armour.format(body), "docs/keys.md") == []
