"""Score the security scanners on the labelled corpus in tests/fixtures/security/.

Each corpus file is one case, labelled on its first line (format: tests/fixtures/security/
README.md). semgrep and bandit each run once over the whole corpus (bench/security_scans.py);
`--scanner product` runs `switchyard security` itself on the corpus staged as one change
(bench/security_product.py): the scanners combined as the product combines them and, with a
model configured, its triage and model pass, so the FP share there is "false positives
after triage". All are scored:

- recall       vulnerable cases whose every labelled line got a finding with the label's CWE
- FPR          safe cases with any finding at all
- TPR - FPR    the two above combined (Youden's J)
- FP share     findings that match no labelled (line, CWE) pair, over all findings
- ms/file      semgrep's own per-file match+parse time; the wall time of the whole scan
               (startup included) divided by the file count is printed with the totals

Printed per category x language and overall.

    .venv/bin/python bench/security_eval.py [--scanner semgrep|bandit|product|all]
        [--config FILE] [--no-model] [--json out.json] [--show-misses]

With a model: SWITCHYARD_LOCAL_BASE_URL=http://gpu:8000/v1 SWITCHYARD_LOCAL_MODEL=...
(or OPENAI_API_KEY, or --config FILE) and --scanner product.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.security_corpus import CORPUS, Label, load_corpus  # noqa: E402
from bench.security_product import run_product_scan  # noqa: E402
from bench.security_scans import Finding, run_bandit, run_semgrep  # noqa: E402
from bot.security.rules_index import category_by_cwe, rule_metadata  # noqa: E402


# --------------------------------------------------------------------------- scoring
@dataclass
class CaseResult:
    label: Label
    findings: list[Finding]
    hit_lines: tuple[int, ...] = ()
    stray: list[Finding] = field(default_factory=list)

    @property
    def detected(self) -> bool:
        """Vulnerable: every labelled line found with the right CWE. Safe: any finding."""
        if self.label.vulnerable:
            return set(self.hit_lines) == set(self.label.lines)
        return bool(self.findings)


def score_cases(labels: list[Label], findings: list[Finding]) -> list[CaseResult]:
    by_path: dict[Path, list[Finding]] = defaultdict(list)
    for f in findings:
        by_path[f.path].append(f)
    out = []
    for label in labels:
        fs = by_path.get(label.path, [])
        if not label.vulnerable:
            out.append(CaseResult(label, fs, (), list(fs)))
            continue
        right = [f for f in fs if label.cwe in f.cwe]
        hits = tuple(ln for ln in label.lines if any(f.covers(ln) for f in right))
        stray = [f for f in fs if f not in right or not any(f.covers(ln) for ln in label.lines)]
        out.append(CaseResult(label, fs, hits, stray))
    return out


@dataclass
class Row:
    vuln: int = 0
    safe: int = 0
    tp: int = 0
    fp_cases: int = 0
    findings: int = 0
    stray: int = 0
    files: int = 0
    time_s: float = 0.0

    def add(self, case: CaseResult, time_s: float) -> None:
        self.files += 1
        self.time_s += time_s
        self.findings += len(case.findings)
        self.stray += len(case.stray)
        if case.label.vulnerable:
            self.vuln += 1
            self.tp += case.detected
        else:
            self.safe += 1
            self.fp_cases += case.detected

    @property
    def recall(self) -> float:
        return self.tp / self.vuln if self.vuln else float("nan")

    @property
    def fpr(self) -> float:
        return self.fp_cases / self.safe if self.safe else float("nan")

    @property
    def fp_share(self) -> float:
        return self.stray / self.findings if self.findings else 0.0

    @property
    def ms_per_file(self) -> float:
        return 1000 * self.time_s / self.files if self.files else 0.0


def summarize(
    cases: list[CaseResult], times: dict[Path, float], categories: dict[str, str]
) -> tuple[dict[tuple[str, str], Row], Row]:
    rows: dict[tuple[str, str], Row] = defaultdict(Row)
    total = Row()
    for case in cases:
        key = (categories.get(case.label.cwe, case.label.cwe), case.label.language)
        t = times.get(case.label.path, 0.0)
        rows[key].add(case, t)
        total.add(case, t)
    return dict(sorted(rows.items())), total


def _fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:5.2f}"  # NaN check


def print_table(
    scanner: str, rows: dict[tuple[str, str], Row], total: Row, wall_s: float, n_files: int
) -> None:
    head = f"{'category':<22} {'lang':<10} {'vuln':>4} {'safe':>4} {'recall':>6} {'FPR':>5} "
    head += f"{'TPR-FPR':>7} {'FPshare':>7} {'ms/file':>7}"
    print(f"\n== {scanner} ==")
    print(head)
    print("-" * len(head))
    by_cat: dict[str, Row] = defaultdict(Row)
    for (cat, lang), r in rows.items():
        j = r.recall - r.fpr
        print(
            f"{cat:<22} {lang:<10} {r.vuln:>4} {r.safe:>4} {_fmt(r.recall):>6} "
            f"{_fmt(r.fpr):>5} {_fmt(j):>7} {_fmt(r.fp_share):>7} {r.ms_per_file:7.1f}"
        )
        agg = by_cat[cat]
        for name in ("vuln", "safe", "tp", "fp_cases", "findings", "stray", "files"):
            setattr(agg, name, getattr(agg, name) + getattr(r, name))
        agg.time_s += r.time_s
    print("-" * len(head))
    for cat, r in sorted(by_cat.items()):
        print(
            f"{cat:<22} {'(all)':<10} {r.vuln:>4} {r.safe:>4} {_fmt(r.recall):>6} "
            f"{_fmt(r.fpr):>5} {_fmt(r.recall - r.fpr):>7} {_fmt(r.fp_share):>7} "
            f"{r.ms_per_file:7.1f}"
        )
    print("-" * len(head))
    print(
        f"{'OVERALL':<22} {'':<10} {total.vuln:>4} {total.safe:>4} {_fmt(total.recall):>6} "
        f"{_fmt(total.fpr):>5} {_fmt(total.recall - total.fpr):>7} "
        f"{_fmt(total.fp_share):>7} {total.ms_per_file:7.1f}"
    )
    print(
        f"findings {total.findings}, of them matching no label {total.stray}; "
        f"wall {wall_s:.2f}s for {n_files} files = {1000 * wall_s / max(n_files, 1):.1f} "
        f"ms/file with startup"
    )


def evaluate(
    scanner: str,
    labels: list[Label],
    show_misses: bool,
    config: Path | None = None,
    no_model: bool = False,
) -> dict:
    extra: dict = {}
    if scanner == "bandit":
        labels = [lb for lb in labels if lb.language == "python"]
        result = run_bandit()
    elif scanner == "product":
        result, extra = run_product_scan(labels, config, no_model)
    else:
        result = run_semgrep()
    for err in result.errors:
        print(f"[{scanner}] error: {err}", file=sys.stderr)
    cases = score_cases(labels, result.findings)
    rows, total = summarize(cases, result.file_times_s, category_by_cwe(rule_metadata()))
    print_table(scanner, rows, total, result.wall_s, len(labels))
    if extra:
        print(
            f"model calls {extra['calls']}, findings dropped by triage "
            f"{extra['dropped_by_triage']}, findings from the model pass "
            f"{extra['model_findings']}"
        )
    if show_misses:
        for c in cases:
            rel = c.label.path.relative_to(CORPUS)
            if c.label.vulnerable and not c.detected:
                print(f"  MISSED  {rel} {c.label.cwe} lines={c.label.lines} hit={c.hit_lines}")
            for f in c.stray:
                print(f"  STRAY   {rel}:{f.start_line} {f.rule_id} {f.cwe}")
    return {
        "scanner": scanner,
        "wall_s": result.wall_s,
        "product": extra or None,
        "rows": {
            f"{c}/{lang}": asdict(r) | {"recall": r.recall, "fpr": r.fpr}
            for (c, lang), r in rows.items()
        },
        "overall": asdict(total)
        | {"recall": total.recall, "fpr": total.fpr, "fp_share": total.fp_share},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scanner", choices=["semgrep", "bandit", "product", "all"], default="semgrep")
    ap.add_argument("--config", type=Path, help="product: the org configuration (models)")
    ap.add_argument("--no-model", action="store_true", help="product: scanners only")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)
    labels = load_corpus()
    scanners = ["semgrep", "bandit", "product"] if args.scanner == "all" else [args.scanner]
    report = [evaluate(s, labels, args.show_misses, args.config, args.no_model) for s in scanners]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
