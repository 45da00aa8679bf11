"""Only members with the Developer role or above may command the bot on GitLab.

A note event says nothing about its author's role (GitHub's comment carries an
author_association), so the webhook queues every command and the worker asks GitLab before
the job runs: GET /projects/:id/members/all/:user_id, which counts memberships inherited
from groups. A refused command is answered with a short note on the merge request (a
refusal nobody sees reads as a broken bot, issue 12), once per person and merge request: the
bot's notes are read back first for the marker naming the requester, so a job run again
does not answer twice. The note starts with that marker, so it is never read as a command.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import requests
from gitlab.exceptions import GitlabError, GitlabGetError

from bot.errors import IncompleteError
from bot.forges.markers import is_refusal_to, refused_marker
from bot.jobs import Job

if TYPE_CHECKING:
    from gitlab import Gitlab
    from gitlab.v4.objects import Project

log = logging.getLogger(__name__)

DEVELOPER = 30
ROLES = {10: "Guest", 15: "Planner", 20: "Reporter", 30: "Developer", 40: "Maintainer", 50: "Owner"}
# Pages of notes read back before answering a refusal: 2,000 notes.
_READ_BACK_PAGES = 20
# GitLab's usernames; anything else is not put after an @ in the answer.
_USERNAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")


def may_command(access_level: int | None) -> bool:
    return access_level is not None and access_level >= DEVELOPER


def command_allowed(gl: Gitlab, job: Job) -> bool:
    """For the forge's open_job: a merge request event needs no check; a command runs only
    for a Developer or above, and a refusal is logged and answered on the merge request.
    Raises IncompleteError when GitLab cannot say (the job fails and can be retried)."""
    if job.trigger != "comment":
        return True
    level = access_level(gl, job)
    if may_command(level):
        return True
    log.info(
        "refused /%s on %s!%d: %s is %s, below Developer",
        _command(job),
        job.repository,
        job.number,
        job.requester or "an unknown user",
        _role(level),
    )
    _answer(gl, job, refusal_text(job, level))
    return False


def access_level(gl: Gitlab, job: Job) -> int | None:
    """The requester's access level on the job's project; None for a non-member."""
    user_id = job.extra.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    try:
        member = _project(gl, job).members_all.get(user_id)
    except GitlabGetError as exc:
        if exc.response_code == 404:
            return None
        raise _cannot_check(job, f"HTTP {exc.response_code}") from None
    except (GitlabError, requests.RequestException) as exc:
        raise _cannot_check(job, type(exc).__name__) from None
    level = getattr(member, "access_level", None)
    return level if isinstance(level, int) else None


def refusal_text(job: Job, level: int | None) -> str:
    who = f"@{job.requester}" if _USERNAME.match(job.requester) else "This command"
    return (
        f"{refused_marker(job.requester)}\n{who}: `/{_command(job)}` was not run. "
        f"Commands need the Developer role or above on this project ({_role(level)} here); "
        "ask a Developer or a Maintainer to give it."
    )


def _answer(gl: Gitlab, job: Job, body: str) -> None:
    mr = _project(gl, job).mergerequests.get(job.number, lazy=True)
    if _answered(gl, mr, job):
        log.info("%s was answered on %s!%d before", job.requester, job.repository, job.number)
        return
    try:
        mr.notes.create({"body": body})
    except (GitlabError, requests.RequestException) as exc:
        # The refusal stands and is logged above; only the courtesy note is lost.
        log.warning(
            "could not answer the refused command on %s!%d: %s",
            job.repository,
            job.number,
            type(exc).__name__,
        )


def _answered(gl: Gitlab, mr: Any, job: Job) -> bool:
    """Whether the bot already answered a refused command of this requester here. When
    GitLab cannot say, the answer is posted: twice is better than never."""
    try:
        gl.auth()
        me = getattr(gl.user, "username", None)
        notes = mr.notes.list(iterator=True, per_page=100, sort="desc", order_by="created_at")
        for count, note in enumerate(notes):
            if count >= 100 * _READ_BACK_PAGES:
                return False
            author = getattr(note, "author", None) or {}
            ours = me is not None and isinstance(author, dict) and author.get("username") == me
            if ours and is_refusal_to(getattr(note, "body", None), job.requester):
                return True
    except (GitlabError, requests.RequestException):
        return False
    return False


def _project(gl: Gitlab, job: Job) -> Project:
    # The id survives a rename or transfer between the delivery and the job.
    project_id = job.extra.get("project_id")
    ref = project_id if isinstance(project_id, int) else job.repository
    return gl.projects.get(ref, lazy=True)


def _cannot_check(job: Job, why: str) -> IncompleteError:
    return IncompleteError(
        f"cannot check {job.requester or 'the requester'}'s role on {job.repository}: {why}"
    )


def _command(job: Job) -> str:
    command = job.extra.get("command")
    return command if isinstance(command, str) and command else ",".join(job.tasks)


def _role(level: int | None) -> str:
    if level is None or level <= 0:
        return "not a member"
    return ROLES.get(level, f"access level {level}")
