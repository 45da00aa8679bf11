"""Password hashes written whole: crypt(3)'s (bcrypt, MD5-crypt and Apache's, SHA-256/512-
crypt, yescrypt, Cisco's types 8 and 9), PHC's strings and Django's (Argon2, PBKDF2). Each
is a weak password's undoing offline, so a hash is reported where it sits bare (a users
table's dump, a fixture, a CSV row) and not where its name says it is a hash
(`password_hash = "$2b$…"`: stored on purpose; token_checks.token_ok). They run like
services.py's patterns: one pass each, only when the keyword pass saw the scheme.
"""

from __future__ import annotations

import re

from bot.secrets.patterns import TOKEN_CHARS, TokenPattern

BCRYPT_HASH = "bcrypt password hash"
CRYPT_HASH_BARE = "crypt password hash"
ARGON2_HASH = "Argon2 password hash"
PBKDF2_HASH = "PBKDF2 password hash"
PASSWORD_HASHES = (BCRYPT_HASH, CRYPT_HASH_BARE, ARGON2_HASH, PBKDF2_HASH)

HASH_PATTERNS: tuple[TokenPattern, ...] = (
    # A password's bcrypt hash: enough to crack a weak password offline.
    TokenPattern(
        BCRYPT_HASH,
        re.compile(r"\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}(?![./A-Za-z0-9])"),
        keywords=("$2a$", "$2b$", "$2x$", "$2y$", "$2$"),
    ),
    # The memory-hard and iterated hashes of PHC's string format and Django's (`argon2$` or
    # `pbkdf2_sha256$` first, then the parameters, the salt and the hash): slower to crack
    # than bcrypt, still a weak password's undoing, and reported as bcrypt's are.
    TokenPattern(
        ARGON2_HASH,
        re.compile(
            r"(?:argon2)?\$argon2(?:id|i|d)\$(?:v=[0-9]{1,3}\$)?m=[0-9]{1,9},t=[0-9]{1,6},"
            r"p=[0-9]{1,4}\$[A-Za-z0-9+/]{8,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2}"
            r"(?![./A-Za-z0-9+=$])"
        ),
        keywords=("$argon2",),
        on_keyword_lines=True,  # Django's `argon2` prefix is optional: no literal opens it
    ),
    TokenPattern(
        PBKDF2_HASH,
        re.compile(
            r"\$?pbkdf2[_-]sha(?:1|256|512)\$[0-9]{1,7}\$[./A-Za-z0-9+]{1,64}\$"
            r"[./A-Za-z0-9+]{16,}={0,2}(?![./A-Za-z0-9+=$])"
        ),
        keywords=("pbkdf2_sha", "pbkdf2-sha"),
        on_keyword_lines=True,
    ),
    # crypt(3)'s other hashes, written whole (MD5-crypt and Apache's, SHA-256/512-crypt,
    # yescrypt): as crackable as bcrypt's. After a `:` it is a passwd/shadow/htpasswd line's,
    # which contexts.py reads with its user.
    TokenPattern(
        CRYPT_HASH_BARE,
        re.compile(
            r"\$(?:(?:1|apr1)\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}"
            r"|5\$(?:rounds=[0-9]{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}"
            r"|6\$(?:rounds=[0-9]{1,9}\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}"
            r"|y\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43}"
            # Cisco's type 8 (PBKDF2-SHA256) and type 9 (scrypt): a 14-character salt and a
            # 43-character hash (`enable secret 9 $9$…$…`).
            r"|[89]\$[./A-Za-z0-9]{14}\$[./A-Za-z0-9]{43})"
            r"(?![./A-Za-z0-9$])"
        ),
        before=frozenset({*TOKEN_CHARS, ":", "$"}),
        keywords=("$1$", "$apr1$", "$5$", "$6$", "$y$", "$8$", "$9$"),
    ),
)
