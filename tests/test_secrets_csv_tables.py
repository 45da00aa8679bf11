"""A secret in a CSV or TSV file's column (bot/secrets/csv_tables.py): the header names it,
each row holds it in the same column."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

_RNG = random.Random("csv-tables")


def _drawn(n: int) -> str:
    return (
        "x7" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n)) + "Q4"
    )


P1, P2, KEY = _drawn(10), _drawn(10) + "#!", _drawn(36)


@pytest.mark.parametrize(
    ("path", "text", "values"),
    [
        ("seed/users.csv", f'username,password,role\nadmin,{P1},admin\nbot,"{P2}",ci\n', [P1, P2]),
        ("seed/users.tsv", f"user\tpass\nadmin\t{P1}\n", [P1]),
        ("exports/hosts.csv", f"host;user;pwd\ndb01;app;{P1}\n", [P1]),
        ("exports/keys.csv", f"service,api_key\nbilling,{KEY}\n", [KEY]),
    ],
)
def test_a_secret_in_its_column_is_masked_whole(path: str, text: str, values: list[str]) -> None:
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == values
    sent = redact(text, path).text
    assert not any(v in sent for v in values)
    assert sent.split("\n")[0] == text.split("\n")[0]  # the header is kept


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a hash's column, a column whose name only holds a secret's word, stand-ins
        ("data/users.csv", "id,name,password_hash\n1,bob,5f4dcc3b5aa765d61d8327deb882cf99\n"),
        ("data/usage.csv", "id,token_count\n1,532\n"),
        ("data/users.csv", "user,password\nadmin,********\nbob,<your password>\n"),
        # a row of another shape than the header's
        ("data/users.csv", f"user,password\n{P1}\n"),
    ],
)
def test_other_columns_rows_and_stand_ins_are_not_reported(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
