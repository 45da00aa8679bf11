"""Session cookies kept by HTTP recordings: a VCR cassette (recorded here by vcrpy from a
real exchange over loopback), a curl command, a log's `Cookie:` header. Whoever holds the
value is logged in. Analytics, preference and CSRF cookies, and stand-ins, stay quiet.

Every value here is drawn at random for this file.
"""

from __future__ import annotations

import random
import string
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import vcr

from bot.secrets import find_secrets, redact

_RANDOM = random.Random(4242)


def _r(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


_SESSION = _r(32, "0123456789abcdef")
_SIGNED = f"s%3A{_r(32)}.{_r(43)}%2F{_r(6)}"  # express-session's `s:<id>.<signature>`
_CSRF = _r(32)


class _Login(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Set-Cookie", f"connect.sid={_SIGNED}; Path=/; HttpOnly")
        self.send_header("Set-Cookie", f"csrftoken={_CSRF}; Path=/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Login)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_vcr_cassettes_session_cookies_are_found_and_redacted(
    server: str, tmp_path: Path
) -> None:
    cassette = tmp_path / "spec" / "cassettes" / "login.yaml"
    with vcr.use_cassette(str(cassette)):
        httpx.post(
            f"{server}/login",
            headers={"Cookie": f"theme=dark; csrftoken={_CSRF}; sessionid={_SESSION}"},
        )
    text = cassette.read_text()
    assert _SIGNED in text and _SESSION in text  # vcrpy kept both, as it does by default
    path = "spec/cassettes/login.yaml"
    found = {text[h.start : h.end] for h in find_secrets(text, path)}
    assert found == {_SIGNED, _SESSION}
    redacted = redact(text, path).text
    assert _SIGNED not in redacted and _SESSION not in redacted
    assert _CSRF in redacted  # a CSRF token is sent to every page: not a login


SESSIONS = [  # (path, line, value)
    ("scripts/fetch.sh", f'curl -b "sessionid={_SESSION}" https://intranet/api', _SESSION),
    ("scripts/fetch.sh", f"curl --cookie 'PHPSESSID={_SESSION}' https://intranet/", _SESSION),
    (
        "docs/debug.md",
        f"Cookie: _ga=GA1.2.1234.5678; JSESSIONID={_SESSION.upper()}",
        _SESSION.upper(),
    ),
    ("logs/requests.log", f"Set-Cookie: laravel_session={_SIGNED}; path=/; httponly", _SIGNED),
    (
        "test/fixtures/home.har",
        f'{{"name": "Cookie", "value": "ASP.NET_SessionId=q{_SESSION}; lang=en"}}',
        "q" + _SESSION,
    ),
    (
        "test/fixtures/home.har",
        f'  "name": "Set-Cookie",\n  "value": "remember_token={_SIGNED}; path=/"',
        _SIGNED,
    ),
    ("web/debug.js", f'document.cookie = "auth_token={_SESSION}; path=/";', _SESSION),
]


@pytest.mark.parametrize(("path", "line", "value"), SESSIONS, ids=[s[1][:30] for s in SESSIONS])
def test_a_session_cookie_is_found_where_http_is_written_down(
    path: str, line: str, value: str
) -> None:
    hits = find_secrets(line, path)
    assert [line[h.start : h.end] for h in hits] == [value]
    assert value not in redact(line, path).text


NOT_SESSIONS = [
    "Cookie: _ga=GA1.2.1234567890.1234567890; _gid=GA1.2.987654321.1234567890; theme=dark",
    f"Set-Cookie: csrftoken={_CSRF}; Path=/",
    "Cookie: sessionid=<your-session-id>",
    "Cookie: sessionid=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "Cookie: sid=abc123",
    'document.cookie = "sid=" + sid;',
    f"git checkout -b sessionid={_SESSION}",
]


@pytest.mark.parametrize("line", NOT_SESSIONS)
def test_other_cookies_and_stand_ins_are_not_sessions(line: str) -> None:
    assert find_secrets(line, "docs/http.md") == []


def test_a_har_files_parsed_cookies_are_read_by_name() -> None:
    """Browsers export a HAR entry's cookies as objects, one field per line: the session's
    value is found under its name, the CSRF cookie's (Django's `csrftoken`) is not."""
    text = (
        '      "cookies": [\n'
        "        {\n"
        '          "name": "sessionid",\n'
        f'          "value": "{_SESSION}",\n'
        '          "path": "/"\n'
        "        },\n"
        f'        {{"name": "csrftoken", "value": "{_CSRF}"}}\n'
        "      ],\n"
        f'      "headers": [{{"name": "X-Request-Id", "value": "{_r(32)}"}}]\n'
    )
    hits = find_secrets(text, "test/fixtures/login.har")
    assert [text[h.start : h.end] for h in hits] == [_SESSION]


def _har_cookie(name: str, value: str) -> str:
    return (
        "        {\n"
        f'          "name": "{name}",\n'
        f'          "value": "{value}",\n'
        '          "path": "/",\n'
        '          "domain": ".shop.example",\n'
        '          "expires": "2027-01-01T00:00:00.000Z",\n'
        '          "httpOnly": false,\n'
        '          "secure": true\n'
        "        },\n"
    )


def test_a_session_cookie_after_many_others_is_still_read() -> None:
    """A shop's page sets dozens of analytics cookies; the login's may come last. Arrays
    were read to their 200th line and a YAML header's list to its 20th item."""
    har = (
        '      "cookies": [\n'
        + "".join(_har_cookie(f"_ga_{i}", _r(20)) for i in range(40))
        + _har_cookie("sessionid", _SESSION)
        + "      ],\n"
    )
    assert [har[h.start : h.end] for h in find_secrets(har, "test/fixtures/shop.har")] == [_SESSION]
    cassette = (
        "    headers:\n      Set-Cookie:\n"
        + "".join(f"      - _pref_{i}=dark; Path=/\n" for i in range(30))
        + f"      - sessionid={_SESSION}; HttpOnly; Path=/\n"
    )
    hits = find_secrets(cassette, "tests/cassettes/shop.yaml")
    assert [cassette[h.start : h.end] for h in hits] == [_SESSION]


def test_an_array_left_open_ends_where_the_next_one_opens() -> None:
    text = '"cookies": [\n' + '{"name": "theme", "value": "dark"},\n' * 3
    text += '"cookies": [\n' + f'{{"name": "sessionid", "value": "{_SESSION}"}}\n]\n'
    hits = find_secrets(text, "test/fixtures/two.har")
    assert [text[h.start : h.end] for h in hits] == [_SESSION]
