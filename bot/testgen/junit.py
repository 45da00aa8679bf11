"""Per-test outcomes from a JUnit XML report (pytest --junitxml, node --test's junit
reporter, Maven surefire, Gradle)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MESSAGE_MAX = 500


@dataclass(frozen=True)
class TestOutcome:
    name: str  # "class::name" where the report gives a class
    status: str  # passed | failed | error | skipped
    message: str  # the failure's message, cut to MESSAGE_MAX


def read(paths: list[Path]) -> tuple[TestOutcome, ...] | None:
    """The outcomes in the reports; None when there is no readable report."""
    found: list[TestOutcome] = []
    readable = False
    for path in paths:
        try:
            tree = ET.parse(path)  # the report is written by the test tool, in our temp folder
        except (OSError, ET.ParseError):
            continue
        readable = True
        found.extend(_outcome(case) for case in tree.iter("testcase"))
    return tuple(found) if readable else None


def _outcome(case: ET.Element) -> TestOutcome:
    name = case.get("name", "?")
    owner = case.get("classname")
    status, message = "passed", ""
    for tag in ("failure", "error", "skipped"):
        child = case.find(tag)
        if child is not None:
            status = {"failure": "failed"}.get(tag, tag)
            message = child.get("message") or (child.text or "").strip()
            break
    return TestOutcome(f"{owner}::{name}" if owner else name, status, message[:MESSAGE_MAX])
