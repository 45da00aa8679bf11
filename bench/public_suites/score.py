"""OWASP-Benchmark-style scoring of findings against public suite cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.public_suites import Case, Split

# Findings that name a neighbouring CWE of the same weakness count as a match, as OWASP's
# scorecards accept (e.g. a weak PRNG reported as CWE-338 for a CWE-330 case).
EQUIVALENT: dict[int, frozenset[int]] = {
    22: frozenset({22, 23, 36, 73}),
    78: frozenset({78, 77, 88}),
    79: frozenset({79, 80, 83}),
    89: frozenset({89, 564}),
    94: frozenset({94, 95}),
    95: frozenset({94, 95}),
    327: frozenset({327, 326, 696}),
    328: frozenset({328, 327, 916}),
    330: frozenset({330, 338}),
    338: frozenset({330, 338}),
    502: frozenset({502}),
    611: frozenset({611, 776}),
    614: frozenset({614, 1004}),
}


def equivalent(cwe: int) -> frozenset[int]:
    return EQUIVALENT.get(cwe, frozenset({cwe}))


@dataclass
class CategoryScore:
    category: str
    cwe: int
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    @property
    def tpr(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def score(self) -> float:
        return self.tpr - self.fpr


def score_cases(
    cases: Iterable[Case],
    cwes_by_file: Mapping[Path, Iterable[int]],
    *,
    split: Split | None = None,
) -> dict[str, CategoryScore]:
    """Per category: a case is flagged when its file has a finding of an equivalent CWE.

    ``cwes_by_file`` maps a resolved file path to the CWEs reported in it (any line).
    """
    found = {Path(p).resolve(): {int(c) for c in cwes} for p, cwes in cwes_by_file.items()}
    out: dict[str, CategoryScore] = {}
    for case in cases:
        if split is not None and case.split != split:
            continue
        key = case.category or f"CWE-{case.cwe}"
        cat = out.setdefault(key, CategoryScore(key, case.cwe))
        flagged = bool(found.get(case.path.resolve(), set()) & equivalent(case.cwe))
        if case.vulnerable:
            cat.tp += flagged
            cat.fn += not flagged
        else:
            cat.fp += flagged
            cat.tn += not flagged
    return out


def average(scores: Mapping[str, CategoryScore]) -> float:
    """The category-averaged TPR - FPR (OWASP's overall figure)."""
    return sum(s.score for s in scores.values()) / len(scores) if scores else 0.0


def by_language(cases: Iterable[Case]) -> dict[str, list[Case]]:
    grouped: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        grouped[case.language].append(case)
    return dict(grouped)
