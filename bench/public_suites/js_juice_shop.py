"""OWASP Juice Shop's coding challenges as a labelled TypeScript suite.

Juice Shop (MIT) ships, for each of its "find it, then fix it" challenges, the code of
three or four candidate fixes in ``data/static/codefixes/<challenge>_<n>[_correct].ts``:
exactly one, named ``_correct``, removes the weakness; the others leave it in place (the
challenge's ``.info.yml`` explains why each is wrong). The correct fix is a safe case, the
others vulnerable ones.

``load()`` reads ``tests/fixtures/public/juice-shop-codefixes/cases.csv`` and
``cases/<id>.ts``. ``python -m bench.public_suites.js_juice_shop --from-mirror`` writes
them again from the bare mirror of the upstream repository (ORIGIN.md says how).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from bench.public_suites import PUBLIC, Case, cases_from_labels, suite_main, write_labels

SUITE = "juice-shop-codefixes"
FOLDER = PUBLIC / SUITE
LABELS = "cases.csv"
MIRROR = Path("/work/.mirror/juice-shop+juice-shop/repo")
CODEFIXES = "data/static/codefixes"

# The challenges whose weakness is one that the JavaScript/TypeScript rules claim. Juice
# Shop names no CWE: the one here is that of the OWASP cheat sheet each challenge links as
# its mitigation (data/static/challenges.yml, mitigationUrl).
CHALLENGES: dict[str, tuple[str, int]] = {
    "dbSchemaChallenge": ("sql-injection", 89),
    "unionSqlInjectionChallenge": ("sql-injection", 89),
    "loginAdminChallenge": ("sql-injection", 89),
    "loginBenderChallenge": ("sql-injection", 89),
    "loginJimChallenge": ("sql-injection", 89),
    "localXssChallenge": ("xss", 79),
    "restfulXssChallenge": ("xss", 79),
    "xssBonusChallenge": ("xss", 79),
    "redirectChallenge": ("open-redirect", 601),
    "redirectCryptoCurrencyChallenge": ("open-redirect", 601),
}
_FIX = re.compile(r"^(?P<challenge>[A-Za-z0-9]+)_(?P<n>\d+)(?P<correct>_correct)?\.ts$")
# A snippet that opens with a method of an Angular component (``filterTable () {``).
_METHOD = re.compile(r"^[A-Za-z_$][\w$]*\s*\(\)\s*\{")


def load(folder: Path = FOLDER) -> list[Case]:
    return cases_from_labels(
        SUITE, folder, LABELS, language="javascript", suffix=".ts",
        vulnerable=lambda row: row["correct_fix"] == "no",
    )  # fmt: skip


def complete(snippet: str) -> str:
    """The snippet as a file a parser reads: the closing braces a cut-off snippet lacks
    are added, and a lone component method is put inside ``class Snippet { ... }``. Both
    tools see the same file; nothing inside the snippet changes."""
    text = snippet.rstrip() + "\n" + "}\n" * max(snippet.count("{") - snippet.count("}"), 0)
    if _METHOD.match(text):
        text = "class Snippet {\n" + text + "}\n"
    return text


def _git(mirror: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(mirror), *args], capture_output=True, text=True, check=True
    ).stdout


def rebuild(mirror: Path = MIRROR, folder: Path = FOLDER) -> int:
    """Write every candidate fix of the challenges in ``CHALLENGES`` from the mirror's HEAD
    into ``folder``; returns the number of cases."""
    cases = folder / "cases"
    shutil.rmtree(cases, ignore_errors=True)
    cases.mkdir(parents=True)
    rows = []
    for path in sorted(_git(mirror, "ls-tree", "--name-only", f"HEAD:{CODEFIXES}").split()):
        m = _FIX.match(path)
        if m is None or m["challenge"] not in CHALLENGES:
            continue
        category, cwe = CHALLENGES[m["challenge"]]
        case_id = f"{m['challenge']}_{m['n']}"
        text = _git(mirror, "show", f"HEAD:{CODEFIXES}/{path}")
        (cases / f"{case_id}.ts").write_text(complete(text), encoding="utf-8")
        rows.append([case_id, m["challenge"], category, cwe, "yes" if m["correct"] else "no"])
    write_labels(folder / LABELS, ["case_id", "challenge", "category", "cwe", "correct_fix"], rows)
    return len(rows)


def main() -> None:
    suite_main(__doc__ or "", MIRROR, rebuild, load)


if __name__ == "__main__":
    main()
