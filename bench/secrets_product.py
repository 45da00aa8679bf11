"""semgrep-rules' secret test files scored through the product, as the issue scored them.

`bench/secrets_eval.py` calls the detector in-process; this runs what a user runs:
semgrep-rules' `generic/secrets` test files staged as one change in a throw-away git
repository (under their own paths, `review.max_findings` lifted), then
`switchyard security --no-model --mode nofilter --format json` as a process. A labelled
line counts as flagged when a finding of the report covers it: every finding, as the
issue counted, and the secret detector's alone beside it (semgrep's and bandit's own
rules run too and may flag a look-alike). Both splits of bench.public_suites.split_of are
printed, and the whole set, which is the set the issue measured.

    .venv/bin/python bench/secrets_product.py [--semgrep-rules PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.secrets_eval import SecretCase, Tally, _semgrep_rules_default, load_semgrep_rules
from bench.security_product import _REPO_CONFIG, StagedCorpus, _git, run_product


def stage(cases: list[SecretCase], dest: Path) -> StagedCorpus:
    """Every file the cases come from, added in one commit over a base holding only the
    configuration."""
    _git(dest, "init", "-q", "-b", "main")
    (dest / ".switchyard.yml").write_text(_REPO_CONFIG, encoding="utf-8")
    _git(dest, "add", ".switchyard.yml")
    _git(dest, "commit", "-q", "-m", "base")
    base = _git(dest, "rev-parse", "HEAD")
    for case in cases:
        target = dest / (case.path or "")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(case.file_text or "", encoding="utf-8")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "semgrep-rules' secret test files")
    return StagedCorpus(dest, base, {})


def covered_lines(findings: list[dict], *, source: str | None) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for f in findings:
        if source is not None and f.get("source") != source:
            continue
        start = f.get("start_line") or 0
        for line in range(start, (f.get("end_line") or start) + 1):
            out.add((f["path"], line))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--semgrep-rules", type=Path, default=None)
    args = ap.parse_args()
    cases = list(load_semgrep_rules(args.semgrep_rules or _semgrep_rules_default()))
    with tempfile.TemporaryDirectory(prefix="switchyard-bench-secrets-") as tmp:
        run = run_product(stage(cases, Path(tmp)), no_model=True)
    print(f"switchyard security --no-model: {len(run.findings)} findings in {run.wall_s:.1f} s")
    for label, source in (("every finding", None), ("secret findings", "secrets")):
        flagged = covered_lines(run.findings, source=source)
        tallies: dict[str, Tally] = defaultdict(Tally)
        for case in cases:
            hit = (case.path, case.line) in flagged
            tallies[case.split].add(case, hit)
            tallies["all"].add(case, hit)
        for split in ("tune", "holdout", "all"):
            print(f"  {split:8} {label:16} {tallies[split].line()}")


if __name__ == "__main__":
    main()
