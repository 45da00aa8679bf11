"""The Markdown report: what a reviewer reads in a pull request comment or a CI artifact."""

from __future__ import annotations

import re
from collections import Counter

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.report import CallRecord, RunReport, incomplete_text, plural, redacted_text

SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.MAJOR,
    Severity.MINOR,
    Severity.NIT,
)

# C0 controls other than tab and newline, and DEL: never meaningful in a report, and some
# (ESC, backspace) can hide or rewrite what a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Bidirectional overrides and isolates can make text read differently from what it is
# ("Trojan Source"); in prose we show them instead of obeying them.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_HEADING = re.compile(r"^( {0,3})(#)")
_SETEXT_OR_RULE = re.compile(r"^( {0,3})([=\-]+\s*)$")


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    """Counts per severity, most severe first, only the severities that occur."""
    counts = Counter(f.severity for f in findings)
    return {sev: counts[sev] for sev in SEVERITY_ORDER if counts[sev]}


def counts_text(findings: list[Finding]) -> str:
    """Like `3 findings (1 critical, 2 nit)`, or `no findings`."""
    if not findings:
        return "no findings"
    parts = ", ".join(f"{n} {sev.value}" for sev, n in severity_counts(findings).items())
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun} ({parts})"


def findings_text(report: RunReport) -> str:
    """The findings' count, as far as the run got: `no findings` only for a complete run;
    an incomplete one found nothing *in what was reviewed*, or reviewed nothing at all."""
    s = report.summary
    text = counts_text(report.findings)
    if s.complete:
        return text
    if not report.findings and not s.files_reviewed and not s.lines_covered:
        return "nothing reviewed"
    return f"{text} in what was reviewed"


def skipped_files(report: RunReport) -> int:
    """Files not reviewed, each once (a file split over two failed items is one file)."""
    return len({e.path for e in report.skipped})


def scope_parts(report: RunReport) -> list[str]:
    """What was reviewed, in counts that agree: `2 of 3 files reviewed`, `1 skipped`, and for
    an incomplete run what was left unreviewed and why it counts (incomplete_text)."""
    s = report.summary
    changed = max(s.files_changed, s.files_reviewed)
    parts = [f"{s.files_reviewed} of {plural(changed, 'file')} reviewed"]
    other = skipped_files(report) - s.files_unreviewed
    if other > 0:
        parts.append(f"{other} skipped")
    if not s.complete:
        parts.append(incomplete_text(s))
    return parts


def location_text(finding: Finding) -> str:
    """Where a finding sits, as a reader says it: `a.py:3`, `a.py:3-5`, `a.py (base line 3)`."""
    start = finding.start_line
    if start is None:
        return finding.path
    end = max(finding.end_line or start, start)
    lines = str(start) if end == start else f"{start}-{end}"
    if finding.side is Side.LEFT:
        word = "line" if end == start else "lines"
        return f"{finding.path} (base {word} {lines})"
    return f"{finding.path}:{lines}"


