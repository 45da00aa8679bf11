"""A private key or a keystore in base64 is a secret by what it decodes to, whatever name it
is under and whether or not it is quoted; a certificate or a public key in base64 is not."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from bot.change.model import DiffLine, Hunk, LineKind
from bot.secrets import find_secrets, redact
from bot.tasks.diff_render import render_hunk
from tests.certificates import self_signed
from tests.tools import missing_tool


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()


def _der(key: object, form: ser.PrivateFormat, encryption: object = None) -> str:
    crypt = encryption or ser.NoEncryption()
    return _b64(key.private_bytes(ser.Encoding.DER, form, crypt))  # type: ignore[attr-defined]


def _pkcs12(password: bytes | None) -> str:
    key = rsa.generate_private_key(65537, 2048)
    crypt = ser.BestAvailableEncryption(password) if password else ser.NoEncryption()
    return _b64(
        pkcs12.serialize_key_and_certificates(
            b"release", key, self_signed(key, "release-signing"), None, crypt
        )
    )


def encoded_private_key() -> str:
    """An EC key's PKCS#8 DER in base64 (test_secret_families plants one)."""
    return _der(ec.generate_private_key(ec.SECP256R1()), ser.PrivateFormat.PKCS8)


def encoded_pkcs12() -> str:
    """A PKCS#12 bundle of an RSA key and its certificate, in base64."""
    return _pkcs12(None)


VALUES: dict[str, Callable[[], str]] = {
    "rsa-pkcs8": lambda: _der(rsa.generate_private_key(65537, 2048), ser.PrivateFormat.PKCS8),
    "rsa-pkcs1": lambda: _der(
        rsa.generate_private_key(65537, 2048), ser.PrivateFormat.TraditionalOpenSSL
    ),
    "ec-sec1": lambda: _der(
        ec.generate_private_key(ec.SECP256R1()), ser.PrivateFormat.TraditionalOpenSSL
    ),
    "ed25519-pkcs8": lambda: _der(ed25519.Ed25519PrivateKey.generate(), ser.PrivateFormat.PKCS8),
    "encrypted-pkcs8": lambda: _der(
        ec.generate_private_key(ec.SECP384R1()),
        ser.PrivateFormat.PKCS8,
        ser.BestAvailableEncryption(b"correct horse"),
    ),
    "pkcs12": lambda: _pkcs12(None),
    "pkcs12-with-password": lambda: _pkcs12(b"changeit"),
}

# Where such a value is written: a CI variable in an env file, a Helm value, an Android
# build's properties, JSON; under names that say nothing of a secret, and unquoted.
FORMS = [
    (".env", "KEYSTORE_BASE64={}\n"),
    ("deploy/values.yaml", "signing:\n  keystore: {}\n"),
    ("android/keystore.properties", "storeData={}\n"),
    ("config/app.json", '{{"data": "{}"}}\n'),
    ("ci/vars.yml", "variables:\n  CERT_BUNDLE: {}\n"),
]


@pytest.mark.parametrize("make", list(VALUES.values()), ids=list(VALUES))
@pytest.mark.parametrize(("path", "form"), FORMS, ids=[p for p, _ in FORMS])
def test_a_key_or_keystore_in_base64_is_reported_whole_under_any_name(
    make: Callable[[], str], path: str, form: str
) -> None:
    value = make()
    text = form.format(value)
    hits = find_secrets(text, path)
    assert [text[h.start : h.end] for h in hits] == [value]
    assert value[:24] not in redact(text, path).text


