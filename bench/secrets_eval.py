"""Secret detection scored on labelled public corpora this project did not write.

Suites (tests/fixtures/public/<suite>/cases.jsonl, each with ORIGIN.md and its licence):
- gitleaks-rules: the true and false positives gitleaks' generator checks each rule
  against (cmd/generate/config/rules/*.go). gitleaks' configuration is generated from these
  very files and Switchyard runs that configuration, so on this suite a high score is a
  regression test of the port (conversion, keyword prefilter, allow-lists, our own
  false-positive rules not throwing real tokens away), not independent evidence.
- detect-secrets-tests: the lines detect-secrets' plugin tests label `should_flag`, and
  its keyword tests' lines per file type. Labels say what that plugin's regex should match
  (`AKIAZZZZZZZZZZZZZZZZ` is labelled a secret there), so a miss can be a deliberate
  placeholder rule here; the disagreements are listed with --show.
- noseyparker-rules: the `examples` and `negative_examples` of Nosey Parker's default rules,
  written by another team for another engine and never used to build Switchyard's rules:
  the independent suite, and its holdout split the evidence.
- ripsecrets-tests: ripsecrets' test files (one secret per line or file, and a file of
  look-alikes); small, also independent.

Every case falls into `tune` or `holdout` by a hash of its id (bench.public_suites.split_of);
both are printed. A case counts as flagged when the detector reports anything in its text.
A gitleaks false positive for rule R means "R must not match"; when the pinned gitleaks set
matches it under another rule it is a true positive of that rule, so it is left out of the
false-positive rate and counted as `other-rule`.

Beside Switchyard (bot.secrets.find_secrets, the one detector every path uses) the same
cases go through detect-secrets alone with its default plugins and filters
(`scan_line`, as `detect-secrets scan --string` does).

    .venv/bin/python bench/secrets_eval.py [--suite gitleaks-rules] [--families] [--show 20]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.public_suites import PUBLIC, Split, split_of
from bot.secrets import find_secrets
from bot.secrets.gitleaks import scanner

SUITES = ("gitleaks-rules", "detect-secrets-tests", "noseyparker-rules", "ripsecrets-tests")


@dataclass(frozen=True)
class SecretCase:
    suite: str
    case_id: str
    family: str
    secret: bool
    text: str
    path: str | None
    rule: str | None = None  # the gitleaks or Nosey Parker rule the case was written for

    @property
    def split(self) -> Split:
        return split_of(self.suite, self.case_id)


def load(suite: str) -> Iterator[SecretCase]:
    with (PUBLIC / suite / "cases.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            rule = raw.get("rule")
            family = raw.get("family") or _family(rule)
            yield SecretCase(
                suite, raw["id"], family, raw["label"] == "tp", raw["text"], raw.get("path"), rule
            )


def _family(rule: str) -> str:
    """The service a gitleaks rule id names: `slack-bot-token` -> slack."""
    return rule.split("-", 1)[0]


def other_rule(case: SecretCase) -> bool:
    """A gitleaks false positive that the full gitleaks set flags under another rule."""
    if case.suite != "gitleaks-rules" or case.rule is None or case.secret:
        return False
    matches = scanner().scan(case.text, case.text.lower(), case.path)
    return any(m.rule.id != case.rule for m in matches)


def switchyard(case: SecretCase) -> bool:
    return bool(find_secrets(case.text, case.path))


def detect_secrets_alone() -> Callable[[SecretCase], bool]:
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    def run(case: SecretCase) -> bool:
        with default_settings():
            return any(any(True for _ in scan_line(line)) for line in case.text.splitlines())

    return run


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    misses: list[SecretCase] = field(default_factory=list)
    false_alarms: list[SecretCase] = field(default_factory=list)

    def add(self, case: SecretCase, flagged: bool) -> None:
        if case.secret and flagged:
            self.tp += 1
        elif case.secret:
            self.fn += 1
            self.misses.append(case)
        elif flagged:
            self.fp += 1
            self.false_alarms.append(case)
        else:
            self.tn += 1

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else float("nan")

    def line(self) -> str:
        return (
            f"recall {self.recall:.3f} ({self.tp}/{self.tp + self.fn})  "
            f"FPR {self.fpr:.3f} ({self.fp}/{self.fp + self.tn})"
        )


def evaluate(
    cases: list[SecretCase], detector: Callable[[SecretCase], bool]
) -> dict[tuple[Split, str], Tally]:
    """(split, family) -> tally; family "*" is the whole split."""
    out: dict[tuple[Split, str], Tally] = defaultdict(Tally)
    for case in cases:
        flagged = detector(case)
        out[(case.split, "*")].add(case, flagged)
        out[(case.split, case.family)].add(case, flagged)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", choices=SUITES, action="append")
    ap.add_argument("--families", action="store_true", help="per service family, both splits")
    ap.add_argument("--show", type=int, default=0, help="list this many misses/false alarms")
    ap.add_argument("--split", choices=("tune", "holdout"), default="tune", help="for --show")
    args = ap.parse_args()
    find_secrets("warm = 'up'")
    ds = detect_secrets_alone()
    for suite in args.suite or SUITES:
        cases = list(load(suite))
        excluded = [c for c in cases if other_rule(c)]
        cases = [c for c in cases if not other_rule(c)]
        secrets = sum(c.secret for c in cases)
        print(f"\n== {suite}: {secrets} secrets, {len(cases) - secrets} look-alikes", end="")
        print(f" ({len(excluded)} other-rule false positives left out)" if excluded else "")
        ours = evaluate(cases, switchyard)
        theirs = evaluate(cases, ds)
        for split in ("tune", "holdout"):
            print(f"  {split:8s} switchyard      {ours[(split, '*')].line()}")
            print(f"  {split:8s} detect-secrets  {theirs[(split, '*')].line()}")
        for split in ("tune", "holdout") if args.families else ():
            fams = sorted({f for s, f in ours if s == split and f != "*"})
            print(f"  {split} per family (switchyard | detect-secrets), {len(fams)} families:")
            for fam in fams:
                a, b = ours[(split, fam)], theirs[(split, fam)]
                print(
                    f"    {fam:24s} recall {a.recall:5.2f} | {b.recall:5.2f}   "
                    f"FPR {a.fpr:5.2f} | {b.fpr:5.2f}   (n={a.tp + a.fn}+{a.fp + a.tn})"
                )
        if args.show:
            t = ours[(args.split, "*")]
            for label, items in (("missed", t.misses), ("false alarm", t.false_alarms)):
                for c in items[: args.show]:
                    print(f"  {label}: {c.case_id} {c.path or ''} {c.text[:150]!r}")


if __name__ == "__main__":
    main()
