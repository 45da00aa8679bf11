"""Credentials a URL carries: a token in its query (an Azure SAS signature, `?api_key=`),
an authenticator's seed in an `otpauth://` URI, a bot's token in Telegram's Bot API path,
and webhook URLs that are capabilities on their own (Discord, Microsoft Teams, IFTTT,
Zapier, ThingsBoard's device path). They run like services.SERVICE_PATTERNS: one pass each,
only when the keyword pass saw one of their keywords."""

from __future__ import annotations

import re

from bot.secrets import rules
from bot.secrets.patterns import QUERY_END, TOKEN_END, UUID, TokenPattern

_E = TOKEN_END
URL_USER_TOKEN = "token as a URL's user"
_HEX32 = re.compile(r"[0-9a-f]{32}")

URL_PATTERNS: tuple[TokenPattern, ...] = (
    # A Telegram bot's token in the Bot API's URL (`https://api.telegram.org/bot<token>/…`):
    # the bare `digits:A…` form needs the word telegram beside it (gitleaks' rule), a URL
    # says it. IFTTT's and Zapier's webhook URLs are capabilities, as Slack's are.
    TokenPattern(
        "Telegram bot token",
        re.compile(r"api\.telegram\.org/(?:file/)?bot([0-9]{5,16}:A[A-Za-z0-9_\-]{34})" + _E),
        group=1,
        keywords=("api.telegram.org",),
    ),
    TokenPattern(
        "IFTTT webhook key",
        re.compile(
            r"maker\.ifttt\.com/(?:trigger/[^/\s]{1,100}/(?:json/)?with/key|use)/"
            r"([A-Za-z0-9_\-]{22,43})" + _E
        ),
        group=1,
        keywords=("maker.ifttt.com",),
    ),
    TokenPattern(
        "Zapier webhook",
        re.compile(r"hooks\.zapier\.com/hooks/catch/([0-9]{4,12}/[A-Za-z0-9]{5,12})" + _E),
        group=1,
        keywords=("hooks.zapier.com",),
    ),
    TokenPattern(
        "Microsoft Teams webhook",
        re.compile(
            r"(?:outlook\.office(?:365)?\.com/webhook|\.webhook\.office\.com/webhookb2)/("
            + UUID
            + "@"
            + UUID
            + r"/IncomingWebhook/[0-9a-f]{32}/"
            + UUID
            + ")"
        ),
        group=1,
        keywords=("/webhook",),
        on_keyword_lines=True,
    ),
    # ThingsBoard devices send telemetry with their access token in the URL's path.
    TokenPattern(
        "ThingsBoard access token",
        re.compile(r"thingsboard\.[\w.]+/api/v1/([A-Za-z0-9]{20})/(?:telemetry|attributes|rpc)"),
        group=1,
        keywords=("thingsboard",),
    ),
    # Posting to a Discord webhook needs nothing but its URL.
    TokenPattern(
        "Discord webhook",
        re.compile(r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_\-]{60,68})" + _E),
        group=1,
        keywords=("/api/webhooks/",),
    ),
    # A token passed in a URL's query or fragment under a secret's name (?token=,
    # #access_token=, ?apiKey=, ?fbApiKey=, ?key=, an Azure SAS token's sig=): the name as
    # an assignment's (token_checks.token_ok), the value mixing letters and digits.
    # Base64 put in a query unencoded keeps its `+`, `/` and `=`: the value runs past them.
    TokenPattern(
        "token in URL",
        re.compile(r"[?&#]([A-Za-z][\w.\-]{0,60})=([A-Za-z0-9_\-.~%+/=]{20,})" + QUERY_END),
        group=2,
        keywords=("token=", "key=", "secret=", "sig="),
    ),
    # A token given as a URL's user, no password after it (`https://<token>@github.com/…`,
    # git's and pip's `git+https://…`; GitHub's `<token>:x-oauth-basic@`, whose password
    # is a fixed word). Read by url_user_token.
    TokenPattern(
        URL_USER_TOKEN,
        re.compile(
            r"://([A-Za-z0-9_\-]{20,128})(?::(?:x-oauth-basic)?)?@(?P<host>[A-Za-z0-9.\-]+)"
            r"(?::\d+)?(?P<project>/\d+(?![\w/.]))?"
        ),
        group=1,
        keywords=("://",),
    ),
    # An authenticator's seed in a key URI (what a 2FA QR code holds): base32, often only 16
    # characters, too short for the URL rule above; whoever holds it makes the codes.
    TokenPattern(
        "one-time password seed",
        re.compile(
            r"otpauth://(?i:[ht]otp)/[^\s\"'?]*\?(?:[^\s\"'#]*?&)?secret=([A-Za-z2-7]{16,}=*)"
            + QUERY_END
        ),
        group=1,
        keywords=("otpauth://",),
    ),
)


# Where a URL opens, looking back from its query; and an image's path before the query.
_URL_OPENS = " \t\r\n\"'`(<["
_IMAGE_PATH = re.compile(r"\.(?:svg|png|gif)$", re.IGNORECASE)
_URL_MAX = 2048  # (a URL is read back this far at most: a minified line has no end)


def badge_query(text: str, at: int) -> bool:
    """Whether the query at `at` (its `?`, `&` or `#`) is a badge image's: a README's
    CircleCI, Codecov or Travis status badge carries a read-only status token, made to be
    published with the image (`…/badge.svg?token=…`, `….svg?circle-token=…`)."""
    least = max(0, at - _URL_MAX)
    start = max(text.rfind(c, least, at) for c in _URL_OPENS) + 1 or least
    path = text[start:at].split("?", 1)[0]
    return "://" in path and _IMAGE_PATH.search(path) is not None


def url_user_token(_kind: str, m: re.Match[str], _test: bool) -> tuple[int, int] | None:
    """The span of a URL's user that is a token: machine-made (a user's name is not), and
    not a Sentry DSN's public key (`https://<key>@o1.ingest.sentry.io/2`, 32 hex digits
    before a project's number on a self-hosted Sentry), which is meant for client code.
    Exactly the user: the `//` before it is the URL's, not the value's."""
    user = m.group(1)
    if "sentry" in m.group("host") or (_HEX32.fullmatch(user) and m.group("project")):
        return None
    return m.span(1) if rules.random_key_value(user) else None
