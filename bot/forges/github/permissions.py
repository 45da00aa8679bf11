"""Only users with write access may command the bot on GitHub.

The webhook cannot ask the API (it answers without network I/O), so it drops commands
from users whose author_association rules write access out and queues the rest; the worker
asks GitHub for the requester's real permission before the job runs. Wrap the queue's
handler: `queue.handler = CommandGuard(tokens).wrap(run_pipeline)`.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from bot.errors import IncompleteError
from bot.forges.github.app_auth import TokenSource, api_headers
from bot.jobs import Job
from bot.queue.jobs_queue import JobHandler

log = logging.getLogger(__name__)

# Permission levels that may command the bot. The REST "permission" field folds
# maintain into write and triage into read; role_name keeps them apart.
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
# author_association values a user with write access can have. Anyone else (NONE,
# CONTRIBUTOR, FIRST_TIMER...) cannot have write access, so the webhook drops their
# commands without asking the API; the worker still checks the real permission.
WRITE_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def may_command(permission: str | None, role_name: str | None = None) -> bool:
    """Whether a collaborator permission (the REST API's `permission`, or its finer
    `role_name`) allows commanding the bot. Custom roles are judged by `permission`."""
    return (permission or "").lower() in WRITE_PERMISSIONS or (
        role_name or ""
    ).lower() in WRITE_PERMISSIONS


class CommandGuard:
    def __init__(self, tokens: TokenSource, *, http: httpx.Client | None = None) -> None:
        self.tokens = tokens
        self._http = http or httpx.Client(timeout=10.0)

    def permission(self, job: Job) -> tuple[str, str]:
        """The requester's (permission, role_name) on the job's repository; ("none", "")
        for someone who is not a collaborator."""
        owner_repo = "/".join(quote(part, safe="") for part in job.repository.split("/", 1))
        url = (
            f"{job.api_url.rstrip('/')}/repos/{owner_repo}/collaborators/"
            f"{quote(job.requester, safe='')}/permission"
        )
        try:
            response = self._http.get(
                url, headers=api_headers(self.tokens.token(job.installation_id))
            )
        except httpx.HTTPError as exc:
            raise IncompleteError(
                f"cannot check {job.requester}'s permission on {job.repository}: "
                f"{type(exc).__name__}"
            ) from None
        if response.status_code == 404:
            return "none", ""
        if response.status_code != 200:
            raise IncompleteError(
                f"cannot check {job.requester}'s permission on {job.repository}: "
                f"HTTP {response.status_code}"
            )
        data = response.json()
        if not isinstance(data, dict):
            return "none", ""
        return str(data.get("permission") or "none"), str(data.get("role_name") or "")

    def allowed(self, job: Job) -> bool:
        """Pull request events need no check; a comment's author needs write access."""
        if job.trigger != "comment":
            return True
        if not job.requester:
            return False
        return may_command(*self.permission(job))

    def wrap(self, handler: JobHandler) -> JobHandler:
        def guarded(job: Job) -> None:
            if not self.allowed(job):
                log.info(
                    "dropped /%s on %s#%d: %s lacks write access",
                    ",".join(job.tasks),
                    job.repository,
                    job.number,
                    job.requester or "unknown user",
                )
                return
            handler(job)

        return guarded
