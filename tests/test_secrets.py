"""Secret detection and redaction over planted secrets in realistic code.

Every planted value is assembled at run time from a seeded generator, so no string in this
file looks like a live credential to a repository scanner.
"""

from __future__ import annotations

import base64
import json
import random
import string

import pytest

from bot.change.model import DiffLine, Hunk, LineKind
from bot.secrets import MARKER_NOTE, find_secrets, mask, redact, scan
from bot.secrets.paths import is_test_path
from bot.tasks.diff_render import render_hunk

_RNG = random.Random(20240607)
# Substrings the placeholder rules treat as "not a real secret"; planted values avoid them.
_BANNED = ("test", "mock", "fake", "your", "todo", "xxxx", "example", "sample", "dummy")


def rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    while True:
        value = "".join(_RNG.choice(alphabet) for _ in range(n))
        low = value.lower()
        mixed = any(c.isdigit() for c in value) and any(c.isupper() for c in value)
        if not any(b in low for b in _BANNED) and (
            mixed or alphabet in (string.hexdigits[:16], string.digits)
        ):
            return value


def b64url(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


UPPER_DIGITS = string.ascii_uppercase + string.digits
HEX = string.hexdigits[:16]
_URLSAFE = string.ascii_letters + string.digits + "_-"

AWS_ID = "AK" + "IA" + rand(16, UPPER_DIGITS)
AWS_SECRET = rand(20) + "/" + rand(19)
GH = "gh" + "p_" + rand(36)
GH_PAT = "github" + "_pat_" + rand(22) + "_" + rand(59)
GL = "gl" + "pat-" + rand(20)
SLACK = "xo" + "xb-" + rand(10, string.digits) + "-" + rand(10, string.digits) + "-" + rand(24)
GOOGLE = "AI" + "za" + rand(35)
STRIPE = "sk" + "_live_" + rand(24)
OPENAI = "sk" + "-proj-" + rand(48)
ANTHROPIC = "sk" + "-ant-api03-" + rand(90)
# jwt.io's sample token: every maintained detector and labelled suite reports it.
JWT_SAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
    "IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
JWT = ".".join(
    [b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": rand(8), "iat": 1717}), rand(43)]
)
DB_PW = rand(18)
PY_PW = rand(10) + "!#"
YAML_KEY = rand(32)
BEARER = rand(40)
DJANGO_HEX = rand(64, HEX)
PEM_BODY = [rand(64, string.ascii_letters + string.digits + "+/") for _ in range(4)]
BEGIN = "-----BEGIN " + "RSA PRIVATE KEY-----"
END = "-----END " + "RSA PRIVATE KEY-----"
MS_REFRESH = "0.AXEA" + rand(60, _URLSAFE) + ".AgABAAAAAAD" + rand(800, _URLSAFE)

# (path, code, planted value, kind)
PLANTED: list[tuple[str, str, str, str]] = [
    ("app/aws.py", f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\n', AWS_ID, "AWS access key"),
    ("config/aws.yml", f"aws_secret_access_key: {AWS_SECRET}\n", AWS_SECRET, "AWS secret key"),
    (
        "web/src/github.js",
        f'const octokit = new Octokit({{ auth: "{GH}" }});\n',
        GH,
        "GitHub token",
    ),
    ("deploy/release.sh", f"export GH_PAT={GH_PAT}\n", GH_PAT, "GitHub token"),
    (".gitlab-ci.yml", f'variables:\n  GITLAB_TOKEN: "{GL}"\n', GL, "GitLab token"),
    ("internal/notify/slack.go", f'\tslackToken := "{SLACK}"\n', SLACK, "Slack token"),
    (
        "android/src/Maps.java",
        f'    private static final String MAPS = "{GOOGLE}";\n',
        GOOGLE,
        "Google API key",
    ),
    ("billing/charge.rb", f"Stripe.api_key = '{STRIPE}'\n", STRIPE, "Stripe key"),
    (
        "src/llm.ts",
        f'const client = new OpenAI({{ apiKey: "{OPENAI}" }});\n',
        OPENAI,
        "OpenAI API key",
    ),
    (
        "bot/claude.py",
        f'client = anthropic.Anthropic(api_key="{ANTHROPIC}")\n',
        ANTHROPIC,
        "Anthropic API key",
    ),
    ("src/Auth.kt", f'val session = "{JWT}"\n', JWT, "JWT"),
    ("docs/jwt.md", f"Send `Authorization: Bearer {JWT_SAMPLE}`.\n", JWT_SAMPLE, "JWT"),
    (
        ".env",
        f"DATABASE_URL=postgres://app:{DB_PW}@db.internal:5432/app\n",
        DB_PW,
        "password in URL",
    ),
    ("app/settings.py", f'DB_PASSWORD = "{PY_PW}"\n', PY_PW, "password assignment"),
    ("config/service.yaml", f"service:\n  api_key: {YAML_KEY}\n", YAML_KEY, "secret assignment"),
    (
        "docs/run.sh",
        f'curl -H "Authorization: Bearer {BEARER}" https://api.internal/v1\n',
        BEARER,
        "bearer token",
    ),
    ("mysite/settings.py", f"SECRET_KEY = '{DJANGO_HEX}'\n", DJANGO_HEX, "secret assignment"),
    ("app/legacy.py", 'db_password = "swordfish"\n', "swordfish", "password assignment"),
    ("app/admin.py", f'if token == "{BEARER[:24]}":\n', BEARER[:24], "secret assignment"),
    # a Microsoft Entra refresh token is 700-1,300 characters with dots in it: no entropy
    # run sees it whole, and a quoted value was read up to 256 characters only
    ("msal_cache.json", f'  "refresh_token": "{MS_REFRESH}",\n', MS_REFRESH, "secret assignment"),
]

PEM_PY = (
    "def load_key():\n"
    '    pem = """' + BEGIN + "\n" + "\n".join(PEM_BODY) + "\n" + END + '"""\n'
    "    return serialization.load_pem_private_key(pem.encode(), None)\n"
)

# Ordinary code that must not be flagged: placeholders, references, hashes, ids, names.
NOT_SECRETS: list[tuple[str, str]] = [
    # a JWE's encrypted key is ciphertext
    ("src/jwe.ts", f"  encrypted_key: '{rand(43, _URLSAFE)}',\n"),
    ("src/Jwe.java", f'    String encryptedKey = "{rand(64, HEX)}";\n'),
    ("tests/test_users.py", 'user_id = "550e8400-e29b-41d4-a716-446655440000"\n'),
    ("tests/test_users.py", "token = str(uuid.uuid4())\n"),
    (
        "requirements.txt",
        "requests==2.32.3 --hash=sha256:"
        "70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6\n",
    ),
    (
        "web/package-lock.json",
        '      "integrity": "sha512-'
        + "v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs"
        + '17LhbZVGedAJv8XZ1tvj5FvSg==",\n',
    ),
    (
        "app/digest.py",
        'EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\n',
    ),
    ("tests/test_codec.py", 'payload = "aGVsbG8gd29ybGQ="\n'),
    ("app/db.py", 'password = os.environ["PW"]\n'),
    ("config/app.yml", "api_key: ${API_KEY}\n"),
    ("docs/setup.md", "Set `OPENAI_API_KEY=sk-...` in your shell.\n"),
    ("README.md", "export OPENAI_API_KEY=sk-your-key-here\n"),
    ("app/settings.py", 'ADMIN_PASSWORD = "changeme"\n'),
    ("app/settings.py", 'API_KEY = "<your-key>"\n'),
    ("app/settings.py", 'token = "xxxxxxxxxxxxxxxxxxxx"\n'),
    ("app/settings.py", 'password = ""\n'),
    ("app/models.py", "    password: str\n"),
    ("src/types.ts", "  apiKey: string;\n"),
    ("app/oauth.py", 'token_url = "https://auth.internal/oauth/token"\n'),
    ("bot/config.py", 'api_key_env = "OPENAI_API_KEY"\n'),
    ("bot/tokens.py", 'tokenizer = "cl100k_base"\n'),
    ("bot/tokens.py", "max_tokens = 4096\n"),
    ("tests/test_auth.py", 'fake_token = "abc123def456ghi789jkl"\n'),
    ("docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
    ("app/login.py", "password = get_password()\n"),
    ("app/conf.py", "secret = settings.SECRET_KEY\n"),
    ("tests/test_git.py", 'commit = "9fceb02d0ae598e95dc970b74767f19372d61af8"\n'),
    ("pygments/styles/dark.py", "    Token: '#d0d0d0',\n"),
    # a measure printed under a name that reads as a password's: a pass@k rate
    ("eval/report.txt", "Pass@5: 80.92%\n"),
    ("app/keys.py", 'if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n'),
    # shaped like a JWT, but its header is cut short (no closing brace) or typed over
    ("docs/jwt.md", f"{JWT_SAMPLE.replace('XVCJ9.', 'XVCJ.')}\n"),
    ("docs/jwt.md", f"{JWT_SAMPLE.replace('GciOiJIUz', 'asdGciOiJIUaddasdz')}\n"),
    ("docker-compose.yml", "      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app\n"),
    ("web/spinner.css", ".sk-spinner-double-bounce-container { display: flex; }\n"),
    (
        "app/users.py",
        'password_hash = "$2b$12$'
        + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
        + '"\n',
    ),
    ("app/forms.py", 'password_label = "Enter the password you chose"\n'),
    ("app/errors.py", 'INVALID_TOKEN = "Invalid token provided"\n'),
    ("scanner/rules.py", "secret = r'([a-zA-Z0-9_\\-]{44}(?![a-zA-Z0-9_\\-]))'\n"),
    ("sqlalchemy/engine.py", 'url = "postgresql://scott:tiger@localhost/test"\n'),
    ("nacl/bindings.py", 'name = "crypto_scalarmult_ed25519_SCALARBYTES"\n'),
    ("jinja2/compiler.py", 'if pass_arg == "environment":\n'),
    ("jinja2/lexer.py", 'TOKEN_LINECOMMENT: "comment",\n'),
    ("sqlalchemy/orm/registry.py", '_DEFAULT_TOKEN = "_sa_default"\n'),
    ("tests/test_config.py", 'environ = {"OPENAI_API_KEY": "sk-secret"}\n'),
    ("tests/test_ledger.py", 'url = "postgresql://bot:hunter2@db.internal:5432/switchyard"\n'),
    ("tests/test_ledger.py", 'url = "postgresql://bot:pw123@db/sy"\n'),
    ("bot/secrets/patterns.py", '    "GitHub token": "github-token",\n'),
    (
        "pydantic/types.py",
        "m = Model(b64='VGhlc2UgYXJlbid0IHRoZSBkcm9pZHMgeW91J3JlIGxvb2tpbmcgZm9y')\n",
    ),
    (
        "app/alphabet.py",
        'CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"\n',
    ),
]


@pytest.mark.parametrize(("path", "code", "value", "kind"), PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_secret_is_found_with_its_exact_span(
    path: str, code: str, value: str, kind: str
) -> None:
    hits = find_secrets(code, path)
    assert [(h.kind, code[h.start : h.end]) for h in hits] == [(kind, value)]
    hit = hits[0]
    assert hit.line == code[: hit.start].count("\n") + 1
    assert value not in repr(hit) and value not in str(hit)


@pytest.mark.parametrize(
    ("path", "code"), NOT_SECRETS, ids=[f"{p}:{c[:30]}" for p, c in NOT_SECRETS]
)
def test_ordinary_code_is_not_flagged(path: str, code: str) -> None:
    assert find_secrets(code, path) == []
    if not is_test_path(path):
        # nor when the path is unknown; in tests, weak passwords are fixtures only there
        assert find_secrets(code) == []


def test_planted_secrets_in_one_prompt_are_all_redacted() -> None:
    prompt = "".join(f"### {path} (modified)\n{code}\n" for path, code, _, _ in PLANTED) + PEM_PY
    red = redact(prompt)
    for _, _, value, _ in PLANTED:
        assert value not in red.text
    for body in PEM_BODY:
        assert body not in red.text
    assert prompt.count("\n") == red.text.count("\n")
    assert red.count >= len(PLANTED) + 1
    assert "[REDACTED:github-token#1]" in red.text and "[REDACTED:github-token#2]" in red.text
    assert "[REDACTED:private-key#1]" in red.text
    # the scan over the same text reports the same secrets, values nowhere in the hits
    hits = scan(prompt)
    text_of_hits = repr(hits) + str(hits)
    assert all(value not in text_of_hits for _, _, value, _ in PLANTED)


def test_same_value_gets_the_same_marker_and_markers_are_stable() -> None:
    other = "gh" + "p_" + rand(36)
    code = (
        f'PRIMARY = "{GH}"\n'
        f'BACKUP = "{other}"\n'
        f'headers = {{"Authorization": "token {GH}"}}\n'
        f"check({GH})\n"
    )
    red = redact(code)
    lines = red.text.splitlines()
    assert lines[0] == 'PRIMARY = "[REDACTED:github-token#1]"'
    assert lines[1] == 'BACKUP = "[REDACTED:github-token#2]"'
    assert lines[2] == 'headers = {"Authorization": "token [REDACTED:github-token#1]"}'
    assert lines[3] == "check([REDACTED:github-token#1])"
    assert red.count == 4
    assert red.markers == ("[REDACTED:github-token#1]", "[REDACTED:github-token#2]")
    assert redact(code) == red


def test_a_value_found_once_is_redacted_where_it_repeats_without_its_name() -> None:
    code = f'db_password = "{PY_PW}"\nconnect(user="app", pw="{PY_PW}")\n'
    red = redact(code, "app/db.py")
    assert PY_PW not in red.text
    assert red.text.count("[REDACTED:password#1]") == 2


def test_values_found_where_the_text_came_from_are_redacted_where_they_stand() -> None:
    """The file scan saw a key whose body lines a hunk shows bare; given those values,
    redaction takes them out, each use on its own, and leaves a longer word that holds
    one, and a value too short to tell from a word, alone."""
    line = PEM_BODY[1]
    hunk = f" 14 | {line}\n 15 + {line}AB\n 16 | x = {PY_PW}\n 17 | Zq8w\n"
    red = redact(hunk, "deploy/values.yaml", known={line: "private-key", "Zq8w": "private-key"})
    assert red.text.splitlines()[0] == " 14 | [REDACTED:private-key#1]"
    assert red.text.splitlines()[1:] == hunk.splitlines()[1:]
    assert redact(hunk, "deploy/values.yaml").text == hunk


def test_uses_found_by_search_are_the_patterns_uses() -> None:
    """`use_spans` (str.find, for speed) gives the spans the regex `uses_of` gives: a use
    apart from the word before it or after an escaped `\\n`, and not inside a longer word;
    over short texts of the characters that decide it."""
    from bot.secrets.redact import use_spans, uses_of

    rng = random.Random(11)
    for _ in range(20_000):
        value = "".join(rng.choice("ab1\\n_") for _ in range(rng.randint(1, 4)))
        text = "".join(rng.choice("ab1\\nrt _-='\"\n") for _ in range(rng.randint(0, 30)))
        expected = [m.span() for m in uses_of(value).finditer(text)]
        assert list(use_spans(text, value)) == expected, (value, text)


def test_private_key_block_keeps_every_line() -> None:
    red = redact(PEM_PY, "app/keys.py")
    before, after = PEM_PY.splitlines(), red.text.splitlines()
    assert len(before) == len(after)
    assert after[0] == before[0]
    assert after[1] == '    pem = """[REDACTED:private-key#1]'
    assert after[2:6] == ["[REDACTED:private-key#1]"] * 4
    assert after[6] == '[REDACTED:private-key#1]"""'
    assert after[7] == before[7]
    (hit,) = find_secrets(PEM_PY, "app/keys.py")
    assert (hit.kind, hit.line, hit.end_line, len(hit.parts)) == ("private key", 2, 7, 6)
    assert PEM_PY[hit.start : hit.end].startswith(BEGIN)
    assert PEM_PY[hit.start : hit.end].endswith(END)


def test_a_key_block_cut_off_by_the_hunk_is_still_redacted() -> None:
    code = "key: |\n  " + BEGIN + "\n  " + "\n  ".join(PEM_BODY[:2]) + "\nnext: 1\n"
    red = redact(code, "deploy/values.yaml")
    assert all(body not in red.text for body in PEM_BODY[:2])
    assert red.text.splitlines()[-1] == "next: 1"


def test_a_hunk_that_opens_inside_a_key_block_hides_the_keys_last_lines() -> None:
    """A change just below a key (a setting after it in YAML, a certificate appended to a
    bundle) shows the key's last lines and its END line as context, its BEGIN line outside
    the hunk. The body's short last line does not stop the block."""
    tail = [*PEM_BODY[1:], rand(11) + "="]
    hunk = Hunk(old_start=20, old_len=5, new_start=20, new_len=6, section="")
    hunk.lines = [
        *(DiffLine(LineKind.CONTEXT, 20 + i, 20 + i, "    " + t) for i, t in enumerate(tail)),
        DiffLine(LineKind.CONTEXT, 24, 24, "    " + END),
        DiffLine(LineKind.ADDED, None, 25, "  port: 8443"),
    ]
    rendered = "### deploy/values.yaml (modified)\n" + render_hunk(hunk)
    (hit,) = find_secrets(rendered)
    assert hit.kind == "private key"
    red = redact(rendered).text
    assert not any(line in red for line in tail)
    assert red.splitlines()[-1].endswith("|   port: 8443")
    assert len(red.splitlines()) == len(rendered.splitlines())


def test_a_hunk_that_cuts_a_key_block_past_its_headers_hides_the_body() -> None:
    """An encrypted PEM key's headers and a PGP block's, and the blank line after them,
    stand between the BEGIN line and the body; a PGP block's checksum line between the
    body and its END line. A hunk that shows the armour with a few lines of the body on
    either side hides those lines."""
    pem_head = [
        BEGIN,
        "Proc-Type: 4,ENCRYPTED",
        "DEK-Info: AES-128-CBC," + rand(32, HEX).upper(),
        "",
        *PEM_BODY[:2],
    ]
    pgp_tail = [*PEM_BODY[2:], rand(8) + "=", "=" + rand(4), "-----END PGP PRIVATE KEY BLOCK-----"]
    for path, shown, body in (
        ("tests/fixtures/client-enc.key", pem_head, PEM_BODY[:2]),
        ("spec/support/gpg_keys.rb", pgp_tail, PEM_BODY[2:]),
    ):
        rows = "\n".join(f"{i + 1:>5} {i + 1:>5}   | {line}" for i, line in enumerate(shown))
        prompt = f"### {path} (modified)\n@@ -1,5 +1,6 @@\n" + rows
        red = redact(prompt).text
        assert not any(line in red for line in body), path
        assert [h.kind for h in find_secrets(prompt)] == ["private key"], path


def test_a_hunk_showing_only_the_end_of_a_putty_or_openvpn_key_hides_its_lines() -> None:
    """A PuTTY file's private lines end at its `Private-MAC:` line and an OpenVPN static
    key at its END line; a hunk opening inside either shows neither's first line, which was
    what told the scan to look for one at all."""
    ppk_tail = [*PEM_BODY[2:], rand(20) + "=="]
    ovpn_tail = [rand(32, HEX).lower() for _ in range(4)]
    for path, body, end in (
        ("deploy/id_rsa.ppk", ppk_tail, "Private-MAC: " + rand(40, HEX).lower()),
        ("vpn/client.ovpn", ovpn_tail, "-----END OpenVPN Static key V1-----"),
    ):
        rows = "\n".join(f"{i + 20:>5} {i + 20:>5}   | {line}" for i, line in enumerate(body))
        prompt = f"### {path} (modified)\n@@ -20,5 +20,6 @@\n{rows}\n{24:>5} {24:>5}   | {end}"
        red = redact(prompt).text
        assert not any(line in red for line in body), path


def test_an_ssh_com_private_key_is_found_and_its_public_key_is_not() -> None:
    """RFC 4716's armour, four dashes and spaces: SSH Communications' (Tectia) private key,
    which PuTTYgen exports as "ssh.com", whole and as a hunk shows its end; the same
    armour around a public key is no secret."""
    body = [rand(70, string.ascii_letters + string.digits + "+/") for _ in range(10)]
    begin, end = (
        "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
        "---- END SSH2 ENCRYPTED PRIVATE KEY ----",
    )
    key = "\n".join([begin, 'Comment: "rsa-key-20240102"', *body, end]) + "\n"
    for path, text, shown in (
        ("keys/deploy.ssh2", key, body),
        ("keys/deploy.ssh2", "\n".join([*body[6:], end, ""]), body[6:]),
    ):
        (hit,) = find_secrets(text, path)
        assert hit.kind == "private key"
        red = redact(text, path).text
        assert not any(line in red for line in shown)
    public = "\n".join(["---- BEGIN SSH2 PUBLIC KEY ----", 'Comment: "deploy"', *body[:5]])
    assert find_secrets(public + "\n---- END SSH2 PUBLIC KEY ----\n", "keys/deploy.pub") == []


def test_an_end_line_alone_is_no_key() -> None:
    """Code that checks for a key's armour, and prose that shows where one ends, hold an
    END line with no body above it."""
    for path, text in (
        ("app/keys.py", 'if pem.rstrip().endswith("-----END RSA PRIVATE KEY-----"):\n'),
        ("docs/putty.md", "The MAC line reads `Private-MAC: 5d8268e68b7a5ca0f7cca99009cc1524`.\n"),
        ("docs/keys.md", "The file ends with this line:\n\n    -----END RSA PRIVATE KEY-----\n"),
    ):
        assert find_secrets(text, path) == [], path


def test_redaction_keeps_the_rendered_diff_columns() -> None:
    hunk = Hunk(old_start=10, old_len=2, new_start=10, new_len=3, section="def connect():")
    hunk.lines = [
        DiffLine(LineKind.CONTEXT, 10, 10, "def connect():"),
        DiffLine(LineKind.REMOVED, 11, None, "    token = os.environ['GH']"),
        DiffLine(LineKind.ADDED, None, 11, f'    token = "{GH}"'),
        DiffLine(LineKind.ADDED, None, 12, f'    slack = "{SLACK}"'),
    ]
    rendered = "### app/conn.py (modified, python)\n" + render_hunk(hunk)
    red = redact(rendered)
    old_rows, new_rows = rendered.splitlines(), red.text.splitlines()
    assert len(old_rows) == len(new_rows)
    for old, new in zip(old_rows[2:], new_rows[2:], strict=True):
        assert old.split("|", 1)[0] == new.split("|", 1)[0]
    assert new_rows[4].endswith('token = "[REDACTED:github-token#1]"')
    assert new_rows[5].endswith('slack = "[REDACTED:slack-token#1]"')


def test_mask_has_no_numbers_and_leaves_clean_text_alone() -> None:
    line = f"calling with {GH} and {STRIPE}"
    assert mask(line) == "calling with [REDACTED:github-token] and [REDACTED:stripe-key]"
    assert mask("nothing to see here") == "nothing to see here"
    assert redact("plain = 1\n").changed is False


def test_file_headers_give_each_part_its_path() -> None:
    # Unquoted values count in config files only; the header says which file this is.
    value = rand(16)
    prompt = f"### app/main.py (modified)\nprint(1)\n### .env (added)\nAPI_TOKEN={value}\n"
    assert value not in redact(prompt).text
    assert redact(f"api_token = {value}\n", "app/main.py").count == 0


def test_marker_note_explains_the_marker() -> None:
    assert "[REDACTED:" in MARKER_NOTE
    assert "Switchyard" in MARKER_NOTE
    assert "real secret" in MARKER_NOTE
    assert "finding" in MARKER_NOTE
    assert "Never write a marker into a suggestion" in MARKER_NOTE


def test_test_files_tolerate_random_strings_but_not_real_tokens() -> None:
    blob = rand(40)
    assert find_secrets(f'expected = "{blob}"\n', "tests/test_codec.py") == []
    assert [h.kind for h in find_secrets(f'expected = "{blob}"\n', "app/codec.py")] == [
        "high-entropy string"
    ]
    assert [h.kind for h in find_secrets(f'CLIENT = "{GH}"\n', "tests/test_api.py")] == [
        "GitHub token"
    ]


def test_detect_secrets_plugins_cover_the_long_tail() -> None:
    sendgrid = "SG." + rand(22) + "." + rand(43)
    hits = find_secrets(f'SENDGRID = "{sendgrid}"\n', "app/mail.py")
    # detect-secrets' SendGridDetector and gitleaks' sendgrid-api-token both know the format;
    # one hit over the whole value, from either.
    assert [(h.start, h.end) for h in hits] == [(12, 12 + len(sendgrid))]
    assert hits[0].detector in {"SendGridDetector", "gitleaks:sendgrid-api-token"}
    assert hits[0].slug in {"sendgrid-api-key", "sendgrid-api-token"}


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        # Discord's third part grew from 27 characters to 38; detect-secrets' pattern takes 27
        ("Discord Bot Token", "MTAy" + rand(20) + "." + rand(6) + "." + rand(38)),
        # a run longer than SendGrid's format: whatever it is, not a third of it left out
        ("SendGrid API Key", "SG." + rand(22) + "." + rand(50)),
        # gitleaks' rules stop at their format's length
        ("shopify access token", "shpat_" + rand(40, string.hexdigits[:16])),
        ("twilio api key", "SK" + rand(40, string.hexdigits[:16])),
    ],
)
def test_a_format_match_inside_a_longer_run_is_redacted_whole(kind: str, value: str) -> None:
    text = f"see {value} here\n"
    hits = find_secrets(text, "notes/run.txt")
    assert [(h.kind, text[h.start : h.end]) for h in hits] == [(kind, value)]
    assert value[-12:] not in redact(text, "notes/run.txt").text


LONG = rand(2000, string.ascii_letters + string.digits + "+/")  # an ECR login's length


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("ci/push.sh", "docker login -u AWS -p {v} 1234.dkr.ecr.eu-west-1.amazonaws.com"),
        ("ci/push.sh", "docker login -u AWS -p '{v}' registry"),
        ("notes/db.txt", "jdbc:sqlserver://db;user=app;password={v};"),
        ("notes/db.txt", "https://db.internal/x?user=app&password={v}&ssl=1"),
        ("home/.netrc", "machine git.corp login ci password {v}"),
        ("app/config.py", "TOKEN = os.getenv('TOKEN', '{v}')"),
        ("app/config.py", 'API_TOKEN = "{v}"'),
        ("db/init.sql", "CREATE USER app IDENTIFIED BY '{v}';"),
        # a URL's userinfo holds no `/`: a URL-safe token there
        ("notes/clone.txt", "git clone https://oauth2:{u}@gitlab.corp/app.git"),
        # each of these read at most 256 characters once, and missed a longer value whole
        ("conf/settings.xml", "<apiToken>{v}</apiToken>"),
        ("conf/app.yml", "api_tokens:\n  - {v}\n"),
        ("conf/app.yml", 'api_tokens:\n  - "{v}"\n'),
        ("app/config.py", 'API_TOKENS = ["{v}"]'),
        ("conf/app.ini", "password = [{v}"),
        ("k8s/secret.yml", "stringData:\n  api-token: |\n    {v}\n"),
        ("ci/deploy.sh", "deploy --api-token {v} --env prod"),
        ("notes/run.txt", "Using token {v} for the upload"),
        ("app/auth.py", 'if password == "{v}":'),
        ("k8s/deploy.yml", "env:\n  - name: API_TOKEN\n    value: {v}\n"),
        ("app/db.go", 'db, _ := sql.Open("mysql", "app:{v}@tcp(db:3306)/app")'),
    ],
)
def test_a_long_value_is_redacted_whole_wherever_it_is_written(path: str, template: str) -> None:
    value = LONG.replace("/", "_").replace("+", "-") if "{u}" in template else LONG
    text = template.replace("{v}", value).replace("{u}", value)
    start = text.index(value)
    covered: set[int] = set()
    for hit in find_secrets(text, path):
        covered.update(range(max(hit.start, start), min(hit.end, start + len(value))))
    assert len(covered) == len(value)


def test_an_answer_quoting_a_secret_is_masked_even_in_a_field_at_its_limit() -> None:
    """A model may quote a secret from its prompt; the answer keeps its shape (a title at
    its 200-character limit stays valid) and loses the value."""
    from bot.providers.base import Completion, CompletionRequest, Message, Usage
    from bot.routing.dispatch import _masked
    from bot.tasks.review import ReviewAnswer

    prompt = f'### app/settings.py (modified)\n 12 | DB_PASSWORD = "{PY_PW}"\n'
    title = ("x" * (200 - len(PY_PW) - 1)) + " " + PY_PW
    answer = ReviewAnswer.model_validate(
        {
            "summary": f"Uses {GH} and {PY_PW}.",
            "findings": [
                {"path": "app/settings.py", "line": 12, "severity": "major",
                 "category": "security", "title": title, "body": f"`{PY_PW}` is live"}
            ],
        }
    )  # fmt: skip
    done = Completion(
        text=answer.model_dump_json(),
        parsed=answer,
        usage=Usage(),
        latency_s=0.0,
        target="local",
        model="qwen",
        structured_mode="json_schema",
    )
    request = CompletionRequest(
        messages=[Message("system", "review"), Message("user", prompt)],
        response_model=ReviewAnswer,
        schema_name="review",
        max_output_tokens=100,
    )
    clean = _masked(done, request)
    everything = clean.text + clean.parsed.model_dump_json()  # type: ignore[union-attr]
    assert PY_PW not in everything and GH not in everything
    assert len(clean.parsed.findings[0].title) <= 200  # type: ignore[union-attr]
