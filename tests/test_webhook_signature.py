"""X-Hub-Signature-256: HMAC-SHA256 of the exact body, compared in constant time."""

from __future__ import annotations

import hmac

import pytest

from bot.forges.github import events as github_webhook
from bot.forges.github.events import sign, signature_valid

# GitHub's documented test vector for validating webhook deliveries.
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello, World!"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signature_matches_githubs_documented_example() -> None:
    assert sign(DOC_SECRET, DOC_BODY) == DOC_SIGNATURE
    assert signature_valid(DOC_SECRET, DOC_BODY, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("another secret", DOC_BODY, DOC_SIGNATURE),
        (DOC_SECRET, b"Hello, World?", DOC_SIGNATURE),
        (DOC_SECRET, DOC_BODY, None),
        (DOC_SECRET, DOC_BODY, ""),
        (DOC_SECRET, DOC_BODY, DOC_SIGNATURE.removeprefix("sha256=")),
        (DOC_SECRET, DOC_BODY, "sha1=" + DOC_SIGNATURE.removeprefix("sha256=")),
        (DOC_SECRET, DOC_BODY, DOC_SIGNATURE.upper()),
        (DOC_SECRET, DOC_BODY, DOC_SIGNATURE[:-1] + "é"),
        ("", DOC_BODY, sign("", DOC_BODY)),  # an empty secret never validates
    ],
)
def test_wrong_or_missing_signatures_fail(secret: str, body: bytes, header: str | None) -> None:
    assert not signature_valid(secret, body, header)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(github_webhook.hmac, "compare_digest", spy)
    assert not signature_valid(DOC_SECRET, DOC_BODY, "sha256=" + "0" * 64)
    assert signature_valid(DOC_SECRET, DOC_BODY, DOC_SIGNATURE)
    assert len(calls) == 2
    assert calls[1] == (DOC_SIGNATURE.encode(), DOC_SIGNATURE.encode())


def test_bytes_secret_and_surrounding_whitespace() -> None:
    assert signature_valid(DOC_SECRET.encode(), DOC_BODY, f" {DOC_SIGNATURE}\n")
