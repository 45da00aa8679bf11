"""The terminal view of a run: compact, coloured on a terminal, plain lines in CI logs."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from bot.findings.model import Finding, Severity
from bot.publish.markdown import (
    clean_text,
    findings_text,
    location_text,
    ordered_by_file,
    scope_parts,
    skipped_files,
)
from bot.report import RunReport, plural, redacted_text

if TYPE_CHECKING:
    # rich costs 50-100 ms to import: only paid when something is printed.
    from rich.console import Console
    from rich.text import Text

SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.MAJOR: "red",
    Severity.MINOR: "yellow",
    Severity.NIT: "cyan",
}
BODY_CHARS = 200
_LABEL_WIDTH = max(len(s.value) for s in Severity)
_INDENT = " " * (2 + _LABEL_WIDTH + 1)
# Zero-width and direction-changing characters could hide or reorder what a log shows.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _plain(text: str) -> str:
    """One line of untrusted text with nothing that could drive the terminal."""
    return " ".join(_INVISIBLE.sub("", clean_text(text)).split())


def short_body(body: str, limit: int = BODY_CHARS) -> str:
    """The body's first paragraph on one line, cut at `limit` characters."""
    first = clean_text(body).strip().split("\n\n", 1)[0]
    text = _plain(first)
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _default_console() -> Console:
    from rich.console import Console

    # rich drops colour for NO_COLOR but keeps bold and underline; no styles at all is what
    # NO_COLOR users and log scrapers expect. Off a terminal rich emits no styles anyway.
    no_color = bool(os.environ.get("NO_COLOR"))
    return Console(color_system=None if no_color else "auto", highlight=False)


def _finding_lines(f: Finding) -> list[Text]:
    from rich.text import Text

    head = Text("  ")
    head.append(f.severity.value.upper().ljust(_LABEL_WIDTH), style=SEVERITY_STYLE[f.severity])
    head.append(" ")
    head.append(_plain(location_text(f)), style="bold")
    head.append("  ")
    head.append(_plain(f.title))
    head.append(f"  [{_plain(f.category)}]", style="dim")
    lines = [head]
    if not f.anchored:
        note = f": {_plain(f.anchor_note)}" if f.anchor_note else ""
        lines.append(Text(f"{_INDENT}file-level note{note}", style="dim"))
    body = short_body(f.body)
    if body:
        lines.append(Text(f"{_INDENT}{body}"))
    if f.suggestion is not None:
        lines.append(Text(f"{_INDENT}(a suggested change is attached)", style="dim"))
    return lines


def _calls_line(report: RunReport) -> Text:
    from rich.text import Text

    cached = sum(1 for c in report.calls if c.cache_hit)
    calls = [c for c in report.calls if not c.cache_hit]
    tokens_in = sum(c.tokens_in for c in calls) or report.summary.tokens_in
    tokens_out = sum(c.tokens_out for c in calls) or report.summary.tokens_out
    where = {loc: sum(1 for c in calls if c.location == loc) for loc in ("local", "cloud")}
    parts = [f"{where[k]} {k}" for k in where if where[k]]
    failed = sum(1 for c in calls if c.outcome != "ok")
    if failed:
        parts.append(f"{failed} failed")
    if cached:
        parts.append(f"{plural(cached, 'file')} from the cache")
    if redacted := redacted_text(report.calls):
        parts.append(redacted)
    detail = f" ({', '.join(parts)})" if parts else ""
    latency = sum(c.latency_s for c in calls)
    cost = report.summary.cost_usd
    money = ""
    if cost or report.summary.cloud_equivalent_usd:
        money = f" | ${cost:.4f} (all-cloud ${report.summary.cloud_equivalent_usd:.4f})"
    return Text(
        f"Model calls: {len(calls)}{detail} | tokens {tokens_in:,} in / {tokens_out:,} out"
        f" | {latency:.1f} s in calls{money}",
        style="dim",
    )


def _status_line(report: RunReport) -> Text:
    from rich.text import Text

    s = report.summary
    if s.gate_failed:
        word, style = "FAILED", "bold red"
    elif not s.complete:
        word, style = "INCOMPLETE", "bold yellow"
    else:
        word, style = "OK", "bold green"
    if report.headline and not report.findings:
        parts = [report.headline.rstrip(".")]
    else:
        parts = [findings_text(report), *scope_parts(report)]
    if s.fail_on is not None:
        gate = "failed" if s.gate_failed else "passed"
        parts.append(f"gate {gate} (fail on {s.fail_on.value})")
    if s.duration_s:
        parts.append(f"{s.duration_s:.1f} s")
    line = Text(f"{_plain(report.tool)} {_plain(report.task)}: ")
    line.append(word, style=style)
    line.append(" - " + "; ".join(parts))
    return line


def report_lines(report: RunReport) -> list[Text]:
    """The terminal view as rich Text lines; untrusted text is never parsed as rich markup."""
    from rich.text import Text

    lines: list[Text] = []
    for path, items in ordered_by_file(report.findings):
        lines.append(Text(_plain(path), style="bold underline"))
        for f in items:
            lines += _finding_lines(f)
        lines.append(Text(""))
    if report.skipped:
        lines.append(Text(f"Not reviewed ({skipped_files(report)}):", style="bold yellow"))
        lines += [Text(f"  {_plain(e.path)}: {_plain(e.reason)}") for e in report.skipped]
        lines.append(Text(""))
    if report.notes:
        lines.append(Text("Notes:", style="bold"))
        lines += [Text(f"  - {_plain(n)}") for n in report.notes]
        lines.append(Text(""))
    if report.calls:
        lines.append(_calls_line(report))
    if report.targets:
        where = "; ".join(f"{t.name}: {t.declared or t.location}" for t in report.targets)
        lines.append(Text(f"Targets: {_plain(where)}", style="dim"))
    lines.append(_status_line(report))
    return lines


def print_report(report: RunReport, console: Console | None = None) -> None:
    """Prints the run for a person at a terminal or reading a CI log."""
    console = console or _default_console()
    # Off a terminal, let the log viewer wrap: hard-wrapped lines at 80 columns break grep.
    soft_wrap = not console.is_terminal
    for line in report_lines(report):
        console.print(line, soft_wrap=soft_wrap, highlight=False)
