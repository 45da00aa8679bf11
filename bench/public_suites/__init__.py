"""Public labelled security suites that this project did not write, and how they are scored.

Each suite lives in ``tests/fixtures/public/<suite>/`` with its origin, commit and licence
(``ORIGIN.md``) and is read by a loader in this package that yields :class:`Case` objects.
A case is one source file with one expected weakness (vulnerable or not). Every case falls
deterministically into the ``tune`` split (looked at while writing rules) or the ``holdout``
split (only scored); :func:`split_of` decides from the case id alone, so adding a suite or
a rule never moves a case from one split to the other.

Scoring follows the OWASP Benchmark method: a case counts as flagged when any finding in
its file reports a CWE equivalent to the case's CWE; per category TPR - FPR; the suite's
score is the average over categories (see :mod:`bench.public_suites.score`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent.parent
PUBLIC = ROOT / "tests" / "fixtures" / "public"

Split = Literal["tune", "holdout"]

# Share of cases looked at while tuning; the rest is only ever scored.
TUNE_SHARE = 0.5


@dataclass(frozen=True)
class Case:
    suite: str  # folder name under tests/fixtures/public/
    case_id: str  # unique within the suite, stable across versions of the fixture
    path: Path  # the source file
    language: str  # python | javascript | java | go
    cwe: int  # the weakness the case is about
    vulnerable: bool
    category: str = ""  # the suite's own category name, e.g. "sqli"

    @property
    def split(self) -> Split:
        return split_of(self.suite, self.case_id)


def split_of(suite: str, case_id: str) -> Split:
    """``tune`` or ``holdout``, from a hash of the case's identity only."""
    digest = hashlib.sha256(f"{suite}/{case_id}".encode()).digest()
    return "tune" if digest[0] / 256 < TUNE_SHARE else "holdout"
