"""bench/secrets_prompt_parity.py measures what a prompt sends of a file's secrets; these
check the instrument: each value is looked for in its own row of each form, so a
redaction that leaves it is counted, and one that masks it is not."""

from __future__ import annotations

import random
import string

import pytest

import bench.secrets_prompt_parity as parity
from bot.secrets.redact import Redacted

_RANDOM = random.Random(77)
_VALUE = "".join(_RANDOM.choice(string.ascii_letters) for _ in range(18)) + "4Q"
_FILE = f"# settings\nname = demo\ndb_password = '{_VALUE}'\n"


def test_a_value_the_prompt_still_holds_is_counted_in_every_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parity, "redact", lambda text: Redacted(text=text, count=0))
    assert parity.leaks("app/settings.py", _FILE) == {form: [_VALUE] for form in parity.FORMS}


def test_a_masked_value_is_not_counted_even_where_its_word_stays_elsewhere() -> None:
    # The value also sits in a comment on another line: only its own row counts.
    text = _FILE + f"# {_VALUE[:6]}\n"
    assert parity.leaks("app/settings.py", text) == {}


def test_each_form_shows_the_file_under_its_path_with_one_row_per_line() -> None:
    lines = _FILE.split("\n")
    for form in parity.FORMS.values():
        shown = form("app/settings.py", lines).split("\n")
        assert shown[0].startswith("### app/settings.py (")
        assert len(shown) == len(lines) + 2 and shown[2 + 2].endswith(lines[2])
