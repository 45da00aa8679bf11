"""A login told as a pair in text without a path (a pull request's description, a
question, a model's answer) goes to a cloud model as written: a drawn password there is
masked; a word, a version or a reference beside the same labels is prose and stays. In a
file the same line is left to the file's rules (CredData's labels call such lines both)."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets
from bot.secrets.redact import mask

_RNG = random.Random(27)


def _drawn() -> str:
    # letters and digits alternating, a symbol: what a generator writes
    return (
        "".join(_RNG.choice(string.ascii_letters) + _RNG.choice(string.digits) for _ in range(5))
        + "#"
    )


@pytest.mark.parametrize(
    "template",
    [
        "Login: admin / {v}",
        "wifi: Office / {v}",
        "db: app / {v} @ db.internal",
        "u: admin p: {v}",
        "user: deploy, pass: {v}",
        "Use admin:{v} to log in.",
        "ssh root@10.0.0.5 (pw {v})",
        "You can ssh in as root, password {v}, until Friday.",
    ],
)
def test_a_drawn_password_told_as_a_pair_without_a_path_is_masked(template: str) -> None:
    # letters and digits alternating, and letters of both cases with symbols and no digit
    for value in (_drawn(), "Xk#pQ_mW!rTz"):
        text = template.format(v=value)
        out = mask(text)
        assert value not in out and value[:6] not in out, out


@pytest.mark.parametrize(
    "text",
    [
        "wifi: Office / 5GHz",
        "db: app / v2.3.1 @ db.internal",
        "Login: admin / settings page",
        "Login: admin / ${ADMIN_PASSWORD}",
        "the password reset flow moved to v2",
        "Use admin:admin to log in.",
        "Login: admin / ResetPassword",  # a name in both cases, no digit or symbol
        "def login(user: str, password: SecretStr2): ...",  # a signature's type
    ],
)
def test_words_versions_and_references_in_those_pairs_stay(text: str) -> None:
    assert mask(text) == text


def test_in_a_file_the_pair_is_left_to_the_files_rules() -> None:
    text = f"Login: admin / {_drawn()}\n"
    assert [h.kind for h in find_secrets(text)] == ["login told as a pair"]
    assert [h.kind for h in find_secrets(text, "docs/setup.md")] != ["login told as a pair"]


def test_a_told_value_ending_in_a_sentences_mark_is_masked_with_it() -> None:
    """Judged without the `.` after it, masked with it: a drawn password may end in one."""
    value = "Xk#pQ_mW!rT."
    assert mask(f"Login: admin / {value}") == mask(f"Login: admin / {value[:-1]}")
    assert "rT" not in mask(f"Login: admin / {value}")
