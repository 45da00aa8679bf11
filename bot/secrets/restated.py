"""A service's name and value written where gitleaks' rules cannot read them: a Kubernetes
`env` entry (`- name: ASANA_TOKEN` then `value: 8195…`), a command-line flag
(`--asana-token 8195…`), JSON inside a string (`\"asanaToken\": \"8195…\"`) or an index
(`os.environ["ASANA_TOKEN"] = "8195…"`, bash's `([ASANA_TOKEN]="8195…")`).

gitleaks' rules led by a service's name (Rule.semi_generic: `asana… = <16 digits>`) need an
operator after the name, and their values are often a plain run (digits, a UUID, 32 hex
characters) that only the name makes a credential. Such a pair is restated as the
assignment `name = "value"` and those rules run on it; a value they report there is
reported where it is written. In escaped JSON and an index, the line is read with the
escape and the `]` as spaces (a rewrite of the same length, so every offset holds). Only
their rules count: the generic rule's names and values are the assignment rules'
(rules.py), which read these syntaxes already.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.secrets.contexts import PAIR_PATTERNS

# A flag and its value: `--asana-token X`, `-asana_key=X`, `--discord-token "X"`. Shorter
# values than line_contexts' flags (a service's 16 digits), since a rule of the service
# named judges the value.
_FLAG = re.compile(
    r"(?:^|[\s\"'(])--?(?P<name>[A-Za-z][\w.-]{0,60})(?:[ \t]+|=)(?P<q>[\"']?)"
    r"(?P<v>[^\s\"'`;|&)]{8,200})(?P=q)(?=[\s\"'`;|&)]|$)"
)


def named_values(text: str, line_starts: set[int]) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each flag's or name/value entry's value on or next to the lines
    starting at `line_starts` (the lines holding a service rule's keyword, which may be the
    name's line or the value's)."""
    seen: set[int] = set()
    for ls in sorted(line_starts):
        le = _end(text, ls)
        if text.find("-", ls, le) != -1:
            for m in _FLAG.finditer(text, ls, le):
                yield m.group("name"), *m.span("v")
        # An entry's name and value: on this line, or on this line and the next, or on the
        # line before and this one.
        before = text.rfind("\n", 0, max(ls - 1, 0)) + 1 if ls else ls
        after = _end(text, le + 1)
        if text.find("value", before, after) == -1:
            continue
        for pattern in PAIR_PATTERNS:
            for m in pattern.regex.finditer(text, before, after):
                if m.start() < le and m.start("v") not in seen:
                    seen.add(m.start("v"))
                    yield m.group("name"), *m.span("v")


def _end(text: str, at: int) -> int:
    """Where the line holding `at` ends."""
    end = text.find("\n", min(at, len(text)))
    return len(text) if end == -1 else end


def restated(name: str, value: str) -> tuple[str, int]:
    """The assignment `name = "value"`, and where the value starts in it."""
    head = f'{name} = "'
    return f'{head}{value}"', len(head)


# An escape before a quote, and an index's `]` after a quote or before `=`: what stands
# between a name and gitleaks' operators in JSON inside a string and in an index.
_ESCAPED_QUOTE = re.compile(r"\\(?=[\"'])")
_CLOSING_INDEX = re.compile(r"(?<=[\"'])\]|\](?=\s*=)")


def unescaped_lines(text: str, line_starts: set[int]) -> Iterator[tuple[int, str]]:
    """(start, line) for each line starting at `line_starts` that holds an escaped quote or
    an index's `]`, with those read as spaces (same length: its offsets are the text's)."""
    for ls in sorted(line_starts):
        line = text[ls : _end(text, ls)]
        if "\\" not in line and "]" not in line:
            continue
        read = _CLOSING_INDEX.sub(" ", _ESCAPED_QUOTE.sub(" ", line))
        if read != line:
            yield ls, read
