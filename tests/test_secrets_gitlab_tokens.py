"""GitLab's tokens by their kind's length: a token as GitLab makes it is found and masked
whole; a body shorter than its kind's (detect-secrets' tests list such near-misses of
`glptt-`, `glagent-` and `gloas-`) is not a GitLab token."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RNG = random.Random("gitlab-tokens")
_BODY = string.ascii_letters + string.digits + "_-"

# (prefix, the shortest body GitLab makes for it)
KINDS = [
    ("glpat-", 20),
    ("gldt-", 20),
    ("glft-", 20),
    ("glsoat-", 20),
    ("glrt-", 20),
    ("glcbt-", 20),
    ("glffct-", 20),
    ("glimt-", 25),
    ("glptt-", 40),
    ("glagent-", 50),
    ("gloas-", 64),
]


def _body(n: int, alphabet: str = _BODY) -> str:
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


@pytest.mark.parametrize(("prefix", "length"), KINDS, ids=[p for p, _ in KINDS])
def test_a_token_of_its_kinds_length_is_found_and_masked(prefix: str, length: int) -> None:
    token = prefix + _body(length, string.hexdigits.lower() if prefix == "glptt-" else _BODY)
    text = f"The runner was set up with {token} on Monday.\n"
    hits = find_secrets(text, "notes/runner.md")
    assert [h.kind for h in hits] == ["GitLab token"]
    assert token not in redact(text, "notes/runner.md").text


@pytest.mark.parametrize(
    ("prefix", "length"), [k for k in KINDS if k[1] > 20], ids=[p for p, n in KINDS if n > 20]
)
def test_a_body_shorter_than_its_kinds_is_not_a_gitlab_token(prefix: str, length: int) -> None:
    near_miss = prefix + _body(length - 5)
    text = f"The runner was set up with {near_miss} on Monday.\n"
    assert [h.kind for h in find_secrets(text, "notes/runner.md")] == []
