"""In source code an unquoted value after a secret's name is an expression
(`password = new_password`), unless no program reads it as code: a commented-out setting, a
docstring's example, a `.env` line pasted into a script (bot/secrets/code_literals.py)."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RANDOM = random.Random("code-literals")
_ALNUM = string.ascii_letters + string.digits


def _drawn(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


def _hex(n: int) -> str:
    # a letter first: the value then parses as a name, as a third of hex values do
    return _RANDOM.choice("abcdef") + _drawn(n - 1, "0123456789abcdef")


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("app/settings.py", "# DISQUS_PRIVATE_TOKEN = {v}\n"),
        ("app/client.py", '"""Usage:\n\n    export API_TOKEN={v}\n    python -m client\n"""\n'),
        ("src/api.js", "  // apiKey: {v}\n"),
        ("infra/main.tf", "  # token = {v}\n"),
        ("cmd/main.go", "\t// secret_key={v}\n"),
    ],
)
@pytest.mark.parametrize("kind", ["drawn", "hex", "base64"])
def test_a_value_no_program_reads_as_code_is_a_literal(path: str, template: str, kind: str) -> None:
    value = {"drawn": _drawn(40), "hex": _hex(40), "base64": _drawn(30) + "+/" + _drawn(8)}[kind]
    text = template.format(v=value)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]
    assert value not in redact(text, path).text


@pytest.mark.parametrize(
    "value",
    [
        "new_password_value",
        "settings.API_TOKEN_V2",
        "self.token2",
        "getSecretKey2FromVault",
        "base64EncodeUtf8String",  # a name in camel case, digits and all
        "X509Certificate2Collection",  # a type: `ertificate` is a word
        "user1session2token3xyz",  # lower-case letters and digits: named as often as drawn
        "0x9E3779B97F4A7C15AB",  # a number literal
    ],
)
def test_an_expression_stays_an_expression(value: str) -> None:
    for line in (f"token = {value}\n", f"# api_key = {value}\n"):
        assert find_secrets(line, "app/auth.py") == [], line


def test_most_drawn_keys_are_literals_wherever_they_are_written() -> None:
    """A drawn key is read as a name only where it happens to spell a word in lower case
    (or in camel case): the rule gives those up to keep `X509Certificate2Collection` out."""
    found = sum(
        bool(find_secrets(f"# api_key = {_drawn(32)}\n", "app/settings.py")) for _ in range(400)
    )
    assert found >= 0.95 * 400, found


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("src/auth.c", "/* api_key: {v} */\n"),
        ("src/Auth.java", "   * @param token={v}\n"),
        ("app/auth.py", "retries = 3  # token={v}\n"),
        ("db/seed.sql", "-- password={v}\n"),
    ],
)
def test_a_shorter_drawn_value_in_a_comment_is_a_literal(path: str, text: str) -> None:
    """In a comment nothing is read as code, so a drawn value shorter than a name could be
    (16 characters) is the secret it looks like; in code it may name a variable."""
    line = text.format(v=_SHORT_DRAWN)
    assert [line[h.start : h.end] for h in find_secrets(line, path)] == [_SHORT_DRAWN]


_SHORT_DRAWN = "Xk9Qv7mZ2pW4rT8y"


@pytest.mark.parametrize("path", ["src/auth.c", "app/auth.py", "src/Auth.java"])
def test_the_same_value_in_code_may_name_a_variable(path: str) -> None:
    assert find_secrets(f"token = {_SHORT_DRAWN};\n", path) == []
