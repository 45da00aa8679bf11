"""The run's verdict on the commit: a check run per task, or a commit status where the token
cannot write checks (a personal token, an OAuth token; only GitHub Apps, GITHUB_TOKEN
included, may create check runs).

The conclusion is the shared verdict (bot/forges/verdict.py). A commit status has no
`neutral`; the grey cases become `error`, never `success`.

Annotations go 50 per request (GitHub's limit): the first batch with the check run, the rest
appended by updates. Only findings on head lines get one; a removed (LEFT) line does not
exist in the head, and file-level notes have no line: both are in the summary comment.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from github.GithubException import GithubException

from bot.change.model import Side
from bot.findings.model import Finding, Severity
from bot.forges import verdict as shared
from bot.forges.body_fit import fit_text
from bot.forges.contract import StatusOutcome
from bot.forges.github.client import error_text
from bot.forges.github.pacing import PacedClient, rate_limit_wait
from bot.forges.markers import task_slug
from bot.forges.summary import retry_text
from bot.publish.markdown import clean_text, inline
from bot.report import RunReport, posted_findings

log = logging.getLogger(__name__)

ANNOTATIONS_PER_REQUEST = 50
MAX_OUTPUT_BYTES = 65_000  # output.summary and output.text: 65,535 characters at most
MAX_ANNOTATION_CHARS = 16_000  # message and raw_details: 64 KB; 4 bytes a char at worst
MAX_ANNOTATION_TITLE = 255
MAX_STATUS_DESCRIPTION = 140

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "failure",
    Severity.MAJOR: "failure",
    Severity.MINOR: "warning",
    Severity.NIT: "notice",
}
# The verdict's conclusion as a commit status state.
_STATUS_STATE = {"success": "success", "failure": "failure", "neutral": "error"}
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def check_name(task: str) -> str:
    return f"switchyard / {task_slug(task)}"


@dataclass(frozen=True, slots=True)
class Verdict(shared.Verdict):
    """The shared verdict, with the state a commit status takes for it."""

    @property
    def status_state(self) -> str:
        return _STATUS_STATE[self.conclusion]


def verdict(report: RunReport) -> Verdict:
    v = shared.verdict(report)
    return Verdict(v.conclusion, v.title)


def _plain(text: str, limit: int) -> str:
    """Untrusted text for an annotation: plain text, so only controls and bidi need care."""
    shown = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", clean_text(text)).strip()
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def annotation(finding: Finding) -> dict[str, Any] | None:
    if finding.start_line is None or finding.side is not Side.RIGHT:
        return None
    start = finding.start_line
    end = max(finding.end_line or start, start)
    title = f"[{finding.severity.value}] {finding.title}"
    message = finding.body.strip() or finding.title
    out: dict[str, Any] = {
        "path": finding.path,
        "start_line": start,
        "end_line": end,
        "annotation_level": LEVELS[finding.severity],
        "title": _plain(" ".join(title.split()), MAX_ANNOTATION_TITLE),
        "message": _plain(message, MAX_ANNOTATION_CHARS),
    }
    if finding.suggestion is not None:
        out["raw_details"] = _plain(
            "Suggested change:\n" + finding.suggestion, MAX_ANNOTATION_CHARS
        )
    return out


def annotations(findings: list[Finding]) -> list[dict[str, Any]]:
    """Most severe first, so that the first request, the one most sure to land, has them."""
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    return [a for a in (annotation(f) for f in ordered) if a is not None]


def batches(items: list[dict[str, Any]], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def output_summary(report: RunReport, v: Verdict, summary_url: str | None) -> str:
    s = report.summary
    lines = [f"**{inline(v.title)}**", ""]
    if shared.not_done_reason(report) is not None:
        lines.append(f"Nothing was reviewed; {retry_text(report.task)} once that is fixed.")
        if summary_url:
            lines += ["", f"Details: [summary comment]({summary_url})"]
        return fit_text(lambda t: t, "\n".join(lines) + "\n", MAX_OUTPUT_BYTES)
    scope = f"{s.files_reviewed} of {s.files_changed} changed files reviewed"
    if s.changed_lines:
        scope += f", {s.lines_covered} of {s.changed_lines} changed lines covered"
    lines.append(scope + ".")
    if report.skipped:
        lines.append(f"{len(report.skipped)} files not reviewed.")
    if s.fail_on is not None:
        state = "failed" if s.gate_failed else "passed"
        lines.append(f"Gate (fail on {s.fail_on.value} or worse): {state}.")
    if not s.complete:
        lines.append("Issues in the parts that got no answer may be missing.")
    if summary_url:
        lines += ["", f"Details: [summary comment]({summary_url})"]
    # Short by construction; the cap only guards against an absurd title or URL.
    return fit_text(lambda t: t, "\n".join(lines) + "\n", MAX_OUTPUT_BYTES)


def _is_permission_refusal(exc: GithubException) -> bool:
    """403/404 that no waiting will change (a rate limit also answers 403)."""
    if exc.status not in (403, 404):
        return False
    return rate_limit_wait(exc, 0, datetime.now(UTC).timestamp()) is None


class CheckWriter:
    def __init__(
        self,
        client: PacedClient,
        repository: str,
        head_sha: str,
        task: str,
        *,
        started_id: int | None = None,
    ) -> None:
        self.client = client
        self.repository = repository
        self.head_sha = head_sha
        self.task = task
        self.started_id = started_id  # the check run start() opened, which publish() ends

    def start(self, *, checks_allowed: bool = True) -> int | None:
        """A check run in progress (a pending commit status where checks may not be
        written), before the model work: the pull request shows the bot is on it. Returns
        the check run's id. A refusal is logged: the run goes on, and its end says the rest.
        """
        title = f"Running the {self.task}"
        try:
            if not checks_allowed:
                body = {"state": "pending", "context": check_name(self.task), "description": title}
                self.client.write(
                    "POST", f"/repos/{self.repository}/statuses/{self.head_sha}", body
                )
                return None
            started = {
                "status": "in_progress",
                "output": {"title": title, "summary": "Started; the result replaces this."},
            }
            earlier = self._unfinished_run()
            if earlier is not None:
                # A job run again (its worker died, or a transient failure): the check run
                # it started is taken up again, so a head never shows two for one task.
                path = f"/repos/{self.repository}/check-runs/{earlier}"
                run = self.client.write("PATCH", path, started)
            else:
                body = {"name": check_name(self.task), "head_sha": self.head_sha, **started}
                run = self.client.write("POST", f"/repos/{self.repository}/check-runs", body)
        except GithubException as exc:
            log.warning("could not show %s as started: %s", self.task, error_text(exc)[:200])
            return None
        self.started_id = run.get("id")
        return self.started_id

    def _unfinished_run(self) -> int | None:
        """This task's check run on this head that a run before this one started and never
        finished, if any. A finished one stays as it is: a new `/review` gets its own."""
        try:
            found = self.client.get(
                f"/repos/{self.repository}/commits/{self.head_sha}/check-runs",
                {"check_name": check_name(self.task), "filter": "latest"},
            )
        except GithubException as exc:
            log.info("could not list the check runs of %s: %s", self.head_sha, error_text(exc))
            return None
        runs = found.get("check_runs") if isinstance(found, dict) else None
        ids = [
            r["id"]
            for r in runs or []
            if isinstance(r, dict) and r.get("id") and r.get("status") != "completed"
        ]
        return max(ids) if ids else None

    def publish(
        self,
        report: RunReport,
        *,
        details_url: str | None = None,
        checks_allowed: bool = True,
    ) -> StatusOutcome:
        v = verdict(report)
        out = StatusOutcome(conclusion=v.conclusion)
        if checks_allowed:
            try:
                self._check_run(report, v, details_url, out)
                return out
            except GithubException as exc:
                if not _is_permission_refusal(exc):
                    out.errors.append(f"check run: {error_text(exc)}")
                    return out
        self._status(v, details_url, out)
        return out

    def _check_run(
        self, report: RunReport, v: Verdict, details_url: str | None, out: StatusOutcome
    ) -> None:
        summary = output_summary(report, v, details_url)
        parts = batches(annotations(posted_findings(report)))
        title = v.title[:MAX_ANNOTATION_TITLE]
        body: dict[str, Any] = {
            "name": check_name(self.task),
            "head_sha": self.head_sha,
            "status": "completed",
            "conclusion": v.conclusion,
            "completed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "output": {"title": title, "summary": summary, "annotations": parts[0]},
        }
        if details_url:
            body["details_url"] = details_url
        if self.started_id is not None:
            # The run start() opened ends here: one check run per task and head.
            path = f"/repos/{self.repository}/check-runs/{self.started_id}"
            run = self.client.write("PATCH", path, body)
        else:
            run = self.client.write("POST", f"/repos/{self.repository}/check-runs", body)
        out.check_run_id = run.get("id")
        out.web_url = run.get("html_url")
        out.annotations = len(parts[0])
        for part in parts[1:]:
            # Updates append annotations; title and summary are sent again unchanged.
            update = {"output": {"title": title, "summary": summary, "annotations": part}}
            try:
                self.client.write(
                    "PATCH", f"/repos/{self.repository}/check-runs/{out.check_run_id}", update
                )
            except GithubException as exc:
                out.errors.append(f"annotations: {error_text(exc)}")
                return
            out.annotations += len(part)

    def _status(self, v: Verdict, target_url: str | None, out: StatusOutcome) -> None:
        description = v.title
        if len(description) > MAX_STATUS_DESCRIPTION:
            description = description[: MAX_STATUS_DESCRIPTION - 1] + "…"
        body: dict[str, Any] = {
            "state": v.status_state,
            "context": check_name(self.task),
            "description": description,
        }
        if target_url:
            body["target_url"] = target_url
        try:
            self.client.write("POST", f"/repos/{self.repository}/statuses/{self.head_sha}", body)
        except GithubException as exc:
            out.errors.append(f"commit status: {error_text(exc)}")
            return
        out.status_state = v.status_state
