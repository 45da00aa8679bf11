"""Score the security scanners on the labelled corpus, or on public labelled suites.

`--suite corpus` (the default) scores the project's own corpus in tests/fixtures/security/;
`--suite public` the public suites in tests/fixtures/public/ (see the end of this text);
`--suite both` does one, then the other.

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

Public suites (bench/public_suites/: one loader module per suite, the OWASP method: a case
is flagged when its file has a finding of an equivalent CWE; per category TPR - FPR, then
the average over categories), per language and split, each tool side by side: the
product's deterministic layer as a repository gets it by default (`switchyard security
--no-model`, no .switchyard.yml), semgrep with the shipped rules alone, bandit alone
(Python), and the public semgrep registry's rules when a local copy exists
(`--registry-rules DIR`, by default extracted from the registry's mirror); the last line
is the product's average over the best single tool's.

    .venv/bin/python bench/security_eval.py --suite public [--language python]
        [--split tune|holdout|both] [--tools product,semgrep,bandit,registry]
        [--registry-rules DIR] [--repo-config .switchyard.yml] [--json out.json]

Only `tune` cases may be looked at while writing rules; `holdout` is the honest figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.public_suites import Case, load_all  # noqa: E402
from bench.public_suites.run import PUBLIC_TOOLS, TOOLS, ToolRun, extract_registry, run_tool  # noqa: E402
from bench.public_suites.score import CategoryScore, average  # noqa: E402
from bench.public_suites.score import score_cases as score_public  # noqa: E402
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


# ------------------------------------------------------------------- public suites
def _public_table(language: str, split: str, cases: list[Case], runs: list[ToolRun]) -> dict:
    split_arg = None if split == "both" else split
    scores = {
        r.tool: score_public(cases, r.cwes_by_file, split=split_arg) for r in runs if r.available
    }
    cats: dict[str, CategoryScore] = next(iter(scores.values()), {})
    tools = list(scores)
    print(f"\n== {language} / {split} ==")
    head = f"{'category':<16} {'CWE':>4} {'vuln':>4} {'safe':>4}"
    head += "".join(f" | {t:^20}" for t in tools)
    print(head)
    print(f"{'':<31}" + "".join(f" | {'TPR':>6} {'FPR':>6} {'J':>6}" for _ in tools))
    print("-" * len(head))
    for cat in sorted(cats):
        c = cats[cat]
        line = f"{cat:<16} {c.cwe:>4} {c.tp + c.fn:>4} {c.fp + c.tn:>4}"
        for t in tools:
            s = scores[t][cat]
            line += f" | {s.tpr:6.2f} {s.fpr:6.2f} {s.score:6.2f}"
        print(line)
    print("-" * len(head))
    avgs = {t: average(scores[t]) for t in tools}
    print(f"{'average':<31}" + "".join(f" | {'':>13} {avgs[t]:6.2f}" for t in tools))
    # The public tools a user could run instead; "semgrep" is this project's rules alone.
    singles = {t: a for t, a in avgs.items() if t in PUBLIC_TOOLS}
    ratio = None
    if "product" in avgs and singles:
        best = max(singles, key=lambda t: singles[t])
        ratio = avgs["product"] / singles[best] if singles[best] > 0 else None
        shown = f"{ratio:.2f}" if ratio is not None else "n/a (best single <= 0)"
        print(f"product / best single public tool ({best} {singles[best]:.3f}): {shown}")
    if "product" in avgs and "semgrep" in avgs:
        print(f"product - shipped rules alone: {avgs['product'] - avgs['semgrep']:+.3f}")
    for r in runs:
        if not r.available or r.notes:
            print(f"  {r.tool}: {'; '.join(r.notes) or 'not run'}")
    return {
        "language": language,
        "split": split,
        "tools": {
            t: {
                "average": avgs[t],
                "categories": {
                    k: asdict(v) | {"tpr": v.tpr, "fpr": v.fpr, "score": v.score}
                    for k, v in scores[t].items()
                },
            }
            for t in tools
        },
        "wall_s": {r.tool: r.wall_s for r in runs if r.available},
        "not_available": [r.tool for r in runs if not r.available],
        "product_over_best_single": ratio,
    }


def evaluate_public(
    language: str | None,
    split: str,
    tools: list[str],
    registry_rules: Path | None,
    repo_config: Path | None = None,
) -> list[dict]:
    cases = load_all(language)
    by_lang: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_lang[case.language].append(case)
    if not by_lang:
        print(f"no public suite cases for {language or 'any language'}")
    out = []
    for lang, lang_cases in sorted(by_lang.items()):
        rules = registry_rules
        if "registry" in tools and rules is None:
            rules = extract_registry(lang, Path(tempfile.gettempdir()) / "switchyard-registry")
        runs = [run_tool(t, lang_cases, rules, repo_config) for t in tools]
        for s in ["tune", "holdout"] if split == "both" else [split]:
            out.append(_public_table(lang, s, lang_cases, runs))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scanner", choices=["semgrep", "bandit", "product", "all"], default="semgrep")
    ap.add_argument("--config", type=Path, help="product: the org configuration (models)")
    ap.add_argument("--no-model", action="store_true", help="product: scanners only")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--suite", choices=["corpus", "public", "both"], default="corpus")
    ap.add_argument("--language", help="public: one language only (python, java, ...)")
    ap.add_argument("--split", choices=["tune", "holdout", "both"], default="both")
    ap.add_argument("--tools", default=",".join(TOOLS), help="public: comma-separated")
    ap.add_argument("--registry-rules", type=Path, help="public: a local registry rules folder")
    ap.add_argument(
        "--repo-config", type=Path, help="public: the product run's .switchyard.yml (default none)"
    )
    args = ap.parse_args(argv)
    report: list[dict] = []
    if args.suite in ("corpus", "both"):
        labels = load_corpus()
        scanners = ["semgrep", "bandit", "product"] if args.scanner == "all" else [args.scanner]
        report += [
            evaluate(s, labels, args.show_misses, args.config, args.no_model) for s in scanners
        ]
    if args.suite in ("public", "both"):
        tools = [t.strip() for t in args.tools.split(",") if t.strip()]
        unknown = set(tools) - set(TOOLS)
        if unknown:
            ap.error(f"unknown tools {sorted(unknown)}; known: {', '.join(TOOLS)}")
        report += evaluate_public(
            args.language, args.split, tools, args.registry_rules, args.repo_config
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
