"""A password with symbols, written as its file's syntax writes it, is masked whole.

A generated password holds quotes, spaces, brackets and `=`; each syntax writes them its
own way (`''` in YAML, `'\\''` in a shell, `&quot;` in an XML attribute, to the `;` in a
connection string, to the line's end in a properties file). Masked only to where the
value's first such character stood, the rest of it was sent to the model.
"""

from __future__ import annotations

import random

import pytest

from bench.secrets_drawn import WRITTEN_PLACES, draw_inner_spaced, written_masked
from bot.secrets import find_secrets, redact


def _masked_spans(text: str, path: str) -> set[int]:
    return {i for h in find_secrets(text, path) for s, e in h.parts for i in range(s, e)}


@pytest.mark.parametrize(
    ("path", "text", "written"),
    [
        # YAML's single-quoted scalar doubles a quote
        ("config.yml", "db_password: 'Xk9''Qv7!mZ2p'\n", "Xk9''Qv7!mZ2p"),
        ("config.yml", "db_password: 'Mtl8lH.fxPs)2QtpxBHsim'''\n", "Mtl8lH.fxPs)2QtpxBHsim''"),
        (
            "docker-compose.yml",
            "    environment:\n      POSTGRES_PASSWORD: 'q3[x2oC''U{Ovuj'\n",
            "q3[x2oC''U{Ovuj",
        ),
        # a backslash escapes nothing in YAML's single quotes: `\''` is a backslash and a quote
        ("config.yml", "db_password: 'wG9tHvr/\\''74&0TZ'\n", "wG9tHvr/\\''74&0TZ"),
        # a shell closes the string, writes a quote, and opens it again
        ("deploy.sh", "export DB_PASSWORD='ODH_Ag(M]'\\''9zQ'\n", "ODH_Ag(M]'\\''9zQ"),
        ("deploy.sh", "export DB_PASSWORD='ACMzP5'\"'\"'OWyE8_.jW6'\n", "ACMzP5'\"'\"'OWyE8_.jW6"),
        # PowerShell doubles it too
        ("setup.ps1", "$DbPassword = 'K0tY&|~iII3''Rk8'\n", "K0tY&|~iII3''Rk8"),
        # a command's or a construct's quoted argument, the same ways
        ("deploy.sh", "mysql -u root -p'Xk9'\\''Qv7!mZ2p' app\n", "Xk9'\\''Qv7!mZ2p"),
        ("deploy.sh", "docker login -u bob -p 'Xk9'\\''Qv7!mZ2p' reg\n", "Xk9'\\''Qv7!mZ2p"),
        ("deploy.sh", "curl -u admin:'Xk9'\\''Qv7!mZ2p' https://ci.internal\n", "Xk9'\\''Qv7!mZ2p"),
        ("k8s.yaml", "  - name: DB_PASSWORD\n    value: 'Xk9''Qv7!mZ2p'\n", "Xk9''Qv7!mZ2p"),
        (
            "setup.ps1",
            "$pw = ConvertTo-SecureString 'Xk9''Qv7!mZ2p' -AsPlainText -Force\n",
            "Xk9''Qv7!mZ2p",
        ),
        # C#'s verbatim string doubles `"`; Objective-C's `@"…"`, Visual Basic's `As String`
        ("src/Db.cs", 'var password = @"Xk9""Qv7!mZ2p";\n', 'Xk9""Qv7!mZ2p'),
        ("src/Db.m", 'password = @"Xk9Qv7!mZ2p";\n', "Xk9Qv7!mZ2p"),
        ("src/Db.vb", 'Dim password As String = "Xk9""Qv7!mZ2p"\n', 'Xk9""Qv7!mZ2p'),
        # Rust's and Swift's raw strings close only with their hashes
        ("src/main.rs", 'let password = r#"Xk9"Qv7!mZ2p"#;\n', 'Xk9"Qv7!mZ2p'),
        ("Sources/Db.swift", 'let password = #"Xk9"Qv7!mZ2p"#\n', 'Xk9"Qv7!mZ2p'),
        # bash's ANSI-C quoting
        ("deploy.sh", "DB_PASSWORD=$'Xk9Qv7!mZ2p'\n", "Xk9Qv7!mZ2p"),
        # a quote reference inside an attribute's real quotes is part of the value
        (
            "web.xml",
            '<datasource user="app" password="??zwJ7?FMP&quot;3q" />\n',
            "??zwJ7?FMP&quot;3q",
        ),
        # an ADO.NET string's value runs to its `;`, spaces and all
        (
            "appsettings.json",
            '{"ConnectionStrings": {"Db": "Server=db;User Id=app;Password=Lg @.StQzUc5x;"}}\n',
            "Lg @.StQzUc5x",
        ),
        (
            "src/Data.cs",
            'var cs = "Data Source=db;Initial Catalog=app;User ID=sa;Password=Zom@oE4QS!WX Q6Z";\n',
            "Zom@oE4QS!WX Q6Z",
        ),
        # a properties or INI value is the rest of its line
        ("app.properties", "spring.datasource.password=ODH_Ag(M]'9\n", "ODH_Ag(M]'9"),
        ("app.properties", "spring.datasource.password=)W YiKysNf7;j\n", ")W YiKysNf7;j"),
        (
            "app.properties",
            "spring.datasource.password=`jFNW;IZhU8AqooyzkZ8iNBF\n",
            "`jFNW;IZhU8AqooyzkZ8iNBF",
        ),
        ("app.ini", "[db]\npassword = ,yQa'oD6E9M[\n", ",yQa'oD6E9M["),
        ("app.ini", '[db]\npassword = "U1xf2U`|cdh,RNgklLP8w8\n', '"U1xf2U`|cdh,RNgklLP8w8'),
        # a backslash and a letter in a drawn password are no pattern's class escape
        (
            "k8s.yaml",
            "  - name: DB_PASSWORD\n    value: '9S7d1#i\\b)dc$CD9'\n",
            "9S7d1#i\\b)dc$CD9",
        ),
        ("config.yml", "db_password: 'Xk9\\Wq7mZ2p'\n", "Xk9\\Wq7mZ2p"),
        # drawn runs apart by a space under a key's name: a key and its secret, not words
        ("config.yml", 'credentials: "Xk9Qv7mZ2pW4 rT8yQw3Er5"\n', "Xk9Qv7mZ2pW4 rT8yQw3Er5"),
        (
            "app/settings.py",
            'api_credentials = "appid=Xk9Qv7mZ2pW4 secret=rT8yQw3Er5Ty"\n',
            "appid=Xk9Qv7mZ2pW4 secret=rT8yQw3Er5Ty",
        ),
        # a password ending in a backslash where a backslash escapes nothing: YAML's, a
        # shell's and PowerShell's single quotes, C#'s verbatim and Visual Basic's strings
        ("config.yml", "db_password: 'Xk9Qv7!mZ2p\\'\n", "Xk9Qv7!mZ2p\\"),
        ("config.yml", "db_password: 'Xk9Qv7!mZ2p\\'  # rotated\n", "Xk9Qv7!mZ2p\\"),
        ("deploy.sh", "export DB_PASSWORD='Xk9Qv7!mZ2p\\'\n", "Xk9Qv7!mZ2p\\"),
        ("deploy.sh", "docker login -u bob -p 'Xk9Qv7!mZ2p\\' reg\n", "Xk9Qv7!mZ2p\\"),
        ("k8s.yaml", "  - name: DB_PASSWORD\n    value: 'Xk9Qv7!mZ2p\\'\n", "Xk9Qv7!mZ2p\\"),
        ("setup.ps1", "$DbPassword = 'Xk9Qv7!mZ2p\\'\n", "Xk9Qv7!mZ2p\\"),
        ("src/Db.cs", 'var password = @"Xk9Qv7!mZ2p\\";\n', "Xk9Qv7!mZ2p\\"),
        ("src/Db.vb", 'Dim password As String = "Xk9Qv7!mZ2p\\"\n', "Xk9Qv7!mZ2p\\"),
        # where a backslash escapes, `\"` inside the value is still a quote in it
        ("app/settings.py", 'DB_PASSWORD = "Xk9\\"Qv7!mZ2p"\n', 'Xk9\\"Qv7!mZ2p'),
        ("src/app.js", "const dbPassword = 'Xk9\\' Qv7!mZ2p';\n", "Xk9\\' Qv7!mZ2p"),
        # one `=` in a drawn password is not a nested setting
        (".env", "DB_PASSWORD=Hrwp=ucz0ef\n", "Hrwp=ucz0ef"),
        ("config.yml", "db_password: Hrwp=ucz0ef\n", "Hrwp=ucz0ef"),
    ],
)
def test_a_password_written_with_its_syntax_is_masked_whole(
    path: str, text: str, written: str
) -> None:
    at = text.index(written)
    assert set(range(at, at + len(written))) <= _masked_spans(text, path)
    masked = redact(text, path).text
    # no piece of the password is left: every run of its letters and digits is gone
    assert not [p for p in written.replace("'", " ").split() if len(p) >= 4 and p in masked]


