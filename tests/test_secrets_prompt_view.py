"""What the file scan finds, the prompt hides: a file's secrets are redacted in the forms
the file leaves in (a review's rendered rows, a description's unified diff, unchanged
context), whatever a finder reads across lines or anchors on a line's start.

Every value here is drawn at random for this file.
"""

from __future__ import annotations

import random
import re
import string

import pytest

from bench.secrets_prompt_parity import context as context_rows
from bench.secrets_prompt_parity import rendered as review_rows
from bench.secrets_prompt_parity import unified as description_diff
from bot.secrets import find_secrets, redact
from bot.secrets.patterns import LINE_PREFIX
from bot.secrets.prompt_view import View

_RANDOM = random.Random(5309)


def _r(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(n))


FORMS = [review_rows, context_rows, description_diff]
_TOKEN = "00" + _r(40, string.ascii_letters + string.digits + "_-")
_HASH = "$6$" + _r(8) + "$" + _r(86, string.ascii_letters + string.digits + "./")
_PASSWORD = _r(14) + "7Q"
FILES = [  # (path, text, value): each value is found in its file
    # gitleaks' rules let whitespace, a newline among it, sit between name and value.
    ("conf/okta.xml", f"<auth>\n  <oktaToken>\n    {_TOKEN}\n  </oktaToken>\n</auth>", _TOKEN),
    # A shadow file's hashes below its first line.
    ("etc/shadow", f"daemon:*:19000:0:99999:7:::\nroot:{_HASH}:19000:0:99999:7:::", _HASH),
    # Names assigned at once: the value sits at its own place, found from the line's start.
    ("app/db.py", f"user, password = 'app', '{_PASSWORD}'", _PASSWORD),
]


@pytest.mark.parametrize("form", FORMS, ids=[f.__name__ for f in FORMS])
@pytest.mark.parametrize(("path", "text", "value"), FILES, ids=[f[0] for f in FILES])
def test_a_value_the_file_scan_finds_is_redacted_in_every_prompt_form(
    form: object, path: str, text: str, value: str
) -> None:
    assert value in [text[h.start : h.end] for h in find_secrets(text, path)]
    prompt = form(path, text.splitlines())  # type: ignore[operator]
    out = redact(prompt).text
    assert value not in out
    # The rows keep their columns and markers: only the value is replaced.
    kept = [line.split("|")[0] if "|" in line else line[:1] for line in prompt.splitlines()]
    assert [line.split("|")[0] if "|" in line else line[:1] for line in out.splitlines()] == kept


def test_a_key_block_in_a_unified_diff_keeps_each_lines_marker() -> None:
    body = [_r(64, string.ascii_letters + string.digits + "+/") for _ in range(4)]
    lines = ["-----BEGIN RSA PRIVATE KEY-----", *body, "-----END RSA PRIVATE KEY-----"]
    out = redact(description_diff("deploy/id_rsa", lines)).text.splitlines()
    assert all(line.startswith("+") for line in out[2:]), out
    assert not any(b in "\n".join(out) for b in body)


def test_the_view_maps_each_part_back_inside_its_own_row() -> None:
    prompt = review_rows("conf/okta.xml", FILES[0][1].splitlines())
    view = View(prompt)
    assert view.changed and "|" not in view.text.split("\n", 2)[2]
    hit = find_secrets(view.text, "conf/okta.xml")[0]
    mapped = view.hit(hit)
    assert [prompt[s:e] for s, e in mapped.parts] == [_TOKEN]


def test_text_without_rows_is_scanned_as_it_is() -> None:
    text = "Notes\n\n  | a table | cell |\n- item: 3\n"
    assert not View(text).changed


# patterns.LINE_PREFIX as it was written before its runs were read once: three runs that
# may each be empty, which split a line of spaces every way (cubic).
_PREFIX_AS_WRITTEN = r"[ \t\d]*[-+>]?[ \t\d]*\|?[ \t]*"


def test_the_line_prefix_read_once_takes_what_it_took() -> None:
    """What a diff or a prompt puts before a line, and a YAML item after it, match as they
    did when the prefix was written as three runs."""
    rng = random.Random("line prefix")
    pieces = (" ", "  ", "\t", "1", "42", "-", "+", ">", "|", "- ", "x", "--token", '"')
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        for tail in ("", r"-[ \t]+(?P<q>[\"']?)--?[A-Za-z][\w-]*", r"[ \t]*x"):
            ours, written = (
                re.match(LINE_PREFIX + tail, text),
                re.match(_PREFIX_AS_WRITTEN + tail, text),
            )
            assert (ours and ours.span()) == (written and written.span()), (text, tail)
            full = (
                re.fullmatch(LINE_PREFIX + tail, text),
                re.fullmatch(_PREFIX_AS_WRITTEN + tail, text),
            )
            assert (full[0] is None) == (full[1] is None), (text, tail)
