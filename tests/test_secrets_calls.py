"""Secrets handed to code rather than assigned: a setter's or a builder's argument, a literal
wrapped in a call that only converts or decodes it. Getters and checks take a secret's
name or a user's input, not the secret, and stay quiet.

Every value here is drawn at random for this file.
"""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact

_RANDOM = random.Random(2718)


def _r(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


def _hex(n: int) -> str:
    return _r(n, "0123456789abcdef")


_V = _r(22) + "7"
_H = _hex(64)
_U = _r(27, string.ascii_uppercase + string.digits) + "7Q"

HANDED = [  # (path, line, value)
    ("src/main/java/app/Db.java", f'dataSource.setPassword("{_V}");', _V),
    ("src/main/java/app/Auth.java", f'appAuth.setAppSecret("{_H[:32].upper()}");', _H[:32].upper()),
    ("lib/Mailer.php", f"$client->setApiKey('{_V}');", _V),
    ("src/main/kotlin/Client.kt", f'val c = Client.builder().clientSecret("{_V}").build()', _V),
    ("src/main/java/app/S3.java", f'b.withSecretKey("{_V}")', _V),
    ("src/main/java/app/Cache.java", f'signer.setKey("{_V}");', _V),
    ("cmd/main.go", f'Password: aws.String("{_V}"),', _V),
    ("cmd/main.go", f'key, err := hex.DecodeString("{_H}")', _H),
    ("src/main.rs", f'let password = String::from("{_V}");', _V),
    ("src/main.rs", f'password: Some("{_V}".to_string()),', _V),
    ("app/crypto.py", f"SECRET_KEY = bytes.fromhex('{_H}')", _H),
    ("app/crypto.py", f"key = unhexlify('{_H}')", _H),
    ("web/sign.js", f"const secretKey = Buffer.from('{_H}', 'hex')", _H),
    ("src/Sign.java", f'byte[] secretKey = Hex.decodeHex("{_H}");', _H),
    ("src/Sign.java", f'ByteString secret = ByteString.decodeHex("{_H[:24]}");', _H[:24]),
    # A composite literal's field, past the literal's opening brace.
    ("api/runners_test.go", f'want := &RemoveToken{{Token: String("{_U}"), At: &ts}}', _U),
    # Azure Identity's client secret, the call's third argument; MSAL's keyword argument
    # after another whose name holds an allow-listed word (`authority`)
    ("app/azure.py", f'cred = ClientSecretCredential(TENANT, CLIENT, "{_V}")', _V),
    ("web/azure.ts", f'const c = new ClientSecretCredential(tenantId, clientId, "{_V}");', _V),
    (
        "app/msal_app.py",
        f'app = msal.ConfidentialClientApplication(CID, authority=AUTH, client_credential="{_V}")',
        _V,
    ),
]


@pytest.mark.parametrize(("path", "line", "value"), HANDED, ids=[h[1][:36] for h in HANDED])
def test_a_secret_handed_to_a_setter_or_wrapped_in_a_conversion_is_found_and_redacted(
    path: str, line: str, value: str
) -> None:
    hits = find_secrets(line, path)
    assert [line[h.start : h.end] for h in hits] == [value]
    assert value not in redact(line, path).text


def test_a_twilio_auth_token_after_its_account_sid_is_found_with_it() -> None:
    sid, token = "AC" + _hex(32), _hex(32)
    for line in (f'client = Client("{sid}", "{token}")', f"const c = twilio('{sid}', '{token}');"):
        found = [line[h.start : h.end] for h in find_secrets(line, "app/sms.py")]
        assert found == [sid, token]
        assert token not in redact(line, "app/sms.py").text
    # a hex value after another id is no auth token
    line = f'client = Client("{_hex(34)}", "{token}")'
    assert token not in [line[h.start : h.end] for h in find_secrets(line, "app/sms.py")]


NOT_HANDED = [  # (path, line)
    ("src/main/java/app/Vault.java", 'String pw = vault.getSecret("prod-db-password");'),
    ("src/main/java/app/Login.java", f'if (encoder.checkPassword("{_V}")) {{'),
    ("src/main/java/app/Db.java", 'ds.setPasswordFile("/run/secrets/db_password");'),
    ("src/main/java/app/Sso.java", 'oauth.setTokenUrl("https://login.example.org/oauth2/token");'),
    ("src/main/java/app/Cache.java", 'entry.setKey("user-profile-settings");'),
    ("src/main/java/app/Db.java", 'ds.setPassword(System.getenv("DB_PASSWORD"));'),
    ("app/cli.py", "password = getpass('Enter the password for the vault: ')"),
    ("app/settings.py", "api_token = str(os.environ['API_TOKEN'])"),
    ("cmd/main.go", 'Token: github.String("ghs-token-label"),'),
    ("src/test/java/app/DbTest.java", 'ds.setPassword("secret1");'),
    # A reference's default is not read as a literal past its brace.
    ("src/main/resources/application.yml", "password: ${DATASOURCE_PASSWORD:Wq7v2}"),
]


@pytest.mark.parametrize(("path", "line"), NOT_HANDED, ids=[t[:40] for _, t in NOT_HANDED])
def test_getters_checks_and_names_given_to_calls_are_not_secrets(path: str, line: str) -> None:
    assert find_secrets(line, path) == []


def _bytes_text(values: list[int], hexa: bool) -> str:
    return ", ".join(f"0x{v:02x}" if hexa else str(v) for v in values)


_KEY_BYTES = [_RANDOM.randrange(256) for _ in range(16)]
_DEC, _HEXA = _bytes_text(_KEY_BYTES, False), _bytes_text(_KEY_BYTES, True)


@pytest.mark.parametrize(
    ("path", "line", "value"),
    [
        ("internal/gateway.go", f"aesKey := lorawan.AES128Key{{{_DEC}}}", _DEC),
        ("infra/conf/proxy.go", f"Secret: []byte{{{_DEC}}},", _DEC),
        ("src/main/java/app/Crypto.java", f"private static final byte[] KEY = {{{_HEXA}}};", _HEXA),
        ("src/Crypto.cs", f"var key = new byte[] {{ {_HEXA} }};", _HEXA),
        ("src/crypt.c", f"static const uint8_t key[16] = {{{_HEXA}}};", _HEXA),
        ("app/crypto.py", f"SECRET_KEY = bytes([{_DEC}])", _DEC),
        # spaced out, where the bytes pattern's runs of spaces are read once each
        ("src/crypt.c", f"static const uint8_t key [ 16 ]  =  {{  {_HEXA} ,  }} ;", _HEXA),
        (
            "src/crypt.c",
            f"uint8_t aes_key[]={{{_HEXA.replace(', ', ',')}}};",
            _HEXA.replace(", ", ","),
        ),
    ],
)
def test_a_key_written_as_its_bytes_is_found(path: str, line: str, value: str) -> None:
    assert [line[h.start : h.end] for h in find_secrets(line, path)] == [value]
    assert value not in redact(line, path).text


def test_a_key_written_as_its_bytes_on_a_bundles_long_line_is_found() -> None:
    # A minified bundle's line: number tables under short names all along it, the key's
    # list under a key's name in the middle.
    table = ",".join(str(_RANDOM.randrange(256)) for _ in range(40))
    filler = "".join(f"var t{i}=[{table}];" for i in range(60))
    for name in ("encKey", "SECRET_KEY", "this.secretKey", "0,aesKey"):
        line = f"{filler}var {name}=[{_DEC}];{filler}"
        assert len(line) > 4096
        assert [line[h.start : h.end] for h in find_secrets(line, "dist/app.min.js")] == [_DEC]


def test_bytes_under_other_names_typed_or_published_are_not_keys() -> None:
    typed = ", ".join(f"0x{17 * i:02x}" for i in range(16))  # 0x00, 0x11, 0x22, ...
    # FIPS-197's example key, in countless tests.
    fips = ", ".join(f"0x{b:02x}" for b in bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c"))
    lines = [
        ("internal/aead.go", f"iv := []byte{{{_DEC}}}"),
        ("internal/aead.go", f"nonce := []byte{{{_DEC}}}"),
        ("internal/aead.go", f"publicKey := []byte{{{_DEC}}}"),
        ("internal/aead.go", f"salt := []byte{{{_DEC}}}"),
        ("qlog/frames_test.go", f"Token: protocol.StatelessResetToken{{{typed}}},"),
        ("src/test/AesTest.java", f"byte[] key = {{{fips}}};"),
        ("internal/aead.go", f"key := []byte{{{_bytes_text(_KEY_BYTES[:8], False)}}}"),
    ]
    assert [t for p, t in lines if find_secrets(t, p)] == []


def test_a_key_written_as_its_bytes_over_several_lines_is_found_and_redacted_row_by_row() -> None:
    rows = [_HEXA.split(", ")[:8], _HEXA.split(", ")[8:]]
    body = [", ".join(r) + "," for r in rows]
    text = "var key = []byte{  \n\t" + "\n\t".join(body) + "  \n}\n"
    [hit] = find_secrets(text, "internal/crypt.go")
    assert [text[s:e] for s, e in hit.parts] == [b.rstrip(",") for b in body]
    # In a review's prompt each row keeps its columns; no byte of the key is left.
    prompt = "### internal/crypt.go (added)\n@@ -0,0 +1,4 @@\n" + "\n".join(
        f"{'':>5} {i + 1:>5} + | {line}" for i, line in enumerate(text.splitlines())
    )
    out = redact(prompt).text
    assert not any(b in out for b in _HEXA.split(", ")[:2]) and out.count(" + | ") == 4
    iv = text.replace("var key", "var iv")
    assert find_secrets(iv, "internal/crypt.go") == []
