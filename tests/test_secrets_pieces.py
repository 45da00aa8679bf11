"""A secret written in pieces on one line or over several (bot/secrets/continued.py, and
wrapped.py's pieces below a name): a long key split into literals joined by an operator,
Python's adjacent literals, a YAML block scalar's lines. Every piece is masked; one piece
masked alone sent the rest of the key. Values are drawn at run time."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact, secret_values

_RNG = random.Random("pieces")


def _drawn(n: int) -> str:
    while True:
        value = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value):
            return value


A, B, C = _drawn(24), _drawn(24), _drawn(12)

PIECES = [
    ("src/app.js", f"const apiToken = '{A}' +\n  '{B}';\n"),
    ("src/App.java", f'String apiToken = "{A}"\n    + "{B}"\n    + "{C}";\n'),
    ("main.go", f'apiToken := "{A}" +\n\t"{B}"\n'),
    ("src/config.php", f"$api_token = '{A}' .\n    '{B}';\n"),
    ("src/Config.vb", f'Dim apiToken As String = "{A}" & _\n    "{B}"\n'),
    ("app/settings.py", f'API_TOKEN = "{A}" \\\n    "{B}"\n'),
    # Black's parentheses, adjacent literals below the name
    ("app/settings.py", f'API_TOKEN = (\n    "{A}"\n    "{B}"\n    "{C}"\n)\n'),
    # pieces quoted with `'` that hold a `"` (judged joined under a quote they lack)
    ("app/settings.py", f"API_TOKEN = (\n    'Xk9\"{A}'\n    '{B}'\n)\n"),
    # pieces joined on the name's own line, by an operator or, in Python and C, by none
    ("src/App.java", f'String apiToken = "{A}" + "{B}";\n'),
    ("app/settings.py", f'API_TOKEN = "{A}" "{B}"\n'),
    ("app/settings.py", f'API_TOKEN = ("{A}"\n    "{B}")\n'),
    ("src/keys.c", f'static const char *api_token = "{A}"\n    "{B}";\n'),
    # a YAML block scalar's lines
    ("config.yml", f"auth:\n  api_token: >-\n    {A}\n    {B}\n  region: eu\n"),
    ("k8s/secret.yml", f"stringData:\n  api_token: |\n    {A}\n    {B}\n"),
]


@pytest.mark.parametrize(("path", "text"), PIECES)
def test_every_piece_of_a_secret_written_over_lines_is_masked(path: str, text: str) -> None:
    hits = find_secrets(text, path)
    assert len(hits) == 1
    masked = redact(text, path)
    for piece in (A, B, C):
        if piece in text:
            assert piece not in masked.text
    assert masked.text.count("\n") == text.count("\n")  # every line kept
    # the pieces are one value: one marker, written at each piece's place
    assert set(masked.markers) == {masked.markers[0]}


def test_a_literal_joined_to_code_is_masked_alone() -> None:
    """`'…' + suffix`: the value is not all written there; the literal is what is."""
    text = f"const token = '{A}' +\n  suffix;\n"
    [hit] = find_secrets(text, "src/app.js")
    assert text[hit.start : hit.end] == A
    assert hit.parts == ((hit.start, hit.end),)


def test_the_lines_after_a_block_are_not_its_own() -> None:
    text = f"auth:\n  api_token: |\n    {A}\n    {B}\n  region: eu-west-1abc\n"
    masked = redact(text, "config.yml").text
    assert A not in masked and B not in masked
    assert "  region: eu-west-1abc\n" in masked


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a tuple's items are values of their own, and these are words
        ("app/settings.py", 'ROLES = (\n    "read",\n    "write",\n)\n'),
        ("app/settings.py", 'API_TOKENS = (\n    "readonly",\n    "readwrite",\n)\n'),
        # pieces that spell a stand-in once joined
        ("app/settings.py", 'API_TOKEN = (\n    "not-a-"\n    "real-token"\n)\n'),
        ("src/app.js", "const apiToken = 'your-api-' +\n  'token-here';\n"),
        # a block that holds a reference
        ("config.yml", "auth:\n  api_token: |\n    ${API_TOKEN}\n  region: eu-west-1\n"),
    ],
)
def test_pieces_that_are_no_secret_are_not_reported(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


def test_a_key_written_in_pieces_is_masked_where_it_is_used_whole() -> None:
    text = f'API_TOKEN = (\n    "{A}"\n    "{B}"\n)\n\ncurl -H "X-Token: {A}{B}" https://api\n'
    masked = redact(text, "app/settings.py")
    assert A not in masked.text and B not in masked.text
    assert len(set(masked.markers)) == 1
    assert secret_values(text, "app/settings.py") >= {A, B, A + B}


def test_tokens_joined_into_one_value_are_all_masked() -> None:
    """Each literal of the chain is reported on its own and is a piece of the first one's
    value: read once, as the first one's pieces, none is left unmasked."""
    tokens = [f"ghp_{_drawn(36)}" for _ in range(40)]
    for joint in (" + ", " +\n    "):
        text = "x = " + joint.join(f'"{t}"' for t in tokens) + "\n"
        masked = redact(text, "src/app.py").text
        assert not any(t[4:] in masked for t in tokens)
