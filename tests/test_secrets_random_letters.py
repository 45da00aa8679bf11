"""A key of random letters and no digit under a secret's name. gitleaks' generic rule lets
every letters-only value through as a name (`^[a-zA-Z_.-]+$`); one random 16-letter key in
sixteen has no digit, and that one went to the cloud unredacted. So did drawn lower-case
letters (a fixture's generated `credential_value`). A camel-case name, words run together
or a keyboard's row under the same names stays quiet.

Every value here is drawn at random for this file.
"""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact
from bot.secrets.wording import random_letters, random_lower

_RANDOM = random.Random(1618)


def _letters(n: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_letters) for _ in range(n))


_DRAWS = [_letters(n) for n in (16, 20, 24, 32) for _ in range(50)]
_LOWER_DRAWS = [
    "".join(_RANDOM.choice(string.ascii_lowercase) for _ in range(n))
    for n in (20, 24, 32, 50)
    for _ in range(50)
]

# (path, line with {v} where the value goes)
_PLACES = [
    ("config/app.properties", "webflow.encryption.key={v}"),
    ("config/settings.yml", "client_secret: {v}"),
    ("app/settings.py", 'SECRET_KEY = "{v}"'),
    ("src/main/java/app/Auth.java", 'private static final String API_TOKEN = "{v}";'),
    (".env", "SESSION_SECRET={v}"),
]


# Draws of each kind and what reads them as drawn: most random letters do; the rest mix
# vowels like a name and stay quiet (six in ten 20-letter lower-case draws pass, more of
# the longer ones).
_KINDS = {"mixed case": (_DRAWS, random_letters), "lower case": (_LOWER_DRAWS, random_lower)}


@pytest.mark.parametrize("kind", _KINDS)
@pytest.mark.parametrize(("path", "template"), _PLACES, ids=[p for p, _ in _PLACES])
def test_random_letters_under_a_secret_name_are_found_and_redacted_whole(
    path: str, template: str, kind: str
) -> None:
    draws, reads_drawn = _KINDS[kind]
    drawn = [v for v in draws if reads_drawn(v)]
    assert len(drawn) >= 0.7 * len(draws)
    for value in drawn:
        line = template.format(v=value)
        hits = find_secrets(line, path)
        assert [line[h.start : h.end] for h in hits] == [value], line
        assert value not in redact(line, path).text


NAMES = [  # letters only under a secret's name, and a name or words rather than a key
    'token = "GetEntPropString"',
    'api_key = "XMLHttpRequestUpload"',
    "secret: ApplicationSecretKey",
    'AUTH_TOKEN = "BearerTokenProvider"',
    "auth.secret=HTTPSProxyURLConfig",
    'client_secret = "YourClientSecretHere"',
    'jwt_secret = "mysupersecretsigningkeyforjwts"',
    "secret_key: thisisnotarealsecretjustaplaceholder",
    'api_token = "qwertyuiopasdfghjklzxcvbnm"',
    'SECRET_KEY = "abcdefghijklmnopqrstuvwxyz"',
    'session_secret = "keyboardcatkeyboardcatkeyboardcat"',
]


@pytest.mark.parametrize("line", NAMES)
def test_a_camel_case_name_or_words_under_a_secret_name_is_not_a_key(line: str) -> None:
    assert find_secrets(line, "config/app.yml") == []
    assert find_secrets(line, "app/settings.py") == []
