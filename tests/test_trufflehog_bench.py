"""bench/secrets_trufflehog.py's redaction figure (bench/redaction_uses.py): of the values a
found case holds, how many go out masked whole, cut short (part of the value sent) or not
at all."""

from __future__ import annotations

import random
import string

import pytest

import bench.redaction_uses as uses
from bench.redaction_uses import redaction_of
from bot.secrets.detect import SecretHit

_RNG = random.Random("trufflehog-bench")


def _token() -> str:
    """A GitHub token's shape, drawn at run time (no secret-looking literal here)."""
    return "ghp_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(36))


def _case(text: str, *wants: str) -> tuple[str, None, tuple[str, ...]]:
    return text, None, wants


def test_a_value_found_and_its_other_uses_are_masked_whole() -> None:
    password = "Vq8zr2Lkw9xT"
    # The second use has no name beside it: redaction masks it as a use of a found value.
    text = f'DB_PASSWORD = "{password}"\nprint("{password}")\n'
    assert redaction_of(*_case(text, password)) == {"whole": 2}


def test_a_second_value_nothing_finds_counts_as_missed() -> None:
    token = _token()
    plain = "Qz7kLm2xWq"  # no name, no format: nothing reports it
    found = redaction_of(*_case(f'GITHUB_TOKEN="{token}"\nlabel = "{plain}"\n', token, plain))
    assert found == {"whole": 1, "missed": 1}


def test_a_hit_that_stops_inside_the_value_counts_as_cut_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = _token()
    text = f'API_KEY="{token}"\n'
    start = text.index(token)
    half = SecretHit("GitHub token", 1, start, start + 20, 1, ((start, start + 20),))
    monkeypatch.setattr(uses, "find_secrets", lambda text, path: [half])
    assert redaction_of(*_case(text, token)) == {"cut short": 1}


def test_a_want_that_glues_parts_is_not_scored() -> None:
    # `user:password@host` holds a host and a user that no detector should hide.
    found = redaction_of(
        *_case("postgres://app:Vq8zr2Lkw9@db.internal:5432/main", "app:Vq8zr2Lkw9@db")
    )
    assert found == {}
