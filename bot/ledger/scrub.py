"""Keeps free text going into the ledger short, on one line, and free of secret-like tokens.

A second fence only: callers must pass text that is already masked. Long text is where
code and secrets hide, so every free-text field is cut to a few hundred characters.
"""

from __future__ import annotations

import re

MASK = "***"

_SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)"),
    re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_-]{16,}"),  # OpenAI, Anthropic, Stripe style
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub tokens
    re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),  # GitLab personal tokens
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # JWTs
    # Long unbroken runs of key-like characters: high-entropy material, whatever its issuer.
    re.compile(r"[A-Za-z0-9+/_=-]{40,}"),
]
_ASSIGNED = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?key|secret|token|password|passwd|pwd|authorization)"
    r"(\s*[:=]\s*|\s+)(bearer\s+)?[\"']?[^\s\"',;]{6,}"
)


def mask_secrets(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(MASK, text)
    return _ASSIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def one_line(text: str | None, limit: int) -> str:
    """The first line of `text`, masked and cut to `limit` characters."""
    if not text:
        return ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = mask_secrets(" ".join(first.split()))
    return first if len(first) <= limit else first[: limit - 3] + "..."


ERROR_PARTS = 3  # "kind: target: summary" - see error_summary


def error_summary(text: str | None, limit: int) -> str:
    """What of an error the ledger keeps: its first line up to the third ': ' part.

    Errors read "<kind>: <target>: <summary>[: <server detail>]" (bot.pipeline). The
    server's detail is dropped: a server may quote the request, that is the prompt and
    its code, in it. The full text stays in the run's own report and log.
    """
    first = one_line(text, 10 * limit)
    return one_line(": ".join(first.split(": ")[:ERROR_PARTS]), limit)