def ordered_by_file(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Files with their findings: worst file first; in a file, line order, file-level last."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)

    def in_file(f: Finding) -> tuple[int, int, int]:
        line = f.start_line if f.start_line is not None else 0
        return (0 if f.anchored else 1, line, -f.severity.rank)

    groups = [(path, sorted(items, key=in_file)) for path, items in by_file.items()]
    groups.sort(key=lambda g: (-max(f.severity.rank for f in g[1]), g[0]))
    return groups


def clean_text(text: str) -> str:
    """Drops control characters and normalises newlines; keeps the text otherwise."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _show_bidi(text: str) -> str:
    return _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _escape_html(text: str) -> str:
    """`<` outside code spans becomes `&lt;`, so model output cannot open HTML or comments."""
    out: list[str] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(text[pos : m.start()].replace("<", "&lt;"))
        out.append(m.group())
        pos = m.end()
    out.append(text[pos:].replace("<", "&lt;"))
    return "".join(out)


def inline(text: str) -> str:
    """Untrusted text made safe for one line of Markdown (titles, reasons, notes)."""
    flat = " ".join(_show_bidi(clean_text(text)).split())
    return _escape_html(flat)


def table_cell(text: str) -> str:
    # GFM splits cells on every unescaped pipe, even inside code spans.
    return inline(text).replace("|", "\\|")


def code_span(text: str) -> str:
    """Inline code whose delimiters outnumber any backtick run inside it."""
    flat = " ".join(clean_text(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def code_block(text: str, info: str = "") -> str:
    """A fenced block longer than any backtick run in `text`, so the text cannot close it."""
    body = clean_text(text)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    if body and not body.endswith("\n"):
        body += "\n"
    return f"{fence}{info}\n{body}{fence}"


def block(text: str) -> str:
    """Untrusted multi-line Markdown (bodies, walkthrough) that cannot break the page around it.

    Fenced code is kept as code; a fence left open is closed. Outside code, HTML is escaped and
    lines that would become headings are escaped, so a body cannot swallow or restructure the
    rest of the report.
    """
    out: list[str] = []
    open_fence: str | None = None
    for line in _show_bidi(clean_text(text)).strip("\n").split("\n"):
        fence = _FENCE.match(line)
        if open_fence is not None:
            out.append(line)
            # A closing fence: same character, at least as long, nothing after it.
            if (
                fence
                and fence.group(2)[0] == open_fence[0]
                and len(fence.group(2)) >= len(open_fence)
                and not fence.group(3).strip()
            ):
                open_fence = None
            continue
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            open_fence = fence.group(2)
            out.append(line)
            continue
        line = _HEADING.sub(r"\1\\\2", line)
        line = _SETEXT_OR_RULE.sub(r"\1\\\2", line)
        out.append(_escape_html(line))
    if open_fence is not None:
        out.append(open_fence)
    return "\n".join(out)


def _short_sha(sha: str | None) -> str | None:
    return sha[:12] if sha else None


def _headline(report: RunReport) -> list[str]:
    s = report.summary
    lines = [f"## Switchyard {inline(report.task)}", ""]
    if report.headline and not report.findings:
        lines.append(f"**{inline(report.headline)}**")
    else:
        if report.findings:
            lines.append(f"**{findings_text(report)}**")
        elif s.complete:
            lines.append("**No findings.**")
        else:
            lines.append(f"**{findings_text(report).capitalize()}.**")
        changed = max(s.files_changed, s.files_reviewed)
        scope = [f"{s.files_reviewed} of {plural(changed, 'changed file')} reviewed"]
        if s.changed_lines:
            scope.append(f"{s.lines_covered} of {plural(s.changed_lines, 'changed line')} covered")
        if report.skipped:
            scope.append(f"{plural(skipped_files(report), 'file')} not reviewed (see below)")
        lines += ["", " · ".join(scope) + "."]

    source = []
    if report.source:
        source.append(f"Source: {inline(report.source)}")
    base, head = _short_sha(report.base_sha), _short_sha(report.head_sha)
    if base or head:
        source.append(f"{code_span(base or '?')}..{code_span(head or '?')}")
    if source:
        lines += ["", " ".join(source)]

    if not s.complete:
        lines += [
            "",
            f"**Incomplete review:** {incomplete_text(s)}; "
            "issues in those parts may be missing from this report.",
        ]
    if s.fail_on is not None:
        verdict = "**failed**" if s.gate_failed else "passed"
        lines += ["", f"Gate (fail on {s.fail_on.value} or worse): {verdict}."]
    return lines


def _finding(f: Finding) -> list[str]:
    head = f"**{f.severity.value}** · {code_span(location_text(f))} · {inline(f.title)}"
    meta = [inline(f.category)]
    if f.source != "model":
        meta.append(f"from {inline(f.source)}")
    lines = [head + f" _({', '.join(meta)})_", ""]
    if not f.anchored:
        note = f": {inline(f.anchor_note)}" if f.anchor_note else ""
        lines += [f"_File-level note{note}_", ""]
    if f.body.strip():
        lines += [block(f.body), ""]
    if f.suggestion is not None:
        if f.anchored and f.side is Side.RIGHT:
            lines += [code_block(f.suggestion, "suggestion"), ""]
        else:
            lines += ["Suggested change:", "", code_block(f.suggestion), ""]
    return lines


def _findings(report: RunReport) -> list[str]:
    if not report.findings:
        return []
    lines = ["### Findings", ""]
    for path, items in ordered_by_file(report.findings):
        lines += [f"#### {code_span(path)}", ""]
        for f in items:
            lines += _finding(f)
    return lines


def _skipped(report: RunReport) -> list[str]:
    if not report.skipped:
        return []
    lines = [f"### Not reviewed ({len(report.skipped)})", ""]
    lines += [f"- {code_span(s.path)}: {inline(s.reason)}" for s in report.skipped]
    return [*lines, ""]


def _notes(report: RunReport) -> list[str]:
    if not report.notes:
        return []
    return ["### Notes", "", *(f"- {inline(n)}" for n in report.notes), ""]


def _outcome(call: CallRecord) -> str:
    if call.cache_hit:
        return "from the cache"
    if call.outcome == "ok":
        return "ok (repaired)" if call.repaired else "ok"
    return f"{call.outcome}: {call.error}" if call.error else call.outcome


def _targets(report: RunReport) -> list[str]:
    """Where each target runs and who said so, above the calls made to them."""
    if not report.targets:
        return []
    where = "; ".join(f"{t.name}: {t.declared or t.location}" for t in report.targets)
    return [f"Targets: {inline(where)}", ""]


def _calls(report: RunReport) -> list[str]:
    if not report.calls:
        return []
    sent = [c for c in report.calls if not c.cache_hit]
    tokens_in = sum(c.tokens_in for c in sent)
    tokens_out = sum(c.tokens_out for c in sent)
    failed = sum(1 for c in sent if c.outcome != "ok")
    summary = f"Model calls: {len(sent)}, tokens {tokens_in:,} in / {tokens_out:,} out"
    if failed:
        summary += f", {failed} failed"
    cached = len(report.calls) - len(sent)
    if cached:
        summary += f", {plural(cached, 'file')} from the cache"
    if redacted := redacted_text(report.calls):
        summary += f", {redacted}"
    if report.summary.cost_usd or report.summary.cloud_equivalent_usd:
        summary += (
            f", cost ${report.summary.cost_usd:.4f} "
            f"(all-cloud ${report.summary.cloud_equivalent_usd:.4f})"
        )
    lines = [
        "<details>",
        f"<summary>{summary}</summary>",
        "",
        *_targets(report),
        "| Item | Target | Model | Where | Tokens in | Tokens out | Cost | Latency | Route "
        "| Outcome |",
        "|---|---|---|---|--:|--:|--:|--:|---|---|",
    ]
    for c in report.calls:
        cells = [
            table_cell(c.item),
            table_cell(c.target),
            table_cell(c.model),
            table_cell(c.location),
            f"{c.tokens_in:,}",
            f"{c.tokens_out:,}",
            f"${c.cost_usd:.4f}",
            f"{c.latency_s:.1f} s",
            table_cell(c.route_reason) or "-",
            table_cell(_outcome(c)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, "", "</details>", ""]


def patch_noun(task: str) -> str:
    """What a task's patch holds: the tests task's kept tests, the docs task's edits."""
    return {"tests": "test file", "docs": "documentation file"}.get(task, "file")


def patch_title(report: RunReport) -> str:
    """`Patch: 2 test files`: what a task's patch holds."""
    files = sum(1 for line in (report.patch or "").splitlines() if line.startswith("+++ "))
    return f"Patch: {plural(files, patch_noun(report.task))}"


def patch_section(report: RunReport, how: str = "git apply") -> list[str]:
    """A task's files as a patch (the tests task's kept tests, the docs task's edits),
    collapsed: long, and read on demand."""
    if not report.patch:
        return []
    return [
        "<details>",
        f"<summary>{patch_title(report)} ({how})</summary>",
        "",
        code_block(report.patch, "diff"),
        "",
        "</details>",
        "",
    ]


def render_markdown(report: RunReport) -> str:
    """The whole report as GitHub-flavoured Markdown. Model output and code are escaped."""
    lines = [*_headline(report), ""]
    if report.walkthrough and report.walkthrough.strip():
        lines += ["### Walkthrough", "", block(report.walkthrough), ""]
    if report.answer and report.answer.strip():
        lines += ["### Answer", "", block(report.answer), ""]
    lines += _findings(report)
    lines += patch_section(report)
    lines += _skipped(report)
    lines += _notes(report)
    lines += _calls(report)
    lines.append(f"<sub>{inline(report.tool)} {inline(report.version)}</sub>")
    return "\n".join(lines).rstrip("\n") + "\n"
