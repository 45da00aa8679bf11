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
- semgrep-rules-secrets: the annotated test files of semgrep-rules' `generic/secrets`
  rules (`gitleaks/` and `security/`): a `ruleid:` comment marks the next line as a
  secret, an `ok:` comment as a look-alike (363 and 113). Each file is scanned whole, under
  its own path, and a case counts as flagged when a secret is reported on its line.
  semgrep-rules is under LGPL 2.1 with the Commons Clause, so its files are not copied
  into this repository: the suite is read from a checkout or mirror of
  github.com/semgrep/semgrep-rules (--semgrep-rules PATH, or $SEMGREP_RULES).
- kingfisher-rules: the `examples` (and five `negative_examples`) of MongoDB Kingfisher's
  rules, leaving out texts already in noseyparker-rules (Kingfisher grew from Nosey
  Parker); a second independent recall figure over ~640 services. About 700 of its 1,165
  examples are typed stand-ins (`1234...`, `abc123...`) that Switchyard turns down on
  purpose, so its recall here has a ceiling well below 1.
- whispers-tests: Skyscanner Whispers' fixture files (config and source in many formats),
  scanned whole; the lines its tests require it to report are secrets, the secret-named
  lines of its Compliant parts and zero-yield files are look-alikes. Its secrets are
  marked by the word "hardcoded", which gitleaks' stopwords turn down: its recall here
  measures contexts, not values.
- trivy-secrets: Trivy's secret-scanner test files, scanned whole: the first lines of its
  builtin rules' expected findings are secrets, the lines of files it expects nothing from
  are look-alikes (small: 45 + 29).
- secretlint-rules: secretlint's rule snapshot tests (MIT), scanned whole: the lines of
  each expected message are secrets, the non-blank lines of inputs that expect none are
  look-alikes (114 + 227; its `ok` inputs hold the near-misses secretlint's authors chose:
  placeholders in URLs, tokens one character short, a prefix inside a longer word).
