"""False alarms and misses of the kinds Samsung's CredData labels in real repositories
(bench/secrets_creddata.py): message catalogues, form labels, templates and shell
plumbing under a password's name are not passwords; a bearer token in a recorded request,
basic credentials a test expects, and a NATS seed are secrets.

Every value here was written for this file (random characters in the right shape, made-up
labels); none is copied from CredData or the repositories it labels.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string

import pytest

from bench.secrets_drawn import (
    TOKEN_KINDS,
    TOKEN_PLACES,
    as_placed,
    draw_password,
    draw_token,
    masked_characters,
)
from bot.secrets import find_secrets, mask, redact

_RANDOM = random.Random(4096)


def _r(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


NOT_SECRETS = [  # (path, line)
    # Message catalogues: a translation under a password's name.
    ("web/src/assets/i18n/de_DE.json", '"LABEL_PASSWORD": "Kennwort",'),
    ("config/locales/fr.yml", "confirm_password: Confirmez le mot de passe"),
    ("app/lang/es/auth.php", "'password' => 'Clave',"),
    ("res/values-pt-rBR/strings.xml", '<string name="token_hint">Codigo</string>'),
    ("po/nl.po", 'msgstr "Wachtwoord"'),
    # Prose in any script, outside a catalogue too.
    ("src/forms.ts", 'passwordHint = "Bitte geben Sie Ihr Passwort ein.";'),
    ("src/forms.ts", 'const newPasswordLabel = "Новый пароль";'),
    ("src/forms.ts", "passwordError = 'Please enter your password!';"),
    ("src/strings.go", 'msgTokenExpired = "トークンの有効期限が切れました"'),
    # A placeholder cut at its space, a command substitution, concatenated literals.
    ("install/oracle.rsp", "ADMIN_PASSWORD=<Admin Server Password>"),
    ("scripts/start.sh", "PASS=`grep ^password= $PROPS | cut -d= -f2`"),
    ("web/app.jsp", 'q += "&password=" + encodeURIComponent(pw) + "&x=1";'),
    # A secret word glued to what it names: the password file, the attribute holding it.
    ("db/dbca.rsp", "initParams=audit_trail=none,remote_login_passwordfile=exclusive"),
    ("conf/ldap.properties", "ldap.passwordattribute=userPassword1"),
    # Settings inside a setting, a typed path, an OID, a script's file name.
    ("docs/ldap.md", "- LDAP_PASS_ATTRS=uid=user,userPassword=password"),
    ("etc/setup.sh", 'postconf "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd"'),
    ("ldap/control.go", 'ControlTypePasswordExpired = "2.16.840.1.113730.3.4.4"'),
    ("docker/Dockerfile", 'RESET_DB_PASSWORD="resetPassword.sh" \\'),
    # A schema's types, template and batch markers, a binding to a model's field.
    ("schema.graphql", "login(email: String!, password: String!): AuthPayload"),
    ("win/reset.bat", "set passwd=%RANDOM%%RANDOM%"),
    ("db/setup.rsp.tmpl", 'SYS_PASSWORD = "###SYS_PWD###"'),
    # A value left to be filled in, saying so of itself.
    ("deploy/app.env", "DB_PASSWORD=to-be-replaced"),
    ("conf/app.yml", 'password: "set-via-env"'),
    ("conf/app.yml", "password: NOTSET"),
    ("src/settings.py", 'API_TOKEN = "token_goes_here"'),
    # `your` glued to what is to be filled in, as `your_password` and `yourkey` are.
    ("docs/signing.md", "keytool -genkey -keystore release.jks -storepass yourpassword"),
    ("src/settings.py", 'API_KEY = "yourapikey"'),
    ("conf/app.yml", "client_secret: YourSecretHere"),
    ("db/setup.sql.template", "CREATE LOGIN app WITH PASSWORD = '%%DB_PWD%%'"),
    ("web/signup.html", '<strength-meter password="form.password"></strength-meter>'),
    # A format's slot in a dotenv template, read whole past the `}` the pattern stops at.
    ("deploy/app.env", "DB_PASSWORD={password}"),
    ("deploy/app.env", "DB_PASSWORD={self.db_password}"),
    # A comment after a space, where a value was left out.
    ("deploy/app.env", "DB_PASSWORD= # set in the vault"),
    ("conf/app.yml", "password: #changeme"),
    # A masked URL password in a comment.
    ("app/db.py", "# postgres://ad***:9f2**@db.internal:5432/app"),
    # Lockfiles: package names and version ranges.
    ("web/yarn.lock", '"password-prompt@npm:^1.0.4":'),
    ("package-lock.json", '    "registry-auth-token": "^3.0.1",'),
    # A constant that spells its own name, a left-out value, a description, a message.
    ("mysql/const.go", 'AUTH_SHA256_PASSWORD = "sha256_password"'),
    ("aws/api.go", 'const opGetPasswordData = "GetPasswordData"'),
    ("tests/test_logs.py", "next_token='nextToken1'),"),
    ("docs/auth.md", "password: '[omitted]',"),
    ("README.md", "DOMAIN_PASSWORD= WebLogic admin password for the new domain"),
    ("mysql/errname.go", 'ER_MUST_CHANGE_PASSWORD: "Your password has expired. Change it.",'),
    # A handful of characters typed into a UUID's shape.
    ("notify/notifier_test.go", 'tokenA := "11111111-4444-4444-8444-cccccccccccc"'),
    # Code: a request's field, a call after a closed literal, a cmdlet, a literal opening.
    ("backend/app/views.py", "    _password = request.form['inputPassword']"),
    ("WEB-INF/jsp/db.jsp", 'data += "&password="+fieldValue("password");'),
    ("tools/creds.ps1", '$cred.Password = Read-Host -AsSecureString -Prompt "Password"'),
    ("docs/server.md", "var secrets = gin.H{"),
    # Prose with a comma short of its space, sudo's NOPASSWD tag, a dependency's commit.
    ("src/Consts.java", 'String SIGN_NOT_PASS = "sign did not pass,Please check the key!";'),
    ("docs/sudo.sh", "用户 主机=NOPASSWD:命令1，命令2"),
    ("build/deps.mk", "pkg_vault_passwd_commit = develop"),
    # A private field named like .npmrc's key, a JOSE header, an LDAP filter, a message.
    ("orm/tests/Users.cc", 'const std::string Users::Cols::_password = "password";'),
    ("src/jwe/decrypt.ts", "*   protected: 'eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMTI4R0NNIn0',"),
    ("test/ldap.bats", '  -e MAIL_PASS_FILTER="(&(objectClass=mailUser)(uid=%n))" \\'),
    (
        "src/schemas/user.ts",
        'export const passwordTooShort = "password must have at least 8 letters";',
    ),
    # A block scalar under a name that is not a secret's, or holding a template; a field's
    # name set by name; SQL's PASSWORD without an account; the Token scheme's placeholder.
    ("k8s/values.yaml", "description: |\n  The password must be rotated every 90 days.\n"),
    ("k8s/secret.yaml", "stringData:\n  password: |\n    {{ .Values.db.password }}\n"),
    # slots, with or without spaces, and the symbols templates write around them
    ("conf/app.yml", "password: '{{.Values.db.password|b64enc}}'\n"),
    ("conf/app.yml", "password: '{{password}}'\n"),
    ("src/db.php", "$password = $cfg->db_password;\n"),
    ("src/db.php", "define('DB_PASSWORD', $env['DB_PASSWORD']);\n"),
    ("deploy/.env", "DB_PASSWORD=$pw[0]\n"),
    ("src/db.py", 'DB_PASSWORD = "{user}@{host}:{port}"\n'),
    ("src/db.py", 'API_TOKEN = "tok_{}".format(suffix)\n'),
    ("src/db.py", 'API_TOKEN = f"{prefix}-{uuid4()}"\n'),
    ("src/Form.java", 'fields.put("passwordField", "inputPassword1");'),
    ("docs/db.sql", "-- then type PASSWORD 'your-password-here' at the prompt"),
    ("docs/api.md", "Authorization: Token <your-api-token-from-settings>"),
    # "identified by" in prose, even beside "user"; a multi-host URL's port and host; the
    # RFC 6749 example token, in a redirect's fragment too.
    ("docs/notes.txt", "* Problems identified by Coverity in the reftable code"),
    ("src/models.py", '"""A user in the organization, identified by tagged id and email."""'),
    ("src/urls.py", "mhu = MultiHostUrl('https://db1.internal:5432,db2:5433@db3.internal/app')"),
    ("app/db.py", "# postgres://app:p**d@db.internal:5432/app"),
    ("docs/oauth.py", "Location: http://example.com/cb#access_token=2YotnFZFEjr1zCsicMWpAA"),
    ("spec/uri_spec.rb", "eq 'otpauth://totp/alice%40google.com?secret=JBSWY3DPEHPK3PXP'"),
    # Words with an escaped apostrophe are still words.
    ("vendor/pq/doc.go", "\"user=app password='it\\'s valid'\""),
    # A key's fingerprint, a token's checksum: hashes of a secret, public by design.
    (
        "pay/EncryptTest.java",
        '"  \\"encryptionKeyFingerprint\\": \\"mW3qT8xZ0pL5vK2nB7cY4rH9sD1fJ6gA=\\"," +',
    ),
    (
        "ctl/cred_test.go",
        '"cattle.io/harvester-token-checksum": "5e0c9a4f7b2d81e3c6a9f0b4d7e2a1c8",',
    ),
]


@pytest.mark.parametrize(("path", "text"), NOT_SECRETS, ids=[t[:40] for _, t in NOT_SECRETS])
def test_labels_templates_and_plumbing_are_not_secrets(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


SECRETS = [  # (path, line, the value)
    # A password ending in "!" is not a GraphQL type; digits keep a non-English word a
    # password; a password in a catalogue-looking name outside a catalogue still counts.
    ("conf/app.yml", "admin_password: Winter2024!", "Winter2024!"),
    ("conf/app.yml", "db_password: Kennwört93", "Kennwört93"),
    ("deploy/.env", "SMTP_PASSWORD=Tq6vK9mZ2xWp", "Tq6vK9mZ2xWp"),
    # In a catalogue's folder a machine-made value is still a secret (gitleaks' generic
    # rule weighs its entropy): only words are read as translations there.
    ("src/lang/db.go", 'db_password = "Kq8vM2xZ7wTp3nR"', "Kq8vM2xZ7wTp3nR"),
    ("app/i18n/config.yml", "password: Kq8vM2xZ7wTp3nR", "Kq8vM2xZ7wTp3nR"),
    # Braces among a generated password's symbols are not a template's or a format's slot.
    ("conf/app.ini", "password = CP{}sQ18$9W@lhH6", "CP{}sQ18$9W@lhH6"),
    # A `$` first, then symbols a variable's name does not take there.
    ("deploy/.env", "DB_PASSWORD='$aOX-4+ju{0HSe68'", "$aOX-4+ju{0HSe68"),
    ("conf/app.toml", 'password = "$ShL8Ft[e26.0X;S"', "$ShL8Ft[e26.0X;S"),
    ("src/db.py", 'DB_PASSWORD = "Kq{{7x)p$Z]v(8d[w>-_#Lm}}"', "Kq{{7x)p$Z]v(8d[w>-_#Lm}}"),
]


@pytest.mark.parametrize(("path", "text", "value"), SECRETS, ids=[v for _, _, v in SECRETS])
def test_passwords_beside_those_rules_still_count(path: str, text: str, value: str) -> None:
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (
            "src/TokenTest.java",
            'String body = "{ \\"access_token\\":\\"{value}\\", \\"expires\\": 1 }";',
        ),
        ("data/live.json", '"last-applied": "{\\"data\\":{\\"db-password\\":\\"{value}\\"}}",'),
        # or quoted with the other quote: the literal's name (`body`) names nothing
        ("tests/api.py", 'r = client.post("/login", data=\'{"password": "{value}", "u": 1}\')'),
        ("src/seed.js", 'const body = `{"api_key": "{value}"}`;'),
    ],
)
def test_a_secret_in_json_quoted_inside_a_string_is_found(path: str, template: str) -> None:
    """JSON inside a string literal escapes its quotes: `\\"access_token\\":\\"…\\"`.
    The escaped name still names the value, and the span stops before the backslash."""
    for value in (_r(40, string.ascii_uppercase + string.digits), _r(16) + "=="):
        text = template.replace("{value}", value)
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text


def test_a_password_in_json_in_a_string_of_the_other_quote_is_found() -> None:
    # Too short for gitleaks' generic rule: only the name inside the literal says password.
    value = _r(9) + "7"
    for text in (
        f'x = \'{{"password": "{value}", "user": "bob"}}\'\n',
        f'curl -d \'{{"login": "ci", "password": "{value}"}}\' https://ci.example.org/api\n',
    ):
        assert [text[h.start : h.end] for h in find_secrets(text, "app/client.py")] == [value]


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("README.md", "Run `mysql --password={v}` first."),
        ("README.md", "Run `terraform apply -var 'db_password={v}'` once."),
        ("docs/setup.md", "Then `DB_PASSWORD={v} make db` creates it."),
        (".env", "DB_PASSWORD={v}"),
    ],
)
def test_a_value_inside_inline_code_or_a_quote_ends_at_its_closing_mark(
    path: str, template: str
) -> None:
    """Masked with its closing backtick, a posted comment's code span stayed open to the
    end of its paragraph; with its closing quote, the command read wrong."""
    value = _r(11) + "7"
    text = template.replace("{v}", value)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]


def test_a_key_in_a_urls_query_is_found_under_a_camel_case_name() -> None:
    hexdigits = "0123456789abcdef"
    for name in ("apiKey", "accessToken", "clientSecret", "API_KEY"):
        value = _r(24, hexdigits)
        text = f"fetch('https://api.example.com/v1/items?q=1&{name}={value}');\n"
        assert [text[h.start : h.end] for h in find_secrets(text, "server/proxy.js")] == [value]
    # OAuth's implicit flow hands the token over in the fragment.
    value = _r(30)
    text = f"// http://localhost:9000/cb.html#access_token={value}&token_type=Bearer\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "app/Oauth.js")] == [value]


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("examples/login.py", "login, password = 'dev@example.com', '{value}'"),
        ("examples/login.py", "password, login = '{value}', 'dev@example.com'"),
        ("cmd/main.go", 'user, pass := "admin", "{value}"'),
        ("cmd/main.go", 'var user, pass string = "admin", "{value}"'),
        ("src/auth.js", "const [user, token] = ['me', '{value}'];"),
        # spaced out, where the spaces around the values' `[` are read once
        ("src/auth.js", "const [user, token] =   [  'me',   '{value}'  ];"),
    ],
)
def test_names_assigned_at_once_each_get_the_value_at_their_place(path: str, template: str) -> None:
    """Redacting the login instead of the password would send the password out."""
    value = _r(11) + _r(3, string.digits)
    text = template.replace("{value}", value)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]
    # The same line in a prompt's rendered diff and a description's unified diff: the
    # prompt is what goes out (bot/secrets/prompt_view.py reads it as the file).
    for shown in (f"   12    14 + | {text}", f"@@ -1,0 +1,1 @@\n+{text}"):
        assert value not in redact(f"### {path} (added)\n{shown}\n").text


def test_a_secret_argument_inside_a_call_is_read_past_the_call() -> None:
    """`client = Client(api_key='…')`: the call, taken as `client`'s unquoted value, hid
    the argument from the assignment rule (other layers caught only the random-looking)."""
    missed = []
    for _ in range(40):
        value = _r(13) + _r(3, string.digits)
        text = f"client = Client(api_key='{value}', region='eu')\n"
        if [text[h.start : h.end] for h in find_secrets(text, "src/app.py")] != [value]:
            missed.append(text)
    assert missed == []


def test_a_credential_file_in_base64_is_found_and_a_jose_header_is_not() -> None:
    """Base64 of JSON: a JOSE header (a few fields) is data; a service account's key file
    in base64 (its fields say secret) is a credential, found even without a name."""
    account = {
        "type": "service_account",
        "project_id": "acme-prod",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{_r(300)}",
    }
    blob = base64.b64encode(json.dumps(account).encode()).decode()
    text = f'const creds = Buffer.from("{blob}", "base64");\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "src/gcp.js")] == [blob]
    header = base64.urlsafe_b64encode(b'{"alg":"RSA-OAEP-256","enc":"A256GCM"}').decode()
    assert find_secrets(f"protected: '{header.rstrip('=')}',\n", "src/jwe/decrypt.ts") == []


def test_a_dotted_settings_qualifier_one_part_up_names_a_key() -> None:
    value = f"{_r(10)}7;[=L:{_r(6)}"
    for path, text in (
        ("conf/app.properties", f"webflow.encryption.key={value}\n"),
        ("docs/setup.md", f'token.secret.key = "{value}"\n'),
    ):
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text
    # One part up must qualify the key: a cache's key is an id.
    assert find_secrets(f"cache.entry.key={value}\n", "conf/app.properties") == []


def test_npm_registry_credentials_are_found_where_npm_reads_them() -> None:
    value = base64.b64encode(f"ci:{_r(14)}".encode()).decode()
    for text, path in (
        (f"//npm.example.com/releases:_password={value}\n", ".npmrc"),
        (f"_auth = {value}\n", ".npmrc"),
        (f'RUN echo "_auth={value}" > ~/.npmrc\n', "Dockerfile"),
    ):
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text


def test_yarn_registry_credentials_are_found_where_yarn_reads_them() -> None:
    password = _r(14)
    ident = base64.b64encode(f"ci:{password}".encode()).decode()
    for text, path, value in (
        (
            f'npmRegistries:\n  "https://npm.corp":\n    npmAuthIdent: "ci:{password}"\n',
            ".yarnrc.yml",
            password,
        ),
        (f"npmAuthIdent: {ident}\n", ".yarnrc.yml", ident),
        (f'yarn config set npmAuthIdent "ci:{password}"\n', "ci/setup.sh", password),
        (f"export YARN_NPM_AUTH_IDENT=ci:{password}\n", "ci/setup.sh", password),
    ):
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text
    for text in (
        'npmAuthIdent: "ci:${NPM_PASSWORD}"\n',
        'npmAuthIdent: "username:password"\n',
        "Set `npmAuthIdent` to `user:password`, or to its base64.\n",
    ):
        assert find_secrets(text, ".yarnrc.yml") == [], text


def test_a_secret_in_a_meta_tag_is_found_by_the_tags_name() -> None:
    token = _r(32)
    for text in (
        f'<meta name="api-token" content="{token}">\n',
        f"meta: [{{ name: 'api-token',\n  content: '{token}' }}]\n",
    ):
        assert [text[h.start : h.end] for h in find_secrets(text, "index.html")] == [token]


def test_a_token_in_a_service_format_is_found_in_a_lockfile_too() -> None:
    token = "npm" + "_" + _r(36)
    text = f'  "registry": "https://registry.npmjs.org/",\n  "_authToken": "{token}"\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "package-lock.json")] == [token]


def test_a_bearer_token_of_lower_case_hex_in_a_recorded_request_is_found() -> None:
    token = _r(64, "0123456789abcdef")
    text = f"    headers:\n      Authorization:\n      - Bearer {token}\n"
    hits = find_secrets(text, "spec/cassettes/vehicle_state.yml")
    assert [(h.kind, text[h.start : h.end]) for h in hits] == [("bearer token", token)]


def test_basic_credentials_a_test_expects_are_found_when_they_decode_to_a_pair() -> None:
    encoded = base64.b64encode(f"deploy:{_r(11)}{_r(3, string.digits)}".encode()).decode()
    text = f'if auth != "Basic {encoded}" {{\n'
    hits = find_secrets(text, "internal/client_test.go")
    assert [text[h.start : h.end] for h in hits] == [encoded]
    # Base64 of words without a user:password pair, and a placeholder pair, are not.
    for plain in ("hello world again", "user:password"):
        other = base64.b64encode(plain.encode()).decode()
        assert find_secrets(f'want := "Basic {other}"\n', "internal/client_test.go") == []


def test_a_nats_seed_is_found_beside_its_words() -> None:
    seed = "S" + "U" + _r(56, string.ascii_uppercase + "234567")
    text = f"# the user's nkey, from `nsc generate nkey --user`\n{seed}\n"
    hits = find_secrets(text, "docs/nats/auth.md")
    assert [(h.kind, text[h.start : h.end]) for h in hits] == [("NATS nkey seed", seed)]
    # One character short, or inside a longer word, it is not in the seed's format.
    for other in (seed[:-1], f"X{seed}"):
        hits = find_secrets(f"nkey seed: {other}\n", "conf/nats.conf")
        assert "NATS nkey seed" not in {h.kind for h in hits}


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("deploy/connections.yaml", "    password: {value}\n"),
        ("conf/db.properties", "db.password={value}\n"),
        ("deploy/.env", "DB_PASSWORD={value}\n"),
    ],
)
def test_a_config_value_is_redacted_whole_past_hash_and_brackets(path: str, template: str) -> None:
    """`#` without a space before it, closing brackets, `,` and `;` are part of a YAML
    plain scalar or a properties value: redacting up to them would send the rest."""
    value = f"Qm{_r(4)}#7D]pX{_r(3)};K,}}{_r(3)}"
    redacted = mask(template.format(value=value), path)
    assert value[:2] not in redacted and value[-3:] not in redacted, redacted


@pytest.mark.parametrize("template", ["user: admin pass: {value}", "password: {value}"])
@pytest.mark.parametrize("glued", ["#", ","])
def test_text_without_a_path_masks_a_value_past_a_glued_hash_or_comma(
    template: str, glued: str
) -> None:
    """A description or an answer (no file, so no config file's rules) that gives a
    drawn password with `#` or `,` inside it: masked to the mark, the rest was sent; so
    short before it, the value was not reported at all."""
    for head in (_r(2), _r(9)):
        value = f"{head}{glued}x7{_r(4)}K"  # digits and both cases: drawn, not a word
        redacted = mask(template.format(value=value))
        assert value[-5:] not in redacted and head not in redacted, redacted


@pytest.mark.parametrize("template", ["user: admin\npassword: {v}\n", "pw: {v}\n", "(pw: {v})"])
def test_text_without_a_path_reads_a_drawn_password_after_a_colon(template: str) -> None:
    """A description or an answer: `password: Xk9mQ2zLp7wR` is a password, not a type
    annotation (whose name holds a number once or twice, `Int64Array`)."""
    value = "x7" + _r(3) + "Q4" + _r(3) + "9k"  # letters and digits alternating
    assert value not in mask(template.format(v=value))


@pytest.mark.parametrize(
    "line",
    [
        "password: Int64Array",
        "token: OAuth2Token",
        # a parameter's annotation in a signature: the run past it only closes brackets
        "def login(user: str, password: SecretStr2): ...",
        "async def f(password: SecretStr2) -> None:",
    ],
)
def test_text_without_a_path_keeps_a_type_name_after_a_colon(line: str) -> None:
    assert mask(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "password: hunter2, then log in",  # a comma before a space ends the value in prose
        "the token # is read from the vault",
        "x = password#fragment",  # code: a name and a comment
    ],
)
def test_text_without_a_path_keeps_words_after_a_spaced_mark(line: str) -> None:
    assert mask(line) == line


_SYMBOLS = "!#$%&()*+,-./:;<=>?@[]^_{|}~"
_SETTINGS = [  # (path, line): config files, where an unquoted value runs to the next space
    ("conf/app.yml", "password: {v}"),
    ("conf/app.yml", "  credentials: {v}"),
    ("conf/app.properties", "db.password={v}"),
    ("conf/app.ini", "password = {v}"),
    ("deploy/.env", "DB_PASSWORD={v}"),
]


def _drawn_password(draw: random.Random) -> str:
    """Twelve characters as a password manager makes them: letters, digits, symbols."""
    return draw_password(draw, _SYMBOLS, letters=6, digits=3, marks=3)


def test_a_reported_config_value_is_masked_whole_whatever_symbols_it_holds() -> None:
    """A generated password with symbols in a config file: whether or not a given one is
    reported, one that is must be masked to its end. Reporting part of it (after a
    `password: XM` read as a type annotation, before a `(` or a `,`, after `=>`) sends
    the rest."""
    draw = random.Random(77)
    cut, found, tried = [], 0, 0
    for _ in range(120):
        for path, template in _SETTINGS:
            value = _drawn_password(draw)
            masked = masked_characters(path, template, value)
            tried += 1
            found += bool(masked)
            if masked and masked < len(value):
                cut.append(template.replace("{v}", value))
    assert cut == []
    assert found > tried * 0.6  # the property is about values the detector does report


def test_a_drawn_token_under_a_secrets_name_is_found_and_masked_whole() -> None:
    """Machine-made tokens (hex, base64 with `+`, `/` and padding, base64url, letters and
    digits; up to 5,000 characters, past the patterns' reach) under secrets' names: a long
    one spells `mock`, `md5` or `your` by chance and a base64 one is cut into short runs by
    `+` and `/`, which let such values through or cut them. Drawn with two digits and both
    cases at least, so that no draw reads as a name by chance."""
    draw = random.Random(5)
    missed, cut = [], []
    for path, template in TOKEN_PLACES:
        for _, prefix, alphabet, lengths in TOKEN_KINDS:
            for length in lengths:
                value = draw_token(draw, alphabet, length, prefix)
                while not _drawn_enough(value[len(prefix) :], alphabet):
                    value = draw_token(draw, alphabet, length, prefix)
                value = as_placed(template, value)
                masked = masked_characters(path, template, value)
                if not masked:
                    missed.append(template.replace("{v}", value)[:120])
                elif masked < len(value):
                    cut.append(template.replace("{v}", value)[:120])
    assert missed == [] and cut == []


def _drawn_enough(body: str, alphabet: str) -> bool:
    """Two digits, and both cases where the alphabet has them."""
    both = any(c.islower() for c in alphabet) and any(c.isupper() for c in alphabet)
    cases = not both or not (body.isupper() or body.islower())
    return sum(c.isdigit() for c in body) >= 2 and cases


_WHOLE = [  # (path, line with {v}, value): each reported whole, to its last character
    # A URL's password runs to the last `@` before the host, as URL parsers split it; a
    # directive's argument and a connection string's field run past `,`, `|`, `>`.
    ("conf/app.yml", "url: mysql://app:{v}@db:3306/app", f"{_r(5)}@x:8,|{_r(5)}"),
    ("src/db.py", 'engine = create_engine("postgresql://app:{v}@db/app")', f"{_r(5)}@8:|{_r(5)}"),
    # `**` between long runs is no mask, and one digit and a comma no port before a host.
    ("src/db.py", 'DATABASE_URL = "postgresql://app:{v}@db/app"', f"{_r(8)}**7{_r(5)}"),
    ("src/db.py", 'DATABASE_URL = "postgresql://app:{v}@db/app"', f"4,{_r(6)}8{_r(6)}"),
    ("conf/redis.conf", "requirepass {v}", f"{_r(5)};8,|){_r(5)}"),
    # No flag follows a directive: a leading `-` is the password's.
    ("conf/redis.conf", "masterauth {v}", f"-{_r(5)}8{_r(6)}"),
    # Glued to `=`, a `#` or `;` opens the value: dotenv, properties and shell read a
    # comment only after a space.
    ("deploy/app.env", "DB_PASSWORD={v}", f"#{_r(6)}8{_r(5)}"),
    ("conf/app.properties", "db.password={v}", f";{_r(6)}8{_r(5)}"),
    # Properties and INI files read a comment only on a line of its own.
    ("conf/app.ini", "password = {v}", f"#{_r(6)}8{_r(5)}"),
    # Where a file holds a setting to its line's end, a password with a space runs on
    # (a YAML or dotenv comment after a space is not the value; in properties it is).
    ("conf/app.ini", "password = {v}", f"{_r(4)}7 {_r(4)}8 {_r(4)}"),
    ("conf/app.yml", "password: {v}  # rotated monthly", f"{_r(4)}7 {_r(4)}8 {_r(4)}"),
    ("deploy/app.env", "export DB_PASSWORD={v}", f"{_r(4)}7 {_r(4)}8 {_r(4)}"),
    ("conf/app.properties", "db.password={v}", f"{_r(12)}7 # {_r(4)}"),
    # A YAML plain scalar may open with `)` or `;`: no indicator of YAML's.
    ("conf/app.yml", "password: {v}", f"){_r(6)}8{_r(5)}"),
    ("conf/app.yml", "  - password: {v}", f";{_r(6)}8{_r(5)}"),
    ("conf/app.properties", "db.password = {v}", f";{_r(6)}8{_r(5)}"),
    ("conf/app.json", '"db": "Server=db;User Id=sa;Password={v};"', f"{_r(5)}>8<{_r(5)}"),
    # `"9f6bSGk4\"Tk"` is one literal: ending it at the escaped quote sent `"Tk`. A string
    # that holds code with its own quotes escaped is read inside too.
    ("src/app.py", "password = '{v}'", f"{_r(4)}\\'{_r(4)}{_r(3, string.digits)}"),
    ("src/App.java", 'String password = "{v}";', f'{_r(4)}\\"{_r(4)}{_r(3, string.digits)}'),
    ("conf/app.json", '"password": "{v}",', f'{_r(4)}\\"{_r(4)}{_r(3, string.digits)}'),
    (
        "src/Db.java",
        'conn = DriverManager.getConnection(url, "app", "{v}");',
        f'{_r(4)}\\"{_r(4)}{_r(3, string.digits)}',
    ),
    ("src/wp-config.php", "define('DB_PASSWORD', '{v}');", f"{_r(4)}\\'{_r(4)}7{_r(2)}"),
    ("src/Extractor.kt", 'val line = "val password = \\"{v}\\""', f"P@{_r(6)}|2|)7"),
    # A Go MySQL DSN's password runs to the `@` before `tcp(`; a PostgreSQL password file's
    # is the rest of its line, colons and escapes included; an echoed one ends at the pipe.
    ("cmd/api/main.go", 'dsn := "app:{v}@tcp(db:3306)/app"', f"{_r(5)}@:8!{_r(5)}"),
    ("home/app/.pgpass", "db.internal:5432:*:app:{v}", f"{_r(5)}\\:8#:{_r(5)}"),
    ("home/app/.pgpass", "db.internal:5432:*:app:{v}", f"-{_r(6)}8{_r(5)}"),
    ("ci/push.sh", "echo '{v}' | docker login -u ci --password-stdin", f"{_r(5)}|8&{_r(5)}"),
    # A default assigned with `||=` (Ruby) or `??=` (JavaScript).
    ("lib/settings.rb", 'ENV["DB_PASSWORD"] ||= "{v}"', f"{_r(6)}#8!{_r(4)}"),
    ("src/config.js", 'config.apiKey ??= "{v}"', f"{_r(12)}7{_r(8)}"),
]


@pytest.mark.parametrize(("path", "template", "value"), _WHOLE, ids=[t for _, t, _ in _WHOLE])
def test_a_password_with_symbols_or_escaped_quotes_is_masked_whole(
    path: str, template: str, value: str
) -> None:
    text = template.replace("{v}", value)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]


def test_a_flow_mapping_and_code_in_a_config_file_keep_their_brackets() -> None:
    value = _r(12)
    text = f"db: {{user: app, password: {value}}}\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "conf/app.yml")] == [value]
    code = "$Base64Pass = [System.Convert]::ToBase64String($bytes)\n"
    assert find_secrets(code, "scripts/encode.ps1") == []


def test_a_json_web_keys_private_members_are_found_in_its_key_object() -> None:
    b64url = string.ascii_letters + string.digits + "-_"
    d, k, n = _r(43, b64url), _r(22, b64url), _r(342, b64url)
    text = (
        '{"keys": [\n  {"kty": "RSA", "kid": "signing-2024", "e": "AQAB",\n'
        f'   "n": "{n}",\n   "d": "{d}"}},\n'
        f'  {{"kty": "oct", "alg": "A128GCM", "k": "{k}"}}\n]}}\n'
    )
    hits = find_secrets(text, "config/jwks.json")
    jwk = [text[h.start : h.end] for h in hits if h.kind == "private member of a JSON Web Key"]
    assert jwk == [d, k]
    # The same member names outside a key object are not a key's.
    other = f'{{"d": "{d}", "p": "{_r(20, b64url)}"}}\n'
    kinds = {h.kind for h in find_secrets(other, "data/points.json")}
    assert "private member of a JSON Web Key" not in kinds


def test_a_word_inside_a_machine_made_value_does_not_make_it_a_stand_in() -> None:
    """gitleaks' stopwords ("fun", "hardcoded") mark typed values; inside a random
    lower-case token they are a coincidence, wherever the token sits."""
    lower = string.ascii_lowercase + string.digits
    missed = []
    for _ in range(50):
        token = f"pk_{_r(10, lower)}fun{_r(30, lower)}"
        for text, path in (
            (f'auth_token = "{token}"\n', None),
            (f'AUTH_TOKEN = "{token}"', "a.py"),
        ):
            if [text[h.start : h.end] for h in find_secrets(text, path)] != [token]:
                missed.append((text, path))
    assert missed == []
    typed = 'auth_token: "my-fun-token-for-the-demo"\n'
    assert find_secrets(typed, "config/app.yml") == []


def test_base64_of_typed_text_stands_in_for_a_key_and_a_binary_body_does_not() -> None:
    """secretlint's look-alikes: a key block whose body is base64 of text, and base64 of a
    sentence under a key's name, were typed for docs. Key material is binary, and a
    password may be a phrase, so those stay secrets."""
    typed = base64.b64encode(b"the quick brown fox jumps over it").decode()
    block = "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n"
    assert find_secrets(block.format(typed), "docs/keys.md") == []
    assert find_secrets(f"SIGNING_KEY = {typed}\n", "deploy/settings.env") == []
    # 48 random bytes (an Ed25519 key's PKCS#8 size) and 16 random bytes in hex: secrets.
    for body in (base64.b64encode(_RANDOM.randbytes(48)).decode(), _RANDOM.randbytes(16).hex()):
        assert [h.kind for h in find_secrets(block.format(body), "deploy/id.pem")] == [
            "private key"
        ]
    text = f"DB_PASSWORD = {typed}\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "deploy/settings.env")] == [typed]


def test_a_json_web_keys_public_members_are_not_secrets_beside_its_private_one() -> None:
    """A JWKS document's moduli, points and certificates are random and public; the
    private member beside them is still found."""

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(_RANDOM.randbytes(n)).decode().rstrip("=")

    cert = base64.b64encode(_RANDOM.randbytes(600)).decode()
    rsa = {"kty": "RSA", "kid": "k1", "n": b64(256), "e": "AQAB", "x5c": [cert], "x5t": b64(20)}
    private = b64(32)
    ec = {"kty": "EC", "crv": "P-256", "x": b64(32), "y": b64(32), "d": private}
    text = json.dumps({"keys": [rsa, ec]}, indent=2)
    assert [text[h.start : h.end] for h in find_secrets(text, "config/jwks.json")] == [private]
    # The same random string under `x` outside a key object is still reported.
    assert find_secrets(f"const cfg = {{ x: '{b64(32)}' }};", "src/cfg.ts") != []


def test_a_hunk_of_a_json_web_key_without_its_kty_hides_its_private_members() -> None:
    """A change below a key in a JWKS document shows its last members, its `kty` above the
    hunk: the CRT members (any one of which, with the public key, factors the modulus) and
    an EC key's `d` beside its curve are still a key's, in a test's fixture too."""

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(_RANDOM.randbytes(n)).decode().rstrip("=")

    dp, dq, qi, d = b64(128), b64(128), b64(128), b64(32)
    rsa_tail = (
        f'      "dp": "{dp}",\n      "dq": "{dq}",\n      "qi": "{qi}"\n    }}\n  ],\n'
        '  "rotated": "2026-12-01"\n'
    )
    ec_tail = f'      crv: "P-256",\n      d: "{d}",\n    }},\n  }});\n'
    for path, text, values in (
        ("config/jwks.json", rsa_tail, [dp, dq, qi]),
        ("test/keys.test.mjs", ec_tail, [d]),
    ):
        hits = find_secrets(text, path)
        assert [text[h.start : h.end] for h in hits] == values, path
        assert {h.kind for h in hits} == {"private member of a JSON Web Key"}
        assert not any(v in redact(text).text for v in values)
    # The names alone tell nothing: a word under `dp`, a drawn value under `d` with no
    # member only a key has near.
    assert find_secrets('{"dp": "layout_margin_large_value"}\n', "res/dimens.json") == []
    other = f'{{"d": "{b64(32)}", "p": "{b64(15)}"}}\n'
    assert "private member of a JSON Web Key" not in {
        h.kind for h in find_secrets(other, "test/points.test.json")
    }


_CODE = [  # (path, line): a quoted literal in code or JSON
    ("src/app.py", "password = '{v}'"),
    ("src/App.java", 'String password = "{v}";'),
    ("conf/app.json", '"password": "{v}",'),
]


def _found_share(templates: list[tuple[str, str]], draw: random.Random, n: int) -> float:
    found = tried = 0
    for _ in range(n):
        for path, template in templates:
            value = _drawn_password(draw)
            if any(q in template and q in value for q in "'\""):
                continue  # would end the literal
            tried += 1
            found += bool(find_secrets(template.replace("{v}", value), path))
    return found / tried


def test_a_generated_password_with_symbols_is_not_read_as_a_reference() -> None:
    """A password manager's password has `${`, `$(`, `%(`, brackets, or starts with `$`,
    `!`, `/`. Read as an interpolation, a YAML tag, a path or a call, one in four went
    unredacted from config files (one in twenty-five from code); references must now be
    well formed. Values under the same names that are references stay unreported."""
    draw = random.Random(1234)
    assert _found_share(_SETTINGS, draw, 100) >= 0.85
    assert _found_share(_CODE, draw, 100) >= 0.98
    references = [
        ("conf/app.cfg", "password = %(db_password)s"),
        ("conf/app.yml", "password: !vault |"),
        ("conf/app.yml", "password: !Ref DbPassword"),
        ("deploy/.env", "PASSWORD=$(cat /run/secrets/pw)"),
        ("deploy/.env", "PASSWORD=${DB_PASSWORD:?missing}"),
        ("deploy/.env", "PASSWORD=$DB_PASS"),
        ("deploy/compose.yml", '      PASSWORD: "$$DB_PASS"'),
        ("src/login.php", '$password = $_POST["password"];'),
        ("src/app.rb", 'password = "#{ENV["PW"]}"'),
        ("conf/app.yml", "password: /run/secrets/db_password"),
        ("conf/app.yml", "password: ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)"),
        ("conf/app.yml", "password: $6$rounds=5000$Qz7vR2$mX9pL4aB3cD5"),
        ("conf/app.json", '"password": "$user$host"'),
        ("lib/settings.rb", "@password ||= compute_password"),
        # Code and paths that start like a reference, a call or a nested setting.
        ("docs/auth.rst", "token = sha256(APP_SECRET + self.salt_value).hexdigest()"),
        ("src/db.ts", "query(`UPDATE users SET password = '${crypto.hash(pw)}' WHERE id = 1`)"),
        ("docs/ldap.md", "- LDAP_ATTRS=uniqueMember=user,userPassword=password"),
        ("scripts/setup.sh", "PWD_FILE_PATH=$APP_HOME/secrets/pwd.txt"),
        ("scripts/setup.sh", "ADMIN_PW=$DOMAIN_HOME/admin.pw"),
    ]
    assert [t for p, t in references if find_secrets(t, p)] == []


def test_a_setting_that_opens_with_a_symbol_runs_to_the_lines_end() -> None:
    """In a properties, INI or dotenv file (and a Compose `- NAME=value` item) a setting's
    value is the rest of the line; one opening with `[`, `{`, `}`, `,` or `=` was read as
    a list or not at all. Lists, references and a commented-out value still are not."""
    value = f"]{_r(5)}7{{{_r(4)}2,Q"
    places = [
        ("conf/app.properties", "spring.datasource.password={v}"),
        ("conf/app.ini", "password = {v}"),
        ("deploy/.env", "DB_PASSWORD={v}"),
        ("deploy/compose.yml", "      - POSTGRES_PASSWORD={v}"),
        ("deploy/compose.yml", "      - POSTGRES_PASSWORD=={v}"),
        # `(` opens nothing in YAML; `[^` without its `]` is no pattern.
        ("conf/app.yml", "password: ({w}"),
        ("conf/app.yml", "password: {w})[^"),
    ]
    for path, template in places:
        line = template.replace("{v}", value).replace("{w}", value[1:])
        assert value[1:] in [line[h.start : h.end] for h in find_secrets(line, path)][-1]
        assert value[1:] not in redact(line, path).text
    not_values = [
        ("conf/app.properties", "allowed.passwords=[alpha, beta]"),
        ("conf/app.ini", "password = #set me before the first start"),
        ("deploy/.env", "DB_PASSWORD={{ .Values.db.password }}"),
        ("deploy/compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?set it}"),
        ("conf/app.yml", "password: [Zq7, Wd2]"),  # a YAML flow sequence, not one value
        ("conf/app.yml", "password: (optional)"),
        ("conf/app.yml", 'password: "[^\\s]{12,}"'),  # a validator's pattern
        ("scripts/run.sh", "PASSWORD=[a-z]*"),  # a shell's glob: only settings files
    ]
    assert [t for p, t in not_values if find_secrets(t, p)] == []


def _unnamed() -> str:
    """Letters and digits no name is spelled with: lower, digits, capitals."""
    return _r(3, string.ascii_lowercase) + _r(2, string.digits) + _r(3, string.ascii_uppercase)


def _assert_each_found_whole(values: list[str], places: list[tuple[str, str]]) -> None:
    for path, template in places:
        for value in values:
            text = template.replace("{v}", value)
            assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text


def test_a_generated_password_holding_reference_syntax_by_chance_is_found_whole() -> None:
    """`}}`, `$name(`, `%s`, `#{`, `$(`, a `/…/` or a `{x}` fall in a generated password
    by chance (one in 110 went unredacted); around a real reference there is nothing
    but names and code."""
    values = [
        f"{_unnamed()}}}}}{_unnamed()}",
        f"${_r(1, string.ascii_lowercase)}{_r(2, string.digits)}({_unnamed()}",
        f"{_unnamed()}%s!){_r(4)}",
        f"{_r(3)}!#{{{_unnamed()};",
        f"{_unnamed()}$({_r(4)}>",
        f"/{_r(2)}/={_unnamed()}~",
        f"{_r(3)}{{{_r(1, string.ascii_lowercase)}0{_r(1, string.ascii_lowercase)}}}{_unnamed()}",
        # a `$` before letters no variable is named with: the password's own
        f"${_unnamed()}(41{_r(2, string.ascii_lowercase)}|",
    ]
    places = [
        ("conf/app.yml", 'password: "{v}"'),
        ("src/settings.py", "DB_PASSWORD = '{v}'"),
        ("conf/redis.conf", "requirepass {v}"),
    ]
    _assert_each_found_whole(values, places)
    references = [
        "${DB_PASSWORD:-changeme}",
        "$cfg->database_Password1",
        "$_ENV['DB_PASS2']",
        "$secrets[dbPass1]",
        "%(db_password)s",
        "{user}:{password}@{host}",
        "{{.Values.db.password}}",
        "/run/secrets/db_password",
        "%DB_PASS%",
        "#{vault.dbPassword2}",
        # Azure Pipelines' runtime expression, token-replacement markers
        "$[variables.dbPassword2]",
        "@@dbPassword2@@",
        "__DbPassword2__",
        # Jasypt's ciphertext, quoted too; Concourse's and CredHub's interpolation
        "ENC(" + _r(32) + ")",
        "((db_password2))",
        # a hash where a password would be
        "$6$rounds=5000$" + _r(8) + "$" + _r(12),
        "{SSHA}" + base64.b64encode(_r(20).encode()).decode(),
    ]
    found = [v for v in references if find_secrets(f'password: "{v}"', "conf/app.yml")]
    assert found == []


def test_a_generated_setting_that_reads_like_a_call_or_a_list_at_first_is_found_whole() -> None:
    """A call's function has a name and a list opening a value closes in it: a generated
    password's `Nyfq5ql3(` and its unclosed `[` or `(` open neither (one in twelve drawn
    into YAML went unredacted)."""
    values = [f"{_unnamed()}({_r(3)}>", f"[{_r(3)}.{_unnamed()},", f"(]{_unnamed()}.7"]
    _assert_each_found_whole(
        values, [("conf/app.yml", "password: {v}"), ("conf/app.properties", "db.password={v}")]
    )
    code = [
        "password: ENC(" + _unnamed() + ")",
        "password: md5(SECRET_KEY)",
        "password: [Zq7, Wd2]",
    ]
    assert [t for t in code if find_secrets(t, "conf/app.yml")] == []


def test_a_hash_kept_under_a_hashed_name_is_not_a_secret() -> None:
    text = f'hashedTokenKey := "$3:1:{_r(11)}:{_r(86)}"\nhashed_password = "{_r(20)}"\n'
    assert find_secrets(text, "pkg/auth/tokens_test.go") == []


def test_a_password_with_a_brace_or_quoted_after_its_flag_is_found_where_commands_take_it() -> None:
    """`mysql -p'…'` (quotes are the shell's) was never read, and a `{` anywhere in a value
    after a flag, in SQL or in .netrc made it a format's slot: one password in five with
    symbols went unredacted there. A slot is a reference only when well formed."""
    value = f"{_r(4)}{{{_r(3)}7!{_r(3)}"
    for path, template in [
        ("ci/restore.sh", "mysql -u root -p'{v}' app < dump.sql"),
        ("ci/deploy.sh", "sshpass -p '{v}' ssh deploy@web1"),
        ("ci/push.sh", "docker login -u ci -p '{v}' registry.example.org"),
        ("db/init.sql", "CREATE USER app IDENTIFIED BY '{v}';"),
        ("home/ci/.netrc", "machine git.example.org login ci password {v}"),
        ("conf/redis.conf", "requirepass {v}"),
    ]:
        text = template.replace("{v}", value)
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text
    slots = [
        'cmd = f"sshpass -p {password} ssh u@h"',
        'cmd = "sshpass -p {} ssh".format(pw)',
        "CREATE USER app IDENTIFIED BY '{password}';",
        "ALTER USER x IDENTIFIED BY '{{ pw }}';",
        "requirepass {{ redis_password }}",
        'mysql -u root -p"$PASS" db',
        "mysql -p(optional)",
    ]
    assert [t for t in slots if find_secrets(t, "ops/setup.sh")] == []


def test_a_password_named_pw_or_by_its_owner_is_found_and_look_alike_words_are_not() -> None:
    """`LDAP_BIND_PW`, `db_pw`, `dbpass`, `rootpass`: a password's name spelled short or
    joined to whose it is; `bypass`, `compass`, a `pwa` or a `pw_length` are not one."""
    value = f"{_r(10)}7"
    for text, path in [
        (f"LDAP_BIND_PW={value}", "deploy/ldap.env"),
        (f'db_pw = "{value}"', "src/settings.py"),
        (f"dbpass: {value}", "conf/app.yml"),
        (f"$rootpass = '{value}';", "src/install.php"),
    ]:
        assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value], text
    for text in (f'bypass = "{value}"', f'compass = "{value}"', f'const pwa = "{value}"'):
        assert find_secrets(text, "src/app.js") == [], text
    assert find_secrets("pw_length = 12\npw = getpass()\n", "src/cli.py") == []


def test_a_name_that_opens_with_an_acronym_is_read_word_by_word() -> None:
    """`MACKey` is a MAC key and `RSAPublicKey` a public one: the acronym is a word of
    its own, where `mackey` and `rsapublickey` were one word that named nothing."""
    value = _r(28)
    for name in ("MACKey", "AESKey", "HMACSecret", "myAPIKeys", "ACMEAPIKey", "OAuthKey"):
        line = f'    {name}:      "{value}",'
        hits = find_secrets(line, "pkg/crypto_test.go")
        assert [line[h.start : h.end] for h in hits] == [value], name
    for name in ("RSAPublicKey", "withXSRFToken", "AWSAccessKeyId"):
        assert find_secrets(f"{name}: {value}", "config/keys.yml") == [], name


def test_a_django_key_that_holds_a_slots_look_is_still_found() -> None:
    """`get_random_secret_key()` draws 50 characters from lower-case letters, digits and
    `!@#$%^&*(-_=+)`; one in a hundred holds `%s` or `$(` by chance, which had read as a
    template's slot and let the key through."""
    rng = random.Random(50)
    alphabet = string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)"
    keys: list[str] = []
    while len(keys) < 4:
        key = "".join(rng.choice(alphabet) for _ in range(50))
        if "%s" in key or "$(" in key:
            keys.append(key)
    for key in keys:
        text = f"SECRET_KEY = '{key}'\n"
        assert [text[h.start : h.end] for h in find_secrets(text, "mysite/settings.py")] == [key]
    # a template's slots around names are still no key
    for text in ('DSN = "%s:%s@%s:%d/%s"\n', 'SECRET_KEY = "$(cat /run/secrets/django_key)"\n'):
        assert find_secrets(text, "mysite/settings.py") == []


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # AWS's documented example account ids, as its docs and every library's tests write them
        ("chalice/local.py", "LOCAL_ACCOUNT_ID = '123456789012'"),
        ("tests/unit/test_app.py", '"account": "111122223333",'),
        # a path that is all names (WebLogic's MBean tree in a WLST script)
        (
            "wls/config.py",
            "cd('/JdbcSystemResource/opss-audit-DBDS/JdbcResource/JdbcDriverParams/NO_NAME_0')",
        ),
        # base64 of a UTF-8 sentence (a JWS example's payload: "It’s a dangerous business, …")
        (
            "src/jws/verify.ts",
            " *   payload: 'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXI"
            "gZG9vci4',",
        ),
    ],
)
def test_published_ids_named_paths_and_encoded_sentences_are_not_secrets(
    path: str, line: str
) -> None:
    assert find_secrets(line + "\n", path) == []


