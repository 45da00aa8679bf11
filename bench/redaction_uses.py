"""What redaction does to each use of a value a public suite calls a secret: masked whole,
cut short (part of it sent) or missed (bench/secrets_trufflehog.py's second figure)."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.secrets import find_secrets
from bot.secrets.redact import MIN_REUSE, uses_of

# A want that is one token (no scheme, separator or space) is the value itself; a want that
# glues parts (`user:password@host`, a JSON of both, a whole connection string) holds text
# that is no secret (a host, a scheme), which no detector should hide.
_ONE_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.~]{8,}")


def redaction_of(text: str, path: str | None, wants: tuple[str, ...]) -> Counter[str]:
    """Each use in `text` of a one-token want, by what redaction does to it: `whole` (every
    letter and digit of it inside what is replaced: a hit's parts, or another use of a
    found value, as bot.secrets.redact masks those), `cut short` (some of it, so the rest
    is sent) or `missed`."""
    covered = bytearray(len(text))
    for hit in find_secrets(text, path):
        for s, e in hit.parts:
            covered[s:e] = b"\x01" * (e - s)
            value = text[s:e]
            if len(value) >= MIN_REUSE:
                for m in uses_of(value).finditer(text):
                    covered[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    out: Counter[str] = Counter()
    for want in {w for w in wants if _ONE_TOKEN.fullmatch(w)}:
        for m in re.finditer(re.escape(want), text):
            seen = [covered[i] for i in range(m.start(), m.end()) if text[i].isalnum()]
            out["whole" if all(seen) else "cut short" if any(seen) else "missed"] += 1
    return out
