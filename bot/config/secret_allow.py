"""`secrets.allow`: what the secret detector lets through (server/org file only).

bot/secrets/allow.py says how it applies. A repository file cannot set any of it: the key
is not on bot/config/policy.py's REPO_ALLOWED, and must never be, since a repository could
otherwise keep its own secrets out of redaction before a cloud call.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from bot.config.base import Strict

_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


class SecretsAllow(Strict):
    paths: list[str] = Field(
        default_factory=list,
        description="Path globs (gitignore-style) whose files are not scanned for secrets, "
        "e.g. 'docs/examples/**'",
    )
    fingerprints: list[str] = Field(
        default_factory=list,
        description="'sha256:<hex>' of values that are not secrets (a published test key), "
        "as `switchyard secrets fingerprint PATH:LINE` prints them",
    )

    @field_validator("fingerprints")
    @classmethod
    def _sha256(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not _FINGERPRINT.fullmatch(v.lower())]
        if bad:
            raise ValueError(
                f"{len(bad)} fingerprint(s) not of the form sha256:<64 hex digits> "
                "(the value itself must not be written here)"
            )
        return [v.lower() for v in values]


class SecretsConfig(Strict):
    allow: SecretsAllow = Field(
        default_factory=SecretsAllow,
        description="What secret detection lets through everywhere: classification, "
        "redaction, masking and the security scan (server/org file only)",
    )
