"""The JUnit XML report: one test case per file, for Jenkins' test view (the `junit` step).

Shape (what the JUnit plugin and junit-10.xsd, the schema Jenkins' xUnit plugin validates
with, accept):

    <testsuites name="switchyard" tests failures errors time>
      <testsuite name="switchyard review" ...>
        <properties>  fail_on, complete, base and head, version
        <testcase classname="switchyard.review" name="src/app.py">
          <failure type="major" message="...">  every finding at or above the gate
          <system-out>                          every finding below it
        <testcase name="vendor/x.min.js"><skipped message="the reason"/>
        <system-out>                            the run's notes, and why it is incomplete

A file's findings at or above `--fail-on` make its case fail, so the cases that fail are the
ones that failed the gate; without a gate nothing fails and every finding is in system-out.
A file that was not reviewed (filtered out, or left unreviewed) is a skipped case with the
reason. Every finding is written: the report is never cut to `review.max_findings`.
Jenkins reads one failure per case, so a file's failing findings share one element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from bot.findings.model import Finding, Severity
from bot.report import RunReport, incomplete_text

SUITES_NAME = "switchyard"
# Characters XML 1.0 cannot carry at all, not even escaped (a model may answer with an ESC).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _seconds(value: float) -> str:
    # junit-10.xsd's SUREFIRE_TIME: digits with at most three decimals, no exponent.
    return f"{max(value, 0.0):.3f}"


def _place(finding: Finding) -> str:
    if finding.start_line is None:
        return f"{finding.path} (file level)"
    end = finding.end_line or finding.start_line
    lines = str(finding.start_line) if end == finding.start_line else f"{finding.start_line}-{end}"
    side = "" if finding.side.value == "RIGHT" else f" ({finding.side.value.lower()} side)"
    return f"{finding.path}:{lines}{side}"


def _finding_text(finding: Finding) -> str:
    rule = f" {finding.rule_id}" if finding.rule_id else ""
    cwe = f" [{', '.join(finding.cwe)}]" if finding.cwe else ""
    head = f"[{finding.severity.value}] {_place(finding)}: {finding.title}"
    lines = [head, f"  {finding.task} / {finding.category} ({finding.source}{rule}){cwe}"]
    lines += [f"  {line}" if line else "" for line in finding.body.splitlines()]
    if finding.anchor_note:
        lines.append(f"  Not on a line: {finding.anchor_note}")
    if finding.help_uri:
        lines.append(f"  More: {finding.help_uri}")
    return "\n".join(lines)


def _block(findings: Iterable[Finding]) -> str:
    return "\n\n".join(_finding_text(f) for f in findings)


def _case_paths(report: RunReport) -> list[str]:
    """Every file the run looked at, in its order, then files only findings or skips name."""
    paths = list(report.files)
    paths += [f.path for f in report.findings]
    paths += [s.path for s in report.skipped]
    return list(dict.fromkeys(paths))


def _ranked(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.start_line or 0))


def _case(
    suite: ET.Element,
    path: str,
    findings: list[Finding],
    skipped: list[str],
    gate: Severity | None,
    classname: str,
) -> tuple[bool, bool]:
    """Adds the case for `path`; returns (failed, skipped)."""
    case = ET.SubElement(suite, "testcase", name=_text(path), classname=classname, time="0")
    failing = [f for f in findings if gate is not None and f.severity.at_least(gate)]
    rest = [f for f in findings if f not in failing]
    if failing:
        first = _ranked(failing)[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        failure = ET.SubElement(
            case,
            "failure",
            type=first.severity.value,
            message=_text(f"{len(failing)} at or above {gate}: {first.title}{more}"),
        )
        failure.text = _text(_block(_ranked(failing)))
    elif skipped:
        ET.SubElement(case, "skipped", message=_text("; ".join(skipped)))
    out = [_block(_ranked(rest))] if rest else []
    if skipped and failing:
        out.append("Not reviewed: " + "; ".join(skipped))
    if out:
        ET.SubElement(case, "system-out").text = _text("\n\n".join(out))
    return bool(failing), bool(skipped) and not failing


def junit_tree(report: RunReport) -> ET.Element:
    s = report.summary
    tasks = [t for t in report.task.split(",") if t] or ["review"]
    label = "+".join(tasks)
    root = ET.Element("testsuites", name=SUITES_NAME)
    suite = ET.SubElement(root, "testsuite", name=f"{SUITES_NAME} {label}")
    props = ET.SubElement(suite, "properties")
    facts = {
        "version": report.version,
        "tasks": ",".join(tasks),
        "source": report.source,
        "base_sha": report.base_sha or "",
        "head_sha": report.head_sha or "",
        "fail_on": s.fail_on.value if s.fail_on else "",
        "gate_failed": str(s.gate_failed).lower(),
        "complete": str(s.complete).lower(),
        "findings": str(len(report.findings)),
    }
    for name, value in facts.items():
        ET.SubElement(props, "property", name=name, value=_text(value))
    by_path: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_path.setdefault(f.path, []).append(f)
    skips: dict[str, list[str]] = {}
    for entry in report.skipped:
        skips.setdefault(entry.path, []).append(entry.reason)
    failures = skipped = 0
    paths = _case_paths(report)
    for path in paths:
        failed, was_skipped = _case(
            suite,
            path,
            by_path.get(path, []),
            list(dict.fromkeys(skips.get(path, []))),
            s.fail_on,
            f"{SUITES_NAME}.{label}",
        )
        failures += failed
        skipped += was_skipped
    notes = list(report.notes)
    if not s.complete:
        notes.insert(0, f"Incomplete: {incomplete_text(s)}.")
    if notes:
        ET.SubElement(suite, "system-out").text = _text("\n".join(notes))
    counts = {"tests": str(len(paths)), "failures": str(failures), "errors": "0"}
    suite.attrib.update(counts, skipped=str(skipped), time=_seconds(s.duration_s))
    root.attrib.update(counts, time=_seconds(s.duration_s))
    return root


def render_junit(report: RunReport) -> str:
    tree = junit_tree(report)
    ET.indent(tree)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, "unicode") + "\n"
