"""eslint-plugin-security's rule tests as a labelled JavaScript suite.

Each rule of eslint-community/eslint-plugin-security (Apache-2.0) is tested with ESLint's
RuleTester on ``valid`` snippets (the rule must stay silent: safe cases) and ``invalid``
ones (it must report: vulnerable cases). These are a linter's expectations on small
snippets, not reviewed vulnerabilities: ``require('child_process')`` alone is "invalid",
``spawn(str)`` without a shell is "valid". They are scored as labelled.

``load()`` reads ``tests/fixtures/public/eslint-plugin-security/cases.csv`` and
``cases/<id>.js``. ``python -m bench.public_suites.js_eslint_security --from-mirror``
writes them again from the bare mirror (node runs each test file with a RuleTester that
records its cases instead of checking them; ORIGIN.md says how).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.public_suites import PUBLIC, Case, cases_from_labels, suite_main, write_labels

SUITE = "eslint-plugin-security"
FOLDER = PUBLIC / SUITE
LABELS = "cases.csv"
MIRROR = Path("/work/.mirror/eslint-community+eslint-plugin-security/repo")

# The plugin's rules whose weakness is one that the JavaScript rules claim. The plugin
# names no CWE; these are the CWEs of what each rule's documentation says it guards against.
RULES: dict[str, tuple[str, int]] = {
    "detect-child-process": ("command-injection", 78),
    "detect-non-literal-fs-filename": ("path-traversal", 22),
    "detect-eval-with-expression": ("code-injection", 95),
    "detect-non-literal-require": ("code-injection", 94),
    "detect-pseudoRandomBytes": ("weak-random", 338),
    "detect-disable-mustache-escape": ("xss", 79),
}

# Loads one test file with a RuleTester that prints the cases it is given.
_RECORDER = """
const Module = require('module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'eslint') {
    return { RuleTester: class { run(name, rule, t) {
      process.stdout.write(JSON.stringify({ valid: t.valid, invalid: t.invalid }));
    } } };
  }
  if (request.startsWith('../../rules/')) return {};
  return load.apply(this, arguments);
};
require(require('path').resolve(process.argv[2]));
"""


def load(folder: Path = FOLDER) -> list[Case]:
    return cases_from_labels(
        SUITE, folder, LABELS, language="javascript", suffix=".js",
        vulnerable=lambda row: row["expected"] == "invalid",
    )  # fmt: skip


def _code(item: str | dict) -> str:
    return item if isinstance(item, str) else item["code"]


def rebuild(mirror: Path = MIRROR, folder: Path = FOLDER) -> int:
    """Write every valid and invalid snippet of the rules in ``RULES`` from the mirror's
    HEAD into ``folder``; returns the number of cases. Needs ``node``."""
    cases = folder / "cases"
    shutil.rmtree(cases, ignore_errors=True)
    cases.mkdir(parents=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "--git-dir", str(mirror), "archive", "HEAD", "test/rules"],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        recorder = Path(tmp) / "record.js"
        recorder.write_text(_RECORDER, encoding="utf-8")
        for rule, (category, cwe) in sorted(RULES.items()):
            out = subprocess.run(
                ["node", str(recorder), f"{tmp}/test/rules/{rule}.js"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            tests = json.loads(out)
            for expected in ("valid", "invalid"):
                for n, item in enumerate(tests[expected]):
                    case_id = f"{rule}-{expected}-{n:02d}"
                    text = _code(item).strip("\n") + "\n"
                    (cases / f"{case_id}.js").write_text(text, encoding="utf-8")
                    rows.append([case_id, rule, category, cwe, expected])
    write_labels(folder / LABELS, ["case_id", "eslint_rule", "category", "cwe", "expected"], rows)
    return len(rows)


def main() -> None:
    suite_main(__doc__ or "", MIRROR, rebuild, load)


if __name__ == "__main__":
    main()
