"""Hidden markers: how a run recognises what the bot wrote before, on any forge.

HTML comments are hidden in GitHub's and GitLab's Markdown alike. Four kinds:
- the sticky summary comment starts with `<!-- switchyard:summary task=review head=<sha> -->`
  (the head is the last commit reviewed, for incremental runs);
- each line comment starts with `<!-- switchyard:fp=<fingerprint> -->`, so a finding that
  was already posted is not posted again;
- the review's own body starts with `<!-- switchyard:review task=review head=<sha> -->`;
- a reply to a refused command starts with `<!-- switchyard:refused who=<login> -->`, so a
  job run again (or a second command from the same person) never answers twice;
- an answer to a command (`/ask`, `/analyze`) starts with
  `<!-- switchyard:reply task=ask key=<delivery> -->`, so a job run again after a crash
  (its lease expired after it posted) does not post the answer a second time.

A marker is only believed on the first line of a body. Model text never comes first (the
bot writes the marker before anything else), so a finding that quotes a marker, even inside
a code span where `<` is left as it is, cannot pass for one. And a marker alone is not
enough: each forge also checks that the comment is the bot's own, so a person who quotes a
marker never has their comment edited or read as state.

Every value put inside a marker is reduced to a small alphabet without `>`, so no value can
close the comment early and smuggle text out of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "switchyard"
# Anywhere in a comment: the bot wrote it, so it never triggers the bot (a command check,
# not a claim of state, so the first-line rule above does not apply).
OWN_MARKER = f"<!-- {PREFIX}"
_SUMMARY_RE = re.compile(
    r"^<!-- switchyard:summary task=(?P<task>[a-z0-9-]+)(?: head=(?P<head>[0-9a-f]{7,64}))? -->$"
)
_FP_RE = re.compile(r"^<!-- switchyard:fp=(?P<fp>[A-Za-z0-9._:+=/-]{1,128}) -->$")
_REFUSED_RE = re.compile(r"^<!-- switchyard:refused who=(?P<who>[a-z0-9._-]{1,64}) -->$")
_REPLY_RE = re.compile(
    r"^<!-- switchyard:reply task=(?P<task>[a-z0-9-]+) key=(?P<key>[A-Za-z0-9._:-]{1,128}) -->$"
)
_SHA_RE = re.compile(r"^[0-9a-f]{7,64}$")
_FP_OK_RE = re.compile(r"^[A-Za-z0-9._:+=/-]{1,128}$")


@dataclass(frozen=True, slots=True)
class SummaryMarker:
    task: str
    head_sha: str | None


def task_slug(task: str) -> str:
    """`Security Review` -> `security-review`: the alphabet a marker accepts."""
    return re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-") or "review"


def _first_line(body: str | None) -> str:
    if not body:
        return ""
    return body.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r").strip()


def _head_part(head_sha: str | None) -> str:
    head = head_sha.lower() if head_sha else ""
    return f" head={head}" if _SHA_RE.match(head) else ""


def summary_marker(task: str, head_sha: str | None) -> str:
    return f"<!-- {PREFIX}:summary task={task_slug(task)}{_head_part(head_sha)} -->"


def parse_summary_marker(body: str | None) -> SummaryMarker | None:
    m = _SUMMARY_RE.match(_first_line(body))
    if m is None:
        return None
    return SummaryMarker(task=m.group("task"), head_sha=m.group("head"))


def is_summary_for(body: str | None, task: str) -> bool:
    marker = parse_summary_marker(body)
    return marker is not None and marker.task == task_slug(task)


def fingerprint_marker(fingerprint: str) -> str | None:
    """None when the fingerprint is empty or odd: such a finding is simply not deduplicated."""
    if not _FP_OK_RE.match(fingerprint or ""):
        return None
    return f"<!-- {PREFIX}:fp={fingerprint} -->"


def parse_fingerprint_marker(body: str | None) -> str | None:
    m = _FP_RE.match(_first_line(body))
    return m.group("fp") if m else None


def review_marker(task: str, head_sha: str | None) -> str:
    return f"<!-- {PREFIX}:review task={task_slug(task)}{_head_part(head_sha)} -->"


def _who(login: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", login.lower()).strip("-")[:64] or "unknown"


def refused_marker(requester: str) -> str:
    return f"<!-- {PREFIX}:refused who={_who(requester)} -->"


def is_refusal_to(body: str | None, requester: str) -> bool:
    """Whether `body` is the bot's answer to a command of `requester` it refused."""
    m = _REFUSED_RE.match(_first_line(body))
    return m is not None and m.group("who") == _who(requester)


def _key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._:-]+", "-", key).strip("-")[:128] or "unknown"


def reply_marker(task: str, key: str) -> str:
    """The first line of the answer to the command whose delivery is `key`."""
    return f"<!-- {PREFIX}:reply task={task_slug(task)} key={_key(key)} -->"


def is_reply_for(body: str | None, task: str, key: str) -> bool:
    """Whether `body` is the bot's answer to the command `key` for `task`."""
    m = _REPLY_RE.match(_first_line(body))
    return m is not None and m.group("task") == task_slug(task) and m.group("key") == _key(key)
