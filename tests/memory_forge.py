"""A forge that lives in memory: the door's contract (bot/forges/contract.py) filled in with
dicts and lists, and the registry's Forge around it.

It shows what a third forge has to write, and lets the shared parts (door, comment plan,
markers, summary, incremental range, registry, server, worker) be tested without GitHub.
Addresses look like `memory://OWNER/REPO!N`.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.change.model import Change, Side
from bot.change.parse import parse_diff
from bot.errors import InputError
from bot.findings.model import Finding
from bot.forges import registry
from bot.forges.comment_plan import LineComment, comment_body
from bot.forges.contract import (
    ChangeRequest,
    FetchedRules,
    Identity,
    MarkedComment,
    PriorState,
    PublishRefused,
    RequestCounts,
    ReviewOutcome,
    StatusOutcome,
    StickyComment,
)
from bot.forges.forge import ChangeRef, Opened
from bot.forges.markers import (
    is_reply_for,
    is_summary_for,
    parse_fingerprint_marker,
    parse_summary_marker,
)
from bot.forges.verdict import verdict
from bot.forges.webhook import Answered, Ignored, MalformedPayload, webhook_path
from bot.jobs import Job
from bot.report import RunReport

NAME = "memory"
SECRET_ENV = "MEMORY_WEBHOOK_TOKEN"
_ADDRESS = re.compile(r"^memory://(?P<repo>[\w.-]+/[\w.-]+)!(?P<number>[0-9]+)$")


@dataclass
class ChangeRequestState:
    """One change request: its diff, the files at each ref, what the bot posted on it."""

    info: ChangeRequest
    diff: str
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (ref, path) -> text
    since: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    comments: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, body
    summaries: list[StickyComment] = field(default_factory=list)
    statuses: list[tuple[str, str, str]] = field(default_factory=list)  # sha, task, verdict
    reviews: int = 0
    proposals: list[tuple[str, str, str]] = field(default_factory=list)  # branch, into, title


class MemorySource:
    def __init__(self, state: ChangeRequestState) -> None:
        self.state = state
        self.reads: list[tuple[str, str]] = []

    @property
    def repository(self) -> str:
        return self.state.info.repository

    def read_change(self) -> tuple[Change, ChangeRequest]:
        info = self.state.info
        files = parse_diff(self.state.diff, f"memory {info.repository}!{info.number}")

        def load(path: str, side: Side) -> str | None:
            ref = info.base_sha if side is Side.LEFT else info.head_sha
            return self.state.files.get((ref, path))

        change = Change(
            files=files,
            source=f"memory {info.repository}!{info.number}",
            base_sha=info.base_sha,
            head_sha=info.head_sha,
            load_content=load,
        )
        return change, info

    def read_file(self, path: str, ref: str, *, purpose: str) -> bytes | None:
        self.reads.append((ref, path))
        text = self.state.files.get((ref, path))
        return None if text is None else text.encode("utf-8")

    def rule_files(self, ref: str, rules: list[str], dest: Path) -> FetchedRules:
        return FetchedRules(notes=[f"{name}: rule files are not kept in memory" for name in rules])

    def changed_since(self, old_head: str, new_head: str) -> frozenset[str] | None:
        return self.state.since.get((old_head, new_head))


class MemoryPublisher:
    max_comments = 30
    failure = None

    def __init__(self, state: ChangeRequestState, task: str, head_sha: str) -> None:
        self.state = state
        self.task = task
        self.head_sha = head_sha
        self._counts = RequestCounts()

    def propose(self, branch: str, into: str, title: str, body: str) -> str:
        """A request of `branch` into `into`, refused as forges do when one is open."""
        if any(b == branch and i == into for b, i, _ in self.state.proposals):
            raise PublishRefused(f"A pull request already exists for {branch}.")
        self.state.proposals.append((branch, into, title))
        return f"memory://{self.state.info.repository}!{100 + len(self.state.proposals)}"

    @property
    def counts(self) -> RequestCounts:
        return self._counts

    def read_state(self) -> PriorState:
        summary = next((s for s in self.state.summaries if is_summary_for(s.body, self.task)), None)
        marker = parse_summary_marker(summary.body) if summary else None
        comments = [
            MarkedComment(i, fp, path, line, line, outdated=False)
            for i, (path, line, body) in enumerate(self.state.comments)
            if (fp := parse_fingerprint_marker(body)) is not None
        ]
        return PriorState(
            identity=Identity("memory-bot"),
            summary=summary,
            last_head_sha=marker.head_sha if marker else None,
            comments=comments,
            counted_by=self._counts,
        )

    def write_started(self, prior: PriorState) -> None:
        """The memory forge shows no progress: only the outcome."""

    def comment_body(self, finding: Finding) -> str:
        return comment_body(finding)

    def post_review(
        self, comments: list[LineComment], body_for: Callable[[list[Finding]], str]
    ) -> ReviewOutcome:
        self.state.reviews += 1
        self._counts.writes += 1
        for c in comments:
            self.state.comments.append((c.finding.path, c.finding.start_line or 0, c.body))
        return ReviewOutcome(review_id=self.state.reviews, posted=[c.finding for c in comments])

    def write_summary(self, body: str, existing: StickyComment | None) -> StickyComment:
        self._counts.writes += 1
        if existing is not None:
            self.state.summaries.remove(existing)
        sticky = StickyComment(existing.id if existing else len(self.state.summaries), body, None)
        self.state.summaries.append(sticky)
        return sticky

    def replied(self, task: str, key: str) -> bool:
        self._counts.reads += 1
        return any(is_reply_for(s.body, task, key) for s in self.state.summaries)

    def write_status(
        self, report: RunReport, details_url: str | None, prior: PriorState
    ) -> StatusOutcome:
        self._counts.writes += 1
        # The conclusion every forge maps from, so a task not done shows as failed here too.
        conclusion = verdict(report).conclusion
        state = {"failure": "failed"}.get(conclusion, conclusion)
        self.state.statuses.append((self.head_sha, self.task, state))
        return StatusOutcome(status_state=state, conclusion=conclusion)


class MemoryWebhook:
    """Deliveries carry the token in a header and {"repository", "number", "head"} as JSON."""

    max_payload_bytes = 1024 * 1024
    path = webhook_path(NAME)

    def __init__(self, token: str) -> None:
        self.token = token

    def authentic(self, headers: Mapping[str, str], body: bytes) -> bool:
        given = headers.get("x-memory-token", "").encode()
        return hmac.compare_digest(given, self.token.encode())

    def event(self, headers: Mapping[str, str]) -> str:
        return headers.get("x-memory-event", "")

    def delivery_id(self, headers: Mapping[str, str]) -> str:
        return headers.get("x-memory-delivery", "")

    def parse(self, headers: Mapping[str, str], body: bytes) -> Job | Ignored | Answered:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise MalformedPayload(str(exc)) from None
        if self.event(headers) == "ping":
            return Answered("pong", "pong")
        if self.event(headers) != "change":
            return Ignored("not a change")
        return Job(NAME, data["repository"], data["number"], head_sha=data["head"])


class MemoryForge:
    """The registry's side. `states` holds every change request this forge knows."""

    name = NAME
    address_example = "memory://OWNER/REPO!N"
    webhook_secret_env = SECRET_ENV

    def __init__(self) -> None:
        self.states: dict[tuple[str, int], ChangeRequestState] = {}
        self.jobs_opened: list[Job] = []

    def claims(self, address: str) -> bool:
        return address.startswith("memory://")

    def parse_ref(self, address: str, environ: Mapping[str, str]) -> ChangeRef:
        m = _ADDRESS.match(address.strip())
        if m is None:
            raise InputError(f"not a memory address: {address!r}")
        return ChangeRef(NAME, "memory:", m["repo"], int(m["number"]))

    def open_ref(self, ref: ChangeRef, environ: Mapping[str, str]) -> Opened:
        return self._opened(ref.repository, ref.number)

    def open_job(self, job: Job, environ: Mapping[str, str]) -> Opened | None:
        self.jobs_opened.append(job)
        if job.trigger == "comment":
            return None  # no one may command this forge
        return self._opened(job.repository, job.number)

    def webhook(self, environ: Mapping[str, str]) -> MemoryWebhook | None:
        token = environ.get(SECRET_ENV)
        return MemoryWebhook(token) if token else None

    def credentials_problem(self, environ: Mapping[str, str]) -> str | None:
        return None

    def edit_description(self, source: Any, description: Any, cfg: Any) -> Any:
        """The product's own edit planning (markers, the author's text kept, limits) on the
        body held in memory, as the real forges do it over their APIs."""
        from bot.describe.publish import Limits, plan_edit

        state = source.state
        info = state.info
        planned = plan_edit(
            info.body, info.title, list(info.labels), description, cfg,
            Limits("memory", 65_536, 256), f"memory://{info.repository}!{info.number}",
        )  # fmt: skip
        state.info = dataclasses.replace(
            info,
            body=planned.body if planned.body is not None else info.body,
            title=planned.title if planned.title is not None else info.title,
            labels=(*info.labels, *planned.add_labels),
        )
        return planned.result

    def _opened(self, repository: str, number: int) -> Opened:
        state = self.states[(repository, number)]

        def publisher_for(task: str, info: ChangeRequest) -> MemoryPublisher:
            return MemoryPublisher(state, task, info.head_sha)

        return Opened(MemorySource(state), publisher_for)


FORGE = MemoryForge()


def change_request(repository: str, number: int, *, base: str, head: str) -> ChangeRequest:
    return ChangeRequest(
        repository=repository,
        number=number,
        title="Change",
        body="",
        author="alice",
        labels=(),
        draft=False,
        state="open",
        base_ref="main",
        base_sha=base,
        head_ref="topic",
        head_sha=head,
        head_repo=repository,
        fork=False,
        web_url=f"memory://{repository}!{number}",
    )


def registered(monkeypatch: pytest.MonkeyPatch) -> MemoryForge:
    """The memory forge in the registry, emptied: the one line a new forge adds."""
    monkeypatch.setitem(registry.FORGES, "memory", "tests.memory_forge:FORGE")
    FORGE.states.clear()
    FORGE.jobs_opened.clear()
    return FORGE
