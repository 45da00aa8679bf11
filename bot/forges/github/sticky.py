"""The sticky summary comment on GitHub: an issue comment of the pull request, found again
by its hidden marker and the bot's own authorship, and edited in place on every run.
Its text is the shared summary's (bot/forges/summary.py)."""

from __future__ import annotations

from bot.forges.contract import Identity, StickyComment
from bot.forges.github.authorship import is_ours
from bot.forges.github.pacing import PacedClient
from bot.forges.markers import is_summary_for


def find_summary(
    client: PacedClient, repository: str, number: int, task: str, identity: Identity
) -> StickyComment | None:
    """The bot's summary comment for `task`; the oldest if several (it is the one edited)."""
    for c in client.paginate(f"/repos/{repository}/issues/{number}/comments"):
        if is_summary_for(c.get("body"), task) and is_ours(c, identity):
            return StickyComment(int(c["id"]), str(c.get("body") or ""), c.get("html_url"))
    return None


def upsert_summary(
    client: PacedClient,
    repository: str,
    number: int,
    body: str,
    existing: StickyComment | None,
) -> StickyComment:
    if existing is not None:
        if existing.body == body:
            return existing  # nothing changed: no write, no notification
        data = client.write(
            "PATCH", f"/repos/{repository}/issues/comments/{existing.id}", {"body": body}
        )
    else:
        data = client.write("POST", f"/repos/{repository}/issues/{number}/comments", {"body": body})
    return StickyComment(int(data["id"]), str(data.get("body") or body), data.get("html_url"))
