"""Rendering a repository map within a token budget: never over it, more shown as it
grows, the same text from the same files, and ranked around given files on request."""

from __future__ import annotations

import pytest

from bot.repomap import RepoMap, build_map, from_blobs
from bot.tokens import estimate_tokens
from tests.test_repomap_languages import TOOLZ, fixture_sources


@pytest.fixture(scope="module")
def toolz() -> RepoMap:
    return build_map(fixture_sources(TOOLZ))


@pytest.mark.parametrize("budget", [40, 120, 400, 1000, 2500])
def test_the_text_fits_the_budget(toolz: RepoMap, budget: int) -> None:
    shown = toolz.render(budget)
    assert shown.tokens == estimate_tokens(shown.text) <= budget
    assert shown.definitions_shown > 0
    # Filled: one entry more would not have fitted, or there is none left to show.
    bigger = toolz.render(budget + 200)
    assert bigger.definitions_shown > shown.definitions_shown or bigger.text == shown.text


def test_more_budget_shows_more_in_the_same_order(toolz: RepoMap) -> None:
    sizes = [toolz.render(b) for b in (100, 300, 900, 2700)]
    counts = [s.definitions_shown for s in sizes]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    files = [line for line in sizes[-1].text.splitlines() if line.endswith(".py:")]
    ranked = [f"{p}:" for p in toolz.files if f"{p}:" in files]
    assert files == ranked
    # The smaller maps show a prefix of the bigger one's files.
    small = [line for line in sizes[1].text.splitlines() if line.endswith(".py:")]
    assert files[: len(small)] == small


def test_a_large_budget_shows_every_file_with_something_to_show(toolz: RepoMap) -> None:
    shown = toolz.render(1_000_000)
    with_definitions = [p for p, f in toolz.files.items() if any(d.exported for d in f.definitions)]
    assert shown.files_shown == len(with_definitions)
    assert shown.docs_shown == sum(
        1
        for line in shown.text.splitlines()
        if line.lstrip().startswith("# ") and not line.startswith("#")
    )
    assert "    # Partition all elements of sequence into tuples of length at most n" in shown.text


def test_a_budget_below_the_header_shows_no_entry(toolz: RepoMap) -> None:
    shown = toolz.render(5)
    assert shown.definitions_shown == 0
    assert shown.text == "Repository map: 0 of 16 files, most used first.\n"


def test_the_same_files_render_the_same_text(toolz: RepoMap) -> None:
    files = sorted(p for p in TOOLZ.rglob("*") if p.is_file())
    backwards = from_blobs((p.relative_to(TOOLZ).as_posix(), p.read_bytes()) for p in files[::-1])
    again = build_map(backwards)
    assert again.ranks == toolz.ranks
    for budget in (300, 3000):
        assert again.render(budget).text == toolz.render(budget).text


def test_focused_ranks_the_given_files_and_their_neighbours_first(toolz: RepoMap) -> None:
    around = toolz.focused(["toolz/sandbox/core.py", "not/in/the/map.py"])
    assert around.focus == ("toolz/sandbox/core.py",)
    order = list(around.files)
    # Itself and what it uses (itertoolz, which the walk reaches from it), ahead of
    # functoolz, which leads the map unfocused.
    assert set(order[:2]) == {"toolz/sandbox/core.py", "toolz/itertoolz.py"}
    assert order.index("toolz/itertoolz.py") < order.index("toolz/functoolz.py")
    assert list(toolz.files).index("toolz/sandbox/core.py") > 2
    text = around.render(400).text
    assert text.startswith("Repository map: 2 of 16 files, most used first, around 1 given files.")
    assert "toolz/sandbox/core.py:\n  class EqualityHashKey" in text


def test_only_renders_a_part_in_the_whole_maps_order(toolz: RepoMap) -> None:
    part = toolz.only(["toolz/sandbox/core.py", "toolz/sandbox/parallel.py", "toolz/utils.py"])
    assert list(part.files) == [p for p in toolz.files if p in part.files]
    text = part.render(100_000).text
    assert text.startswith("Repository map: 3 of 3 files, most used first.\ntoolz/utils.py:\n")
    assert "toolz/itertoolz.py" not in text
    # Ranked with the whole repository (utils leads because the rest uses it), but only
    # the part's own files are named: the test that uses `raises` is not in it.
    assert toolz.users_of("toolz/utils.py", "raises") == ["toolz/tests/test_itertoolz.py"]
    assert part.users_of("toolz/utils.py", "raises") == []