def test_an_account_id_and_a_drawn_path_are_still_reported() -> None:
    text = 'aws_account_id = "493817265034"\n'
    assert [text[h.start : h.end] for h in find_secrets(text, "infra/app.py")] == ["493817265034"]
    drawn = "/" + "/".join(_r(12) for _ in range(3))  # base64 with slashes
    text = f"blob = '{drawn}'\n"
    assert [text[h.start : h.end] for h in find_secrets(text, "src/app.py")] == [drawn]


# Lines from public repositories' files that no label marks, each reported before: values
# made to be committed or shared, and names that only look like a secret's.
_SHA = "0fdf78d4dbf609455f3277d6169a987aef0384d4"
_BASIC_PAIR = base64.b64encode(b"deploy-bot:Kq8vM2xZ7wTp9Lm4Rv").decode()
_RANDOM_B64 = base64.b64encode(random.Random(5).randbytes(36)).decode()
_DIGEST = base64.b64encode(hashlib.sha256(b"crosstool-ng-1.26.0.tar.xz").digest()).decode()
_CI_CIPHERTEXT = "dopn4dUR3YruM9pZmdOPlUeAibxBZ9vcWZkG9lQo4KCXBsrqU/B1oeRy9fd9/dOewJHGlaY23gH"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # CI services' encrypted variables: only the service decrypts them
        (
            "pillar/secrets.sls",
            "db_password: |\n  -----BEGIN PGP MESSAGE-----\n"
            "  hQEMA9Xk9mPq2vL7AQf/Xk9mPq2vL7wRt4zAb3Cd5\n  =Xk9m\n  -----END PGP MESSAGE-----\n",
        ),
        (".travis.yml", f'deploy:\n  api_key:\n    secure: "{_CI_CIPHERTEXT}"\n'),
        (
            ".cirrus.yml",
            "env:\n  TOKEN: ENCRYPTED[c99babbf04e8a33962ffbbc75bf20d3abe408f9bede5ed5d]\n",
        ),
        # a Zoom meeting's invite link, its passcode made to be shared
        (
            "sig-list.md",
            "- office hours: [Mondays](https://zoom.us/j/423312508?pwd=Tk9OWnZ4WHg2T2xRek9xZXA1eFQ4dz09)\n",
        ),
        # nginx passes a request on; Apache's pass phrase dialog is a program's kind
        (
            "nginx.conf",
            "location ~ \\.php$ {\n    fastcgi_pass   127.0.0.1:9000;\n"
            "    uwsgi_pass unix:/run/app.sock;\n}\n",
        ),
        ("extra/httpd-ssl.conf", "SSLPassPhraseDialog  builtin\n"),
        # a dependency's version range under a package's name
        (
            "package.json",
            '{"dependencies": {"jsonwebtoken": "^8.5.1", "secret-handshake": ">=1.1.0"}}\n',
        ),
        # a wallet's address is public; a lockfile's checksum
        ("src/app/payment.component.ts", "  address: '1AbKfgvw9psQ41NbLi8kufDQTezwG8DRZm',\n"),
        (
            "examples/jsonnetfile.lock.json",
            '      "sum": "QVUm2JrNnhjorXlfsNBDV0uvPgSWUolMYG9UzWLo1qQ="\n',
        ),
        # a source's pinned digest in Subresource Integrity form (Nix's tables), a
        # PostgreSQL cast, a variable before the escaped quote of a JSON string
        (
            "nix/pkgs/crosstool/hashes.nix",
            f'  "aarch64-rpi3-linux-gnu" = "sha256-{_DIGEST}";\n',
        ),
        ("docs/users.rst", "      xorsum := ext_pgcrypto.HMAC(the_last, pw::bytea, algorithm);\n"),
        (
            "data/indexed_docs.json",
            '{"text": "curl --header \\"x-api-key: $ANTHROPIC_API_KEY\\" https://api.x/v1"}\n',
        ),
        # a site's ownership token for a search engine, published in the page it verifies
        (
            "src/components/seo.jsx",
            "  meta={[\n    {\n      name: 'google-site-verification',\n"
            "      content: '58TM3lGyGn6c2Bj0PvPQSNzrd9_yBsHs2BjJ6KMHlRU',\n    },\n",
        ),
        (
            "_layouts/default.html",
            '<meta name="google-site-verification" '
            'content="58TM3lGyGn6c2Bj0PvPQSNzrd9_yBsHs2BjJ6KMHlRU" />\n',
        ),
        # a heading whose words are joined by dashes, not a PowerShell flag
        (
            "docs/5-authentication.md",
            "### Enabling Email-and-Password Authentication & Updating the Schema\n",
        ),
        # Laravel's validation rules; a password getter's call between two strings
        ("app/Http/Requests/Register.php", "  'password' => 'required|string|min:8|confirmed',\n"),
        ("Settings.java", '//log.info("Omit pwd: "+snmp.getPassword()+", "+snmp.getUser());\n'),
        # a container's name before Docker's `-p` ports; a changelog's commit link
        ("docs/Mongo.md", "`docker run --name cloud-mongo -p 27017:27017 -d mongo:3.4`\n"),
        (
            "CHANGELOG.md",
            f"- Prevent throw on null secret ([{_SHA}](https://github.com/a/b/commit/{_SHA}))\n",
        ),
        # ROTP's and PyOTP's README example seed
        (
            "README.md",
            "totp.provisioning_uri('alice') # => 'otpauth://totp/alice?secret=base32secret3232'\n",
        ),
        # base64 of bytes that name things: a class file's constants, a CBOR test vector; an
        # SSH public key's blob
        (
            "src/Serialization.java",
            '+ "AQAEQ29kZQEAD0xpbmVOdW1iZXJUYWJsZQEAEkxvY2FsVmFyaWFibGVUYWJsZQEABHRoaXMBACFM"\n',
        ),
        ("codec/test-cbor-goldens.json", '    "cbor": "2CB2aHR0cDovL3d3dy5leGFtcGxlLmNvbQ==",\n'),
        # a sentence about Redis' directive, and the password redis.conf's comment suggests
        (
            "redis/database.go",
            "\t// requirepass server configuration option (Redis 5.0 or lower),\n",
        ),
        ("docs/Redis.md", "- 找到默认是被注释的这一行：`# requirepass foobared`\n"),
        # the account that owns Canonical's official images; a constructor, not a scheme
        ("modules/aws/ami.go", '\tCanonicalAccountId = "099720109477"\n'),
        (
            "OAuth20Service.java",
            "  final OAuth2Authorization authorization = new OAuth2Authorization();\n",
        ),
        (
            "demos/demo_server.py",
            '    b"AAAAB3NzaC1yc2EAAAABIwAAAIEAyO4it3fHlmGZWJaGrfeHOVY7RWO3P9M7hp"\n',
        ),
    ],
)
def test_committed_ciphertext_shared_links_and_look_alike_names_are_not_reported(
    path: str, text: str
) -> None:
    assert find_secrets(text, path) == []


