"""Which GitHub comments are the bot's own, and the bot's line comments read back.

A marker (bot/forges/markers.py) alone is not enough: a person may quote one. A comment
counts as the bot's only when its author is the token's login, or, where GitHub will not
say who the token is, a bot account.
"""

from __future__ import annotations

from typing import Any

from bot.forges.contract import Identity, MarkedComment
from bot.forges.markers import parse_fingerprint_marker


def may_write_checks(identity: Identity) -> bool:
    # Check runs are for GitHub Apps; a user's token (classic, fine-grained, OAuth) is
    # refused, so asking only costs a write.
    return identity.type != "User"


def is_ours(comment: dict[str, Any], identity: Identity) -> bool:
    user = comment.get("user") or {}
    if identity.login:
        return str(user.get("login") or "").lower() == identity.login.lower()
    # Without a login to compare, only a bot account: never a person quoting the marker.
    return user.get("type") == "Bot"


def marked_review_comment(comment: dict[str, Any], identity: Identity) -> MarkedComment | None:
    fp = parse_fingerprint_marker(comment.get("body"))
    if fp is None or not is_ours(comment, identity):
        return None
    # GitHub nulls `line` on a comment whose lines changed since (and `position`, the field
    # `line` replaced: consulted only where `line` is missing altogether).
    key = "line" if "line" in comment else "position"
    outdated = key in comment and comment[key] is None
    return MarkedComment(
        id=int(comment.get("id") or 0),
        fingerprint=fp,
        path=str(comment.get("path") or ""),
        line=comment.get("line"),
        original_line=comment.get("original_line"),
        outdated=outdated,
        web_url=comment.get("html_url"),
    )
