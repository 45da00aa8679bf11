"""Session cookies: a `Cookie` or `Set-Cookie` header's session id, as an HTTP recording
(a VCR cassette, a HAR file, a curl command, a log) keeps it. Whoever holds the value is
logged in, so it is a credential though its name (`sessionid`, `connect.sid`,
`JSESSIONID`) says "id": outside a cookie those names stay identifiers. Run on the lines
that say "cookie" or run curl (detect.py), and on a YAML header's list items below it
(`Set-Cookie:` then `- sid=…; Path=/`, as vcrpy and VCR write them)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import unquote

from bot.secrets import rules
from bot.secrets.line_finders import RANK_TOKEN, SWITCHYARD, Candidate
from bot.secrets.stand_ins import token_is_placeholder

SESSION_COOKIE = "session cookie"
COOKIE_WORDS = ("cookie", "curl ")

# Where a cookie string starts: a header (`Cookie:`, `Set-Cookie:`, `"Cookie": "`), curl's
# `-b` / `--cookie`, `document.cookie =`, a HAR header object on one line.
_COOKIE_START = re.compile(
    r"(?i)(?:\bset-)?\bcookies?[\"']?\s*[:=]\s*[\"']?|(?:^|\s)(?:-b|--cookie)\s+[\"']?"
    r"|\bdocument\.cookie\s*=\s*[\"'`]?"
    r'|"name"\s*:\s*"(?:set-)?cookie"\s*,\s*"value"\s*:\s*"'
)
# A HAR header object: `"name": "Cookie"`, its `"value": "…"` on the same line or the next.
_HAR_NAME = re.compile(r'(?i)"name"\s*:\s*"(?:set-)?cookie"\s*,?\s*$')
_HAR_VALUE = re.compile(r'\s*"value"\s*:\s*"')
# A HAR entry's parsed cookies: `"cookies": [` then objects with a `"name"` and a `"value"`,
# one per line as browsers export them or all on one line.
_HAR_COOKIES = re.compile(r'"cookies"\s*:\s*\[')
_ARRAY_ITEM = re.compile(
    r'"name"\s*:\s*"(?P<n>[^"\n]{1,64})"|"value"\s*:\s*"(?P<v>[^"\\\n]*)"|(?P<end>\])'
)
# A YAML key that opens a list of header values on the lines below.
_YAML_HEADER = re.compile(r"(?i)^(?P<indent>\s*)[\"']?(?:set-)?cookie[\"']?:\s*$")
_YAML_ITEM = re.compile(r"(?P<indent>[ \t]*)-\s+[\"']?")
# RFC 6265: a cookie's value holds no space, quote, comma, semicolon or backslash.
# A name's length is bounded: a long run of name characters with no `=` (a base64url blob
# after the word "cookie") would otherwise be read again from each of its characters.
_PAIR = re.compile(r"(?P<name>[!#$%&'*+\-.^_`|~\w]{1,64})=(?P<v>[^;,\s\"'\\]+)")
# Names that carry a login: sessions (`sessionid`, `PHPSESSID`, `_gh_sess`), `sid` as a word
# (`connect.sid`), auth and token cookies. A CSRF token is sent to every page, on purpose.
_SESSION_NAME = re.compile(
    r"(?i)sess|(?:^|[._\-])sid(?:$|[._\-])|^sid|auth|token|jwt|remember|sso|login"
)
_NOT_SESSION = re.compile(r"(?i)csrf|xsrf")
_VALUE_MIN = 16
# A Cookie header's pairs stand within this of its start: servers refuse longer headers
# (nginx's and Apache's limits are 8 KB). On a bundle's megabyte line after its first
# `document.cookie=`, every `a=b` to the line's end was read as a pair.
_HEADER_MAX = 16_384


def session_cookies(text: str, ls: int, le: int) -> list[Candidate]:
    """Session cookies' values on the line `text[ls:le]` (which says "cookie") and, under a
    YAML `Set-Cookie:` key, on the list items below it."""
    line = text[ls:le]
    if _YAML_HEADER.match(line):
        return _yaml_items(text, le + 1, len(line) - len(line.lstrip()))
    if _HAR_NAME.search(line):
        for s, e in _lines_from(text, le + 1, 1):
            value = _HAR_VALUE.match(text, s, e)
            return [] if value is None else _pairs(text, value.end(), e)
        return []
    if (array := _HAR_COOKIES.search(line)) is not None:
        return _cookie_array(text, ls + array.end())
    start = _COOKIE_START.search(line)
    if start is None:
        return []
    return _pairs(text, ls + start.end(), min(le, ls + start.end() + _HEADER_MAX))


def _lines_from(text: str, pos: int, count: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of up to `count` lines (all, without): from `pos` to its line's end,
    then the lines after it; none when `pos` is past the text."""
    for _ in range(count) if count is not None else itertools.count():
        if pos > len(text):
            return
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        yield pos, end
        pos = end + 1


def _cookie_array(text: str, pos: int) -> list[Candidate]:
    """A HAR `cookies` array from `pos` to its `]`: each object's value under its name."""
    out: list[Candidate] = []
    name = ""
    # To its `]`, however many cookies it holds; an array left open ends where the next
    # one opens (arrays do not nest), so that every line is read once.
    for s, e in _lines_from(text, pos):
        if s > pos and _HAR_COOKIES.search(text, s, e):
            return out
        for m in _ARRAY_ITEM.finditer(text, s, e):
            if m.group("end") is not None:
                return out
            if m.group("n") is not None:
                name = m.group("n")
            elif _session_value(name, m.group("v")):
                out.append(Candidate(*m.span("v"), SESSION_COOKIE, RANK_TOKEN, SWITCHYARD))
    return out


def _yaml_items(text: str, pos: int, indent: int) -> list[Candidate]:
    """The `- value` items from `pos`, the line after a YAML header key, at its indent."""
    out: list[Candidate] = []
    for s, e in _lines_from(text, pos):
        item = _YAML_ITEM.match(text, s, e)
        if item is None or len(item.group("indent")) < indent:
            break
        out.extend(_pairs(text, item.end(), e))
    return out


def _pairs(text: str, start: int, end: int) -> list[Candidate]:
    """The session pairs of a cookie string from `start`: a `Cookie` header's many, a
    `Set-Cookie` header's one (its attributes, `Path=/`, name no session)."""
    return [
        Candidate(*m.span("v"), SESSION_COOKIE, RANK_TOKEN, SWITCHYARD)
        for m in _PAIR.finditer(text, start, end)
        if _session_value(m.group("name"), m.group("v"))
    ]


def _session_value(name: str, value: str) -> bool:
    if not _SESSION_NAME.search(name) or _NOT_SESSION.search(name):
        return False
    decoded = unquote(value)
    if len(decoded) < _VALUE_MIN or token_is_placeholder(decoded):
        return False
    return rules.generated(decoded)