- credsweeper-samples: Samsung CredSweeper's sample files (MIT), scanned whole: the lines
  of its default run's expected reports are secrets; the lines its rules report and its
  authors' filters turn down, and the lines of its samples named as negative, are
  look-alikes (812 + 128). Split by whole sample (a sample holds one rule's examples).

Every case falls into `tune` or `holdout` by a hash of its id, or of its group where the
suite names one (bench.public_suites.split_of);
both are printed. A case counts as flagged when the detector reports anything in its text.
A gitleaks false positive for rule R means "R must not match"; when the pinned gitleaks set
matches it under another rule it is a true positive of that rule, so it is left out of the
false-positive rate and counted as `other-rule`.

Beside Switchyard (bot.secrets.find_secrets, the one detector every path uses) the same
cases go through detect-secrets alone with its default plugins and filters
(`scan_line`, as `detect-secrets scan --string` does).

With --peer credsweeper / --peer semgrep-registry other detectors get a line too
(bench/secrets_peers.py says how each runs), and a count of Switchyard's false alarms and
misses that the peer shares, per split (counts, so the holdout's lines stay unread); with
two peers also together: the false alarms either raises, the misses both make.

    .venv/bin/python bench/secrets_eval.py [--suite gitleaks-rules] [--families] [--show 20]
        [--peer credsweeper] [--peer semgrep-registry]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.public_suites import PUBLIC, Split, split_of
from bench.secrets_peers import PEERS, peer_detector, peer_version
from bot.secrets import find_secrets
from bot.secrets.gitleaks import scanner

SUITES = (
    "gitleaks-rules",
    "detect-secrets-tests",
    "noseyparker-rules",
    "ripsecrets-tests",
    "semgrep-rules-secrets",
    "kingfisher-rules",
    "whispers-tests",
    "trivy-secrets",
    "secretlint-rules",
    "credsweeper-samples",
)
SEMGREP_RULES_MIRROR = Path("/work/.mirror/semgrep+semgrep-rules/repo")


@dataclass(frozen=True)
class SecretCase:
    suite: str
    case_id: str
    family: str
    secret: bool
    text: str
    path: str | None
    rule: str | None = None  # the gitleaks or Nosey Parker rule the case was written for
    # For a case that is one line of a whole file: that file's text, and the line (1-based).
    file_text: str | None = None
    line: int | None = None
    # Cases split together (one sample's lines), where the suite groups them.
    group: str | None = None

    @property
    def split(self) -> Split:
        return split_of(self.suite, self.group or self.case_id)


def load(suite: str, semgrep_rules: Path | None = None) -> Iterator[SecretCase]:
    if suite == "semgrep-rules-secrets":
        yield from load_semgrep_rules(semgrep_rules or _semgrep_rules_default())
        return
    files: dict[str, str] = {}
    with (PUBLIC / suite / "cases.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            raw = json.loads(line)
            rule = raw.get("rule")
            family = raw.get("family") or _family(rule)
            # A line of a whole file: `file` names the copy in the suite's folder, scanned
            # whole under `path`; `line` is the labelled line (1-based).
            file = raw.get("file")
            if file is not None and file not in files:
                files[file] = (PUBLIC / suite / file).read_text(encoding="utf-8")
            yield SecretCase(
                suite,
                raw["id"],
                family,
                raw["label"] == "tp",
                raw["text"],
                raw.get("path"),
                rule,
                file_text=files.get(file) if file is not None else None,
                line=raw.get("line"),
                group=raw.get("group"),
            )


def _semgrep_rules_default() -> Path:
    return Path(os.environ.get("SEMGREP_RULES") or SEMGREP_RULES_MIRROR)


_ANNOTATION = re.compile(r"^\s*(?:#|//|<!--|;|--)\s*(ruleid|ok):\s*([\w.-]+)")


def load_semgrep_rules(root: Path) -> Iterator[SecretCase]:
    """Every annotated line of semgrep-rules' generic/secrets test files under `root`, a
    checkout or a bare mirror."""
    for path, text in _semgrep_secret_files(root):
        lines = text.splitlines()
        pending: list[tuple[str, str]] = []
        for number, line in enumerate(lines, 1):
            m = _ANNOTATION.match(line)
            if m:
                pending.append((m.group(1), m.group(2)))
                continue
            for kind, rule in pending:
                yield SecretCase(
                    "semgrep-rules-secrets",
                    f"{path}:{number}:{rule}",
                    _family(rule.removeprefix("detected-")),
                    kind == "ruleid",
                    line,
                    path,
                    rule,
                    file_text=text,
                    line=number,
                )
            pending = []


def _semgrep_secret_files(root: Path) -> Iterator[tuple[str, str]]:
    folders = ("generic/secrets/gitleaks", "generic/secrets/security")
    if (root / "generic").is_dir():
        for folder in folders:
            for f in sorted((root / folder).iterdir()):
                if f.suffix not in (".yaml", ".yml"):
                    yield f"{folder}/{f.name}", f.read_text(encoding="utf-8", errors="replace")
        return
    if not (root / "HEAD").is_file():
        raise SystemExit(
            f"semgrep-rules not found at {root}: clone github.com/semgrep/semgrep-rules and "
            "pass --semgrep-rules PATH (or set SEMGREP_RULES)"
        )
    git = ["git", f"--git-dir={root}"]
    names = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", "HEAD", *folders],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in names:
        if not name.endswith((".yaml", ".yml")):
            blob = subprocess.run(
                [*git, "show", f"HEAD:{name}"], capture_output=True, check=True
            ).stdout
            yield name, blob.decode("utf-8", errors="replace")


def _family(rule: str) -> str:
    """The service a gitleaks rule id names: `slack-bot-token` -> slack."""
    return rule.split("-", 1)[0]


def other_rule(case: SecretCase) -> bool:
    """A gitleaks false positive that the full gitleaks set flags under another rule."""
    if case.suite != "gitleaks-rules" or case.rule is None or case.secret:
        return False
    matches = scanner().scan(case.text, case.text.lower(), case.path)
    return any(m.rule.id != case.rule for m in matches)


_FILE_HITS: dict[tuple[str, str], list[tuple[int, int]]] = {}


def switchyard(case: SecretCase) -> bool:
    if case.file_text is None or case.line is None:
        return bool(find_secrets(case.text, case.path))
    key = (case.path or "", case.file_text)
    if key not in _FILE_HITS:
        _FILE_HITS[key] = [(h.line, h.end_line) for h in find_secrets(case.file_text, case.path)]
    return any(first <= case.line <= last for first, last in _FILE_HITS[key])


def detect_secrets_alone() -> Callable[[SecretCase], bool]:
    """A one-line case as `detect-secrets scan --string`; a line of a whole file as
    `detect-secrets scan` on that file (its filters see the file's name and type)."""
    from detect_secrets.core.scan import scan_file, scan_line
    from detect_secrets.settings import default_settings

    lines_by_file: dict[str, set[int]] = {}
    tmp = Path(tempfile.mkdtemp(prefix="secrets-eval-"))

    def file_lines(case: SecretCase) -> set[int]:
        key = case.path or case.case_id
        if key not in lines_by_file:
            target = tmp / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(case.file_text or "", encoding="utf-8")
            with default_settings():
                lines_by_file[key] = {s.line_number for s in scan_file(str(target))}
        return lines_by_file[key]

    def run(case: SecretCase) -> bool:
        if case.file_text is not None and case.line is not None:
            return case.line in file_lines(case)
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


def _shared_errors(
    ours: dict[tuple[Split, str], Tally], *peers: dict[tuple[Split, str], Tally]
) -> str:
    """How many of Switchyard's false alarms some peer raises too, and how many of its
    misses every peer misses too, per split: counts only, so a holdout's lines stay unread.
    A false alarm another detector raises is a label to doubt before a rule to change."""
    parts = []
    for split in ("tune", "holdout"):
        a = ours[(split, "*")]
        alarms = {c.case_id for p in peers for c in p[(split, "*")].false_alarms}
        missed = set.intersection(*({c.case_id for c in p[(split, "*")].misses} for p in peers))
        both_alarm = sum(c.case_id in alarms for c in a.false_alarms)
        both_miss = sum(c.case_id in missed for c in a.misses)
        parts.append(
            f"{split} false alarms {both_alarm} of {len(a.false_alarms)}, "
            f"misses {both_miss} of {len(a.misses)}"
        )
    return "; ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", choices=SUITES, action="append")
    ap.add_argument("--families", action="store_true", help="per service family, both splits")
    ap.add_argument("--show", type=int, default=0, help="list this many misses/false alarms")
    ap.add_argument("--split", choices=("tune", "holdout"), default="tune", help="for --show")
    ap.add_argument(
        "--semgrep-rules",
        type=Path,
        help="a checkout or bare mirror of github.com/semgrep/semgrep-rules "
        f"(default $SEMGREP_RULES or {SEMGREP_RULES_MIRROR})",
    )
    ap.add_argument("--peer", choices=PEERS, action="append", default=[], help="repeatable")
    args = ap.parse_args()
    for peer in args.peer:
        print(f"peer {peer}: {peer_version(peer)}")
    find_secrets("warm = 'up'")
    ds = detect_secrets_alone()
    for suite in args.suite or SUITES:
        cases = list(load(suite, args.semgrep_rules))
        excluded = [c for c in cases if other_rule(c)]
        cases = [c for c in cases if not other_rule(c)]
        secrets = sum(c.secret for c in cases)
        print(f"\n== {suite}: {secrets} secrets, {len(cases) - secrets} look-alikes", end="")
        print(f" ({len(excluded)} other-rule false positives left out)" if excluded else "")
        ours = evaluate(cases, switchyard)
        theirs = evaluate(cases, ds)
        semgrep_rules = args.semgrep_rules or _semgrep_rules_default()
        peers = {p: evaluate(cases, peer_detector(p, cases, semgrep_rules)) for p in args.peer}
        for split in ("tune", "holdout"):
            print(f"  {split:8s} switchyard      {ours[(split, '*')].line()}")
            print(f"  {split:8s} detect-secrets  {theirs[(split, '*')].line()}")
            for peer, tallies in peers.items():
                print(f"  {split:8s} {peer:15s} {tallies[(split, '*')].line()}")
        for peer, tallies in peers.items():
            print(
                f"  {peer}, where it agrees with switchyard's errors:",
                _shared_errors(ours, tallies),
            )
        if len(peers) > 1:
            print("  the peers together:", _shared_errors(ours, *peers.values()))
        if "semgrep-registry" in peers and suite == "semgrep-rules-secrets":
            print("  (semgrep-registry is scored on its own rules' tests here)")
        names = " | ".join(("switchyard", "detect-secrets", *peers))
        for split in ("tune", "holdout") if args.families else ():
            fams = sorted({f for s, f in ours if s == split and f != "*"})
            print(f"  {split} per family ({names}), {len(fams)} families:")
            for fam in fams:
                cols = [t[(split, fam)] for t in (ours, theirs, *peers.values())]
                recalls = " | ".join(f"{t.recall:5.2f}" for t in cols)
                fprs = " | ".join(f"{t.fpr:5.2f}" for t in cols)
                a = cols[0]
                print(
                    f"    {fam:24s} recall {recalls}   FPR {fprs}   (n={a.tp + a.fn}+{a.fp + a.tn})"
                )
        if args.show:
            t = ours[(args.split, "*")]
            for label, items in (("missed", t.misses), ("false alarm", t.false_alarms)):
                for c in items[: args.show]:
                    print(f"  {label}: {c.case_id} {c.path or ''} {c.text[:150]!r}")


if __name__ == "__main__":
    main()
