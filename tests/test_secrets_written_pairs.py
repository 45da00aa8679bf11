"""A user and a password written as one pair apart by `/` (`ID:ops/PW:…`, a runbook's or
a notes file's way), and "password" shortened or misspelt as names are (`DB_PSWD`,
`PSSWRD`, `pasword`). Shapes seen in CredSweeper's sample files (its tune split), written
here with their own values: the user's value ran on over the password's name, and the
shortened names were no secret's name at all, so each password was sent.
"""

from __future__ import annotations

import pytest

from bot.secrets import find_secrets, redact

_PASSWORD = "Tq7#vR2pLm9x"


def _found(text: str, path: str) -> list[str]:
    return [text[h.start : h.end] for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    "line",
    [
        f"ID:ops/PW:{_PASSWORD}",
        f"Username:ops/Password:{_PASSWORD}",
        f"login: ops / pass: {_PASSWORD}",
        f"Host name:db1/Password:{_PASSWORD}",
        f"account:{_PASSWORD}/password:{_PASSWORD}",
    ],
)
@pytest.mark.parametrize("path", ["docs/ACCESS.md", "notes/staging.txt"])
def test_a_password_after_a_user_in_one_pair_is_found_and_masked(line: str, path: str) -> None:
    assert _found(line + "\n", path)[-1] == _PASSWORD
    assert _PASSWORD not in redact(line + "\n", path).text


@pytest.mark.parametrize(
    "line",
    [
        "DB_PSWD=" + _PASSWORD,
        "PSSWRD:=" + _PASSWORD,
        "mail_pasword: " + _PASSWORD,
        'PASWD = "' + _PASSWORD + '"',
    ],
)
def test_password_shortened_or_misspelt_names_a_password(line: str) -> None:
    assert _found(line + "\n", "deploy/.env") == [_PASSWORD]


@pytest.mark.parametrize(
    "line",
    [
        # a path or a URL whose segment holds a secret's word
        "see https://wiki.example/token:rotation for the steps",
        "the form posts to /account/password:reset",
        # words that hold the letters but name no password
        'upsweep_factor = "Xk9mQ2pL7wRt"',
    ],
)
def test_look_alikes_of_pairs_and_short_names_are_not_reported(line: str) -> None:
    assert find_secrets(line + "\n", "scripts/setup.sh") == []
