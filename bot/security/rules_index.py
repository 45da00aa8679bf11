"""The semgrep rules that ship inside the package, and what each one claims to find.

Every rule id has the form ``switchyard.<language>.<category>.<name>``; its metadata names
the CWE(s) it reports. Rule files are YAML and may share taint sources through anchors,
which PyYAML's safe loader resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.security.scanners.rule_choice import rules_in

_ID = re.compile(r"^switchyard\.(?P<lang>[a-z]+)\.(?P<category>[a-z0-9-]+)\.(?P<name>[a-z0-9-]+)$")
_CWE = re.compile(r"^(CWE-\d+)\b")


@dataclass(frozen=True)
class RuleMeta:
    """What one rule reports. ``category`` is the id's category segment (e.g. sql-injection)."""

    id: str
    cwe: list[str]
    severity: str
    category: str
    message: str
    language: str = ""
    languages: list[str] = field(default_factory=list)
    confidence: str = ""
    likelihood: str = ""
    impact: str = ""
    owasp: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def cwe_ids(self) -> list[str]:
        """The bare ids, e.g. ["CWE-89"], from entries like "CWE-89: Improper ..."."""
        out: list[str] = []
        for entry in self.cwe:
            m = _CWE.match(entry)
            if m:
                out.append(m.group(1))
        return out


def rules_dir() -> Path:
    """The folder of rule files, inside the installed package."""
    return Path(__file__).resolve().parent / "rules"


def rule_files() -> list[Path]:
    """Every rule file, sorted by name."""
    folder = rules_dir()
    return sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _meta(rule: dict[str, Any]) -> RuleMeta:
    rule_id = str(rule["id"])
    m = _ID.match(rule_id)
    if m is None:
        raise ValueError(f"rule id {rule_id!r} is not switchyard.<lang>.<category>.<name>")
    md = rule.get("metadata") or {}
    return RuleMeta(
        id=rule_id,
        cwe=_as_list(md.get("cwe")),
        severity=str(rule.get("severity", "")),
        category=m.group("category"),
        message=" ".join(str(rule.get("message", "")).split()),
        language=m.group("lang"),
        languages=_as_list(rule.get("languages")),
        confidence=str(md.get("confidence", "")),
        likelihood=str(md.get("likelihood", "")),
        impact=str(md.get("impact", "")),
        owasp=_as_list(md.get("owasp")),
        references=_as_list(md.get("references")),
    )


def rule_metadata(files: list[Path] | None = None) -> dict[str, RuleMeta]:
    """Rule id -> RuleMeta for every rule in ``files`` (default: all shipped rule files)."""
    out: dict[str, RuleMeta] = {}
    for path in files if files is not None else rule_files():
        # Parsed once per version of the file, with libyaml (the pure-Python parser took
        # ~0.9 s over the shipped files, most of what `switchyard doctor` spent).
        for rule in rules_in(path):
            meta = _meta(rule)
            if meta.id in out:
                raise ValueError(f"duplicate rule id {meta.id} in {path.name}")
            out[meta.id] = meta
    return out


def category_by_cwe(meta: dict[str, RuleMeta] | None = None) -> dict[str, str]:
    """CWE id -> the category of the rules that report it (first rule wins)."""
    out: dict[str, str] = {}
    for rule in (meta if meta is not None else rule_metadata()).values():
        for cwe in rule.cwe_ids:
            out.setdefault(cwe, rule.category)
    return out