_ESCAPED_KEY = f"{_r(22)}\\/{_r(26)}"
_SOFTLAYER_KEY = _r(64, string.ascii_lowercase + string.digits)


@pytest.mark.parametrize(
    ("path", "text", "value"),
    [
        ("keepalived.conf", "    auth_pass Kq8vM2xZ7wTp\n", "Kq8vM2xZ7wTp"),
        ("app.yml", "db:\n  url: jdbc:mysql://db/app?user=app&pwd=Kq8vM2xZ7wTp\n", "Kq8vM2xZ7wTp"),
        ("deploy.ps1", "New-LocalUser -Name bot -Password Kq8vM2xZ7wTp9\n", "Kq8vM2xZ7wTp9"),
        (".travis.yml", "env:\n  secure_password: Kq8vM2xZ7wTp\n", "Kq8vM2xZ7wTp"),
        ("run.sh", "redis-server --requirepass Kq8vM2xZ7wTp --port 6380\n", "Kq8vM2xZ7wTp"),
        # base64 of text (a Basic pair) or of random bytes, unnamed, is still reported
        ("src/client.js", f"fetch(url, {{h: '{_BASIC_PAIR}'}})\n", _BASIC_PAIR),
        ("src/keys.py", f"K = '{_RANDOM_B64}'\n", _RANDOM_B64),
        # the places of the next test's table, a secret in them
        ("lib/tasks/boot.rake", "  ENV['API_TOKEN'] = 'Kq8vM2xZ7wTpR4nB'\n", "Kq8vM2xZ7wTpR4nB"),
        ("docs/deploy.md", "password: :Kq8vM2xZ7wTp\n", ":Kq8vM2xZ7wTp"),
        ("start.sh", "X=${DB_PASSWORD:-Kq8vM2xZ7wTp}\n", "Kq8vM2xZ7wTp"),
        ("src/Generate.kt", '  Type(name = "password", value = "Kq8vM2xZ7wTp"),\n', "Kq8vM2xZ7wTp"),
        ("src/keys.cpp", f'    "{_ESCAPED_KEY}",\n', _ESCAPED_KEY),
        ("src/app.py", 'password = "Kq8vM2.xZ7w(Tp"\n', "Kq8vM2.xZ7w(Tp"),
        (".env", f"SL_API_KEY={_SOFTLAYER_KEY}\n", _SOFTLAYER_KEY),
        (".npmrc", "_password=S3E4dk0yeFo3d1Rw\n", "S3E4dk0yeFo3d1Rw"),
        ("src/app/login.component.html", '  <db-login password="Kq8vM2xZ7wTp">\n', "Kq8vM2xZ7wTp"),
        ("docs/policy.md", '  "{\\"AccessToken\\":\\"Kq8vM2xZ7wTp\\"}"\n', "Kq8vM2xZ7wTp"),
    ],
)
def test_the_same_places_with_a_secret_are_still_reported(path: str, text: str, value: str) -> None:
    assert value in [text[h.start : h.end] for h in find_secrets(text, path)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # Ruby's rake task depends on `:environment`: a symbol, in a .rake file (code) and
        # quoted in documentation; a dovecot lookup's variable
        (
            "lib/tasks/rotate.rake",
            "  task :rotate_tokens, [:refresh_token] => :environment do |_t, args|\n",
        ),
        ("docs/tasks.md", "    task :rotate, [:api_token] => :environment do\n"),
        ("config/auth-ldap.conf.ext", "  password = %{ldap:userPassword}\n"),
        # a class literal as an annotation's value; a wasm-opt flag that passes an argument
        (
            "src/requests/Generate.kt",
            '    JsonSubTypes.Type(name = "password", value = PasswordRequest::class),\n',
        ),
        (
            "package.json",
            '  "wasm:build": "wasm-opt a.wasm --asyncify'
            ' --pass-arg=asyncify-imports@env.await_promise_sync -Oz -o b.wasm",\n',
        ),
        # a path with JSON's escaped slashes, a cache's name at its end
        (
            "src/metadata.cpp",
            '    "\\/var\\/lib\\/app\\/krbdir\\/7c2ee0ba8f155083d331\\/ccname_Svc01_QxTrWa",\n',
        ),
        # the shell's `${X:+word}` gives `word` only where X is set: no default
        ("mvnw", 'case "${MVNW_PASSWORD:+has-password}" in\n'),
        # an error's code under the name of the error; a token's lifetime; an LDAP filter
        # that finds a password; code kept as text
        ("src/Error.hs", '  code JwtSecretMissing = "PGRST300"\n'),
        ("docs/policy.md", '  "{\\"Policy\\":{\\"AccessTokenLifetime\\":\\"12:00:00\\"}}"\n'),
        (
            "test/mail_with_ldap.bats",
            "  local QUERY_PASS='(&(userID=%{user | username})(objectClass=MailAccount))'\n",
        ),
        (
            "data/chunks.json",
            "  for (;;)\\n  {\\n    String password = PepperGenerator.generate(12);\\n  }\\n\n",
        ),
        # a template's bound attribute holds an expression; RFC 7520's example password;
        # PL/SQL's package body (code) setting a date beside a password
        (
            "src/app/reset.component.html",
            '  <app-strength [passwordComponent]="passwordStrength"></app-strength>\n',
        ),
        ("public/login.html", '  <password-field :password="userPassword"></password-field>\n'),
        ("cookbook/jwe.mjs", "  password: 'entrap_o\u2013peter_long\u2013credit_tun',\n"),
        ("scripts/USER_PKG.pck", "      x_password_date := sysdate;\n"),
        # a tarball's digest after a name that opens with `sl`; C#'s private field, not an
        # .npmrc's `_password`
        (
            "modules/slang",
            "slang_hash := 54f0c3007fde918039c058965dffdfd6c5aec0bad0f4227192cc486021f08c36\n",
        ),
        ("src/Credentials.cs", "    _password = password ?? throw new ArgumentNullException();\n"),
        # a message about a password's rules, a number and its comma in it
        (
            "src/main/java/Messages.java",
            '  static final String PASSWORD_MUST = "Minimum length of 8, including upper and'
            ' lower case letters, numbers and symbols";\n',
        ),
        # PostgREST's `@file`: the secret read from that file
        ("docs/references/auth.rst", '  jwt-secret = "@rsa.jwk.pub"\n'),
        # an index's name in SQL's DDL, as Hibernate draws it
        ("db/migration/V1__initial.sql", "  UNIQUE KEY `UK_q3w8e1r6t0y4u9i2o5p7a1s3d` (`name`)\n"),
        # a Solidity contract's token address, a cast of it
        (
            "contracts/Pot.sol",
            "    IERC20 public token = IERC20(0x4a1c2E9b7D3f5A6c8B0e1D2f3A4b5C6d7E8f9A0b);\n",
        ),
    ],
)
def test_symbols_variables_class_literals_and_markers_are_not_reported(
    path: str, text: str
) -> None:
    assert find_secrets(text, path) == []
