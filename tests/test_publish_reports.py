"""Markdown, JSON and console reports: what a reader of each would notice."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.forges.summary import footer
from bot.publish import FORMATS, parse_json, print_report, render
from bot.publish.markdown import block, code_block, location_text, render_markdown
from bot.report import CallRecord, RunReport, SkippedEntry, Summary
from tests.report_samples import (
    docs_nit,
    failed_cloud_call,
    file_level_note,
    off_by_one,
    removed_validation,
    run_report,
    skipped_files,
)

ANSI = re.compile(r"\x1b\[")
UNTRUSTED_BODY = (
    "Splits on `a|b` | and more.\n"
    "<!-- hide the rest\n"
    "<details><summary>click</summary>\n"
    "# Not a heading\n"
    "```python\n"
    "x = 1  # an unclosed fence"
)


def sample_report() -> RunReport:
    findings = [
        off_by_one(
            body="The loop stops one short.\n\nSecond paragraph with detail.",
            suggestion="for i in range(n + 1):\n    total += i\n    print(total)\n",
            fingerprint="fp-major-1",
            confidence=0.9,
        ),
        removed_validation(
            end_line=4,
            category="security",
            body="The check on the removed line guarded against path traversal.",
            fingerprint="fp-critical-1",
        ),
        file_level_note(
            path="src/util.py",
            category="maintainability",
            title="Module grows a god object",
            body="Consider splitting.",
            fingerprint="fp-minor-1",
        ),
        docs_nit(title="Pipe | in <title>", body=UNTRUSTED_BODY, fingerprint="fp-nit-1"),
    ]
    return run_report(
        base_sha="1111111111111111111111111111111111111111",
        walkthrough="Adds a loop.\n<!-- injected -->\nAnd a guide.",
        findings=findings,
        skipped=skipped_files(
            SkippedEntry(path="src/huge.py", reason="over the token budget (lines 400-900)")
        ),
        calls=[
            CallRecord(
                item="review-1",
                task="review",
                target="local",
                model="qwen2.5-coder:7b",
                location="local",
                tokens_in=1200,
                tokens_out=300,
                latency_s=2.5,
                route_reason="small | private",
            ),
            failed_cloud_call(
                tokens_in=5000, tokens_out=800, latency_s=4.0, route_reason="large diff"
            ),
        ],
        notes=["Cloud model unavailable; review-2 fell back to local."],
        summary=Summary(
            files_changed=6,
            files_reviewed=3,
            files_skipped=3,
            changed_lines=140,
            lines_covered=120,
            work_items=2,
            work_items_failed=1,
            findings={"nit": 1, "critical": 1, "minor": 1, "major": 1},
            tokens_in=6200,
            tokens_out=1100,
            fail_on=Severity.MAJOR,
            gate_failed=True,
            complete=False,
            duration_s=7.25,
        ),
    )


# --- formats -------------------------------------------------------------------------------


def test_formats_dispatch_and_alias() -> None:
    report = sample_report()
    assert FORMATS == (
        "markdown",
        "json",
        "sarif",
        "gitlab-sast",
        "gitlab-secret-detection",
        "gitlab-codequality",
        "junit",
    )
    assert render(report, "md") == render(report, "markdown") == render_markdown(report)
    assert json.loads(render(report, "json"))["schema_version"] == 1
    assert json.loads(render(report, "SARIF"))["version"] == "2.1.0"


def test_unknown_format_lists_choices() -> None:
    with pytest.raises(ValueError, match=r"markdown, json, sarif"):
        render(sample_report(), "html")


# --- markdown ------------------------------------------------------------------------------


def test_markdown_headline_counts_and_status() -> None:
    md = render_markdown(sample_report())
    assert "4 findings (1 critical, 1 major, 1 minor, 1 nit)" in md
    assert "**Incomplete review:** 1 of 2 work items" in md
    assert "Gate (fail on major or worse): **failed**" in md
    assert "### Walkthrough" in md


def test_markdown_lists_every_finding_with_location() -> None:
    md = render_markdown(sample_report())
    assert "**major** · `src/app.py:10-12` · Off-by-one in loop bound" in md
    assert "**critical** · `src/app.py (base line 4)` · Removed input validation" in md
    assert "**minor** · `src/util.py` · Module grows a god object" in md
    assert "_File-level note: line 99 is not part of the diff_" in md
    assert "`docs/guide.md:3`" in md
    # Grouped by file, the file with the worst finding first.
    assert md.index("#### `src/app.py`") < md.index("#### `src/util.py`")
    assert md.index("#### `src/util.py`") < md.index("#### `docs/guide.md`")


def test_markdown_suggestion_blocks_only_where_applicable() -> None:
    md = render_markdown(sample_report())
    assert "```suggestion\nfor i in range(n + 1):\n    total += i\n    print(total)\n```" in md
    # LEFT side: the suggestion cannot be applied to the head, so it is plain code.
    assert md.count("```suggestion") == 1
    assert "Suggested change:\n\n```\nvalidate(path)\n```" in md


def test_markdown_not_reviewed_section_with_reasons() -> None:
    md = render_markdown(sample_report())
    section = md.split("### Not reviewed (3)", 1)[1]
    assert "- `package-lock.json`: lockfile" in section
    assert "- `vendor/big.js`: vendored" in section
    assert "- `src/huge.py`: over the token budget (lines 400-900)" in section
    assert "### Notes" in md and "fell back to local" in md


def test_markdown_calls_table() -> None:
    md = render_markdown(sample_report())
    assert "Model calls: 2, tokens 6,200 in / 1,100 out, 1 failed" in md
    row = next(line for line in md.splitlines() if line.startswith("| review-1 "))
    # The pipe in the route reason is escaped, so the row keeps its ten columns.
    assert "small \\| private" in row
    assert len(re.split(r"(?<!\\)\|", row)) == 12
    assert "| failed: timeout |" in md


def test_cache_hits_are_not_failures_and_cost_is_shown() -> None:
    report = sample_report()
    report.calls.append(
        CallRecord(
            item="cache:a.py",
            task="review",
            target="local",
            model="qwen",
            location="local",
            tokens_in=900,
            outcome="cached",
            cache_hit=True,
        )
    )
    report.summary.cost_usd = 0.0123
    report.summary.cloud_equivalent_usd = 0.0456
    md = render_markdown(report)
    assert "Model calls: 2, tokens 6,200 in / 1,100 out, 1 failed, 1 file from the cache" in md
    assert "cost $0.0123 (all-cloud $0.0456)" in md
    assert "| from the cache |" in md


def test_secrets_redacted_for_the_cloud_are_counted_where_calls_are() -> None:
    """What the egress gate took out of the run's cloud calls (each use of a value),
    beside the calls' figures in every view; nothing is said when nothing was taken."""
    report = sample_report()
    assert "redacted" not in render_markdown(report) and "redacted" not in _console_text(report)
    report.calls[1].redactions = 3
    report.calls.append(
        CallRecord(item="review-3", task="review", target="cloud", model="m", location="cloud",
                   redactions=1)
    )  # fmt: skip
    assert ", 4 secrets redacted for the cloud" in render_markdown(report)
    assert "4 secrets redacted for the cloud" in _console_text(report)
    assert "4 secrets redacted for the cloud" in footer(report)


