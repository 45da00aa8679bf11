"""gosec's own rule samples (testutils/gNNN_samples.go) as a labelled Go suite.

Each gosec sample is a Go program and the number of issues the rule named by the file
must report on it: a count above 0 is a vulnerable case, 0 a safe one. The case's CWE is
gosec's own mapping (issue/issue.go ``ruleToCWE``), except where ORIGIN.md says otherwise.

``load()`` reads ``tests/fixtures/public/gosec/cases.csv`` and ``cases/<id>.go``.
``python -m bench.public_suites.go_gosec --from-mirror`` writes them again from the bare
mirror of the upstream repository, the same way every time (ORIGIN.md says how).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.public_suites import PUBLIC, Case, cases_from_labels, suite_main, write_labels

SUITE = "gosec"
FOLDER = PUBLIC / SUITE
LABELS = "cases.csv"
MIRROR = Path("/work/.mirror/securego+gosec/repo")

# The gosec rules whose weakness is one this project's Go rules claim, as
# (category, CWE). gosec's own CWE unless noted in ORIGIN.md: G107 is gosec's SSRF rule
# (its table says CWE-88); the hash imports G501/G505-G507 are CWE-328 like G401/G406.
RULES: dict[str, tuple[str, int]] = {
    "G101": ("hardcoded-credentials", 798),
    "G107": ("ssrf", 918),
    "G111": ("path-traversal", 22),
    "G123": ("insecure-tls", 295),
    "G124": ("insecure-cookie", 614),
    "G201": ("sql-injection", 89),
    "G202": ("sql-injection", 89),
    "G203": ("xss", 79),
    "G204": ("command-injection", 78),
    "G304": ("path-traversal", 22),
    "G305": ("path-traversal", 22),
    "G401": ("weak-hash", 328),
    "G402": ("insecure-tls", 295),
    "G404": ("weak-random", 338),
    "G405": ("weak-cipher", 327),
    "G406": ("weak-hash", 328),
    "G501": ("weak-hash", 328),
    "G502": ("weak-cipher", 327),
    "G503": ("weak-cipher", 327),
    "G505": ("weak-hash", 328),
    "G506": ("weak-hash", 328),
    "G507": ("weak-hash", 328),
    "G701": ("sql-injection", 89),
    "G702": ("command-injection", 78),
    "G703": ("path-traversal", 22),
    "G704": ("ssrf", 918),
    "G705": ("xss", 79),
    "G710": ("open-redirect", 601),
}


@dataclass(frozen=True)
class Sample:
    rule: str
    index: int  # position among the rule file's samples, from 0
    files: tuple[str, ...]
    errors: int
    default_config: bool


def load(folder: Path = FOLDER) -> list[Case]:
    return cases_from_labels(
        SUITE, folder, LABELS, language="go", suffix=".go",
        vulnerable=lambda row: int(row["expected_issues"]) > 0,
    )  # fmt: skip


# A Go string literal: raw (`...`) or interpreted ("..." with escapes).
_STRING = re.compile(r'`[^`]*`|"(?:[^"\\]|\\.)*"')
_CODE_START = re.compile(r"\[\]string\{")
_ERRORS = re.compile(r"\s*\}\s*,\s*(?:Errors:\s*)?(\d+)\s*,", re.S)
_KEYED_ERRORS = re.compile(r"\s*\}\s*,\s*Errors:\s*(\d+)\s*,", re.S)


def _go_string(literal: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    return bytes(literal[1:-1], "utf-8").decode("unicode_escape")


def parse_samples(rule: str, text: str) -> list[Sample]:
    """The samples of one gosec ``gNNN_samples.go`` file, in order: each
    ``[]string{...}`` code list with its expected issue count and whether it runs under
    ``gosec.NewConfig()`` (the default settings)."""
    samples: list[Sample] = []
    pos = 0
    while m := _CODE_START.search(text, pos):
        i, files, parts = m.end(), [], []
        while True:
            while text[i] in " \t\r\n":
                i += 1
            if text[i] == "}":
                break
            if text[i] in "+":
                i += 1
                continue
            if text[i] == ",":
                files.append("".join(parts))
                parts, i = [], i + 1
                continue
            lit = _STRING.match(text, i)
            if lit is None:
                raise ValueError(f"{rule}: unexpected {text[i : i + 40]!r}")
            parts.append(_go_string(lit.group()))
            i = lit.end()
        if parts:
            files.append("".join(parts))
        count = _ERRORS.match(text, i) or _KEYED_ERRORS.match(text, i)
        if count is None:
            raise ValueError(f"{rule}: no issue count after sample {len(samples)}")
        rest = text[count.end() : count.end() + 200].lstrip()
        default = rest.startswith(("gosec.NewConfig()", "Config: gosec.NewConfig()"))
        samples.append(Sample(rule, len(samples), tuple(files), int(count.group(1)), default))
        pos = count.end()
    return samples


def _git_show(mirror: Path, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def rebuild(mirror: Path = MIRROR, folder: Path = FOLDER) -> dict[str, int]:
    """Write every single-file, default-settings sample of the rules in ``RULES`` from the
    mirror's HEAD into ``folder``; returns what was left out and why, counted."""
    cases = folder / "cases"
    shutil.rmtree(cases, ignore_errors=True)
    cases.mkdir(parents=True)
    skipped = {"several files": 0, "non-default settings": 0}
    rows = []
    for rule, (category, cwe) in sorted(RULES.items()):
        text = _git_show(mirror, f"testutils/{rule.lower()}_samples.go")
        for s in parse_samples(rule, text):
            if len(s.files) != 1:
                skipped["several files"] += 1
                continue
            if not s.default_config:
                skipped["non-default settings"] += 1
                continue
            case_id = f"{rule}-{s.index:03d}"
            (cases / f"{case_id}.go").write_text(s.files[0].lstrip("\n"), encoding="utf-8")
            rows.append([case_id, rule, category, cwe, s.errors])
    write_labels(
        folder / LABELS, ["case_id", "gosec_rule", "category", "cwe", "expected_issues"], rows
    )
    return skipped


def main() -> None:
    suite_main(__doc__ or "", MIRROR, rebuild, load)


if __name__ == "__main__":
    main()
