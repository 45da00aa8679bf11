"""The GitLab Secret Detection report (`gl-secret-detection-report.json`), in GitLab's
security report format 15.0.7.

GitLab reads it from a job's `artifacts:reports:secret_detection` and lists its findings
under Secret Detection in the merge request's security widget and the vulnerability report,
apart from SAST's. It holds the secret detector's findings only, in the SAST report's shape
(bot/publish/gitlab_sast.py: the same stable ids, identifiers and severities) with what
this schema asks besides: the scan's type, and the commit each secret was found at
(`location.commit.sha`: the head commit, or GitLab's own analyzer's "0000000" when the
change came as a patch without one). `raw_source_code_extract` is never written: it would
carry the value.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.publish.gitlab_sast import (
    SECRETS_SOURCE,
    TIME_FORMAT,
    VENDOR,
    analyzer_of,
    messages_of,
    now,
    utc,
    vulnerability,
)
from bot.report import RunReport

SCHEMA_VERSION = "15.0.7"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/secret-detection-report-format.json"
)
FILENAME = "gl-secret-detection-report.json"
# GitLab's secrets analyzer writes this when it scans a tree rather than a commit.
NO_COMMIT = "0000000"


def gitlab_secret_detection_data(report: RunReport) -> dict[str, Any]:
    end = now()
    start = end - timedelta(seconds=max(report.summary.duration_s, 0.0))
    sha = report.head_sha or NO_COMMIT
    vulns = []
    for f in report.findings:
        if f.source != SECRETS_SOURCE:
            continue
        vuln = vulnerability(f)
        vuln["location"]["commit"] = {"sha": sha}
        vulns.append(vuln)
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": analyzer_of(report),
            "scanner": {
                "id": "switchyard-secrets",
                "name": "Switchyard secret detection",
                "version": _detector_version(),
                "vendor": VENDOR,
            },
            "type": "secret_detection",
            "start_time": utc(start).strftime(TIME_FORMAT),
            "end_time": utc(end).strftime(TIME_FORMAT),
            "status": "success",
            "messages": messages_of(report, []),
        },
        "vulnerabilities": vulns,
    }


def render_gitlab_secret_detection(report: RunReport) -> str:
    data = gitlab_secret_detection_data(report)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _detector_version() -> str:
    """The detector and its pinned rule sets (`…+gitleaks-rules-v8.30.0-…+security-
    utilities-1.21.0`), which decide what it finds."""
    from bot.security.scanners.secrets_runner import VERSION

    return VERSION