def test_markdown_untrusted_text_cannot_break_layout() -> None:
    md = render_markdown(sample_report())
    assert "<!--" not in md  # nothing opens an HTML comment
    assert "<details><summary>click" not in md
    assert md.count("<details>") == md.count("</details>") == 1  # only the calls footer
    assert "&lt;details>" in md and "&lt;!-- hide" in md
    assert "\\# Not a heading" in md
    assert "Pipe | in &lt;title>" in md
    # The body's unclosed fence is closed before the next finding or section starts.
    fences = [ln for ln in md.splitlines() if ln.lstrip().startswith("```")]
    assert len(fences) % 2 == 0
    # Code spans keep their content literally.
    assert "`a|b`" in md


def test_block_keeps_code_and_escapes_prose() -> None:
    text = "see <b>\n```\n<b> in code\n```\nand `<i>` inline"
    assert block(text) == "see &lt;b>\n```\n<b> in code\n```\nand `<i>` inline"
    assert block("~~~\nopen").endswith("\n~~~")


def test_code_block_outlasts_backticks_inside() -> None:
    fenced = code_block("a\n```\nb", "suggestion")
    assert fenced.startswith("````suggestion\n") and fenced.endswith("\n````")


def test_location_text_variants() -> None:
    base = {"path": "a.py", "severity": Severity.NIT, "category": "c", "title": "t", "body": ""}
    assert location_text(Finding(**base)) == "a.py"
    assert location_text(Finding(**base, start_line=3)) == "a.py:3"
    assert location_text(Finding(**base, start_line=3, end_line=5)) == "a.py:3-5"
    left = Finding(**base, start_line=3, end_line=5, side=Side.LEFT)
    assert location_text(left) == "a.py (base lines 3-5)"


