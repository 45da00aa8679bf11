"""A secret told in a sentence (bot/secrets/prose.py): a pull request's description, a
commit message, a README or a model's answer that says what a password or a key is.
Values are drawn here at import; none is a real credential."""

from __future__ import annotations

import random

import pytest

from bot.secrets import find_secrets, redact
from tests.drawn import drawn_key

_RANDOM = random.Random("prose")


def _r(n: int) -> str:
    return drawn_key(_RANDOM, n)


PASSWORD = _r(10) + "#"
KEY = _r(32)
LONG = _r(700)

TOLD = [
    ("notes.md", f"The admin password is {PASSWORD} for now.", PASSWORD),
    ("notes.md", f"The staging DB password was changed to `{PASSWORD}` yesterday.", PASSWORD),
    ("notes.md", f"The password is **{PASSWORD}**.", PASSWORD),
    # a random password may open with `-` or with `~` and hold `/` (a flag and a path
    # are words: below)
    ("notes.md", f"The admin password is -{PASSWORD} until Friday.", f"-{PASSWORD}"),
    (
        "notes.md",
        f"The admin password is ~{PASSWORD}/{PASSWORD} until Friday.",
        f"~{PASSWORD}/{PASSWORD}",
    ),
    # in a code span, `_` and `*` around it are the password's own
    ("notes.md", f"The password was changed to `_{PASSWORD}_` today.", f"_{PASSWORD}_"),
    ("notes.md", f"Your API key is {KEY}.", KEY),
    ("notes.md", f"the token is now set to {KEY}, rotate it Friday", KEY),
    ("app/views.py", f"# the secret is {KEY}", KEY),
    (None, f"Sure! The access token was {KEY} in that log.", KEY),
    ("README.md", f"Log in as admin; the password is: '{PASSWORD}'", PASSWORD),
    # long, as a cloud session token is: read to its end, not to a cap
    ("notes.md", f"The session token was {LONG} until it expired.", LONG),
    # a key of a kind no word names as secret: as random as a bare `key`'s value
    ("notes.md", f"The hasura key is {KEY}.", KEY),
    ("notes.md", f"our license key is `{KEY}`", KEY),
    # the name and the value quoted or in a code span after it, no verb between
    ("docs/SETUP.md", f"Log in as `admin` with password `{PASSWORD}`.", PASSWORD),
    ("README.md", f"Use username `admin` and password `{PASSWORD}` to log in.", PASSWORD),
    ("notes.md", f'Set the password "{PASSWORD}" in the vault.', PASSWORD),
    ("notes.md", f"Send it with the api key `{KEY}` in a header.", KEY),
    # a label that says whose secret it is before its colon
    ("notes.md", f"Password for the router: {PASSWORD}", PASSWORD),
    ("docs/wifi.md", f"PIN/password for the office access point: `{PASSWORD}`", PASSWORD),
    ("notes.md", f"The API key of the billing service: {KEY}", KEY),
    # French writes the name in three words, and a space before the colon
    ("docs/wiki.md", f"Mot de passe : {PASSWORD}", PASSWORD),
    ("docs/wiki.md", f"- Le mot de passe: {PASSWORD}", PASSWORD),
    # a user and a password told as a pair after "credentials"
    ("notes.md", f"The credentials are admin/{PASSWORD} for staging.", PASSWORD),
    ("README.md", f"Default credentials: `admin` / `{PASSWORD}`", PASSWORD),
    # a setting's name set to its value in a sentence
    ("notes.md", f"I set DB_PASSWORD to {PASSWORD} in the staging .env", PASSWORD),
    ("notes.md", f"changed the API_TOKEN to `{KEY}` yesterday.", KEY),
    # the verb before a secret's word, not a variable's name
    (None, f"I rotated the token to {KEY} this morning.", KEY),
    ("notes.md", f"I changed the password to {PASSWORD} for now", PASSWORD),
    ("README.md", f"Default credentials: **admin** / **{PASSWORD}**", PASSWORD),
    ("notes.md", f"Credentials: deploy / {PASSWORD}", PASSWORD),
    (None, f"Staging creds were ops/{PASSWORD} until the rotation.", PASSWORD),
    # whose it is, then the verb; a key's setting set to a value
    (None, f"The password for the staging VM is `{PASSWORD}` (rotate it).", PASSWORD),
    ("notes.md", f"The token of the deploy bot was {KEY}, now revoked.", KEY),
    (None, f"I set SECRET_KEY to {KEY} in prod, please don't share.", KEY),
    # a label in another script: Russian, Chinese (a full-width colon), Japanese, Korean
    (None, f"пароль: {PASSWORD}", PASSWORD),
    ("docs/deploy.md", f"Пароль от сервера: {PASSWORD}", PASSWORD),
    (None, f"数据库密码：{PASSWORD}", PASSWORD),
    ("README.ja.md", f"パスワード: `{PASSWORD}`", PASSWORD),
    (None, f"비밀번호: {PASSWORD}", PASSWORD),
    # a full-width comma ends the value as a space does
    (None, f"数据库密码：{PASSWORD}，请妥善保管", PASSWORD),
]


