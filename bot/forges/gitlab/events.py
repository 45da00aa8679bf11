"""GitLab webhook deliveries turned into Jobs: merge request and note (comment) events.

Pure, like github/events.py: a dict in, a verdict out, no network, so the server answers
well within GitLab's time limit. The payload only names the merge request. Nothing else
in it is trusted: the API address comes from configuration (a forged `project.web_url`
must not send the worker's token elsewhere), and whether a note's author may command the
bot is asked of GitLab by the worker (permissions.py), since a note event says nothing
about its author's role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.forges.commands import NotACommand, parse_command
from bot.forges.gitlab.mr_url import DEFAULT_URL
from bot.forges.markers import OWN_MARKER
from bot.forges.payload import integer, mapping, text
from bot.forges.webhook import Ignored
from bot.jobs import Job

FORGE = "gitlab"
MERGE_REQUEST_HOOK = "Merge Request Hook"
NOTE_HOOK = "Note Hook"

# Actions that ask for a review. `update` only with new commits (see _wants_review).
MR_ACTIONS = frozenset({"open", "reopen", "update"})
# States in which a merge request takes no more reviews.
FINISHED = frozenset({"closed", "merged", "locked"})
# The users GitLab creates for project and group access tokens: project_42_bot_1a2b...
# (older instances: project_42_bot1). A token's notes are automation, never a command,
# as GitHub's bots are not.
_TOKEN_BOT = re.compile(r"^(?:project|group)_\d+_bot(?:\d*|_[0-9a-f]+)$")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")  # SHA-1, or SHA-256 repositories


@dataclass(frozen=True)
class ParseOptions:
    """What a delivery cannot tell by itself: the operator's settings."""

    api_url: str = DEFAULT_URL  # the instance the worker calls, from GITLAB_URL
    mr_tasks: tuple[str, ...] = ("review",)  # tasks a pushed merge request gets
    review_drafts: bool = False  # SWITCHYARD_GITLAB_DRAFTS=review
    bot_usernames: frozenset[str] = field(default_factory=frozenset)  # our accounts


def parse_event(
    event: str, payload: Mapping[str, Any], delivery: str, options: ParseOptions
) -> Job | Ignored:
    """The Job a delivery asks for, or why it asks for none. Never raises on odd payloads:
    a field of the wrong type is treated as missing."""
    if event == MERGE_REQUEST_HOOK:
        return _merge_request(payload, delivery, options)
    if event == NOTE_HOOK:
        return _note(payload, delivery, options)
    return Ignored(f"event {event or 'unnamed'} is not handled")


def _merge_request(
    payload: Mapping[str, Any], delivery: str, options: ParseOptions
) -> Job | Ignored:
    if text(payload.get("object_kind")) != "merge_request":
        return Ignored("Merge Request Hook without a merge request payload")
    attrs = mapping(payload.get("object_attributes"))
    action = text(attrs.get("action"))
    why_not = _why_no_review(attrs, action, mapping(payload.get("changes")), options)
    if why_not:
        return Ignored(why_not)
    project = mapping(payload.get("project"))
    path = text(project.get("path_with_namespace"))
    iid = integer(attrs.get("iid"))
    head = text(mapping(attrs.get("last_commit")).get("id")).lower()
    if not path or not iid or not _SHA.match(head):
        return Ignored("merge request payload lacks project, iid or head commit")
    return Job(
        forge=FORGE,
        repository=path,
        number=iid,
        head_sha=head,
        tasks=options.mr_tasks,
        trigger="merge_request",
        requester=text(mapping(payload.get("user")).get("username")),
        delivery=delivery,
        api_url=options.api_url,
        extra={"project_id": integer(project.get("id")), "action": action},
    )


def _why_no_review(
    attrs: Mapping[str, Any], action: str, changes: Mapping[str, Any], options: ParseOptions
) -> str:
    """Why a merge request event asks for no review ("" when it asks for one)."""
    if action not in MR_ACTIONS:
        return f"merge request action {action or 'none'} is not handled"
    state = text(attrs.get("state"))
    if state in FINISHED:
        return f"merge request is {state}"
    # Marking a draft ready is the moment it wants its review, as GitHub's ready_for_review.
    became_ready = mapping(changes.get("draft")).get("current") is False
    if action == "update" and not text(attrs.get("oldrev")) and not became_ready:
        # A title, label or assignee edit: `oldrev` is only sent when commits were added.
        return "merge request update without new commits"
    draft = attrs.get("draft") is True or attrs.get("work_in_progress") is True
    if draft and not options.review_drafts:
        return "draft merge request (SWITCHYARD_GITLAB_DRAFTS=review reviews drafts)"
    return ""


def _note(payload: Mapping[str, Any], delivery: str, options: ParseOptions) -> Job | Ignored:
    attrs = mapping(payload.get("object_attributes"))
    noteable = text(attrs.get("noteable_type"))
    if text(payload.get("object_kind")) != "note" or noteable != "MergeRequest":
        return Ignored(f"comment on a {noteable or 'thing'}, not a merge request")
    # GitLab 16.11+ also sends edits; an edited note must not run its command again.
    # Older instances send no action, and only for new notes.
    action = text(attrs.get("action"))
    if action not in ("", "create"):
        return Ignored(f"note action {action} is not handled")
    if attrs.get("system") is True:
        return Ignored("system note")
    mr = mapping(payload.get("merge_request"))
    state = text(mr.get("state"))
    if state in FINISHED:
        return Ignored(f"merge request is {state}")
    user = mapping(payload.get("user"))
    username = text(user.get("username"))
    own = why_own(username, text(attrs.get("note")), options)
    if own:
        return Ignored(own)
    command = parse_command(text(attrs.get("note")))
    if isinstance(command, NotACommand):
        return Ignored(command.reason)
    project = mapping(payload.get("project"))
    path = text(project.get("path_with_namespace"))
    iid = integer(mr.get("iid"))
    # The member check asks by id: a username can be renamed, an id cannot.
    user_id = integer(attrs.get("author_id")) or integer(user.get("id"))
    if not path or not iid or not username or not user_id:
        return Ignored("note payload lacks project, merge request iid or author")
    head = text(mapping(mr.get("last_commit")).get("id")).lower()
    return Job(
        forge=FORGE,
        repository=path,
        number=iid,
        # Unlike GitHub's comment event, a note names the merge request's head: a push
        # after the command supersedes it, as it supersedes a push's job.
        head_sha=head if _SHA.match(head) else "",
        tasks=(command.task,),
        trigger="comment",
        requester=username,
        delivery=delivery,
        api_url=options.api_url,
        argument=command.argument,
        extra={
            "project_id": integer(project.get("id")),
            "user_id": user_id,
            "note_id": integer(attrs.get("id")),
            "discussion_id": text(attrs.get("discussion_id")),
            "command": command.name,
        },
    )


def why_own(username: str, note: str, options: ParseOptions) -> str:
    """Why a note comes from a bot or from us ("" when it does not)."""
    if username and username in options.bot_usernames:
        return "note by this bot"
    if OWN_MARKER in note:
        return "note written by switchyard"
    if _TOKEN_BOT.match(username):
        return f"note by an access token's bot ({username})"
    return ""
