"""A key written into the call that signs or encrypts with it (bot/secrets/key_calls.py),
and a symmetric key or a pre-shared key by its name. Values are drawn here at import; none
is a real key."""

from __future__ import annotations

import base64
import random

import pytest

from bot.secrets import find_secrets, redact
from tests.drawn import drawn_key

_RANDOM = random.Random("key calls")
KEY = drawn_key(_RANDOM, 24)

IN_A_CALL = [
    ("app/auth.py", f'token = jwt.encode({{"sub": uid}}, "{KEY}", algorithm="HS256")'),
    ("app/auth.py", f'claims = jwt.decode(token, "{KEY}", algorithms=["HS256"])'),
    ("src/auth.js", f"const t = jwt.sign({{ id: user.id }}, '{KEY}', {{ expiresIn: '1h' }});"),
    ("src/auth.js", f"jwt.verify(token, '{KEY}', (err, decoded) => done(err, decoded));"),
    ("app/sign.py", f'mac = hmac.new(b"{KEY}", body, hashlib.sha256).hexdigest()'),
    ("app/vault.py", f'cipher = AES.new(b"{KEY}", AES.MODE_GCM)'),
    ("src/webhook.js", f"crypto.createHmac('sha256', '{KEY}').update(body).digest('hex')"),
    ("src/Sign.php", f"$sig = hash_hmac('sha256', $payload, '{KEY}');"),
    ("src/auth.php", f"$jwt = JWT::encode($payload, '{KEY}', 'HS256');"),
    ("lib/sign.rb", f"OpenSSL::HMAC.hexdigest('SHA256', '{KEY}', data)"),
    ("src/Crypto.java", f'SecretKeySpec k = new SecretKeySpec("{KEY}".getBytes(), "AES");'),
    ("src/Jwt.java", f'Algorithm algorithm = Algorithm.HMAC256("{KEY}");'),
    ("src/Jwt.java", f'Key k = Keys.hmacShaKeyFor("{KEY}".getBytes(UTF_8));'),
    (
        "src/Startup.cs",
        f'var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("{KEY}"));',
    ),
    ("auth/jwt.go", f's, err := token.SignedString([]byte("{KEY}"))'),
    ("src/app.js", f"app.use(cookieParser('{KEY}'));"),
    ("app/tokens.py", f"serializer = URLSafeTimedSerializer('{KEY}', salt='reset')"),
    # by its name: a symmetric key's use or cipher, a Wi-Fi or IPsec pre-shared key
    ("auth/jwt.go", f'var jwtKey = []byte("{KEY}")'),
    ("app/crypto.py", f'AES_KEY = b"{KEY}"'),
    ("etc/wpa_supplicant.conf", f'network={{\n\tssid="office"\n\tpsk="{KEY}"\n}}'),
    ("etc/NetworkManager/system-connections/office.nmconnection", f"[wifi-security]\npsk={KEY}"),
]


@pytest.mark.parametrize(("path", "text"), IN_A_CALL)
def test_a_key_given_to_a_signing_or_cipher_call_is_found(path: str, text: str) -> None:
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [KEY]
    assert KEY not in redact(text, path).text


# A TOTP/HOTP seed (base32, as authenticator apps take it), drawn here.
SEED = base64.b32encode(_RANDOM.randbytes(20)).decode()

OTP_SEEDS = [
    ("app/mfa.py", f'totp = pyotp.TOTP("{SEED}")'),
    ("app/mfa.py", f"code = pyotp.totp.TOTP('{SEED}').now()"),
    ("lib/mfa.rb", f'otp = ROTP::TOTP.new("{SEED}", issuer: "Acme")'),
    ("src/Mfa.php", f"$otp = TOTP::create('{SEED}');"),
    ("mfa/code.go", f'code, err := totp.GenerateCode("{SEED}", time.Now())'),
    ("mfa/code.go", f'ok := totp.Validate(passcode, "{SEED}")'),
    ("src/mfa.js", f'const code = authenticator.generate("{SEED}");'),
    ("src/mfa.js", f'const ok = authenticator.check(token, "{SEED}");'),
    (
        "src/Mfa.java",
        f'String c = TimeBasedOneTimePasswordUtil.generateCurrentNumberString("{SEED}");',
    ),
]


@pytest.mark.parametrize(("path", "text"), OTP_SEEDS)
def test_a_seed_given_to_a_one_time_password_library_is_found(path: str, text: str) -> None:
    hits = find_secrets(text, path)
    assert [(h.kind, text[h.start : h.end]) for h in hits] == [
        ("seed passed to a one-time password call", SEED)
    ]
    assert SEED not in redact(text, path).text


NOT_KEYS = [
    # a reference, the documented stand-ins, a variable
    ("src/auth.js", "jwt.sign(payload, process.env.JWT_SECRET)"),
    ("src/auth.js", "jwt.sign(payload, 'shhhhh')"),
    ("app/auth.py", 'jwt.encode(payload, "your-256-bit-secret", algorithm="HS256")'),
    ("app/auth.py", 'jwt.encode(payload, "secret")'),
    ("app/auth.py", "jwt.encode(payload, settings.SECRET_KEY)"),
    # a verifier's public key
    (
        "app/auth.py",
        'jwt.decode(t, "-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB'
        'CgKCAQEAu1SU\\n-----END PUBLIC KEY-----", algorithms=["RS256"])',
    ),
    # a weak fixture in a test
    ("tests/test_auth.py", 'jwt.encode(payload, "test-signing-key")'),
    # a session's or a cache's key is a name, not a key
    ("app/views.py", 'session_key = "user:42:cart"'),
    # a seed drawn at run time, and the libraries' documented example seeds
    ("app/mfa.py", "totp = pyotp.TOTP(pyotp.random_base32())"),
    ("app/mfa.py", 'totp = pyotp.TOTP("base32secret3232")'),
    ("lib/mfa.rb", 'totp = ROTP::TOTP.new("JBSWY3DPEHPK3PXP")'),
    ("README.md", 'hotp = ROTP::HOTP.new("base32secretkey3232")'),
    # RFC 4226's test secret, "12345678901234567890", in base32
    ("spec/hotp_spec.rb", "let(:hotp) { ROTP::HOTP.new('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ') }"),
    ("src/mfa.js", "const code = authenticator.generate(user.totpSecret);"),
]


@pytest.mark.parametrize(("path", "text"), NOT_KEYS)
def test_a_reference_a_stand_in_or_a_public_key_is_not_reported(path: str, text: str) -> None:
    assert find_secrets(text, path) == []
