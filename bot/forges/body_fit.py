"""Fitting text a model or a diff wrote into a forge's limit on a comment's size.

GitHub refuses bodies over 65,536 characters, GitLab notes over 1,000,000: one limit, the
smaller, serves both. Measuring UTF-8 bytes instead is never more permissive, whatever
unit a forge counts in; the margin leaves room for its own notes.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.publish.markdown import clean_text

MAX_BODY_BYTES = 65_000

_TRUNCATED = "\n\n_(Truncated: the full text is in the run's report.)_"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def fit_text(render: Callable[[str], str], raw: str, limit: int, tail: str = _TRUNCATED) -> str:
    """`render(raw)`, with `raw` cut (and `tail` added) until the result fits in `limit` bytes.

    `raw` is untrusted text that `render` escapes; escaping only grows text, so cutting the
    overflow from the raw text gets close in one or two rounds.
    """
    text = render(raw)
    if utf8_len(text) <= limit:
        return text
    raw = clean_text(raw)
    keep = len(raw)
    for _ in range(40):
        overflow = utf8_len(text) - limit
        if overflow <= 0:
            return text
        keep = max(keep - max(overflow, 64), 0)
        text = render(raw[:keep].rstrip() + tail)
        if keep == 0:
            break
    # `render` alone is over the limit: nothing of `raw` can be kept.
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