def test_a_java_keystore_in_base64_is_reported(tmp_path: Path) -> None:
    keytool = shutil.which("keytool")
    if keytool is None:
        missing_tool("keytool is not installed (it comes with a JDK: default-jdk-headless)")
    for store_type in ("JKS", "JCEKS"):
        store = tmp_path / f"release.{store_type.lower()}"
        subprocess.run(
            [keytool, "-genkeypair", "-alias", "release", "-keyalg", "RSA", "-keysize", "2048",
             "-dname", "CN=release", "-storepass", "changeit", "-keypass", "changeit",
             "-keystore", str(store), "-storetype", store_type],
            capture_output=True, check=True,
        )  # fmt: skip
        value = _b64(store.read_bytes())
        text = f"ANDROID_KEYSTORE={value}\n"
        hits = find_secrets(text, ".env")
        assert [(h.kind, text[h.start : h.end]) for h in hits] == [("keystore", value)]


def _public_values() -> dict[str, str]:
    key = rsa.generate_private_key(65537, 2048)
    public = key.public_key()
    return {
        "certificate": _b64(self_signed(key, "release-signing").public_bytes(ser.Encoding.DER)),
        "public-key": _b64(
            public.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
        ),
    }


@pytest.mark.parametrize("name", ["certificate", "public-key"])
def test_a_certificate_or_public_key_in_base64_is_not_reported(name: str) -> None:
    value = _public_values()[name]
    for path, form in FORMS:
        assert find_secrets(form.format(value), path) == [], path


def test_a_run_that_only_opens_like_der_is_not_decoded_as_one() -> None:
    # Base64 of other bytes that happens to open with `MII` (a font, an image): no key.
    blob = _b64(b"\x30\x82\x01\x00" + json.dumps({"glyphs": list(range(200))}).encode())
    assert find_secrets(f"font: {blob}\n", "deploy/values.yaml") == []


def _wrapped(value: str, width: int, indent: str = "") -> str:
    return "\n".join(indent + value[i : i + width] for i in range(0, len(value), width))


@pytest.mark.parametrize("width", [64, 76], ids=["openssl-base64", "coreutils-base64"])
@pytest.mark.parametrize("make", [VALUES["pkcs12"], VALUES["rsa-pkcs8"]], ids=["pkcs12", "rsa"])
def test_a_key_wrapped_over_lines_is_reported_line_by_line(
    make: Callable[[], str], width: int
) -> None:
    # `base64 release.p12` wraps at 76 characters, `openssl base64` at 64: pasted into a YAML
    # block scalar, or kept as a `.b64` file beside the build.
    value = make()
    for path, text in (
        ("deploy/values.yaml", f"signing:\n  keystore: |\n{_wrapped(value, width, '    ')}\n"),
        ("android/release.keystore.b64", _wrapped(value, width) + "\n"),
    ):
        masked = redact(text, path).text
        assert masked.count("\n") == text.count("\n"), path  # each line kept, masked
        for line in _wrapped(value, width).splitlines():
            assert line not in masked, (path, line[:16])


def test_a_certificate_wrapped_over_lines_is_not_reported() -> None:
    value = _public_values()["certificate"]
    assert find_secrets(_wrapped(value, 64) + "\n", "certs/ca.b64") == []
    pem = "-----BEGIN CERTIFICATE-----\n" + _wrapped(value, 64) + "\n-----END CERTIFICATE-----\n"
    assert find_secrets(pem, "certs/ca.pem") == []


def test_a_wrapped_keystore_in_a_rendered_hunk_is_masked_line_by_line() -> None:
    # The prompt's columns (`    8 + |     MIIJ…`) stand before each line, and the line
    # numbers grow a digit inside the value.
    value = VALUES["pkcs12"]()
    rows = ["signing:", "  keystore: |", *(f"    {r}" for r in _wrapped(value, 76).splitlines())]
    hunk = Hunk(old_start=0, old_len=0, new_start=5, new_len=len(rows), section="")
    hunk.lines = [DiffLine(LineKind.ADDED, None, 5 + i, row) for i, row in enumerate(rows)]
    rendered = "### deploy/values.yaml (added)\n" + render_hunk(hunk)
    masked = redact(rendered).text
    assert len(masked.splitlines()) == len(rendered.splitlines())
    assert not any(line in masked for line in _wrapped(value, 76).splitlines())
