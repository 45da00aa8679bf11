"""The SARIF 2.1.0 report: findings for code scanning tools (GitHub, GitLab, IDE viewers).

Where a finding sits:
- RIGHT side, anchored: a region on the head file, `startLine`..`endLine`.
- LEFT side (a removed line): SARIF locations refer to the analysed version, the head, where
  that line no longer exists, and the same number there points at unrelated code. Such a
  finding is placed at file level (no region); its base lines go into `properties`
  (`side`, `baseStartLine`, `baseEndLine`) and into the message, so nothing is lost.
- File-level notes: no region; the reason they could not be anchored goes into the message.

Fixes are only emitted for anchored RIGHT-side findings with a suggestion: that is the only
case where the suggestion replaces known lines of the head file.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.report import CallRecord, RunReport, incomplete_text
from bot.security.cwe import SECURITY_SEVERITY, cwe_number, cwe_title, cwe_url

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
# The project's home page; change here when the project has a public URL.
FINGERPRINT_KEY = "switchyard/v1"
SRCROOT = "%SRCROOT%"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.NIT: "note",
}

NOT_REVIEWED = "switchyard/not-reviewed"
NOTE = "switchyard/note"
CALL_FAILED = "switchyard/model-call-failed"
INCOMPLETE = "switchyard/incomplete"

_NOTIFICATIONS: tuple[tuple[str, str], ...] = (
    (NOT_REVIEWED, "A changed file, or part of one, was not reviewed."),
    (NOTE, "Something the reader of this run must know."),
    (CALL_FAILED, "A model call failed; the work item may have been retried elsewhere."),
    (INCOMPLETE, "Some work items got no valid answer; results may be missing."),
)


def slug(text: str) -> str:
    """`Error Handling` -> `error-handling`: safe inside a rule id."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "general"


def rule_id(finding: Finding) -> str:
    # A scanner's finding keeps its tool's rule ("bandit/B608"): code scanning groups
    # alerts by rule, and one rule per CWE-bearing check is what its filters expect.
    if finding.rule_id:
        return f"{slug(finding.source)}/{finding.rule_id}"
    return f"switchyard/{slug(finding.task)}/{slug(finding.category)}"


def _uri(path: str) -> str:
    # A relative URI reference: strip what would make it absolute, percent-encode the rest.
    return quote(path.replace("\\", "/").removeprefix("./").lstrip("/"), safe="/")


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": _uri(path), "uriBaseId": SRCROOT}


def _line_range(finding: Finding) -> tuple[int, int] | None:
    start = finding.start_line
    if start is None or start < 1:
        return None
    return start, max(finding.end_line or start, start)


def _on_head(finding: Finding) -> tuple[int, int] | None:
    """The head-file lines a finding covers, or None when it belongs at file level."""
    lines = _line_range(finding)
    return lines if lines and finding.side is Side.RIGHT else None


def _is_security(finding: Finding) -> bool:
    return bool(finding.cwe) or "security" in (slug(finding.task), slug(finding.category))


def _rule(finding: Finding, group: list[Finding]) -> dict[str, Any]:
    """The rule for `finding` and the other results in `group` that share its id."""
    if finding.rule_id:
        return _scanner_rule(finding, group)
    tags = ["switchyard", slug(finding.task), slug(finding.category)]
    if "security" in tags:
        tags.append("security")  # what code scanning filters security alerts by
    rule: dict[str, Any] = {
        "id": rule_id(finding),
        "name": "".join(part.capitalize() for part in re.split(r"[/-]", rule_id(finding))[1:]),
        "shortDescription": {"text": f"{finding.task} finding: {finding.category}"},
        "properties": {"tags": list(dict.fromkeys(tags))},
    }
    if _is_security(finding):
        _security_properties(rule, group)
    return rule


