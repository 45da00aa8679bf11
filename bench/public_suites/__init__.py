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
import re
import subprocess
from collections.abc import Callable
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


# A loader is a module of this package named <language>_<suite> (python_owasp, java_juliet,
# go_gosec, js_eslint...) with ``load() -> list[Case]``; adding the module registers it.
_LOADER_NAME = re.compile(r"^(python|java|javascript|js|ts|go)_[a-z0-9_]+$")


def loader_names() -> list[str]:
    """The loader modules present, sorted."""
    import pkgutil

    return sorted(m.name for m in pkgutil.iter_modules(__path__) if _LOADER_NAME.match(m.name))


def load_all(language: str | None = None, names: list[str] | None = None) -> list[Case]:
    """Every case of every loader (or of ``names``), optionally of one language only."""
    import importlib

    cases: list[Case] = []
    for name in names if names is not None else loader_names():
        module = importlib.import_module(f"{__name__}.{name}")
        cases += [c for c in module.load() if language in (None, c.language)]
    return cases


def mirror_file(mirror: Path, path: str, rev: str = "HEAD") -> str:
    """A file's text from a bare git mirror (``/work/.mirror/<owner>+<name>/repo``), for the
    loaders' ``rebuild`` of a stored subset."""
    return subprocess.run(
        ["git", "--git-dir", str(mirror), "show", f"{rev}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def write_labels(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """A stored subset's labels as CSV, one row per case, the way every loader reads them."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def suite_main(
    doc: str, mirror: Path, rebuild: Callable[[Path], object], load: Callable[[], list[Case]]
) -> None:
    """A loader's command line: `--from-mirror [DIR]` rebuilds the stored subset from a
    mirror first (what it left out is printed when it says), then the cases are counted."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--from-mirror", type=Path, nargs="?", const=mirror)
    args = parser.parse_args()
    if args.from_mirror:
        left_out = rebuild(args.from_mirror)
        if isinstance(left_out, dict):
            print("left out:", left_out)
    cases = load()
    vulnerable = sum(c.vulnerable for c in cases)
    print(f"{len(cases)} cases, {vulnerable} vulnerable, {len(cases) - vulnerable} safe")


def cases_from_labels(
    suite: str,
    folder: Path,
    labels: str,
    *,
    language: str,
    suffix: str,
    vulnerable: Callable[[dict[str, str]], bool],
) -> list[Case]:
    """The cases of a stored subset whose labels CSV has `case_id`, `cwe` and `category`
    columns and whose files are `cases/<case_id><suffix>`; `vulnerable` reads a row's
    verdict in the suite's own words."""
    import csv

    with (folder / labels).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Case(
            suite=suite,
            case_id=row["case_id"],
            path=folder / "cases" / f"{row['case_id']}{suffix}",
            language=language,
            cwe=int(row["cwe"]),
            vulnerable=vulnerable(row),
            category=row["category"],
        )
        for row in rows
    ]
