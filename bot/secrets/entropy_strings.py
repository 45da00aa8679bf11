"""The high-entropy layer's strings: a quoted random-looking value (detect-secrets'
entropy plugins) is a secret under a secret's name, or when it is long and random and
nothing says otherwise; a name that says it is not one lets it through, whether written
before it (`public_key = "…"`) or given by a construct that names it
(`define('public_key', '…')`, a Kubernetes entry)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from bot.secrets import der, names, paths, plugins, references, rules, stand_ins, wording
from bot.secrets.contexts import NAMING_PATTERNS
from bot.secrets.line_finders import RANK_ENTROPY, Candidate
from bot.secrets.patterns import KEY_BEFORE, KEY_REACH
from bot.secrets.text_lines import occurrences_of


class _HashWords:
    """Where a line says `md5`, `sha`, `hash`, …: the line read once, when a value first
    asks (searched again for each value, a 50 KB line of values cost the line's length
    times their number)."""

    def __init__(self, line: str) -> None:
        self._line = line
        self._spans: list[tuple[int, int]] | None = None

    def outside(self, start: int, end: int) -> bool:
        """Whether one stands wholly outside `start`..`end`."""
        if self._spans is None:
            self._spans = [m.span() for m in rules.HASH_CONTEXT.finditer(self._line)]
        return any(e <= start or s >= end for s, e in self._spans)


def entropy_tokens(line: str, base: int, path: str | None) -> list[Candidate]:
    out: list[Candidate] = []
    hash_words = _HashWords(line)
    # Each value once: the plugins yield it again for each place it stands, and each time
    # every place was read again (a value repeated 500 times on a line: 250,000 reads).
    for hit in dict.fromkeys(plugins.entropy_hits(line, rules.MIN_ENTROPY_NAMED)):
        for s in occurrences_of(line, hit.value):
            if s == 0 or line[s - 1] not in "\"'":
                continue
            key_m = KEY_BEFORE.search(line, max(0, s - KEY_REACH), s)
            key = key_m.group("key") if key_m else None
            outside = functools.partial(hash_words.outside, s, s + len(hit.value))
            if value_ok(hit.value, key, outside, path):
                out.append(
                    Candidate(
                        base + s, base + s + len(hit.value), hit.kind, RANK_ENTROPY, hit.plugin
                    )
                )
    return out


# How much of a line either side of a value is read as its surroundings.
_AROUND = 512


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
    # (a construct is short: what lies farther along a long line names nothing here)
    window_start, window_end = max(window_start, start - _AROUND), min(window_end, end + _AROUND)
    window = text[window_start:window_end].lower()
    for pattern in NAMING_PATTERNS:
        if pattern.keywords and not any(k in window for k in pattern.keywords):
            continue  # (as the scan itself asks: most constructs hold a word of their own)
        for m in pattern.regex.finditer(text, window_start, window_end):
            s, e = m.span("v")
            if s <= start and end <= e and names.key_is_excluded(m.group("name")):
                return True
    return False


def value_ok(value: str, key: str | None, hash_word: Callable[[], bool], path: str | None) -> bool:
    """A quoted high-entropy string: a secret only under a secret-ish name, or when it looks
    random, is long, and is not a hash, UUID, id or test vector. `hash_word()`: whether the
    line says `md5`, `sha`, `hash`, … outside the value."""
    if stand_ins.heuristic().is_potential_uuid(value) or stand_ins.token_is_placeholder(value):
        return False
    if _WIDGET_MODEL.fullmatch(value):
        return False  # a notebook's widget, named in its saved state: an id, not a key
    if key is not None and names.key_is_excluded(key):
        return False
    if der.public_der(value) or value.startswith(_SSH_PUBLIC_BLOBS):
        return False  # a certificate, a signature, an SSH public key: public by what it is
    if rules.INTEGRITY_HASH.fullmatch(value):
        return False  # `sha256-…=`: a digest
    if key is not None and names.key_is_secretish(key):
        return len(value) >= rules.MIN_ENTROPY_NAMED and not rules.is_placeholder(value)
    # The line outside the value: a long random value holds `md5` or `sha` by chance (with
    # a stand-in's marker spelled by chance, 9 of 300 unarmoured base64 private keys were
    # let through).
    if hash_word() or (key is not None and rules.HASH_CONTEXT.search(key)):
        return False
    if path is not None and (
        paths.is_test_path(path) or paths.is_doc_path(path) or paths.is_bundle_path(path)
    ):
        return False  # test vectors, documented encodings, a bundler's tables
    if rules.WORDY.fullmatch(value) or wording.is_pattern(value) or wording.encoded_text(value):
        return False
    if references.path_of_names(value):
        return False  # `/JdbcSystemResource/opss-audit-DBDS/JdbcDriverParams/NO_NAME_0`
    if wording.decodes_to_data(value):
        return False  # base64 of a class file's or a test vector's bytes, names in them
    return len(value) >= rules.MIN_ENTROPY_UNNAMED and wording.looks_random(value)


# ipywidgets' model ids, `IPY_MODEL_` and a UUID's 32 hex digits, in a notebook's saved
# widget state (`"children": ["IPY_MODEL_5d3be9a8…"]`).
_WIDGET_MODEL = re.compile(r"IPY_MODEL_[0-9a-f]{32}")
# An SSH public key's blob (`ssh-rsa`, `ssh-ed25519`, `ssh-dss`, `ecdsa-sha2-…` after its
# length), as authorized_keys and known_hosts write it.
_SSH_PUBLIC_BLOBS = ("AAAAB3NzaC1", "AAAAC3NzaC1", "AAAAE2VjZHNh")
