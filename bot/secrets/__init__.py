"""Secrets in code: found, kept out of cloud prompts, never written to logs or the ledger."""

from bot.secrets.detect import SecretHit, find_secrets
from bot.secrets.redact import (
    MARKER_NOTE,
    Redacted,
    mask,
    mask_values,
    redact,
    scan,
    secret_values,
)

__all__ = [
    "MARKER_NOTE",
    "Redacted",
    "SecretHit",
    "find_secrets",
    "mask",
    "mask_values",
    "redact",
    "scan",
    "secret_values",
]
