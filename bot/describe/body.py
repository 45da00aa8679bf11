"""The pull request's body with Switchyard's part in it, and the author's text kept.

The generated part sits between two marker lines of its own, above the author's text:

    <!-- switchyard:describe start -->
    ### Summary ...
    <!-- switchyard:describe end: the author's text follows, unchanged -->
    (the author's text, byte for byte)

A re-run replaces only what lies between the markers; the text before the start marker
and after the end marker is the author's and is never changed, so an edit made since
stays. A body without both markers in that order is the author's whole, and the block is
put above it. The generated text can never hold a marker line: its `<` are escaped
(description.py) and any `<!-- switchyard:describe` left is broken here, so a model that
echoes a marker cannot move the boundary of the author's text on the next run.

When the title is replaced (describe.title: replace), the author's title is shown in the
block and carried in the start marker, with the title set, so a re-run still knows the
author's one: when the title is still ours, the author's is the one remembered; when
someone retitled the request since, theirs is the author's now.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from bot.publish.markdown import inline

_PREFIX = "<!-- switchyard:describe"
_START_RE = re.compile(
    r"^<!-- switchyard:describe start(?P<attrs>(?: [a-z]+=[A-Za-z0-9_-]*)*) -->$"
)
END = "<!-- switchyard:describe end: the author's text follows, unchanged -->"
_ATTR_RE = re.compile(r" ([a-z]+)=([A-Za-z0-9_-]*)")


@dataclass(frozen=True, slots=True)
class Parts:
    before: str  # the author's text above the block (usually empty)
    after: str  # the author's text below it, exactly as it was
    attrs: dict[str, str]


@dataclass(frozen=True, slots=True)
class Edit:
    body: str
    title: str | None  # None: the title is left as it is


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def split(body: str) -> Parts | None:
    """The author's text around Switchyard's block; None when the body has no block (a
    start marker line followed, later, by the end marker line)."""
    offset = 0
    start: tuple[int, int, dict[str, str]] | None = None
    for line in body.splitlines(keepends=True):
        bare = line.rstrip("\r\n").strip()
        if start is None:
            m = _START_RE.match(bare)
            if m:
                start = (offset, offset + len(line), dict(_ATTR_RE.findall(m.group("attrs"))))
        elif bare == END:
            return Parts(body[: start[0]], body[offset + len(line) :], start[2])
        offset += len(line)
    return None


def author_text(body: str | None) -> str:
    """The body without Switchyard's block: what the author wrote."""
    body = body or ""
    parts = split(body)
    return body if parts is None else parts.before + parts.after.removeprefix("\n")


def compose(
    body: str | None,
    title: str,
    generated: str,
    generated_title: str,
    *,
    replace_title: bool,
) -> Edit:
    """The new body (and title, when it is to be replaced). Idempotent: composing again
    with the same generated text gives the same body and title."""
    body = body or ""
    parts = split(body)
    if parts is None:
        parts = Parts("", "\n" + body if body else "", {})
    attrs: dict[str, str] = {}
    lines: list[str] = []
    new_title: str | None = None
    if replace_title:
        remembered = _decode(parts.attrs.get("author", "")) if "author" in parts.attrs else None
        ours = _decode(parts.attrs.get("title", "")) if "title" in parts.attrs else None
        author_title = remembered if remembered is not None and title == ours else title
        attrs = {"title": _encode(generated_title), "author": _encode(author_title)}
        lines = [f"> **Author's title:** {inline(author_title)}", ""]
        new_title = generated_title
    start = f"{_PREFIX} start{''.join(f' {k}={v}' for k, v in attrs.items())} -->"
    safe = generated.replace(_PREFIX, "&lt;!-- switchyard:describe")
    block = "\n".join([start, *lines, safe.strip("\n"), END])
    return Edit(parts.before + block + "\n" + parts.after, new_title)
