"""Lines a pull request author can write to make detection slow: one setting or one format's
prefix repeated over a long line without a space (`password=password=…`, `eyJeyJ…`,
`sq0csp-…` again and again). Each once cost seconds to minutes (a value read to the line's
end from every candidate, a pattern's try reading the rest of the line from each of its
keywords); bench/secrets_adversarial.py measures the time. Here, what the scan still
answers on them: a secret written after such a run is found and masked, a line past the
assignments' judging budget is masked from there on (fail closed), and an ordinary line as
dense is not (a JSON summary without a space, a JWT after a run of its opening).
"""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, mask
from bot.secrets.line_finders import UNJUDGED
from bot.secrets.token_runs import whole_run

_DRAWN = "Xk9mQ2zLp7wR4tYv8bNc"
_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUifQ."
    "c2lnbmF0dXJlX29mX3RoZV90b2tlbl9oZXJl"
)


def _repeated(unit: str, size: int = 24_000) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize(
    ("unit", "tail"),
    [
        ("password=", f" api_key={_DRAWN}"),
        ("password=x;", f" api_key={_DRAWN}"),
        ("AccountKey=", f" api_key={_DRAWN}"),
        ("password = ", f'\napi_key = "{_DRAWN}"'),
        ("eyJ", f" token: {_JWT}"),
        ("redis", f' redisClient.auth("{_DRAWN}")'),
        ("ENV ", f"\nENV API_TOKEN {_DRAWN}"),
        ("password '", f"\nCREATE USER app WITH PASSWORD '{_DRAWN}';"),
    ],
)
@pytest.mark.parametrize("path", ["notes.txt", "app.py", None])
def test_a_secret_after_a_repeated_run_is_found_and_masked(
    unit: str, tail: str, path: str | None
) -> None:
    text = _repeated(unit) + tail + "\n"
    secret = _JWT if unit == "eyJ" else _DRAWN
    assert any(secret in text[h.start : h.end] for h in find_secrets(text, path)), unit
    assert secret not in mask(text, path)


def test_a_line_past_the_judging_budget_is_masked_from_there_on() -> None:
    """Past the budget the rest of the line is masked unjudged, to its end: what the
    repeated settings hide there does not leave, judged or not."""
    line = _repeated("password=") + f";note={_DRAWN};"
    hits = find_secrets(line + "\n", "settings.txt")
    assert [h.end for h in hits if h.detector == UNJUDGED] == [len(line)]
    assert _DRAWN not in mask(line + "\n", "settings.txt")


def test_an_ordinary_dense_json_line_is_not_masked() -> None:
    """A compiler's JSON summary without a space (Angular's `*.ngsummary.json`): a hundred
    `"token":{…}` fields, each an object, none a secret, on one 30 KB line."""
    field = '{"token":{"identifier":{"reference":{"__symbol":%d,"members":[]}}},"useClass":null}'
    line = '{"providers":[' + ",".join(field % i for i in range(400)) + "]}"
    assert len(line) > 30_000
    assert find_secrets(line + "\n", "app/module.ngsummary.json") == []


def test_only_a_line_past_its_budget_is_masked_unjudged() -> None:
    """The same settings, one to a line as people write them, are judged one by one: a
    budget per line, not per text."""
    text = "".join(f"password={_DRAWN}{i}\n" for i in range(2_000))
    hits = find_secrets(text, "settings.txt")
    assert len(hits) == 2_000
    assert all(h.detector != UNJUDGED for h in hits)


@pytest.mark.parametrize("seed", range(6))
def test_a_run_is_widened_as_a_character_walk_widens_it(seed: int) -> None:
    """whole_run reads a run's ends with str and re methods; a walk over characters is
    the reference."""
    rng = random.Random(seed)
    on = set(string.ascii_letters + string.digits + "_-")
    for _ in range(2_000):
        line = "".join(rng.choice("aB3_-+/= .:'x") for _ in range(rng.randint(1, 200)))
        s = rng.randrange(len(line))
        e = rng.randint(s + 1, len(line))
        assert whole_run(line, s, e) == _walked(line, s, e, on)


def _walked(line: str, s: int, e: int, token: set[str]) -> tuple[int, int]:
    base64 = any(c in "+/" for c in line[s:e]) or line[e : e + 1] in ("+", "/")
    base64 = base64 or (s > 0 and line[s - 1] in "+/")
    on = token | {"+", "/"} if base64 else token
    if line[s] in on:
        while s > 0 and line[s - 1] in on:
            s -= 1
    if line[e - 1] in on:
        while e < len(line) and line[e] in on:
            e += 1
    if base64:
        e += len(line[e : e + 2]) - len(line[e : e + 2].lstrip("="))
    return s, e
