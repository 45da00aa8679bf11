"""The usage report as a table for people, JSON for programs, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from bot.ledger.usage import BudgetBurn, UsageReport, UsageRow

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "json", "csv")
CSV_FIELDS = (
    "calls",
    "answered",
    "failed",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "all_cloud_usd",
    "saved_usd",
    "p50_s",
    "p95_s",
    "p99_s",
    "cache_hit_ratio",
    "local_share",
    "redactions",
)


def row_dict(row: UsageRow) -> dict[str, Any]:
    return {
        "calls": row.calls,
        "answered": row.answered,
        "failed": row.failed,
        "tokens_in": row.tokens_in,
        "tokens_out": row.tokens_out,
        "cost_usd": round(row.cost_usd, 6),
        "all_cloud_usd": round(row.all_cloud_usd, 6),
        "saved_usd": round(row.saved_usd, 6),
        "p50_s": _round(row.p50_s, 3),
        "p95_s": _round(row.p95_s, 3),
        "p99_s": _round(row.p99_s, 3),
        "cache_hit_ratio": _round(row.cache_hit_ratio, 4),
        "local_share": _round(row.local_share, 4),
        "redactions": row.redactions,
    }


def burn_dict(burn: BudgetBurn) -> dict[str, Any]:
    return {
        "scope": burn.scope,
        "spent_usd": round(burn.spent_usd, 6),
        "cap_usd": burn.cap_usd,
        "share": None if math.isinf(burn.share) else round(burn.share, 4),
        "state": burn.state,
    }


def render_json(report: UsageReport) -> str:
    doc = {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "by": report.by,
        "rows": [{report.by: r.key, **row_dict(r)} for r in report.rows],
        "total": row_dict(report.total),
        "budget": [burn_dict(b) for b in report.budget],
    }
    return json.dumps(doc, indent=2) + "\n"


def render_csv(report: UsageReport) -> str:
    """One line per group, then the total (its first cell is `(total)`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((report.by, *CSV_FIELDS))
    for row in [*report.rows, report.total]:
        values = row_dict(row)
        writer.writerow((row.key, *("" if values[f] is None else values[f] for f in CSV_FIELDS)))
    return out.getvalue()


def print_table(report: UsageReport, console: Console) -> None:
    from rich import box
    from rich.table import Table

    since = report.since.strftime("%Y-%m-%d %H:%M")
    until = report.until.strftime("%Y-%m-%d %H:%M")
    table = Table(
        title=f"Usage by {report.by}, {since} to {until} UTC",
        box=box.SIMPLE if console.is_terminal else box.ASCII,
        title_justify="left",
    )
    table.add_column(report.by)
    for name in ("calls", "tokens in", "tokens out", "cost", "all-cloud", "saved"):
        table.add_column(name, justify="right")
    for name in ("p50", "p95", "p99", "cache hits", "local"):
        table.add_column(name, justify="right")
    for i, row in enumerate([*report.rows, report.total]):
        table.add_row(*_cells(row), end_section=i == len(report.rows) - 1)
    console.print(table)
    if not report.rows:
        console.print("no calls recorded in this period")
    if report.total.redactions:
        console.print(f"secret values redacted from cloud prompts: {report.total.redactions:,}")
    for burn in report.budget:
        share = "no cap" if math.isinf(burn.share) else f"{burn.share:.0%}"
        console.print(
            f"budget {burn.scope}: ${burn.spent_usd:,.2f} of ${burn.cap_usd:,.2f} this month "
            f"({share}, {burn.state})"
        )


def _cells(row: UsageRow) -> list[str]:
    calls = f"{row.calls}" + (f" ({row.failed} failed)" if row.failed else "")
    return [
        row.key,
        calls,
        f"{row.tokens_in:,}",
        f"{row.tokens_out:,}",
        _usd(row.cost_usd),
        _usd(row.all_cloud_usd),
        _usd(row.saved_usd),
        _seconds(row.p50_s),
        _seconds(row.p95_s),
        _seconds(row.p99_s),
        _pct(row.cache_hit_ratio),
        _pct(row.local_share),
    ]


def _usd(value: float) -> str:
    return f"${value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"${value:.4f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
