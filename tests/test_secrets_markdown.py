"""Secrets a Markdown document lays out: a table's column under a secret's header
(md_tables.py) and a label in bold or italics (prose.py)."""

from __future__ import annotations

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

PASSWORD = "Vq9#mT2w!Lp4~Zx8"
TOKEN = "wJ7tKp2Rz9XqL4mN8vB3cY6hD1sF5gA0eU2iO7kQ"

TABLES = [
    "| Username | Password |\n|---|---|\n| admin | {v} |\n",
    "| Environment | User | Password | Notes |\n| :--- | --- | --- | --- |\n"
    "| staging | admin | `{v}` | reset weekly |\n",
    "Accounts:\n\nUser | Password\n--- | ---\nqa | **{v}**\n",
]


@pytest.mark.parametrize("table", TABLES)
def test_a_password_under_a_password_column_is_masked_whole(table: str) -> None:
    text = table.format(v=PASSWORD)
    assert [text[h.start : h.end] for h in find_secrets(text, "docs/STAGING.md")] == [PASSWORD]
    assert "Vq9#" not in redact(text, "docs/STAGING.md").text


def test_every_row_of_a_column_is_read_and_a_token_column_needs_a_machine_made_value() -> None:
    text = (
        "| Service | API token | Owner |\n|---|---|---|\n"
        f"| billing | {TOKEN} | ada |\n| search | see Vault | bob |\n"
        f"| mail | {TOKEN[::-1]} | eve |\n"
    )
    found = [text[h.start : h.end] for h in find_secrets(text, "docs/services.md")]
    assert found == [TOKEN, TOKEN[::-1]]


@pytest.mark.parametrize(
    "table",
    [
        # placeholders and words under a password's header
        "| User | Password |\n|---|---|\n| admin | ******** |\n| qa | <your password> |\n"
        "| bot | n/a |\n",
        # a settings reference: the secret's name is a row, not a header
        "| Setting | Description |\n|---|---|\n| `password` | The database password |\n",
        # a column about secrets, holding names
        "| Secret | Used by |\n|---|---|\n| DB_PASSWORD | api |\n",
    ],
)
def test_a_table_s_placeholders_names_and_descriptions_are_not_reported(table: str) -> None:
    assert find_secrets(table, "docs/README.md") == []


@pytest.mark.parametrize(
    "line",
    ["- **Password:** {v}", "**Password**: {v}", "* __API token__: {t}", "_Password:_ `{v}`"],
)
def test_a_secret_after_a_label_in_bold_or_italics_is_masked(line: str) -> None:
    text = line.format(v=PASSWORD, t=TOKEN) + "\n"
    value = TOKEN if "{t}" in line else PASSWORD
    assert value in [text[h.start : h.end] for h in find_secrets(text, "docs/STAGING.md")]


def test_a_bold_label_before_words_is_not_a_secret() -> None:
    text = "- **Password:** ask the on-call engineer\n- **Token:** see the vault entry\n"
    assert find_secrets(text, "docs/STAGING.md") == []
