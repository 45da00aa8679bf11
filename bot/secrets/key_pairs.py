"""A cloud key's secret known by the key ID written just before it.

An access key's secret has no prefix, but the ID it pairs with has one: written just after
it (s3fs' `ID:SECRET` file, a table's row, `ID SECRET` on a command line, a client's
`AcsClient("LTAI…", "…")`, over a line break too) the next run of the secret's length is
its secret, whatever names it, as Nosey Parker's np.aws.6 reads AWS' pair. The ID alone is
no use without its secret; masking the ID alone sent the secret.
"""

from __future__ import annotations

import re

from bot.secrets import rules, wording
from bot.secrets.patterns import AWS_SECRET_KEY, TokenPattern

ALIBABA_SECRET = "Alibaba Cloud AccessKey secret"
TENCENT_SECRET = "Tencent Cloud SecretKey"
GOOGLE_CLIENT_SECRET = "Google OAuth client secret"
# Up to this many characters between the ID and its secret (np.aws.6's reach): a quote, a
# comma and a space, a table's cell border, a name such as `-SecretKey`.
_REACH = 40


def _after_its_id(
    kind: str, key_id: str, chars: str, length: int, keywords: tuple[str, ...]
) -> TokenPattern:
    """`chars`: the secret's characters, as a class's inside (`A-Za-z0-9`)."""
    other = rf"[{chars}=_\-]"  # (a run going on in these is a longer value)
    return TokenPattern(
        kind,
        re.compile(
            rf"(?P<id>{key_id})(?![A-Za-z0-9])[\s\S]{{0,{_REACH}}}?"
            rf"(?<!{other})(?P<v>[{chars}]{{{length}}})(?!{other})"
        ),
        group="v",
        keywords=keywords,
    )


KEY_PAIR_PATTERNS: tuple[TokenPattern, ...] = (
    _after_its_id(
        AWS_SECRET_KEY,
        r"A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])[A-Z0-9]{16}",
        "A-Za-z0-9/+",
        40,
        ("akia", "asia", "abia", "acca", "a3t"),
    ),
    # An AccessKey ID is `LTAI` and 12 to 20 more (16 or 24 in all); its secret 30.
    _after_its_id(ALIBABA_SECRET, "LTAI[A-Za-z0-9]{12,20}", "A-Za-z0-9", 30, ("ltai",)),
    # A SecretId is `AKID` and 32 more; its SecretKey 32.
    _after_its_id(TENCENT_SECRET, "AKID[A-Za-z0-9]{32}", "A-Za-z0-9", 32, ("akid",)),
    # A Google OAuth client's ID, `<digits>-<32>.apps.googleusercontent.com`, and its secret
    # of 24 (np.google.6; a newer one is `GOCSPX-…`, known by its prefix). The pattern opens
    # at the domain, a literal tried only where it stands; the ID's head is looked behind.
    _after_its_id(
        GOOGLE_CLIENT_SECRET,
        r"\.apps\.googleusercontent\.com(?<=[0-9]{6}-[a-z0-9]{32}\.apps\.googleusercontent\.com)",
        "A-Za-z0-9_\\-",
        24,
        ("googleusercontent",),
    ),
)

_DIGEST = re.compile("[0-9a-f]+")


def pair_ok(m: re.Match[str], value: str) -> bool:
    """Whether the run after a key ID is drawn as a secret is. Not the documentation's
    example ID (`AKIAIOSFODNN7EXAMPLE`), a run of one kind of character (a path, a word),
    or a digest (a commit's id, an MD5): keys drawn from base64 or letters and digits hold
    two of digits, upper and lower case but for about one in a thousand, and are never all
    lower-case hex."""
    return (
        not rules.token_is_placeholder(m.group("id"), service=True)
        and wording.character_kinds(value) >= 2
        and not _DIGEST.fullmatch(value)
    )
