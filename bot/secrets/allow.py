"""The operator's allow-list: files and values the secret detector lets through.

Set by `secrets.allow` in the server/org file only (a repository file cannot set it: it is
not on bot/config/policy.py's REPO_ALLOWED, so a `.switchyard.yml` naming it is refused).
It applies to every use of the detector at once, since every use calls find_secrets:
classification, redaction before a cloud call, masking of reports, comments, logs and the
ledger, and the security scan's findings. So an allowed value is allowed everywhere, and
nothing else is.

- `paths`: gitignore-style globs (bot.change.filters.glob_match); a file they match is not
  scanned. For documentation of sample keys, fixtures of a secret scanner's own tests.
- `fingerprints`: `sha256:<hex>` of a value (`switchyard secrets fingerprint PATH:LINE`
  prints them for what the detector finds there); a hit with that exact value is dropped
  wherever it is found, and the security scan leaves out other scanners' reports of a
  hard-coded secret on its lines (and in allowed paths). The file names only a hash, so the
  allow-list itself discloses nothing.

The allow-list is process-wide: the server serves one org, and the settings loader sets
it whenever settings are loaded (bot/config/loader.py), so a later load replaces it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

PREFIX = "sha256:"


def fingerprint(value: str) -> str:
    return PREFIX + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class AllowList:
    paths: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()

    @classmethod
    def of(cls, paths: Iterable[str] = (), fingerprints: Iterable[str] = ()) -> AllowList:
        return cls(tuple(paths), frozenset(f.lower() for f in fingerprints))

    def __bool__(self) -> bool:
        return bool(self.paths or self.fingerprints)

    def path_allowed(self, path: str | None) -> bool:
        if path is None or not self.paths:
            return False
        # Imported here: bot.change imports the settings model, whose loader sets this list.
        from bot.change.filters import glob_match

        return any(glob_match(p, path) for p in self.paths)

    def value_allowed(self, value: str) -> bool:
        return bool(self.fingerprints) and fingerprint(value) in self.fingerprints


_current = AllowList()


def configure(allow: AllowList) -> None:
    """Replace the allow-list every find_secrets call consults."""
    global _current
    _current = allow


def current() -> AllowList:
    return _current
