"""JSON Web Tokens in the forms maintained detectors report, and the forms they are no
credential in (bot/secrets/token_checks.py: jwt_ok)."""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

_RNG = random.Random(20261206)
_URLSAFE = string.ascii_letters + string.digits + "_-"


def _part(obj: object) -> str:
    raw = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def _sig(n: int = 43) -> str:
    return "".join(_RNG.choice(_URLSAFE) for _ in range(n))


HS256 = _part({"alg": "HS256", "typ": "JWT"})
CLAIMS = _part({"sub": "u-" + _sig(10), "role": "admin", "exp": 1900000000})

FOUND = [
    # claims of one short member: `eyJhIjo…` is 10 characters
    ("short claims", ".".join([_part({"alg": "HS256"}), _part({"n": 7}), _sig()])),
    # claims written with spaces open `eyAi…`, not `eyJ…`
    ("spaced claims", ".".join([HS256, _part('{ "sub": "u-' + _sig(8) + '" }'), _sig()])),
    # a signed token cut short of its signature: detect-secrets', semgrep's and
    # ripsecrets' rules report the header and claims alone
    ("no signature", f"{HS256}.{CLAIMS}"),
    ("signature's dot, no signature", f"{HS256}.{CLAIMS}."),
]


@pytest.mark.parametrize(("name", "token"), FOUND, ids=[n for n, _ in FOUND])
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("src/session.ts", 'const session = "{t}";\n'),
        ("deploy/values.yaml", "  authToken: {t}\n"),
        ("docs/api.md", "curl -H 'Authorization: Bearer {t}' https://api.internal/v1/me\n"),
    ],
)
def test_a_token_in_a_form_the_maintained_detectors_report_is_masked_whole(
    name: str, token: str, path: str, template: str
) -> None:
    text = template.format(t=token)
    hits = find_secrets(text, path)
    assert [text[h.start : h.end] for h in hits] == [token]
    assert token.rstrip(".") not in redact(text, path).text


NOT_FOUND = [
    # an unsecured token (RFC 7519 section 6): nothing in it proves anything
    ("alg none", f"{_part({'alg': 'none'})}.{CLAIMS}."),
    ("alg none, spaced", _part('{"typ": "JWT",\n "alg":\t"none"}') + f".{CLAIMS}."),
    # empty claims: a format's example (`…J9.e30.…`)
    ("empty claims", f"{HS256}.{_part({})}.{_sig()}"),
    # a header and a part that is no JSON: a JWE's encrypted key, a dotted name
    ("claims not JSON", f"{HS256}.{_sig(40)}"),
    ("header alone", f"{HS256}."),
]


@pytest.mark.parametrize(("name", "token"), NOT_FOUND, ids=[n for n, _ in NOT_FOUND])
def test_a_token_that_proves_nothing_is_not_reported(name: str, token: str) -> None:
    text = f'const session = "{token}";\n'
    assert find_secrets(text, "src/session.ts") == []


def test_in_a_test_a_token_without_its_signature_is_a_fixture_and_a_signed_one_is_not() -> None:
    """A test that a token stripped of its signature is turned down holds one (CredData's
    annotators mark it no credential); a signed token in a test is still a secret."""
    path = "src/test/java/AuthServiceTest.java"
    stripped = f'String auth = BEARER + "{HS256}.{CLAIMS}";\n'
    signed = f'String auth = BEARER + "{HS256}.{CLAIMS}.{_sig()}";\n'
    assert find_secrets(stripped, path) == []
    assert [h.kind for h in find_secrets(signed, path)] == ["JWT"]
