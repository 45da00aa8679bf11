"""A key written into the call that signs or encrypts with it: `jwt.encode(payload, "…")`,
`jwt.sign(payload, '…')`, `hmac.new(b"…", msg, sha256)`, `new SecretKeySpec("…".getBytes(),
"AES")`, `new SymmetricSecurityKey(Encoding.UTF8.GetBytes("…"))`. The call says the
literal is a key whatever its name (it often has none); whoever holds a JWT signing key
forges any session. contexts.py runs them and judges each value as a password literal
(context_values.context_value), so a placeholder ("secret", "your-256-bit-secret",
"shhhhh") or, in tests, a weak fixture is not one."""

from __future__ import annotations

import re

from bot.secrets.patterns import QUOTED_ARGUMENT, TokenPattern

KEY_ARGUMENT = "key passed to a signing or cipher call"
OTP_SEED = "seed passed to a one-time password call"

# An argument before the key: a literal, a name or attribute, a flat dict or list literal
# (`jwt.encode({"sub": uid}, "…")`).
_ARG = r"\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[\w.\[\]$>-]+|\{[^{}\n]*\}|\[[^\[\]\n]*\])\s*,\s*"
# Python's bytes literal, C#'s verbatim string.
_KEY = r"\s*[bB@]?" + QUOTED_ARGUMENT


def _call(regex: str, *keywords: str, kind: str = KEY_ARGUMENT) -> TokenPattern:
    return TokenPattern(kind, re.compile(regex + _KEY), keywords=keywords)


def _otp(regex: str, *keywords: str) -> TokenPattern:
    return _call(regex, *keywords, kind=OTP_SEED)


# Every pattern starts with a literal (the engine skips to its occurrences).
KEY_CALL_PATTERNS: tuple[TokenPattern, ...] = (
    # PyJWT's and ruby-jwt's encode/decode, php-jwt's JWT::encode: the key is the second
    # argument.
    _call(r"jwt(?:\.|::)(?:encode|decode)\(" + _ARG, "jwt.encode(", "jwt.decode(", "jwt::"),
    _call(r"JWT(?:\.|::)(?:encode|decode)\(" + _ARG, "jwt.encode(", "jwt.decode(", "jwt::"),
    # jsonwebtoken's sign and verify (Node).
    _call(r"jwt\.(?:sign|verify)\(" + _ARG, "jwt.sign(", "jwt.verify("),
    # Python's hmac.new(key, …), pycryptodome's AES.new(key, …), cryptography's Fernet(key).
    _call(r"hmac\.new\(", "hmac.new("),
    _call(r"AES\.new\(", "aes.new("),
    _call(r"Fernet\(", "fernet("),
    # Node's crypto.createHmac(algorithm, key); PHP's hash_hmac(algo, data, key); Ruby's
    # OpenSSL::HMAC.hexdigest(digest, key, data).
    _call(r"createHmac\(" + _ARG, "createhmac("),
    _call(r"hash_hmac\(" + _ARG + _ARG, "hash_hmac("),
    _call(r"HMAC\.(?:hexdigest|digest|base64digest)\(" + _ARG, "hmac."),
    # Java: javax.crypto's SecretKeySpec("…".getBytes(), …), jjwt's Keys.hmacShaKeyFor,
    # auth0 java-jwt's Algorithm.HMAC256("…").
    _call(r"SecretKeySpec\(", "secretkeyspec("),
    _call(r"hmacShaKeyFor\(", "hmacshakeyfor("),
    _call(r"Algorithm\.HMAC(?:256|384|512)\(", "algorithm.hmac"),
    # .NET: new SymmetricSecurityKey(Encoding.UTF8.GetBytes("…")).
    _call(r"SymmetricSecurityKey\(\s*Encoding\.\w+\.GetBytes\(", "symmetricsecuritykey("),
    # golang-jwt: token.SignedString([]byte("…")).
    _call(r"SignedString\(\s*\[\]byte\(", "signedstring("),
    # Cookies and tokens signed with the app's secret: Express's cookieParser("…"),
    # itsdangerous' URLSafeTimedSerializer("…") and TimestampSigner("…").
    _call(r"cookieParser\(", "cookieparser("),
    _call(r"URLSafe(?:Timed)?Serializer\(", "urlsafetimedserializer(", "urlsafeserializer("),
    _call(r"TimestampSigner\(", "timestampsigner("),
    # A TOTP/HOTP seed given to the one-time password library that computes codes from it
    # (RFC 6238: the seed is the HMAC key; whoever holds it has the second factor): pyotp,
    # ROTP (Ruby), OTPHP (PHP), pquerna/otp (Go; Validate takes the code first), otplib
    # (Node; check takes the code first), j256's two-factor-auth (Java).
    _otp(r"pyotp\.(?:totp\.|hotp\.)?[TH]OTP\(", "pyotp."),
    _otp(r"ROTP::[TH]OTP\.new\(", "rotp::"),
    _otp(r"[TH]OTP::create\(", "totp::create(", "hotp::create("),
    _otp(r"[th]otp\.GenerateCode\(", "totp.generatecode(", "hotp.generatecode("),
    _otp(r"totp\.Validate\(" + _ARG, "totp.validate("),
    _otp(r"(?:authenticator|totp|hotp)\.generate\(", "authenticator.", "totp.", "hotp."),
    _otp(r"(?:authenticator|totp)\.check\(" + _ARG, "authenticator.", "totp."),
    _otp(r"TimeBasedOneTimePasswordUtil\.\w+\(", "timebasedonetimepasswordutil."),
)