def _scanner_rule(finding: Finding, group: list[Finding]) -> dict[str, Any]:
    cwes = list(dict.fromkeys(c for f in group for c in f.cwe))
    tags = ["security", slug(finding.source), *(f"external/cwe/{c.lower()}" for c in cwes)]
    title = re.sub(r"\s*\((?:bandit|semgrep) [^)]*\)$", "", finding.title).strip()
    name = re.sub(r"[^A-Za-z0-9]+", " ", str(finding.rule_id).rsplit(".", 1)[-1]).title()
    weakness = "; ".join(_cwe_text(c) for c in cwes) or "no CWE given by the rule"
    help_lines = [f"{finding.source} rule {finding.rule_id}: {title}.", f"Weakness: {weakness}."]
    md_lines = [f"**{finding.source}** rule `{finding.rule_id}`: {title}.", ""]
    md_lines += [f"- [{_cwe_text(c)}]({_cwe_link(c)})" for c in cwes]
    if finding.help_uri:
        help_lines.append(f"More: {finding.help_uri}")
        md_lines += ["", f"[Rule documentation]({finding.help_uri})"]
    rule: dict[str, Any] = {
        "id": rule_id(finding),
        "name": name.replace(" ", "") or "Rule",
        "shortDescription": {"text": title or str(finding.rule_id)},
        "fullDescription": {"text": f"{title}. {weakness}."},
        "help": {"text": "\n".join(help_lines), "markdown": "\n".join(md_lines)},
        "properties": {"tags": list(dict.fromkeys(tags))},
    }
    if finding.help_uri:
        rule["helpUri"] = finding.help_uri
    _security_properties(rule, group)
    return rule


def _security_properties(rule: dict[str, Any], group: list[Finding]) -> None:
    """GitHub code scanning's security metadata: a CVSS-like number for the rule's
    worst result, and how precise the rule is."""
    worst = max(group, key=lambda f: f.severity.rank)
    props = rule["properties"]
    props["security-severity"] = SECURITY_SEVERITY[worst.severity]
    confidences = [f.confidence for f in group if f.confidence is not None]
    if confidences:
        props["precision"] = _precision(max(confidences))
    cwes = list(dict.fromkeys(c for f in group for c in f.cwe))
    if cwes:
        props["cwe"] = cwes
        tags = props["tags"]
        tags += [t for t in (f"external/cwe/{c.lower()}" for c in cwes) if t not in tags]
        if "security" not in tags:
            tags.append("security")


def _precision(confidence: float) -> str:
    if confidence >= 0.8:
        return "high"
    if confidence >= 0.5:
        return "medium"
    return "low"


def _cwe_text(cwe: str) -> str:
    number = cwe_number(cwe)
    return cwe_title(number) if number else cwe


def _cwe_link(cwe: str) -> str:
    number = cwe_number(cwe)
    return cwe_url(number) if number else "https://cwe.mitre.org/"


def _message(finding: Finding) -> str:
    parts = [finding.title.strip()]
    if finding.body.strip():
        parts.append(finding.body.strip())
    lines = _line_range(finding)
    if finding.anchored and finding.side is Side.LEFT and lines:
        start, end = lines
        where = f"line {start}" if start == end else f"lines {start}-{end}"
        parts.append(f"(On base {where}, removed by this change; shown at file level.)")
    elif not finding.anchored and finding.anchor_note:
        parts.append(f"(File-level note: {finding.anchor_note})")
    if finding.suggestion is not None and not _on_head(finding):
        parts.append(f"Suggested change:\n{finding.suggestion}")
    return "\n\n".join(parts)


def _location(finding: Finding) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(finding.path)}
    lines = _on_head(finding)
    if lines:
        physical["region"] = {"startLine": lines[0], "endLine": lines[1]}
    return {"physicalLocation": physical}


