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

# An argument before the key: a literal, a name or attribute, a flat dict or list literal
# (`jwt.encode({"sub": uid}, "…")`).
_ARG = r"\s*(?:\"[^\"\n]*\"|'[^'\n]*'|[\w.\[\]$>-]+|\{[^{}\n]*\}|\[[^\[\]\n]*\])\s*,\s*"
# Python's bytes literal, C#'s verbatim string.
_KEY = r"\s*[bB@]?" + QUOTED_ARGUMENT


def _call(regex: str, *keywords: str) -> TokenPattern:
    return TokenPattern(KEY_ARGUMENT, re.compile(regex + _KEY), keywords=keywords)


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
)
