"""The analyze report as Markdown or JSON. Every text a model wrote, and every path, is
escaped with bot/publish/markdown.py's helpers: a repository cannot restructure the page."""

from __future__ import annotations

import json
from typing import Any

from bot.analyze.run import AnalysisReport
from bot.publish.markdown import block, code_span, inline, table_cell

# Rows per list in the Markdown report; JSON carries every row.
_ROWS = 50
SECURITY_NOTE = (
    "Files that take requests, and the files they use (up to three hops) that run a "
    "command, build SQL, evaluate code, deserialise or write HTML: where to look, not proof "
    "that input reaches the sink. `switchyard security` runs the taint rules on a change."
)


def to_markdown(r: AnalysisReport) -> str:
    f = r.facts
    title = r.repository or "the repository"
    lines = [f"# Repository analysis: {inline(title)} at {code_span(r.ref)}", ""]
    lines.append(f"**Route:** {inline(r.route)}: {inline(r.why)}.")
    lines.append("")
    lines.append(
        f"Map: {r.map_files} files ({r.map_tokens} tokens sent); {f.commits} commits in the "
        f"last {inline(f.window)}; {r.items} work items ({r.items_failed} not answered); "
        f"{r.tokens_in} tokens in, {r.tokens_out} out, ${r.cost_usd:.4f}."
    )
    lines.append("")
    if r.summary:
        lines += ["## Summary", "", block(r.summary), ""]
    if r.architecture:
        lines += ["## Architecture", ""]
        for label, text in r.architecture:
            if len(r.architecture) > 1:
                lines += [f"### {inline(label)}", ""]
            lines += [block(text), ""]
    lines += ["## Modules", "", "| Module | Files | Definitions | Tests | Depends on |"]
    lines.append("|---|---|---|---|---|")
    for m in f.modules[:_ROWS]:
        uses = ", ".join(f"{name} ({w})" for name, w in m.uses) or "—"
        lines.append(
            f"| {table_cell(m.name)} | {m.files} | {m.definitions} | {m.tests} | "
            f"{table_cell(uses)} |"
        )
    lines.append("")
    if r.risks:
        lines += ["## Risks", ""]
        lines += [
            f"- **{x.severity.value}** {code_span(x.path)}: {inline(x.title)}: {inline(x.detail)}"
            for x in r.risks
        ]
        lines.append("")
    lines += ["## Hot spots", "", "Branches (decision points + 1) × commits touching the file.", ""]
    if f.hot_spots:
        lines += ["| Function | Branches | Commits | Lines changed |", "|---|---|---|---|"]
        lines += [
            f"| {table_cell(f'{h.path}:{h.line} {h.qualname}')} | {h.branches} | {h.commits} | "
            f"{h.lines_changed} |"
            for h in f.hot_spots
        ]
    else:
        lines.append("None: no changed file in the window has a function with a branch.")
    lines += ["", "## Dead-code candidates", ""]
    lines.append("Exported definitions no other file uses (a framework or reflection may).")
    lines.append("")
    lines += _listed([f"{u.path}:{u.line} {u.qualname} ({u.kind})" for u in f.unused])
    lines += ["", "## Test gaps", "", "Source files that no test file uses.", ""]
    lines += _listed(f.untested)
    lines += ["", "## Security-relevant flows", "", SECURITY_NOTE, ""]
    if f.flows:
        lines += ["| Entry point | Through | Sink file | Sinks |", "|---|---|---|---|"]
        lines += [
            f"| {table_cell(x.entry)} | {table_cell(' → '.join(x.via)) or '—'} | "
            f"{table_cell(x.sink)} | {table_cell(', '.join(x.kinds))} |"
            for x in f.flows[:_ROWS]
        ]
    else:
        lines.append("None found.")
    lines.append("")
    notes = r.notes + [f"{n} files left out of the map: {why}" for why, n in f.left_out.items()]
    if notes:
        lines += ["## Notes", "", *(f"- {inline(n)}" for n in notes), ""]
    return "\n".join(lines)


def _listed(rows: list[str]) -> list[str]:
    if not rows:
        return ["None."]
    out = [f"- {code_span(row)}" for row in rows[:_ROWS]]
    if len(rows) > _ROWS:
        out.append(f"- … and {len(rows) - _ROWS} more (the JSON report lists them all)")
    return out


def to_json(r: AnalysisReport) -> str:
    f = r.facts
    data: dict[str, Any] = {
        "task": "analyze",
        "repository": r.repository,
        "ref": r.ref,
        "route": {"taken": r.route, "why": r.why},
        "map": {"files": r.map_files, "tokens": r.map_tokens},
        "history": {"window": f.window, "commits": f.commits},
        "summary": r.summary,
        "architecture": [{"covers": label, "text": text} for label, text in r.architecture],
        "risks": [x.model_dump(mode="json") for x in r.risks],
        "modules": [
            {
                "name": m.name,
                "files": m.files,
                "definitions": m.definitions,
                "tests": m.tests,
                "uses": [{"module": n, "weight": w} for n, w in m.uses],
            }
            for m in f.modules
        ],
        "hot_spots": [
            {
                "path": h.path,
                "line": h.line,
                "function": h.qualname,
                "branches": h.branches,
                "commits": h.commits,
                "lines_changed": h.lines_changed,
            }
            for h in f.hot_spots
        ],
        "dead_code_candidates": [
            {"path": u.path, "line": u.line, "name": u.qualname, "kind": u.kind} for u in f.unused
        ],
        "test_gaps": f.untested,
        "security_flows": [
            {"entry": x.entry, "via": list(x.via), "sink": x.sink, "kinds": list(x.kinds)}
            for x in f.flows
        ],
        "left_out": f.left_out,
        "notes": r.notes,
        "usage": {
            "items": r.items,
            "items_failed": r.items_failed,
            "tokens_in": r.tokens_in,
            "tokens_out": r.tokens_out,
            "cost_usd": r.cost_usd,
        },
        "complete": r.complete,
    }
    return json.dumps(data, indent=2)
