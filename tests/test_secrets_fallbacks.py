"""A literal an expression falls back to under a secret's name (bot/secrets/fallbacks.py):
`x || '…'`, `x ?? '…'`, `x or '…'`, `x ?: '…'`, a condition's last branch, Optional's
`orElse("…")`, Terraform's `coalesce`, `try` and `lookup`, a configuration reader's
default. The literal is the secret wherever the value is unset, so it must be masked as
the same literal assigned directly is. Values are drawn at run time."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, mask

_RNG = random.Random("fallbacks")
V = "".join(_RNG.choice(string.ascii_letters) for _ in range(10)) + "7Kq2"

FOUND = [
    # operators: JavaScript, C#, PowerShell 7, Python, Kotlin and PHP
    ("src/db.js", f"const password = config.get('db.password') ?? '{V}';"),
    ("src/db.js", f"  password: opts.password || '{V}',"),
    ("Db.cs", f'var dbPassword = settings.DbPassword ?? "{V}";'),
    ("deploy.ps1", f"$password = $env:DB_PASSWORD ?? '{V}'"),
    ("app/db.py", f"password = settings.get('db_password') or '{V}'"),
    ("Db.kt", f'val apiToken = props["api.token"] ?: "{V}"'),
    # a condition's last branch: ternary, Python's and PowerShell's else
    ("src/db.js", f"const secret = process.env.SECRET ? process.env.SECRET : '{V}';"),
    ("app/db.py", f"password = os.environ['PW'] if 'PW' in os.environ else '{V}'"),
    (
        "deploy.ps1",
        f"$dbPassword = if ($env:DB_PASSWORD) {{ $env:DB_PASSWORD }} else {{ '{V}' }}",
    ),
    # Optional, Option
    (
        "Db.java",
        f'private static final String password = Optional.ofNullable(System.getenv("PW"))'
        f'.orElse("{V}");',
    ),
    ("db.rs", f'let token = cfg.token.clone().unwrap_or("{V}".to_string());'),
    # Terraform's functions
    ("main.tf", f'  password = coalesce(var.db_password, "{V}")'),
    ("main.tf", f'  db_password = try(var.settings.db_password, "{V}")'),
    ("main.tf", f'  api_token = lookup(var.tokens, "api", "{V}")'),
    # a reader's default, named by the assignment or by the key it reads
    ("app/db.py", f"password = cfg.get('db', 'password', fallback='{V}')"),
    ("app/db.py", f"conn = connect(user='app', password=settings.get('DB_PASSWORD', '{V}'))"),
    ("app/Prefs.java", f'String key = prefs.getString("api_key", "{V}");'),
    # a diff's line
    ("app/db.py", f"+password = settings.get('db_password') or '{V}'  # local runs"),
]


@pytest.mark.parametrize(("path", "line"), FOUND)
def test_a_literal_a_secret_falls_back_to_is_found_and_masked(path: str, line: str) -> None:
    text = f"{line}\n"
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [V]
    assert V not in mask(text, path)


LOOK_ALIKES = [
    # no literal to fall back to, or an empty one
    'password = args.password or getpass.getpass("Password: ")',
    "token = token || '';",
    "const secret = process.env.SECRET || crypto.randomBytes(32).toString('hex');",
    'password = data.get("password", "").strip()',
    '  password = try(random_password.db.result, "")',
    # placeholders, sentinels, words, a prompt
    "const password = opts.password || 'changeme';",
    "const token = req.headers.authorization?.split(' ')[1] || 'anonymous';",
    "password: isRequired ? 'required' : 'optional',",
    'password_prompt = msg or "Enter your password:"',
    'token = cache.get(user_id) or "guest"',
    # a name in camel case under a key's name, as gitleaks' generic rule lets it through
    "export const MINIO_SECRET_KEY = process.env.MINIO_SECRET_KEY || 'defaultSecret';",
    "export const MINIO_SECRET_KEY = config.minio?.secretKey ?? 'defaultSecret';",
    # names that say no secret, or values that say what they are
    "const label = x || 'Password';",
    'token_type = resp.get("token_type", "Bearer")',
    'token_url = cfg.get("token_url", "https://auth.example.com/token")',
    'keyfile = opts.get("keyfile", "~/.ssh/id_ed25519")',
    'var tokenName = options.TokenName ?? "X-CSRF-TOKEN";',
    "const tokenKey = config.tokenKey ?? 'access_token';",
    'key_type = kwargs.get("key_type", "RSA")',
    'token_cookie = settings.get("TOKEN_COOKIE_NAME", "auth_token")',
]


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_what_is_no_secret_a_value_falls_back_to_is_not_flagged(line: str) -> None:
    assert find_secrets(f"{line}\n", "src/app.py") == []


@pytest.mark.parametrize(
    ("path", "line", "written"),
    [
        # PowerShell writes a quote twice inside single quotes; JavaScript escapes it
        ("deploy.ps1", "$password = $env:DB_PASSWORD ?? '{w}'", f"{V[:6]}''{V[6:]}"),
        ("src/db.js", "const password = opts.password || '{w}';", f"{V[:6]}\\'{V[6:]}"),
    ],
)
def test_a_fallback_with_a_quote_inside_is_masked_whole(path: str, line: str, written: str) -> None:
    text = line.format(w=written) + "\n"
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [written]
    assert V[6:] not in mask(text, path)
