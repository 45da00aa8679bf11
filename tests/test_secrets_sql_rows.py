"""A secret inserted as a row (bot/secrets/sql_rows.py): the column list names it, the row
holds it. Values are drawn here at import; none is a real credential."""

from __future__ import annotations

import random

import pytest

from bot.secrets import find_secrets, redact
from tests.drawn import drawn_key

_RANDOM = random.Random("sql rows")
PASSWORD = drawn_key(_RANDOM, 10) + "#!"
TOKEN = drawn_key(_RANDOM, 32)
OTHER = drawn_key(_RANDOM, 32)

INSERTED = [
    (
        "db/seed.sql",
        f"INSERT INTO users (email, password) VALUES ('ada@corp.example', '{PASSWORD}');",
        [PASSWORD],
    ),
    # quoted names, rows on the lines below, one secret per row
    (
        "db/migrations/0002_seed.sql",
        "INSERT INTO `service_accounts` (`id`, `name`, `api_token`) VALUES\n"
        f"  (1, 'billing', '{TOKEN}'),\n"
        f"  (2, 'search', '{OTHER}');\n",
        [TOKEN, OTHER],
    ),
    # PostgreSQL's quoted names and a schema; a doubled quote is one quote
    (
        "db/seed.sql",
        'INSERT INTO public."users" ("email", "password") '
        f"VALUES ('bob@corp.example', 'it''s-{PASSWORD}');",
        [f"it''s-{PASSWORD}"],
    ),
    # in code, a statement written whole
    (
        "app/seed.py",
        'cur.execute("INSERT INTO users (email, password) '
        f"VALUES ('ada@corp.example', '{PASSWORD}')\")",
        [PASSWORD],
    ),
]


@pytest.mark.parametrize(("path", "text", "values"), INSERTED)
def test_a_secret_in_an_inserted_row_is_found_and_redacted(
    path: str, text: str, values: list[str]
) -> None:
    hits = find_secrets(text, path)
    assert [text[h.start : h.end] for h in hits] == values
    redacted = redact(text, path).text
    assert all(v.replace("''", "'") not in redacted and v not in redacted for v in values)


NOT_SECRETS = [
    # slots, a function's result, a number, NULL
    "INSERT INTO users (email, password) VALUES (?, ?);",
    "INSERT INTO users (email, password) VALUES ($1, $2);",
    "INSERT INTO users (email, password) VALUES (:email, :password);",
    "INSERT INTO users (email, password) VALUES ('a@corp.example', crypt('x', gen_salt('bf')));",
    "INSERT INTO users (email, password) VALUES ('a@corp.example', NULL);",
    # a column whose name is no secret's, though it says password
    "INSERT INTO users (email, password_hash) VALUES ('a@corp.example', "
    "'9f2c71e04b8a3d56e1f0c7a2b4d8e6f1');",
    "INSERT INTO users (email, encrypted_password) VALUES ('a@corp.example', 'Qm7kR2vX9pL4sT8w');",
    "INSERT INTO users (email, password_changed_at) VALUES ('a@corp.example', '2024-01-01');",
    # a placeholder and a token's stand-in
    "INSERT INTO users (email, password) VALUES ('a@corp.example', '<password>');",
    "INSERT INTO keys (name, api_token) VALUES ('ci', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');",
    # no column names: which value is which is not said
    f"INSERT INTO users VALUES (1, 'ada', '{PASSWORD}');",
    # built in code: the host language's quotes and operators between SQL's
    'sql = "INSERT INTO users (email, password) VALUES (\'" + email + "\', \'" + pw + "\')"',
    '$q = "INSERT INTO users (email, password) VALUES (\'" . $email . "\', \'" . $pw . "\')";',
    "q = f\"INSERT INTO users (email, password) VALUES ('{email}', '{pw}')\"",
    "q = \"INSERT INTO users (email, password) VALUES ('#{email}', '#{digest}')\"",
    # a count of values that is not the count of columns
    f"INSERT INTO users (email, password) VALUES ('{PASSWORD}');",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_an_inserted_row_without_a_secret_is_not_flagged(text: str) -> None:
    assert find_secrets(text, "db/seed.sql") == []


def test_a_weak_password_in_a_test_fixture_row_is_a_fixture() -> None:
    text = "INSERT INTO users (email, password) VALUES ('a@corp.example', 'secret123');"
    assert find_secrets(text, "tests/fixtures/users.sql") == []
    assert [h.kind for h in find_secrets(text, "db/seed.sql")] == ["secret in an inserted row"]


def test_every_row_of_a_long_dump_is_read() -> None:
    passwords = [drawn_key(_RANDOM, 12) + "#" for _ in range(1500)]
    rows = ",\n".join(f"({i}, 'u{i}@corp.example', '{pw}')" for i, pw in enumerate(passwords))
    text = f"INSERT INTO users (id, email, password) VALUES\n{rows};\n"
    assert len(find_secrets(text, "db/dump.sql")) == len(passwords)
    redacted = redact(text, "db/dump.sql").text
    assert not any(pw in redacted for pw in passwords)
