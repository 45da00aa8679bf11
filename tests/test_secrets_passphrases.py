"""A passphrase of drawn words under a password's name (bot/secrets/passphrases.py): what
diceware and password managers' generators write, and what restic, borg and GPG are often
given. Its words would read as prose; a label, a message or a stand-in says what it is
with words a drawn phrase seldom holds. Phrases are drawn here at import from a list of
plain nouns; none is a real credential."""

from __future__ import annotations

import random

import pytest

from bot.secrets import find_secrets, redact

_RANDOM = random.Random("passphrases")
_NOUN_LIST = (
    "tundra velvet oxygen marble lantern pepper glacier saddle walnut orbit cactus harbor "
    "meadow quartz ribbon falcon tulip canyon anchor pickle dolphin bamboo copper fossil "
    "lobster nectar pillow summit thistle violin"
)
_NOUNS = _NOUN_LIST.split()


def _phrase(words: int) -> str:
    return " ".join(_RANDOM.sample(_NOUNS, words))


FOUR, FIVE, SIX = _phrase(4), _phrase(5), _phrase(6)
TITLED = " ".join(w.capitalize() for w in _phrase(4).split())

WRITTEN = [
    ("backup.env", f'BORG_PASSPHRASE="{FOUR}"\n', FOUR),
    ("backup.env", f"RESTIC_PASSWORD={FIVE}\n", FIVE),
    ("backup.env", f"DB_PASSWORD= {FOUR}\n", FOUR),
    ("deploy.sh", f'export RESTIC_PASSWORD="{SIX}"\n', SIX),
    ("settings.py", f'PASSWORD = "{TITLED}"\n', TITLED),
    ("config.js", f'const password = "{FOUR}";\n', FOUR),
    ("signing.yml", f"gpg_passphrase: {FIVE}\n", FIVE),
    ("signing.yml", f"gpg_passphrase: {FOUR}  # the release key\n", FOUR),
    ("app.properties", f"db.password={SIX}\n", SIX),
    ("app.ini", f"[db]\npassword = {FOUR}\n", FOUR),
    # drawn words joined as a name's are still drawn (their words are no sentence's)
    ("backup.env", f"RESTIC_PASSWORD={FIVE.replace(' ', '-')}\n", FIVE.replace(" ", "-")),
]


@pytest.mark.parametrize(("path", "text", "value"), WRITTEN, ids=[w[0] for w in WRITTEN])
def test_a_drawn_passphrase_under_a_passwords_name_is_found_and_hidden_whole(
    path: str, text: str, value: str
) -> None:
    assert find_secrets(text, path), text
    out = redact(text, path).text
    for word in value.split():
        assert word not in out, out  # every word: a passphrase is no secret without them


PROSE = [
    ("app.yml", "password: required field\n"),
    ("app.yml", "password: Admin Panel Access\n"),
    ("settings.py", 'password = "please enter your password"\n'),
    ("settings.py", 'PASSWORD_HELP = "must contain digits and letters"\n'),
    ("settings.py", 'someotherpassword = "doesnt start right"\n'),
    ("settings.py", 'password = "Enter New Passphrase"\n'),
    ("settings.py", 'password = "top secret"\n'),  # two words: a phrase, not a draw
    ("config.yml", "DOMAIN_PASSWORD: WebLogic admin user for the domain\n"),
    # a sentence written as a name: what the value must be, not a value
    ("config/app.conf", 'jwt-secret = "secret_with_at_least_32_characters"\n'),
    ("settings.py", 'JWT_SECRET = "a-string-secret-at-least-256-bits-long"\n'),
    # a scheme's name under a password's: what hashes it, not what it is
    ("dovecot/conf.d/auth-sql.conf", "default_pass_scheme = SHA512-CRYPT\n"),
    # the drawn words, but under a name that holds no password
    ("settings.py", f'label = "{FOUR}"\n'),
    ("settings.py", f'title = "{TITLED}"\n'),
]


@pytest.mark.parametrize(("path", "text"), PROSE, ids=[p[1].split()[0] for p in PROSE])
def test_prose_under_a_passwords_name_and_drawn_words_elsewhere_are_not_flagged(
    path: str, text: str
) -> None:
    assert find_secrets(text, path) == [], text
