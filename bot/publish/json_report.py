"""The JSON report: the run as machine-readable data, stable enough to diff and to load back."""

from __future__ import annotations

import json
from typing import Any

from bot.findings.model import Severity
from bot.report import RunReport

# Bump when a field is renamed or removed or its meaning changes; adding fields does not.
SCHEMA_VERSION = 1


def _severity_key(name: str) -> tuple[int, str]:
    try:
        return (-Severity(name).rank, name)
    except ValueError:
        return (1, name)


def report_data(report: RunReport) -> dict[str, Any]:
    """The report as plain JSON data, `schema_version` first, then the model's field order."""
    data = report.model_dump(mode="json")
    # The only mapping whose order depends on how it was filled: fix it to severity order.
    counts = data["summary"]["findings"]
    data["summary"]["findings"] = {k: counts[k] for k in sorted(counts, key=_severity_key)}
    return {"schema_version": SCHEMA_VERSION, **data}


def render_json(report: RunReport) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def parse_json(text: str) -> RunReport:
    """Loads a report written by `render_json`; refuses a newer, incompatible schema."""
    data = json.loads(text)
    version = data.pop("schema_version", None)
    if version != SCHEMA_VERSION:
        raise ValueError(
            f"unsupported report schema_version {version!r}; expected {SCHEMA_VERSION}"
        )
    return RunReport.model_validate(data)
