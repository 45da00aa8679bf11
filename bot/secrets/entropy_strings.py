"""The high-entropy layer's strings: a quoted random-looking value (detect-secrets'
entropy plugins) is a secret under a secret's name, or when it is long and random and
nothing says otherwise; a name that says it is not one lets it through, whether written
before it (`public_key = "…"`) or given by a construct that names it
(`define('public_key', '…')`, a Kubernetes entry)."""

from __future__ import annotations

from bot.secrets import names, plugins, rules
from bot.secrets.contexts import NAMING_PATTERNS
from bot.secrets.line_finders import KEY_REACH, RANK_ENTROPY, Candidate, occurrences_of
from bot.secrets.patterns import KEY_BEFORE


def entropy_tokens(line: str, base: int, path: str | None) -> list[Candidate]:
    out: list[Candidate] = []
    for hit in plugins.entropy_hits(line, rules.MIN_ENTROPY_NAMED):
        for s in occurrences_of(line, hit.value):
            if s == 0 or line[s - 1] not in "\"'":
                continue
            key_m = KEY_BEFORE.search(line, max(0, s - KEY_REACH), s)
            key = key_m.group("key") if key_m else None
            if rules.entropy_value_ok(hit.value, key, line, path):
                out.append(
                    Candidate(
                        base + s, base + s + len(hit.value), hit.kind, RANK_ENTROPY, hit.plugin
                    )
                )
    return out


def named_not_secret(text: str, start: int, end: int) -> bool:
    """Whether a construct that names the value at `start`..`end` in `text` gives it a name
    that says it is not a secret (names.key_is_excluded: `public_key`, `rookTable`). Such a
    value is let through as it is under that name in an assignment, where the high-entropy
    layer reads the name before the value: `define('public_key', '9Cnz…')` and a
    Kubernetes entry `- name: PUBLIC_KEY` then `value: "9Cnz…"` as `public_key = "9Cnz…"`."""
    line_start = text.rfind("\n", 0, start) + 1
    window_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
    window_end = text.find("\n", end)
    window_end = len(text) if window_end == -1 else window_end
    for pattern in NAMING_PATTERNS:
        for m in pattern.regex.finditer(text, window_start, window_end):
            s, e = m.span("v")
            if s <= start and end <= e and names.key_is_excluded(m.group("name")):
                return True
    return False