def _fix(finding: Finding, lines: tuple[int, int]) -> dict[str, Any]:
    start, end = lines
    text = finding.suggestion or ""
    if text:
        # A line-only region spans the lines' text without the final newline.
        deleted: dict[str, Any] = {"startLine": start, "endLine": end}
        inserted = text.removesuffix("\n")
    else:
        # Deleting the lines outright, newline included, rather than leaving them blank.
        deleted = {"startLine": start, "startColumn": 1, "endLine": end + 1, "endColumn": 1}
        inserted = ""
    where = f"line {start}" if start == end else f"lines {start}-{end}"
    return {
        "description": {"text": f"Apply the suggested change to {where}."},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(finding.path),
                "replacements": [{"deletedRegion": deleted, "insertedContent": {"text": inserted}}],
            }
        ],
    }


def _properties(finding: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "severity": finding.severity.value,
        "category": finding.category,
        "task": finding.task,
        "source": finding.source,
        "side": finding.side.value,
    }
    if finding.confidence is not None:
        props["confidence"] = finding.confidence
    lines = _line_range(finding)
    if finding.side is Side.LEFT and lines:
        props["baseStartLine"], props["baseEndLine"] = lines
        props["locationNote"] = "base-side lines do not exist in the head file: file level"
    if finding.anchor_note:
        props["anchorNote"] = finding.anchor_note
    if finding.rule_id:
        props["ruleId"] = finding.rule_id
    if finding.cwe:
        props["cwe"] = list(finding.cwe)
    return props


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_location(finding)],
    }
    # An empty fingerprint would make every such result look like one alert: leave it out
    # and let the consumer compute its own.
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    lines = _on_head(finding)
    if finding.suggestion is not None and lines:
        result["fixes"] = [_fix(finding, lines)]
    result["properties"] = _properties(finding)
    return result


def _notification(
    descriptor: str, level: str, text: str, path: str | None = None
) -> dict[str, Any]:
    note: dict[str, Any] = {
        "descriptor": {"id": descriptor},
        "level": level,
        "message": {"text": text},
    }
    if path is not None:
        note["locations"] = [{"physicalLocation": {"artifactLocation": _artifact(path)}}]
    return note


def _call_failure(call: CallRecord) -> dict[str, Any]:
    error = f": {call.error}" if call.error else ""
    text = f"Model call for {call.item} on {call.target} ({call.model}) failed{error}"
    return _notification(CALL_FAILED, "warning", text)


def _invocation(report: RunReport) -> dict[str, Any]:
    s = report.summary
    notes = [
        _notification(NOT_REVIEWED, "warning", f"Not reviewed: {e.path} ({e.reason})", e.path)
        for e in report.skipped
    ]
    notes += [_notification(NOTE, "note", text) for text in report.notes]
    notes += [_call_failure(c) for c in report.calls if c.outcome != "ok"]
    if not s.complete:
        text = f"Incomplete: {incomplete_text(s)}; results for those parts may be missing."
        notes.append(_notification(INCOMPLETE, "error", text))
    invocation: dict[str, Any] = {"executionSuccessful": s.complete}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def sarif_data(report: RunReport) -> dict[str, Any]:
    """The SARIF log as plain data: one run, rules derived from the findings' task and category."""
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(rule_id(f), []).append(f)
    rules = {rid: _rule(group[0], group) for rid, group in groups.items()}
    order = sorted(rules)
    index = {rid: i for i, rid in enumerate(order)}

    driver: dict[str, Any] = {
        "name": report.tool,
        "version": report.version,
        "semanticVersion": report.version,
        "rules": [rules[rid] for rid in order],
        "notifications": [
            {"id": nid, "shortDescription": {"text": text}} for nid, text in _NOTIFICATIONS
        ],
    }
    run_properties: dict[str, Any] = {
        "task": report.task,
        "source": report.source,
        "baseSha": report.base_sha,
        "headSha": report.head_sha,
        "summary": report.summary.model_dump(mode="json"),
    }
    if report.walkthrough:
        run_properties["walkthrough"] = report.walkthrough
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "results": [_result(f, index[rule_id(f)]) for f in report.findings],
        "properties": run_properties,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: RunReport) -> str:
    return json.dumps(sarif_data(report), indent=2, ensure_ascii=False) + "\n"
