"""What the docs task shows of the repository's own files, masked: a suggestion repeats a
definition's header, a patch its files' context and removed lines, and both are published
(a review comment, the summary comment, the reports). The files' own scans say what to
mask: the file is the authority, a cut of it is not."""

from __future__ import annotations

from collections.abc import Mapping

from bot.secrets import secret_values
from bot.secrets.redact import KnownValues


def file_secrets(texts: Mapping[str, str]) -> KnownValues:
    """The values the scans of `texts` ({path: text}) find, ready to mask."""
    return KnownValues(v for path, text in texts.items() for v in secret_values(text, path))


def masked_patch(patch: str, texts: Mapping[str, str], notes: list[str]) -> str:
    """`patch` of the files `texts` with what their scans find masked. A masked hunk no
    longer applies, and a note says so."""
    masked = file_secrets(texts).mask_known(patch) if patch else patch
    if masked != patch:
        notes.append(
            "the documentation patch quotes a secret from the files it edits, masked: "
            "`git apply` will not take the hunks that show it; make those edits by hand"
        )
    return masked
