"""Only users with write access may command the bot on GitHub.

The webhook cannot ask the API (it answers without network I/O), so it queues every
command with its author_association. The worker refuses one whose association rules write
access out without asking, asks GitHub for the requester's real permission otherwise, and
answers a refused command with a short comment, once per person and pull request (the
reply's marker is read back first, so a job run again does not answer twice). Wrap the
queue's handler:
`queue.handler = CommandGuard(tokens).wrap(run_pipeline)`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import httpx

from bot.errors import IncompleteError
from bot.forges.contract import ForgeUnavailable
from bot.forges.github.app_auth import TokenSource, api_headers
from bot.forges.markers import is_refusal_to, refused_marker
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
# Pages of comments read back before answering a refusal: 2,000 comments.
_READ_BACK_PAGES = 20
# GitHub's logins (an App's ends in [bot]); anything else is not put after an @.
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$")


def may_command(permission: str | None, role_name: str | None = None) -> bool:
    """Whether a collaborator permission (the REST API's `permission`, or its finer
    `role_name`) allows commanding the bot. Custom roles are judged by `permission`."""
    return (permission or "").lower() in WRITE_PERMISSIONS or (
        role_name or ""
    ).lower() in WRITE_PERMISSIONS


def refusal_text(job: Job, permission: str) -> str:
    """The short reply to a refused command; it starts with the bot's marker, so it is never
    read as a command, and names only what the event said (a login GitHub checked)."""
    who = f"@{job.requester}" if _LOGIN.match(job.requester) else "This command"
    return (
        f"{refused_marker(job.requester)}\n{who}: `/{_command(job)}` was not run. "
        f"Commands need write access to this repository ({permission or 'none'} here); "
        "ask someone with write access to give it."
    )


def _repo_url(job: Job) -> str:
    owner_repo = "/".join(quote(part, safe="") for part in job.repository.split("/", 1))
    return f"{job.api_url.rstrip('/')}/repos/{owner_repo}"


def _command(job: Job) -> str:
    command = job.extra.get("command")
    return command if isinstance(command, str) and command else ",".join(job.tasks)


class CommandGuard:
    def __init__(self, tokens: TokenSource, *, http: httpx.Client | None = None) -> None:
        self.tokens = tokens
        self._http = http or httpx.Client(timeout=10.0)

    def permission(self, job: Job) -> tuple[str, str]:
        """The requester's (permission, role_name) on the job's repository; ("none", "")
        for someone who is not a collaborator."""
        url = f"{_repo_url(job)}/collaborators/{quote(job.requester, safe='')}/permission"
        try:
            response = self._http.get(
                url, headers=api_headers(self.tokens.token(job.installation_id))
            )
        except httpx.HTTPError as exc:
            raise ForgeUnavailable(
                f"cannot check {job.requester}'s permission on {job.repository}: "
                f"{type(exc).__name__}"
            ) from None
        if response.status_code == 404:
            return "none", ""
        if response.status_code >= 500 or response.status_code == 429:
            # May pass: the worker runs the job again later.
            raise ForgeUnavailable(
                f"cannot check {job.requester}'s permission on {job.repository}: "
                f"HTTP {response.status_code}"
            )
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
        """Pull request events need no check; a comment's author needs write access. A
        refused command is logged and answered on the pull request (a refusal nobody sees
        reads as a broken bot, issue 12), as GitLab's door answers one."""
        if job.trigger != "comment":
            return True
        if not job.requester:
            return False
        association = str(job.extra.get("association") or "").upper()
        if association and association not in WRITE_ASSOCIATIONS:
            permission, role = association.lower(), ""  # no write access: nothing to ask
        else:
            permission, role = self.permission(job)
        if may_command(permission, role):
            return True
        log.info(
            "refused /%s on %s#%d: %s has %s access, below write",
            _command(job),
            job.repository,
            job.number,
            job.requester,
            role or permission,
        )
        if not job.requester.lower().endswith("[bot]"):  # never a reply to a bot, ours included
            self._answer(job, refusal_text(job, role or permission))
        return False

    def _answer(self, job: Job, body: str) -> None:
        url = f"{_repo_url(job)}/issues/{job.number}/comments"
        if self._answered(job, url):
            log.info("%s was answered on %s#%d before", job.requester, job.repository, job.number)
            return
        try:
            response = self._http.post(
                url,
                headers=api_headers(self.tokens.token(job.installation_id)),
                json={"body": body},
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            # The refusal stands and is logged above; only the courtesy reply is lost.
            log.warning(
                "could not answer the refused command on %s#%d: %s",
                job.repository,
                job.number,
                type(exc).__name__,
            )

    def _answered(self, job: Job, url: str) -> bool:
        """Whether a bot account already answered a refused command of this requester here.
        When GitHub cannot say, the answer is posted: twice is better than never."""
        headers = api_headers(self.tokens.token(job.installation_id))
        next_url: str | None = f"{url}?per_page=100"
        for _ in range(_READ_BACK_PAGES):
            if next_url is None:
                return False
            try:
                response = self._http.get(next_url, headers=headers)
                response.raise_for_status()
                comments = response.json()
            except (httpx.HTTPError, ValueError):
                return False
            if not isinstance(comments, list):
                return False
            for comment in comments:
                if not isinstance(comment, dict):
                    continue
                user = comment.get("user") or {}
                bot = isinstance(user, dict) and user.get("type") == "Bot"
                if bot and is_refusal_to(comment.get("body"), job.requester):
                    return True
            next_url = response.links.get("next", {}).get("url")
        return False

    def wrap(self, handler: JobHandler) -> JobHandler:
        def guarded(job: Job) -> None:
            if self.allowed(job):  # a refusal is logged and answered there
                handler(job)

        return guarded
