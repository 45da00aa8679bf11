"""The labelled security corpus in tests/fixtures/security/: each source file is one case,
labelled on one of its first lines (format: tests/fixtures/security/README.md).

Shared by bench/security_eval.py (which scores the scanners on it) and the rule tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "security"
LANGUAGES = {"python", "javascript", "java", "go"}
SOURCE_SUFFIXES = {".py", ".js", ".ts", ".jsx", ".tsx", ".java", ".go"}

_LABEL = re.compile(
    r"switchyard-label:\s*(?P<verdict>vulnerable|safe)\s+(?P<cwe>CWE-\d+)(?P<rest>[^\n]*)"
)
_OPTION = re.compile(r"(\w+)=(\S+)")


@dataclass(frozen=True)
class Label:
    """One corpus case: a file, its verdict, CWE, expected lines and known-gap flag."""

    path: Path
    language: str
    verdict: str  # "vulnerable" | "safe"
    cwe: str  # "CWE-89"
    lines: tuple[int, ...] = ()
    expect: str = ""  # "" | "missed" (known false negative) | "flagged" (known false positive)

    @property
    def vulnerable(self) -> bool:
        return self.verdict == "vulnerable"


def parse_label(path: Path) -> Label:
    """Read the label from the first three lines of ``path``; ValueError if absent or bad."""
    head = "\n".join(path.read_text(encoding="utf-8").splitlines()[:3])
    m = _LABEL.search(head)
    if m is None:
        raise ValueError(f"{path}: no switchyard-label line")
    opts = dict(_OPTION.findall(m.group("rest")))
    unknown = set(opts) - {"lines", "expect"}
    if unknown:
        raise ValueError(f"{path}: unknown label option(s) {sorted(unknown)}")
    lines = tuple(int(x) for x in opts.get("lines", "").split(",") if x.strip())
    verdict = m.group("verdict")
    expect = opts.get("expect", "")
    if verdict == "vulnerable" and not lines:
        raise ValueError(f"{path}: a vulnerable label needs lines=N[,N...]")
    if verdict == "safe" and lines:
        raise ValueError(f"{path}: a safe label takes no lines=")
    if expect not in {"", "missed", "flagged"}:
        raise ValueError(f"{path}: expect= must be missed or flagged")
    if (verdict, expect) in {("vulnerable", "flagged"), ("safe", "missed")}:
        raise ValueError(f"{path}: expect={expect} does not fit a {verdict} case")
    language = path.relative_to(CORPUS).parts[0] if path.is_relative_to(CORPUS) else ""
    return Label(path.resolve(), language, verdict, m.group("cwe"), lines, expect)


def load_corpus(root: Path = CORPUS) -> list[Label]:
    """Every labelled source file under ``root``, sorted by path."""
    return [
        parse_label(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in SOURCE_SUFFIXES
    ]


def strip_label(text: str) -> str:
    """The file text with its label line blanked, for triage that must not see the answer."""
    return _LABEL.sub("", text, count=1)
