"""Quotes written as character references (`&quot;`, `&#34;`): JSON in an XML attribute,
a code sample in an HTML page. The value between them is read as a quoted one
(bot/secrets/entities.py), and masked where it is written."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import find_secrets, redact
from bot.secrets.entities import quotes_read

_RANDOM = random.Random("entities")


def _drawn(n: int) -> str:
    return "".join(_RANDOM.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("Web.config", '<add key="Settings" value="{{&quot;ApiKey&quot;: &quot;{v}&quot;}}" />\n'),
        ("docs/api.html", "<pre>{{&#34;client_secret&#34;: &#34;{v}&#34;}}</pre>\n"),
        ("src/main/resources/beans.xml", "<value>{{&#x22;token&#x22;:&#x22;{v}&#x22;}}</value>\n"),
        ("site/index.html", "<code>API_TOKEN = &apos;{v}&apos;</code>\n"),
    ],
)
def test_a_value_between_quote_references_is_found_and_masked(path: str, template: str) -> None:
    value = _drawn(32)
    text = template.format(v=value)
    assert [text[h.start : h.end] for h in find_secrets(text, path)] == [value]
    masked = redact(text, path).text
    assert value not in masked
    assert masked.count("&") == text.count("&")  # the references stay as written


def test_words_between_quote_references_are_not_secrets() -> None:
    for text in (
        "<p>Set &quot;token&quot; to the value &quot;your-api-token&quot; first.</p>\n",
        '<add key="Settings" value="{&quot;name&quot;: &quot;Xk9fLq2mPz7RtY4wVb8N&quot;}" />\n',
    ):
        assert find_secrets(text, "docs/setup.html") == [], text


def test_the_reading_keeps_every_offset() -> None:
    text = "a &quot;b&quot; &#39;c&#39;\nd &quot;e"
    read = quotes_read(text)
    assert read is not None and len(read) == len(text)
    assert read.splitlines()[0] == "a " + " " * 5 + '"b"' + " " * 6 + " " * 4 + "'c'" + " " * 4
    assert quotes_read("no references here") is None
