"""A cloud key's secret written just after its key ID, under no name of its own
(bot/secrets/key_pairs.py): s3fs' password file, a table's row, a command's two
arguments, a client's constructor. The ID is useless without the secret; masking the ID
alone sent the secret."""

from __future__ import annotations

import pytest

from bot.secrets.detect import find_secrets
from bot.secrets.redact import redact

KEY_ID = "AKIAQ3EGRTNX5WPK7L2M"
SECRET = "q8Zr4Tn1Vb7Yc2Hs9Kd5Wf3Lp6Xj0Mg4Ea8Ru1Ni"

FOUND = [
    (".passwd-s3fs", "{i}:{s}\n"),  # s3fs' `ACCESS_KEY_ID:SECRET_ACCESS_KEY`
    ("etc/passwd-s3fs", "media-bucket:{i}:{s}\n"),  # the same, for one bucket
    ("docs/setup.md", "| deploy | {i} | {s} |\n"),
    ("docs/setup.md", "Access key: `{i}`\nSecret: `{s}`\n"),  # over a line break
    ("notes.txt", "{i} {s}\n"),
    ("ops/creds.ps1", "Set-AWSCredential -AccessKey {i} -SecretKey {s} -StoreAs default\n"),
    ("src/upload.py", 'boto3.client("s3", "us-east-1", "{i}", "{s}")\n'),
    ("src/s3.js", "const creds = new AWS.Credentials('{i}', '{s}');\n"),
    ("store/s3.go", 'credentials.NewStaticCredentials("{i}", "{s}", "")\n'),
    # the secret's value may hold `/` and `+`
    ("notes.txt", "{i}:{s_slash}\n"),
]


# Alibaba Cloud's AccessKey (`LTAI` and 20, its secret 30), Tencent Cloud's SecretId
# (`AKID` and 32, its SecretKey 32) and a Google OAuth client's ID and secret (24), made
# up in their shapes.
ALIBABA_ID, ALIBABA_SECRET = "LTAIUZKC97i4xgciFnq9RBXO", "2tAG1yKwILALo5vR67b2rMQSkVw0nE"
GOOGLE_ID = "731846250913-k2q9v7x4m1n8b5c3z6w0r4t7y2u9i5o3.apps.googleusercontent.com"
GOOGLE_SECRET = "Zq4xW9pL2mK7vB3nR8tY5sJ1"
TENCENT_ID, TENCENT_SECRET = (
    "AKIDpLIix6MEOLeMa61EqJomTEI1JEzO3joO",
    "j37HyVaQXekW9bTz4uRdGp2LsNc8Ym5F",
)
_SECRETS = {ALIBABA_ID: ALIBABA_SECRET, TENCENT_ID: TENCENT_SECRET, GOOGLE_ID: GOOGLE_SECRET}
OTHER_CLOUDS = [
    ("src/oss.py", f'client = AcsClient("{ALIBABA_ID}", "{ALIBABA_SECRET}", "cn-hangzhou")'),
    ("deploy/ossutil.txt", f"{ALIBABA_ID}:{ALIBABA_SECRET}"),
    ("src/cvm.py", f'cred = credential.Credential("{TENCENT_ID}", "{TENCENT_SECRET}")'),
    ("docs/keys.md", f"SecretId: {TENCENT_ID}\nSecretKey: {TENCENT_SECRET}"),
    # a Google OAuth client's ID and its unprefixed secret, as a call's two arguments
    ("app/auth.py", f'flow = OAuth2WebServerFlow("{GOOGLE_ID}", "{GOOGLE_SECRET}", scope)'),
]


@pytest.mark.parametrize(("path", "text"), OTHER_CLOUDS)
def test_other_clouds_secrets_after_their_ids_are_masked(path: str, text: str) -> None:
    secret = next(v for k, v in _SECRETS.items() if k in text)
    assert secret in [text[h.start : h.end] for h in find_secrets(text + "\n", path)]
    assert secret[:8] not in redact(text + "\n", path).text


@pytest.mark.parametrize(("path", "text"), FOUND)
def test_a_secret_key_after_its_key_id_is_masked_whole(path: str, text: str) -> None:
    secret = SECRET[:10] + "/" + SECRET[11:20] + "+" + SECRET[21:]
    value = secret if "{s_slash}" in text else SECRET
    text = text.format(i=KEY_ID, s=SECRET, s_slash=secret)
    hits = {text[h.start : h.end]: h.kind for h in find_secrets(text, path)}
    assert hits.get(value) == "AWS secret key"
    assert KEY_ID in hits
    sent = redact(text, path).text
    assert value[:8] not in sent and value[-8:] not in sent


NOT_A_SECRET = [
    # AWS' documented example pair, and an example ID beside a drawn value
    ("AKIAIOSFODNN7EXAMPLE ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AKIAIOSFODNN7EXAMPLE:", "q8Zr4Tn1Vb7Yc2Hs9Kd5Wf3Lp6Xj0Mg4Ea8Ru1Ni"),
    # a commit's id, a path, a run of one letter after the ID: no key drawn from base64
    (f"rotated {KEY_ID} in ", "3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1"),
    (f"{KEY_ID} ", "/usr/local/share/something/abc/defgh/ijk"),
    (f"{KEY_ID} ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    # an MD5 after a Tencent SecretId, a word run after an Alibaba ID
    (f"{TENCENT_ID} ", "d41d8cd98f00b204e9800998ecf8427e"),
    (f"{ALIBABA_ID} ", "configurationmanagementsetting"),
    # Google's domain with no client ID before it
    ("see https://apps.googleusercontent.com and ", "Zq4xW9pL2mK7vB3nR8tY5sJ1"),
]


@pytest.mark.parametrize(("head", "follower"), NOT_A_SECRET)
def test_what_follows_a_key_id_is_not_masked_unless_drawn_like_a_key(
    head: str, follower: str
) -> None:
    text = head + follower + "\n"
    assert follower not in [text[h.start : h.end] for h in find_secrets(text, "notes.txt")]
