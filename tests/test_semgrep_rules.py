"""Switchyard's semgrep rules against the labelled corpus in tests/fixtures/security/.

Semgrep starts slowly, so the corpus is scanned once per session and every case is checked
against that one result. Label format and known gaps: tests/fixtures/security/README.md.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

# semgrep is a runtime dependency: a missing install is a broken install, not a skip.
import semgrep
import yaml

from bench.security_corpus import CORPUS, Label, load_corpus, parse_label, strip_label
from bench.security_eval import score_cases
from bench.security_scans import ScanResult, run_semgrep
from bot.security.rules_index import (
    RuleMeta,
    category_by_cwe,
    rule_files,
    rule_metadata,
    rules_dir,
)

LABELS = load_corpus()
VULNERABLE = [lb for lb in LABELS if lb.vulnerable]
SAFE = [lb for lb in LABELS if not lb.vulnerable]
LANG_OF_RULE = {"python": "python", "javascript": "javascript", "java": "java", "go": "go"}
_CWE_ENTRY = re.compile(r"^CWE-\d+: \S")


def _case_id(label: Label) -> str:
    return str(label.path.relative_to(CORPUS))


@pytest.fixture(scope="session")
def scan() -> ScanResult:
    return run_semgrep(CORPUS)


@pytest.fixture(scope="session")
def results(scan: ScanResult) -> dict[Path, object]:
    return {c.label.path: c for c in score_cases(LABELS, scan.findings)}


# --------------------------------------------------------------------------- rule files
def _semgrep_dir() -> Path:
    return Path(semgrep.__file__).resolve().parent


def test_rule_files_are_valid_offline(tmp_path: Path) -> None:
    """What `semgrep --validate` checks, without its download of the lint pack: the YAML
    parses, every rule fits semgrep's own rule schema, and semgrep-core compiles every
    pattern."""
    import jsonschema

    schema = yaml.safe_load(
        (_semgrep_dir() / "semgrep_interfaces" / "rule_schema_v1.yaml").read_text()
    )
    files = rule_files()
    assert files, "no rule files shipped"
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate({"rules": doc["rules"]}, schema)
    empty = tmp_path / "no-metachecks.yml"
    empty.write_text("rules: []\n")
    core = _semgrep_dir() / "bin" / "semgrep-core"
    proc = subprocess.run(
        [str(core), "-json", "-check_rules", str(empty), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert out["errors"] == [], out["errors"]


def test_rule_metadata_is_complete() -> None:
    meta = rule_metadata()
    assert len(meta) >= 40
    for rule_id, m in meta.items():
        assert m.severity in {"ERROR", "WARNING", "INFO"}, rule_id
        assert m.message, rule_id
        assert m.cwe and all(_CWE_ENTRY.match(c) for c in m.cwe), rule_id
        assert m.confidence in {"LOW", "MEDIUM", "HIGH"}, rule_id
        assert m.likelihood in {"LOW", "MEDIUM", "HIGH"}, rule_id
        assert m.impact in {"LOW", "MEDIUM", "HIGH"}, rule_id
        assert m.references, rule_id
        assert LANG_OF_RULE[m.language] in m.languages, rule_id
    raw = [r for p in rule_files() for r in yaml.safe_load(p.read_text())["rules"]]
    assert all(r["metadata"]["category"] == "security" for r in raw)


def test_one_category_per_cwe() -> None:
    """Every rule reporting a CWE sits in the same category, so the bench's grouping holds."""
    meta = rule_metadata()
    cats = category_by_cwe(meta)
    for m in meta.values():
        for cwe in m.cwe_ids:
            assert cats[cwe] == m.category, (m.id, cwe)


def test_rule_meta_loader() -> None:
    assert rules_dir().is_dir()
    assert all(p.parent == rules_dir() for p in rule_files())
    m = rule_metadata()["switchyard.python.sql-injection.built-query"]
    assert isinstance(m, RuleMeta)
    assert m.cwe_ids == ["CWE-89"]
    assert m.category == "sql-injection"
    assert m.severity == "ERROR"


# --------------------------------------------------------------------------- corpus
def test_label_parser(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("# switchyard-label: vulnerable CWE-89 lines=3,5 expect=missed\n")
    lb = parse_label(f)
    assert (lb.verdict, lb.cwe, lb.lines, lb.expect) == ("vulnerable", "CWE-89", (3, 5), "missed")
    f.write_text("# switchyard-label: safe CWE-89 lines=3\n")
    with pytest.raises(ValueError):
        parse_label(f)
    f.write_text("// switchyard-label: vulnerable CWE-79\n")
    with pytest.raises(ValueError):
        parse_label(f)
    assert "switchyard-label" not in strip_label("# switchyard-label: safe CWE-1\nx = 1\n")


def test_corpus_covers_every_rule_cwe_and_language() -> None:
    """At least 2 vulnerable and 2 safe cases for every (CWE, language) a rule claims."""
    vuln = Counter((lb.cwe, lb.language) for lb in VULNERABLE)
    safe = Counter((lb.cwe, lb.language) for lb in SAFE)
    claimed = {(cwe, m.language) for m in rule_metadata().values() for cwe in m.cwe_ids}
    thin = sorted(k for k in claimed if vuln[k] < 2 or safe[k] < 2)
    assert not thin, f"(CWE, language) pairs with fewer than 2+2 cases: {thin}"
    for lb in LABELS:
        assert lb.path.parent.name == lb.cwe.lower(), f"{_case_id(lb)} sits outside its CWE folder"
        assert lb.language in LANG_OF_RULE


def test_scan_had_no_errors(scan: ScanResult) -> None:
    assert scan.errors == []


@pytest.mark.parametrize("label", VULNERABLE, ids=_case_id)
def test_vulnerable_case_is_found(label: Label, results: dict) -> None:
    case = results[label.path]
    if label.expect == "missed":
        # A known gap: listed in the README. Once a rule catches it, drop expect=missed.
        assert not case.detected, "caught now: remove expect=missed from its label"
        return
    missing = sorted(set(label.lines) - set(case.hit_lines))
    assert not missing, (
        f"no {label.cwe} finding on line(s) {missing}; got "
        f"{[(f.start_line, f.rule_id) for f in case.findings]}"
    )
    assert not case.stray, [(f.start_line, f.rule_id) for f in case.stray]


@pytest.mark.parametrize("label", SAFE, ids=_case_id)
def test_safe_case_is_clean(label: Label, results: dict) -> None:
    case = results[label.path]
    if label.expect == "flagged":
        assert case.findings, "clean now: remove expect=flagged from its label"
        return
    assert not case.findings, [(f.start_line, f.rule_id) for f in case.findings]


def test_recall_and_false_positive_targets(results: dict) -> None:
    cases = list(results.values())
    vuln = [c for c in cases if c.label.vulnerable]
    safe = [c for c in cases if not c.label.vulnerable]
    recall = sum(c.detected for c in vuln) / len(vuln)
    findings = sum(len(c.findings) for c in cases)
    stray = sum(len(c.stray) for c in cases)
    assert recall >= 0.95
    assert sum(c.detected for c in safe) / len(safe) < 0.05
    assert stray / max(findings, 1) < 0.05