def test_libpq_fields_stay_apart_by_spaces() -> None:
    text = 'sql.Open("postgres", "host=db user=app password=Tq8mLz2pVx9wRk dbname=app")\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "main.go")] == ["Tq8mLz2pVx9wRk"]


def test_a_libpq_password_runs_past_a_semicolon_to_its_space() -> None:
    """A `;` separates ADO.NET's fields, not libpq's: there it is the password's own."""
    text = 'psycopg2.connect("host=db user=app password=Tq8m;Lz2p}Vx9 dbname=app")\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "app/db.py")] == ["Tq8m;Lz2p}Vx9"]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # a pattern a validator checks passwords with
        ("config.yml", 'password: "\\\\d{4}-\\\\d{2}-[A-Z]+"\n'),
        ("config.yml", 'password: "^\\\\w{12,}$"\n'),
        # Jasypt's encrypted value, a reference, a list of settings, a description
        ("app.properties", "db.password=ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)\n"),
        ("app.properties", "db.password=${DB_PASSWORD}\n"),
        ("app.properties", "ldap.password=cn=admin,dc=example,dc=org\n"),
        ("app.ini", "[db]\npassword = The password of the admin user\n"),
        ("app/errors.py", 'token_error = "Invalid token provided"\n'),
        ("app.ini", "[db]\npassword = <your password here>\n"),
        ("app.ini", "[db]\npassword = %(db_pass)s\n"),
        (".env", "DB_PASSWORD=uid=user\n"),
        # an empty string, and a Python docstring's triple quotes, hold no password
        ("config.yml", "db_password: ''\nuser: 'app'\n"),
        ("app.py", "password = '''\n'''\n"),
    ],
)
def test_what_is_no_password_stays_unmasked(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


def test_drawn_passwords_written_with_their_escapes_are_masked_whole() -> None:
    """Passwords drawn with quotes, a backtick and spaces among their symbols, written as
    each place escapes them (bench/secrets_drawn.py --written): one that is reported is
    masked to its end, and nearly every one is reported, one ending in a backslash too."""
    draw = random.Random(22)
    cut: list[str] = []
    found = tried = 0
    for path, template, write, symbols in WRITTEN_PLACES:
        for _ in range(40):
            written = write(draw_inner_spaced(draw, symbols))
            masked = written_masked(path, template, written)
            tried += 1
            found += bool(masked)
            if masked and masked < len(written):
                cut.append(template.replace("{v}", written))
    assert cut == []
    assert found >= tried * 0.97


def test_a_key_and_its_secret_in_a_markdown_code_span_are_both_masked() -> None:
    """Backticks in Markdown are a code span, not a shell's command substitution: the key's
    first run was masked and its secret, after the space, was sent."""
    key, secret = "Xk9Qv7mZ2pW4rT8yQw3E", "rT8yQw3Er5Ty7Ui9Op1Zx2Cv7Bn4Mm8Kk2Jj6Hh1G"
    masked = redact(f"credentials: `{key} {secret}`\n", "README.md").text
    assert key not in masked and secret not in masked
    # words in a code span still run as a command
    assert find_secrets("password: `cat /run/secrets/db`\n", "README.md") == []


def test_a_format_inside_a_longer_secret_leaves_the_rest_masked() -> None:
    """An AWS key id and its secret in one value: the key id is the more specific reading,
    and the secret beside it was dropped with the value it belonged to."""
    secret = "Xk9Qv7mZ2pW4rT8yQw3Er5Ty7Ui9Op1Zx2Cv7Bn"
    text = f'credentials="AKIAQWERTYUIOP7Z3456,{secret}"\n'
    masked = redact(text, "deploy.sh").text
    assert "AKIAQWERTYUIOP7Z3456" not in masked and secret not in masked
    assert masked.count("[REDACTED:") == 2


@pytest.mark.parametrize(
    ("path", "text", "kept"),
    [
        # a URL's scheme, user and host around its password, a scheme before a token
        (
            "app/settings.py",
            'password = "postgres://app:Xk9Qv7mZ2pW4@db.internal.example.com:5432/appdb"\n',
            "@db.internal.example.com:5432/appdb",
        ),
        ("app/client.py", 'auth = "Bearer ghp_Xk9Qv7mZ2pW4rT8yQw3Er5Ty7Ui9Op1Zx2Cv"\n', "Bearer "),
    ],
)
def test_what_surrounds_a_format_in_a_value_stays(path: str, text: str, kept: str) -> None:
    masked = redact(text, path)
    assert kept in masked.text
    assert masked.count == 1


def test_a_bootstrap_token_is_masked_whole() -> None:
    """`kubeadm join --token <id>.<secret>`: the id is public, but the flag takes both, and
    CredData labels the two as one credential; half of it was left on the line."""
    text = "kubeadm join 10.0.0.1:6443 --token r7q2xk.m4p9w2v7c3b8n5zt --discovery-token-unsafe\n"
    masked = redact(text, "docs/k8s.md").text
    assert "r7q2xk" not in masked and "m4p9w2v7c3b8n5zt" not in masked
    assert "--token [REDACTED:" in masked


def test_a_line_of_thousands_of_written_quotes_is_read_to_its_end() -> None:
    """A dump's or a generated file's line may hold thousands of `''`: the value is read
    to its end without a recursion per quote (which stopped at Python's limit)."""
    written = "Xk''" * 5000 + "9Qv7mZ2p"
    text = f"db_password: '{written}'\n"
    [hit] = find_secrets(text, "config.yml")
    assert text[hit.start : hit.end] == written