def test_markdown_empty_report() -> None:
    md = render_markdown(RunReport())
    assert "**No findings.**" in md
    assert "Not reviewed" not in md and "Model calls" not in md


# --- json ----------------------------------------------------------------------------------


def test_json_has_required_keys_and_round_trips() -> None:
    report = sample_report()
    text = render(report, "json")
    data = json.loads(text)
    assert next(iter(data)) == "schema_version" and data["schema_version"] == 1
    for key in ("findings", "skipped", "calls", "summary"):
        assert key in data
    assert text.startswith('{\n  "schema_version": 1,')
    # Severity counts in severity order, whatever order they were filled in.
    assert list(data["summary"]["findings"]) == ["critical", "major", "minor", "nit"]
    assert parse_json(text) == report
    assert render(parse_json(text), "json") == text


def test_json_refuses_unknown_schema_version() -> None:
    data = json.loads(render(sample_report(), "json"))
    data["schema_version"] = 99
    with pytest.raises(ValueError, match="schema_version"):
        parse_json(json.dumps(data))


# --- console -------------------------------------------------------------------------------


def _console_text(report: RunReport) -> str:
    out = io.StringIO()
    print_report(report, Console(file=out, force_terminal=False, color_system=None, width=80))
    return out.getvalue()


def test_console_plain_output_has_findings_and_not_reviewed() -> None:
    text = _console_text(sample_report())
    assert not ANSI.search(text)
    for title in (
        "Off-by-one in loop bound",
        "Removed input validation",
        "Module grows a god object",
        "Pipe | in <title>",
    ):
        assert title in text
    assert "MAJOR    src/app.py:10-12  Off-by-one in loop bound" in text
    assert "src/app.py (base line 4)" in text
    assert "file-level note: line 99 is not part of the diff" in text
    assert "Not reviewed (3):" in text
    for path in ("package-lock.json", "vendor/big.js", "src/huge.py"):
        assert f"  {path}: " in text
    assert "Model calls: 2 (1 local, 1 cloud, 1 failed) | tokens 6,200 in / 1,100 out" in text
    last = text.rstrip("\n").splitlines()[-1]
    assert last.startswith("switchyard review: FAILED - 4 findings")
    assert "gate failed (fail on major)" in last


def test_console_status_names_failed_work_items_only_when_some_failed() -> None:
    # A scanners-only security run is incomplete for an unreadable file, with no work items.
    scan_only = RunReport(task="security", summary=Summary(complete=False))
    last = _console_text(scan_only).rstrip("\n").splitlines()[-1]
    assert last.startswith("switchyard security: INCOMPLETE") and "work items" not in last
    failed = RunReport(summary=Summary(complete=False, work_items=3, work_items_failed=1))
    assert "1 of 3 work items got no valid answer" in _console_text(failed)


def test_console_body_is_short_and_not_markup() -> None:
    report = RunReport(
        findings=[
            Finding(
                path="a.py",
                start_line=1,
                severity=Severity.NIT,
                category="style",
                title="[bold red]not markup[/] \x1b[2Jclear",
                body="x" * 500,
            )
        ]
    )
    text = _console_text(report)
    assert "[bold red]not markup[/]" in text
    assert "\x1b" not in text
    assert "x" * 197 + "..." in text and "x" * 198 not in text
    # Off a terminal nothing is hard-wrapped: the long line stays one line.
    assert text.splitlines()[-1].startswith("switchyard review: OK - 1 finding (1 nit)")


def test_console_default_respects_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.publish import console as console_module

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # even a forced terminal gets no styles
    default = console_module._default_console()
    out = io.StringIO()
    default.file = out
    print_report(sample_report(), default)
    assert "Off-by-one" in out.getvalue()
    assert not ANSI.search(out.getvalue())


def test_console_on_terminal_uses_colour() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=120)
    print_report(sample_report(), console)
    assert ANSI.search(out.getvalue())


def test_importing_publish_does_not_import_rich() -> None:
    import subprocess
    import sys

    code = "import sys, bot.publish; print(any(m.startswith('rich') for m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