@pytest.mark.parametrize(("path", "text", "value"), TOLD)
def test_a_secret_told_in_a_sentence_is_found_and_redacted(
    path: str | None, text: str, value: str
) -> None:
    hits = find_secrets(text, path)
    # A sentence's `.` or `,` after the value is masked with it: a password may end in one.
    assert [text[h.start : h.end].removesuffix(".").removesuffix(",") for h in hits] == [value]
    assert value not in redact(text, path).text


SENTENCES = [
    "The token is invalid or has expired.",
    "I set DB_PASSWORD to the value from the vault.",
    "Reset GITHUB_TOKEN to $NEW_TOKEN after the rotation.",
    "Set the password to something stronger than the default.",
    "We reset the token to zero after each run.",
    "I set the password to expire in 90 days.",
    "The password is stored in Vault, never in this file.",
    "A password is at least 12 characters long.",
    "The default password is admin.",
    "the password is incorrect.",
    "The token is $GITHUB_TOKEN in the workflow.",
    "The password is ${DB_PASSWORD} from the environment.",
    "The key is the user's id; the primary key is user_id.",
    "the password is not_set or correct-horse-battery",
    "The secret is /etc/app/secret.key on the host.",
    "The password is in ~/secrets/db_password.txt on the host.",
    "The password option is --password-file with a path.",
    "The password is <your-password> in the example.",
    f"The cache key is {KEY} here.",  # a cache key is no secret
    f"The request id is {KEY}.",
    f"The object key is uploads/2024/{KEY}.png in the bucket.",  # a storage path
    f"The sort key is {KEY[:12]}.",  # too short for a bare key
    "The idempotency key is 123e4567-e89b-12d3-a456-426614174000.",
    't.Fatalf("Password is incorrect.\\nexpected: %s", want)',
    "Log in with password `<your password>` on first start.",
    "Pass the token `${GITHUB_TOKEN}` to the action.",
    "Store the password `correct-horse-battery` nowhere.",
    "The env var password `DB_PASSWORD` is read at start.",
    "Use the password `--password-stdin` flag.",
    "The password for the admin account: see the vault entry.",
    "Password for the router: changeme",
    "Key of the map: user_id",
    "Mot de passe : voir le coffre-fort",
    "The credentials are user/pass by default.",
    "Credentials: https://vault.internal/v1/secret/app",
    "creds: admin:${ADMIN_PASSWORD}",
    "The password for the account is stored in Vault.",
    "The key of this cache is user_42 for now.",
    "I set the primary key to user_id in the migration.",
    "пароль: ${DB_PASSWORD}",
    "密码：请见保险库",
    "パスワード: 8文字以上",
    "把密码改为：123456，进入 MySQL 命令后执行",  # a weak password, then the sentence
    "* 无密码登陆标示, 0:否,1:是,默认为0",  # "password-less login flag": the label's own text
]


@pytest.mark.parametrize("text", SENTENCES)
def test_a_sentence_about_a_secret_that_tells_none_is_not_flagged(text: str) -> None:
    assert find_secrets(text, "notes.md") == []


# What a user writes to the model (no path): a drawn value right after the secret's name,
# bare or in brackets, and a setting of two words set to its value.
TOLD_WITHOUT_A_PATH = [
    f"Here is the key {KEY}, please rotate it after the demo.",
    f"I pasted the API key ({KEY}) into the config but it still says 401.",
    f"Set the webhook secret to {KEY} in the repo settings.",
]


@pytest.mark.parametrize("text", TOLD_WITHOUT_A_PATH)
def test_a_drawn_value_right_after_its_name_is_masked_without_a_path(text: str) -> None:
    # (masked with the sentence's `,` or `)` after it, as a password may end in one)
    assert [text[h.start : h.end].rstrip(".,;:)") for h in find_secrets(text, None)] == [KEY]
    assert KEY not in redact(text, None).text


@pytest.mark.parametrize(
    "text",
    [
        "Our Secret Santa2024Party is on Friday.",  # one switch of case, words
        "Pass the key K8sCluster01 to kubectl.",
        "The token A1b2C3 is short.",
        "the API key (see docs) is in vault",
        "Bump jsonwebtoken from 8.5.1 to 9.0.0",
    ],
)
def test_words_and_short_values_after_a_secrets_name_are_not(text: str) -> None:
    assert find_secrets(text, None) == []
