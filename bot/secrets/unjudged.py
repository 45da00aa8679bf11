"""Pieces of a file that a hunk shows without what tells them secrets: a key's body lines
without its armour, a `Value:` whose `Name:` is a line above the hunk, a cookie list's
items under a `Set-Cookie:` key above it, an OpenVPN key's hex lines. The hunk alone
cannot judge them; classification asks the whole file when one is shown
(bot/classify/shown_secrets.py). A cheap test: it only decides whether the file is read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.secrets import wording
from bot.secrets.patterns import BASE64_MASK, run_mask
from bot.secrets.text_lines import next_run

# The text's UTF-8 bytes: upper-case base32's characters, and lower-case hex digits.
_BASE32_MASK = run_mask(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_HEX_MASK = run_mask(b"0123456789abcdef")
_ALNUM = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

# A drawn value this long or longer: a 16-byte key in base64 (a JSON Web Key's `k` of 22
# characters, a session cookie's signature of 27) and up. Over 2,000 hunks of installed
# packages' files, 100 hold one (ids in examples, long identifiers with digits).
_LEAST = 20
# Upper-case base32 of 20 bytes or more, digits among the letters: a NATS seed (`SU…`,
# its `nkey` line elsewhere), a TOTP secret; the mixed-case test is no help there.
_BASE32_LEAST = 32
# Lower-case hex of 16 bytes or more: an OpenVPN static key's line, a Rails or Devise
# secret continued on the line below its name. Over 2,000 hunks of installed packages'
# files, 6 hold one.
_HEX_LEAST = 32


def holds_an_unjudged_value(text: str) -> bool:
    """Whether `text` (a hunk's lines, its detected values blanked) holds a piece that
    may be a secret's whose context is outside it: a run of 20 or more base64 or base64url
    characters that looks drawn (digits and letters of both cases, or letters drawn: a
    key's last line may have no digit) and is no camel-case name; upper-case base32 of 32
    characters or more; lower-case hex of 32 or more."""
    # Runs found in the UTF-8 bytes mapped to b"t" and b" " (patterns.run_mask): over
    # 2,000 hunks character-class regexes for the three runs cost ~70 ms, the masks ~7.
    raw = text.encode("utf-8", "surrogatepass")
    return _drawn_run(raw) or _base32_run(raw) or _hex_run(raw)


def _runs(raw: bytes, table: bytes, least: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of `least`+ of the characters `table` maps to b"t"."""
    mask = raw.translate(table)
    pos = 0
    while (run := next_run(mask, pos, least)) is not None:
        yield run
        pos = run[1]


def _drawn_run(raw: bytes) -> bool:
    for pos, end in _runs(raw, BASE64_MASK, _LEAST):
        value = raw[pos:end].decode().rstrip("=")
        drawn = wording.looks_random(value) or wording.random_letters(value)
        if drawn and not any(
            wording.camel_name(part) for part in value.replace("-", "_").split("_")
        ):
            return True
    return False


def _base32_run(raw: bytes) -> bool:
    for pos, end in _runs(raw, _BASE32_MASK, _BASE32_LEAST):
        if _alone(raw, pos, end) and any(c in b"234567" for c in raw[pos:end]):
            return True
    return False


def _hex_run(raw: bytes) -> bool:
    return any(_alone(raw, pos, end) for pos, end in _runs(raw, _HEX_MASK, _HEX_LEAST))


def _alone(raw: bytes, pos: int, end: int) -> bool:
    """Whether the run at raw[pos:end] is no part of a longer word."""
    before = pos == 0 or raw[pos - 1] not in _ALNUM
    return before and (end == len(raw) or raw[end] not in _ALNUM)


# A name/value pair's value (CloudFormation's and Kubernetes' `Value:`, a HAR's
# `"value": `), or a list's item that is one scalar (`- "s3cret"`): a hunk that opens
# with one shows it without its name, a line or more above.
_BARE_VALUE = re.compile(
    r"""[ \t]*(?:(?:-[ \t]+)?["']?value["']?[ \t]*[:=][ \t]*\S"""
    r"""|-[ \t]+["']?[^\s"'#]+["']?,?[ \t]*$)""",
    re.IGNORECASE,
)


def opens_with_a_bare_value(first_lines: Iterable[str]) -> bool:
    """Whether a hunk opens (its first shown line) with a name/value pair's value line or
    a list's one-scalar item: its name is above, outside the hunk. A password need not
    look drawn."""
    return any(_BARE_VALUE.match(line) for line in first_lines)
