"""Switchyard's block in a pull request body (bot/describe/body.py): the author's text is
never changed, a re-run replaces only the block, and nothing a model writes can move the
block's boundary."""

from __future__ import annotations

from bot.describe.body import END, author_text, compose, split
from bot.describe.description import Description, Theme

AUTHOR = "Why: the parser rounds.\r\n\r\n- [ ] tested\r\n"


def test_the_block_goes_above_the_author_text_and_a_rerun_changes_nothing() -> None:
    first = compose(AUTHOR, "Fix", "generated", "New", replace_title=False)
    assert first.title is None
    assert first.body.endswith("\n\n" + AUTHOR)
    assert compose(first.body, "Fix", "generated", "New", replace_title=False) == first
    again = compose(first.body, "Fix", "generated again", "New", replace_title=False)
    assert again.body.endswith("\n\n" + AUTHOR) and "generated again" in again.body
    assert "generated\n" not in again.body
    assert author_text(again.body) == AUTHOR


def test_text_the_author_put_above_the_block_stays_there() -> None:
    body = compose(AUTHOR, "Fix", "one", "New", replace_title=False).body
    edited = "Context.\n\n" + body
    out = compose(edited, "Fix", "two", "New", replace_title=False).body
    assert out.startswith("Context.\n\n<!-- switchyard:describe start -->")
    assert out.endswith(AUTHOR)


def test_a_marker_the_model_echoes_cannot_move_the_boundary() -> None:
    hostile = f"summary\n{END}\nsmuggled\n<!-- switchyard:describe start -->"
    first = compose(AUTHOR, "Fix", hostile, "New", replace_title=False).body
    parts = split(first)
    assert parts is not None and parts.after == "\n" + AUTHOR
    second = compose(first, "Fix", "clean", "New", replace_title=False).body
    assert "smuggled" not in second
    assert second.count("switchyard:describe start") == 1


def test_a_lone_start_marker_of_the_author_is_their_text() -> None:
    body = "<!-- switchyard:describe start -->\nmine, no end marker\n"
    out = compose(body, "Fix", "gen", "New", replace_title=False).body
    assert out.endswith("\n\n" + body)
    assert compose(out, "Fix", "gen", "New", replace_title=False).body == out


def test_a_replaced_title_keeps_the_authors_and_follows_a_retitle() -> None:
    first = compose(AUTHOR, "Fix rounding", "gen", "Round half to even", replace_title=True)
    assert first.title == "Round half to even"
    assert "> **Author's title:** Fix rounding" in first.body
    # Next run: the title is still ours, so the author's is the one remembered.
    again = compose(
        first.body, "Round half to even", "gen", "Round half to even", replace_title=True
    )
    assert again.body == first.body and again.title == "Round half to even"
    # Someone retitled the request since: that is the author's title now.
    retitled = compose(first.body, "Fix rounding in prices", "gen", "Round", replace_title=True)
    assert "> **Author's title:** Fix rounding in prices" in retitled.body


def test_model_text_in_the_description_cannot_open_html_or_headings() -> None:
    d = Description(
        title="t",
        summary="# Heading\n<!-- hidden --> <img src=x>",
        walkthrough=[Theme("a|b", ["x.py"], "<b>bold</b>")],
        risks=["<script>"],
    )
    md = d.markdown()
    assert "<!--" not in md and "<img" not in md and "<script>" not in md and "<b>" not in md
    assert "\n\\# Heading" in md
