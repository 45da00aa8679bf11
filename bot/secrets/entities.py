"""Quotes written as HTML or XML character references: JSON in an XML attribute
(`value="{&quot;ApiKey&quot;: &quot;…&quot;}"`, a .NET or Java config), a code sample in an
HTML page or a Javadoc. No rule reads a value between `&quot;`s as quoted, so detect.py
reads such a text a second time with each reference replaced by its quote, padded with
spaces to the reference's length: every offset, line and span found holds in the text as
written, and the value itself is unchanged.

On each line the references alternate between opening and closing a string: an opening
quote stands last in its reference's place and a closing one first, next to the value
(`&quot;key&quot;` reads `     "key"     `).
"""

from __future__ import annotations

import re

_QUOTE_REFERENCE = re.compile(r"&(?:quot|apos|#34|#39|#x22|#x27);", re.IGNORECASE)
_QUOTE_OF = {"quot": '"', "#34": '"', "#x22": '"', "apos": "'", "#39": "'", "#x27": "'"}


def quotes_read(text: str) -> str | None:
    """`text` with its quote references read as quotes (the same length), or None when it
    has none."""
    if "&" not in text or _QUOTE_REFERENCE.search(text) is None:
        return None
    out: list[str] = []
    at = 0
    open_quotes: dict[str, bool] = {}
    line_start = 0
    for m in _QUOTE_REFERENCE.finditer(text):
        if text.rfind("\n", line_start, m.start()) != -1:
            line_start = text.rfind("\n", 0, m.start()) + 1
            open_quotes = {}  # each line starts outside a string
        quote = _QUOTE_OF[m.group(0)[1:-1].lower()]
        pad = " " * (m.end() - m.start() - 1)
        opening = not open_quotes.get(quote, False)
        open_quotes[quote] = opening
        out.append(text[at : m.start()])
        out.append(pad + quote if opening else quote + pad)
        at = m.end()
    out.append(text[at:])
    return "".join(out)
