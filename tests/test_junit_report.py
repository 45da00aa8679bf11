"""The JUnit XML report (`--format junit`, `--output *.xml`) for Jenkins' test view (issue 18).

One test case per file the run looked at; the findings at or above the gate fail their
file's case, the rest ride along in its system-out, files not reviewed are skipped cases
with the reason. Every finding is in it, whatever review.max_findings says. The XML is
validated against junit-10.xsd (tests/fixtures/junit/ORIGIN.md) by the JDK's validator.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.change.model import Side
from bot.findings.model import Severity
from bot.publish.junit import render_junit
from bot.report import RunReport, SkippedEntry, Summary
from tests.cli import local_env, switchyard
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.gitrepo import GitRepo
from tests.report_samples import finding
from tests.tools import missing_tool

HERE = Path(__file__).resolve().parent
XSD = HERE / "fixtures" / "junit" / "junit-10.xsd"
VALIDATOR = HERE / "jenkins_harness" / "ValidateXsd.java"


def sample(fail_on: Severity | None = Severity.MAJOR, complete: bool = True) -> RunReport:
    findings = [
        finding(path="src/app.py", start_line=10, end_line=12, severity=Severity.MAJOR),
        finding(path="src/app.py", start_line=3, severity=Severity.CRITICAL, title="Injection"),
        finding(path="src/app.py", start_line=20, severity=Severity.NIT, title="Name"),
        finding(path="src/old.py", start_line=4, side=Side.LEFT, severity=Severity.MINOR),
        # An ESC and a NUL in a model's answer: not even escaped XML 1.0 can carry them.
        finding(path="docs/a.md", severity=Severity.MAJOR, body="bad \x1b[31m and \x00 <&>"),
    ]
    return RunReport(
        task="review,security",
        files=["src/app.py", "src/old.py", "src/clean.py", "docs/a.md", "big.py"],
        findings=findings,
        skipped=[
            SkippedEntry(path="package-lock.json", reason="generated file"),
            SkippedEntry(path="big.py", reason="no room in the context"),
        ],
        notes=["1 changed file was not reviewed: no room in the context"],
        summary=Summary(fail_on=fail_on, complete=complete, duration_s=12.3456),
        comment_limit=1,
    )


def cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    return {c.attrib["name"]: c for c in root.iter("testcase")}


def test_one_case_per_file_and_the_gate_decides_what_fails() -> None:
    xml = render_junit(sample())
    root = ET.fromstring(xml)
    found = cases(xml)
    assert list(found) == [
        "src/app.py",
        "src/old.py",
        "src/clean.py",
        "docs/a.md",
        "big.py",
        "package-lock.json",
    ]
    [suite] = root.findall("testsuite")
    totals = ("tests", "failures", "errors", "time")
    assert [root.attrib[k] for k in totals] == [suite.attrib[k] for k in totals]
    assert (suite.attrib["tests"], suite.attrib["failures"], suite.attrib["skipped"]) == (
        "6",
        "2",
        "2",
    )
    assert suite.attrib["time"] == "12.346"
    [failure] = found["src/app.py"].findall("failure")
    # The worst finding names the failure; both gate findings are in its text, the nit is not.
    assert failure.attrib["type"] == "critical"
    assert failure.attrib["message"] == "2 at or above major: Injection (and 1 more)"
    assert "Injection" in (failure.text or "") and "src/app.py:10-12" in (failure.text or "")
    assert "Name" not in (failure.text or "")
    assert "[nit] src/app.py:20: Name" in (found["src/app.py"].findtext("system-out") or "")
    # Below the gate: a passing case that still carries the finding, with its base side.
    assert found["src/old.py"].find("failure") is None
    assert "src/old.py:4 (left side)" in (found["src/old.py"].findtext("system-out") or "")
    assert list(found["src/clean.py"]) == []
    assert found["big.py"].find("skipped").attrib["message"] == "no room in the context"
    assert found["package-lock.json"].find("skipped") is not None
    props = {p.attrib["name"]: p.attrib["value"] for p in suite.iter("property")}
    assert props["fail_on"] == "major" and props["findings"] == "5"


def test_every_finding_is_written_whatever_the_comment_limit() -> None:
    report = sample()
    report.findings += [finding(path=f"f{i}.py", start_line=i + 1) for i in range(30)]
    xml = render_junit(report)
    assert report.comment_limit == 1
    text = "".join(ET.fromstring(xml).itertext())
    assert text.count("A title") == sum(f.title == "A title" for f in report.findings) == 33


def test_without_a_gate_nothing_fails_and_an_incomplete_run_says_why() -> None:
    report = sample(fail_on=None, complete=False)
    report.summary.files_unreviewed, report.summary.lines_unreviewed = 1, 40
    xml = render_junit(report)
    root = ET.fromstring(xml)
    assert root.attrib["failures"] == "0" and not list(root.iter("failure"))
    assert "Injection" in (cases(xml)["src/app.py"].findtext("system-out") or "")
    out = root.find("testsuite").findtext("system-out") or ""
    assert out.startswith("Incomplete: 1 changed file (40 changed lines) was not reviewed.")


def test_text_xml_cannot_carry_is_replaced_and_markup_is_escaped() -> None:
    xml = render_junit(sample())
    assert "\x1b" not in xml and "\x00" not in xml
    failure = cases(xml)["docs/a.md"].find("failure")
    assert "bad \ufffd[31m and \ufffd <&>" in (failure.text or "")


@pytest.fixture
def changed_repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write("app.py", "".join(f"line {i}\n" for i in range(1, 21)))
    git_repo.write("util.py", "x = 1\n")
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("app.py", "".join(f"line {i} changed\n" for i in range(1, 21)))
    git_repo.write("util.py", "x = 2\n")
    git_repo.write("package-lock.json", "{}\n")
    git_repo.commit("change")
    return git_repo


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(flavour="vllm", models=["qwen2.5-coder-14b"]) as server:
        yield server


def test_the_cli_writes_it_and_it_is_valid_against_the_schema_jenkins_reads(
    changed_repo: GitRepo, fake: FakeOpenAIServer, tmp_path: Path
) -> None:
    gate = {"path": "app.py", "line": 10, "side": "RIGHT", "severity": "major"}
    nit = {"path": "app.py", "line": 12, "side": "RIGHT", "severity": "nit"}
    fake.responder = lambda _req: Reply(
        {
            "summary": "Changes lines.",
            "findings": [
                {**gate, "category": "bug", "title": "Gate", "body": "b"},
                {**nit, "category": "style", "title": "Nit", "body": "b"},
            ],
        }
    )
    out = tmp_path / "switchyard-junit.xml"
    result = switchyard(
        "review",
        "--base",
        "main",
        "--no-cache",
        "--fail-on",
        "major",
        "--output",
        str(out),
        cwd=changed_repo.path,
        env=local_env(tmp_path, fake),
    )
    assert result.code == 1, result.both
    found = cases(out.read_text(encoding="utf-8"))
    assert set(found) >= {"app.py", "util.py"}
    assert found["app.py"].find("failure").attrib["message"] == "1 at or above major: Gate"
    assert found["util.py"].find("failure") is None
    samples = [sample(), sample(fail_on=None, complete=False), RunReport()]
    files = [out]
    for i, report in enumerate(samples):
        files.append(tmp_path / f"sample-{i}.xml")
        files[-1].write_text(render_junit(report), encoding="utf-8")
    assert_valid(files)


def assert_valid(files: list[Path]) -> None:
    java = shutil.which("java")
    # `java File.java` compiles the validator in memory: a JDK, not only a runtime.
    if java is None or shutil.which("javac") is None:
        missing_tool("a JDK is not installed: apt-get install default-jdk-headless")
    done = subprocess.run(
        [java, str(VALIDATOR), str(XSD), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok ") == len(files)
