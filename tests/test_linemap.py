"""Which lines of a parsed diff accept a review comment, as the forge decides it."""

from __future__ import annotations

from bot.change import LineMap, Side
from bot.change.parse import parse_diff

# Two hunks of one file. Head lines 2-6 are shown by the first, 20-23 by the second;
# base line 3 was removed and base lines 20-22 are context of the second hunk.
DIFF = """\
diff --git a/svc/api.py b/svc/api.py
--- a/svc/api.py
+++ b/svc/api.py
@@ -2,5 +2,5 @@ import os
 a
 b
-old
+new
 c
 d
@@ -20,3 +20,4 @@ def handler():
 p
 q
+added
 r
"""


def _map() -> LineMap:
    return LineMap(parse_diff(DIFF, "stdin"))


def test_added_and_context_lines_are_commentable_on_the_right() -> None:
    lm = _map()
    assert lm.can_comment("svc/api.py", 4)  # "new"
    assert lm.can_comment("svc/api.py", 2)  # context "a"
    assert lm.can_comment("svc/api.py", 22)  # "added"
    assert lm.is_changed("svc/api.py", 4)
    assert not lm.is_changed("svc/api.py", 2)


def test_removed_lines_are_commentable_on_the_left_only() -> None:
    lm = _map()
    assert lm.can_comment("svc/api.py", 4, Side.LEFT)  # "old"
    assert lm.is_changed("svc/api.py", 4, Side.LEFT)
    # base line 21 is context; head line 21 is also shown, but they are different lines
    assert lm.can_comment("svc/api.py", 21, Side.LEFT)
    assert not lm.can_comment("svc/api.py", 23, Side.LEFT)  # beyond the base side of hunk 2
    assert lm.can_comment("svc/api.py", 23, Side.RIGHT)


def test_lines_outside_every_hunk_are_not_commentable() -> None:
    lm = _map()
    for line in (1, 7, 19, 24, 500):
        assert not lm.can_comment("svc/api.py", line), line
    assert not lm.can_comment("other.py", 4)
    assert not lm.has_file("other.py")


def test_ranges_stay_within_one_hunk() -> None:
    lm = _map()
    assert lm.can_comment_range("svc/api.py", 2, 6)
    assert lm.can_comment_range("svc/api.py", 20, 23)
    assert not lm.can_comment_range("svc/api.py", 5, 21)  # spans both hunks
    assert not lm.can_comment_range("svc/api.py", 6, 7)  # runs off the end of a hunk
    assert not lm.can_comment_range("svc/api.py", 6, 2)  # backwards
