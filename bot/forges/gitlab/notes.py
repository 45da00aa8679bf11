"""What the bot left on a merge request, read back, and the sticky summary note.

Everything is read from one paged list, the merge request's discussions: an ordinary note
is a discussion of one (`individual_note`), a diff note carries its position. A note counts
as the bot's only when its author is the token's user (GET /user) and its first line holds
the bot's marker (bot/forges/markers.py): a person who quotes a marker is never edited or
read as state. Without the token's user nothing is trusted, and the summary is posted anew.

A diff note is outdated when its position no longer names the head: GitLab moves a note to
each new version while its line is unchanged, and leaves it where it was otherwise.
"""

from __future__ import annotations

from typing import Any

from gitlab.exceptions import GitlabError

from bot.forges.contract import Identity, MarkedComment, PriorState, StickyComment
from bot.forges.gitlab.client import NETWORK_ERRORS, GitLabAPI, gitlab_error
from bot.forges.gitlab.source import MergeRequestFacts
from bot.forges.markers import (
    is_reply_for,
    is_summary_for,
    parse_fingerprint_marker,
    parse_summary_marker,
)


def whoami(api: GitLabAPI) -> Identity:
    try:
        data = api.gl.http_get("/user")
    except GitlabError as exc:
        if exc.response_code in (401, 403):
            return Identity(None)  # a token that may not read its own user
        raise gitlab_error(exc, "ask GitLab who the token is", url=api.url) from None
    except NETWORK_ERRORS as exc:
        raise gitlab_error(exc, "ask GitLab who the token is", url=api.url) from None
    bot = isinstance(data, dict) and data.get("bot") is True
    login = data.get("username") if isinstance(data, dict) else None
    return Identity(login if isinstance(login, str) else None, "Bot" if bot else "User")


def read_state(
    api: GitLabAPI, mr: Any, facts: MergeRequestFacts, task: str, identity: Identity
) -> PriorState:
    """The bot's summary note for `task` (the oldest, if several: it is the one edited) and
    its marked notes, read from the discussions."""
    try:
        discussions = list(mr.discussions.list(iterator=True))
    except (GitlabError, *NETWORK_ERRORS) as exc:
        action = f"read the notes of merge request {facts.iid}"
        raise gitlab_error(exc, action, url=api.url) from None
    summary: StickyComment | None = None
    comments: list[MarkedComment] = []
    for discussion in discussions:
        data = discussion.attributes
        for note in data.get("notes") or []:
            if not _ours(note, identity):
                continue
            body = str(note.get("body") or "")
            if summary is None and data.get("individual_note") and is_summary_for(body, task):
                summary = StickyComment(int(note["id"]), body, facts.note_url(int(note["id"])))
            marked = _marked(note, body, facts)
            if marked is not None:
                comments.append(marked)
    marker = parse_summary_marker(summary.body) if summary else None
    return PriorState(
        identity=identity,
        summary=summary,
        last_head_sha=marker.head_sha if marker else None,
        comments=comments,
    )


def upsert_summary(
    mr: Any, facts: MergeRequestFacts, body: str, existing: StickyComment | None
) -> StickyComment:
    """Edits the summary note in place (nothing, when its text is the same), or creates it.
    Raises GitLab's error."""
    if existing is not None:
        if existing.body == body:
            return existing  # no write, no notification
        try:
            mr.notes.update(existing.id, {"body": body})
            return StickyComment(existing.id, body, facts.note_url(existing.id))
        except GitlabError as exc:
            if exc.response_code != 404:
                raise  # deleted by someone (404): written anew below
    created = mr.notes.create({"body": body})
    return StickyComment(int(created.id), body, facts.note_url(int(created.id)))


def has_reply(mr: Any, identity: Identity, task: str, key: str) -> bool:
    """Whether one of the bot's notes on `mr` answers the command `key` for `task`.
    Raises GitLab's error."""
    return any(
        _ours(note.attributes, identity) and is_reply_for(note.attributes.get("body"), task, key)
        for note in mr.notes.list(iterator=True)
    )


def _ours(note: dict[str, Any], identity: Identity) -> bool:
    author = note.get("author") or {}
    return (
        identity.login is not None
        and not note.get("system")
        and isinstance(author, dict)
        and author.get("username") == identity.login
    )


def _marked(note: dict[str, Any], body: str, facts: MergeRequestFacts) -> MarkedComment | None:
    fingerprint = parse_fingerprint_marker(body)
    if fingerprint is None:
        return None
    position = note.get("position") if isinstance(note.get("position"), dict) else {}
    line = position.get("new_line") or position.get("old_line")
    return MarkedComment(
        id=int(note["id"]),
        fingerprint=fingerprint,
        path=str(position.get("new_path") or ""),
        line=line if isinstance(line, int) else None,
        original_line=line if isinstance(line, int) else None,
        # A note off the diff (a refused position) is never outdated: it is on no line.
        outdated=bool(position) and position.get("head_sha") != facts.refs.head_sha,
        web_url=facts.note_url(int(note["id"])),
    )
