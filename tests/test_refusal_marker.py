"""The marker on a refused command's reply: it names the requester in a small alphabet, so
no login (a GitLab username may hold dots, an odd one anything) closes the comment early,
and it is believed only on the first line for that same requester."""

from __future__ import annotations

from bot.forges.markers import is_refusal_to, refused_marker


def test_a_hostile_name_cannot_close_the_marker_or_smuggle_text() -> None:
    marker = refused_marker("eve --> <img src=x>")
    assert marker.count("-->") == 1 and marker.endswith(" -->")
    assert "<img" not in marker
    assert is_refusal_to(marker + "\nbody", "eve --> <img src=x>")


def test_the_marker_answers_for_its_requester_only_and_only_on_the_first_line() -> None:
    body = refused_marker("Rita.Dev") + "\n@Rita.Dev: `/review` was not run."
    assert is_refusal_to(body, "rita.dev")  # logins compare without case
    assert not is_refusal_to(body, "mallory")
    assert not is_refusal_to("quoted:\n" + body, "rita.dev")
